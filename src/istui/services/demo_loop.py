"""The demo's handoff loop: each booked meeting gets its time, length, attendees and place; each handoff an answer
from field sales (accepted, returned with a reason, or still waiting), a rating now and then, and each meeting that
has passed its mark (held or a no-show; the last days' left for field sales to mark). Drawn from a generator of its
own, so the rest of the demo stays as it was."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from istui.domain.handoffs import ACCEPTED, DEFAULT_REJECT_REASONS, HELD, NO_SHOW, PROPOSED, REJECTED
from istui.domain.ids import new_id
from istui.domain.model import Stage
from istui.store.workspace import iso

Record = dict[str, Any]
PLACES = ("Online (Zoom)", "Customer's office", "Online (Teams)")
FEEDBACK = ("Who signs off, by name", "The budget's basis", "Current tool and when its contract ends",
            "How many seats they need", "")
RETURN_NOTES = ("Budget is next fiscal year", "Contact has moved on", "Already talking to us via a partner", "")


class DemoLoop:
    def __init__(self, demo: Any) -> None:
        self.demo = demo
        self.rng = random.Random(demo.seed * 7919 + 17)

    def _at(self, after: datetime, days: float) -> datetime:
        """A weekday at 10:00, 14:00 or 16:00, `days` days or more after `after`."""
        day = (after + timedelta(days=days)).astimezone(self.demo.ws.tz).date()
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime.combine(day, time(self.rng.choice((10, 14, 16))), tzinfo=self.demo.ws.tz)

    def _activity(self, lead: Record, rep: str, kind: str, outcome: str, at: datetime, **extra: Any) -> None:
        stamp = iso(at)
        self.demo.activities.append({"id": new_id(int(at.timestamp() * 1000), self.rng.getrandbits(80)), "lead": lead["id"],
                                     "rep": rep, "kind": kind, "outcome": outcome, "at": stamp, "created_at": stamp,
                                     "updated_at": stamp, "updated_by": rep, **extra})

    def _meeting(self, lead: Record, at: datetime, people: list[str]) -> None:
        lead["meeting_at"] = iso(at)
        lead["meeting"] = {"by": lead["owner"], "with": people, "minutes": self.rng.choice((30, 45, 60, 60, 90)),
                           "place": self.demo.text(self.rng.choice(PLACES)), "status": None}

    def booked(self, lead: Record, booked_at: datetime, field_sales: list[str]) -> None:
        """A meeting not handed off (yet): set ahead of now, with a field rep invited."""
        now = self.demo.now
        at = self._at(max(booked_at, now), self.rng.uniform(1, 8))
        self._meeting(lead, at, [self.rng.choice(field_sales)])

    def handed_off(self, lead: Record, handoff_at: datetime, closed_at: datetime | None) -> None:
        """Field sales' answer to the handoff, the meeting's time and mark, a rating now and then."""
        rng, now, handoff = self.rng, self.demo.now, lead["handoff"]
        to = handoff["to"]
        meeting_at = self._at(handoff_at, rng.uniform(1, 6))
        if closed_at is not None and meeting_at >= closed_at:
            meeting_at = max(handoff_at + timedelta(hours=2), closed_at - timedelta(days=1))
        decided_at = handoff_at + timedelta(hours=rng.uniform(1, 40))
        if closed_at is None and (decided_at > now or rng.random() < 0.15):
            status = PROPOSED  # still waiting for field sales (some past the SLA)
        elif closed_at is None and rng.random() < 0.22:
            status = REJECTED
        else:
            status = ACCEPTED
        handoff.update(status=status, round=1)
        if status == PROPOSED:
            self._meeting(lead, max(meeting_at, self._at(now, rng.uniform(0, 4))), [to])
            return
        decided_at = min(decided_at, now - timedelta(minutes=5))
        handoff.update(decided_at=iso(decided_at), decided_by=to, decision_note="")
        if status == REJECTED:
            reason = rng.choice(DEFAULT_REJECT_REASONS)
            note = self.demo.text(rng.choice(RETURN_NOTES))
            handoff.update(reason=reason, decision_note=note)
            self._activity(lead, to, "handoff", "rejected", decided_at, reason=reason, of=lead["owner"],
                           from_stage=Stage.HANDED_OFF.value, **({"note": note} if note else {}))
            lead["stage"] = Stage.NURTURING.value  # back to inside sales, worked again since
            lead["next_at"] = iso(self._at(now, rng.uniform(1, 20)))
            lead["next_action"] = self.demo.text("call back")
            return
        self._activity(lead, to, "handoff", "accepted", decided_at, of=lead["owner"])
        self._meeting(lead, max(meeting_at, decided_at + timedelta(hours=1)), [to])
        moment = datetime.fromisoformat(lead["meeting_at"])
        if moment < now and (closed_at is not None or moment < now - timedelta(days=2)):
            mark = HELD if closed_at is not None or rng.random() < 0.85 else NO_SHOW
            marked_at = min(moment + timedelta(hours=2), now - timedelta(minutes=1))
            lead["meeting"].update(status=mark, marked_at=iso(marked_at), marked_by=to)
            self._activity(lead, to, "meeting", mark, marked_at, of=lead["owner"])
        if rng.random() < 0.6:
            rating = rng.choice((2, 3, 3, 4, 4, 4, 5, 5))
            feedback = self.demo.text(rng.choice(FEEDBACK))
            rated_at = min(decided_at + timedelta(hours=rng.uniform(1, 72)), now - timedelta(minutes=1))
            handoff.update(rating=rating, feedback=feedback, rated_at=iso(rated_at), rated_by=to)
            self._activity(lead, to, "handoff", "rated", rated_at, rating=rating, of=lead["owner"],
                           **({"note": feedback} if feedback else {}))
