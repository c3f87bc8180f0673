"""The handoff figures of a period (DESIGN.md section 4, "Handoffs"), pure: from the leads' handoff rounds and
meetings (`domain.handoffs`) and the period's latest closings (`services.counting`, the rule every other figure
uses: a deal reopened and closed again counts once).

A round counts as a handoff in the period it was proposed, as accepted or rejected in the period it was decided,
and as an SLA breach when it was decided after its SLA ended, or is still undecided past it. A meeting counts as
held or a no-show in the period of its time. `handoff_win_rate` = orders among the leads handed off (by the rep)
/ those leads closed, over the period's latest closings. One rep's figures are those of the rounds they handed off
or received, and the meetings they booked or attended.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from istui.domain import handoffs as ho
from istui.services.counting import rate

Record = Mapping[str, Any]
Closing = tuple[float, str, str, float]
#: the counts of one row of the per-rep and per-source tables
ROW_COUNTS = ("handoffs", "accepted", "rejected", "orders", "closed", "amount")


def _moment(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _row() -> dict[str, Any]:
    return dict.fromkeys(ROW_COUNTS, 0)


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    row["sal_rate"] = rate(row["accepted"], row["accepted"] + row["rejected"])
    row["win_rate"] = rate(row["orders"], row["closed"])
    row["amount"] = round(row["amount"], 3)
    return row


def handoff_figures(leads: Iterable[Record], start: datetime, end: datetime, *, now: datetime,
                    sla_due: Callable[[Record], datetime | None], closings: Mapping[str, Closing],
                    rep: str | None = None) -> dict[str, Any]:
    """The handoff figures of [start, end) for `rep` (None: the team). `closings`: lead id → its latest closing in
    the period; `sla_due(round)`: when the round's SLA ends."""
    def inside(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    counts = {"handoffs": 0, "accepted": 0, "rejected": 0, "sla_breaches": 0, "meetings_held": 0, "no_shows": 0}
    by_reason: dict[str, int] = {}
    hours_to_accept: list[float] = []
    ratings: list[int] = []
    returned: list[dict[str, Any]] = []
    asked: list[dict[str, Any]] = []
    by_rep: dict[str, dict[str, Any]] = {}
    by_source: dict[str, dict[str, Any]] = {}
    won = {"orders": 0, "closed": 0, "amount": 0}
    for lead in leads:
        rounds = ho.rounds(lead)
        source = str(lead.get("source") or "other")
        mine = [r for r in rounds if rep is None or rep in (r.get("by"), r.get("to"))]
        for handoff in mine:
            proposed, decided = _moment(handoff.get("at")), _moment(handoff.get("decided_at"))
            status = handoff.get("status")
            rows = [by_rep.setdefault(str(handoff.get("by") or "–"), _row()), by_source.setdefault(source, _row())]
            if inside(proposed):
                counts["handoffs"] += 1
                for row in rows:
                    row["handoffs"] += 1
                due = sla_due(handoff)
                if due is not None and (decided > due if decided is not None else now > due):
                    counts["sla_breaches"] += 1
            if status in (ho.ACCEPTED, ho.REJECTED) and inside(decided):
                counts[status] += 1
                for row in rows:
                    row[status] += 1
                if status == ho.ACCEPTED and proposed is not None:
                    hours_to_accept.append((decided - proposed).total_seconds() / 3600)  # type: ignore[operator]
                else:
                    code = str(handoff.get("reason") or "other")
                    by_reason[code] = by_reason.get(code, 0) + 1
                    returned.append({"lead": lead["id"], "company": lead.get("company", ""), "reason": code,
                                     "note": handoff.get("decision_note") or "", "by": handoff.get("by"),
                                     "decided_by": handoff.get("decided_by"), "at": handoff.get("decided_at")})
            if type(handoff.get("rating")) is int and inside(_moment(handoff.get("rated_at"))):
                ratings.append(handoff["rating"])
                if handoff.get("feedback"):
                    asked.append({"lead": lead["id"], "company": lead.get("company", ""), "rating": handoff["rating"],
                                  "note": handoff["feedback"], "by": handoff.get("by"), "rated_by": handoff.get("rated_by")})
        closing = closings.get(lead["id"])
        if mine and closing is not None:
            outcome, amount = closing[2], closing[3]
            rows = [by_rep.setdefault(str(h.get("by") or "–"), _row()) for h in {str(h.get("by")): h for h in mine}.values()]
            rows.append(by_source.setdefault(source, _row()))
            for row in (won, *rows):
                row["closed"] += 1
                if outcome == "won":
                    row["orders"] += 1
                    row["amount"] += amount
        for meeting in ho.meetings(lead):
            people = [meeting.get("by"), *(meeting.get("with") or [])]
            if rep is not None and rep not in people:
                continue
            if meeting.get("status") in ho.MEETING_STATUSES and inside(_moment(meeting.get("at"))):
                counts["meetings_held" if meeting["status"] == ho.HELD else "no_shows"] += 1
    figures: dict[str, Any] = dict(counts)
    figures["rejected_by_reason"] = dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0])))
    figures["sal_rate"] = rate(counts["accepted"], counts["accepted"] + counts["rejected"])
    figures["median_hours_to_accept"] = round(statistics.median(hours_to_accept), 1) if hours_to_accept else None
    figures["show_rate"] = rate(counts["meetings_held"], counts["meetings_held"] + counts["no_shows"])
    figures["handoff_orders"], figures["handoff_closed"] = won["orders"], won["closed"]
    figures["handoff_amount"] = round(won["amount"], 3)
    figures["handoff_win_rate"] = rate(won["orders"], won["closed"])
    figures["ratings"] = len(ratings)
    figures["avg_rating"] = round(sum(ratings) / len(ratings), 2) if ratings else None
    figures["by_rep"] = {name: _finish(row) for name, row in sorted(by_rep.items()) if any(row.values())}
    figures["by_source"] = {name: _finish(row) for name, row in sorted(by_source.items(), key=lambda i: (-i[1]["handoffs"], i[0]))
                            if any(row.values())}
    figures["returned"] = sorted(returned, key=lambda r: str(r["at"]))
    figures["asked_for"] = asked
    return figures
