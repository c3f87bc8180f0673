"""The handoff figures of a period (DESIGN.md section 4, "Handoffs"), pure: from the leads' handoff rounds and
meetings (`domain.handoffs`) and the period's latest closings (`services.counting`, the rule every other figure
uses: a deal reopened and closed again counts once).

A round counts as a handoff in the period it was proposed, as accepted or rejected in the period it was decided,
and as an SLA breach when it was decided after its SLA ended, or is still waiting past it (a lead closed or moved
on without an answer waits no longer). A meeting counts as
held or a no-show in the period of its time. `handoff_win_rate` = orders among the leads handed off (by the rep)
/ those leads closed, over the period's latest closings. One rep's figures are those of the rounds they handed off
or received, and the meetings they booked or attended.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
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
                    rep: str | None = None, sla_floor: timedelta = timedelta(0)) -> dict[str, Any]:
    """The handoff figures of [start, end) for `rep` (None: the team). `closings`: lead id → its latest closing in
    the period; `sla_due(round)`: when the round's SLA ends, never before `sla_floor` after it was proposed (a
    round answered sooner is within it, and its SLA is not worked out)."""
    return finish([partial(leads, start, end, sla_due=sla_due, rep=rep, sla_floor=sla_floor)], closings, now)


def partial(leads: Iterable[Record], start: datetime, end: datetime, *, sla_due: Callable[[Record], datetime | None],
            rep: str | None = None, sla_floor: timedelta = timedelta(0)) -> dict[str, Any]:
    """What some leads add to the figures, before the closings and the clock are known: plain data, so that the
    part of each lead bucket can be kept until the bucket changes and the parts added up (`finish`)."""
    low, high = start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")
    offset = low[19:] if high[19:] == low[19:] else None  # (a period across a daylight-saving change: parsed)

    def inside(text: Any) -> bool:
        """Whether a stored time falls in the period: compared as text when it has the bounds' offset."""
        if not isinstance(text, str):
            return False
        if offset is not None and len(text) == 25 and text[19:] == offset:
            return low <= text < high
        moment = _moment(text)
        return moment is not None and start <= moment < end

    part: dict[str, Any] = {"counts": dict.fromkeys(COUNTS, 0), "by_reason": {}, "hours": [], "ratings": [],
                            "returned": [], "asked": [], "by_rep": {}, "by_source": {}, "waiting": [], "closers": []}
    counts, by_rep, by_source = part["counts"], part["by_rep"], part["by_source"]

    def rows_of(handoff: Record, source: str) -> tuple[dict[str, Any], dict[str, Any]]:
        name = str(handoff.get("by") or "–")
        return (by_rep.get(name) or by_rep.setdefault(name, _row()),
                by_source.get(source) or by_source.setdefault(source, _row()))

    for lead in leads:
        source = str(lead.get("source") or "other")
        mine = [r for r in ho.rounds(lead) if rep is None or rep in (r.get("by"), r.get("to"))]
        for handoff in mine:
            status = handoff.get("status")
            if inside(handoff.get("at")):
                counts["handoffs"] += 1
                for row in rows_of(handoff, source):
                    row["handoffs"] += 1
                proposed, decided = _moment(handoff.get("at")), _moment(handoff.get("decided_at"))
                if decided is None and status == ho.PROPOSED and lead.get("stage") == "handed_off":
                    due = sla_due(handoff)  # still waiting: a breach once the clock passes its SLA (`finish`)
                    if due is not None:
                        part["waiting"].append(due.timestamp())
                elif decided is not None and decided - proposed > sla_floor:  # type: ignore[operator]
                    due = sla_due(handoff)
                    counts["sla_breaches"] += due is not None and decided > due
            if status in (ho.ACCEPTED, ho.REJECTED) and inside(handoff.get("decided_at")):
                counts[status] += 1
                for row in rows_of(handoff, source):
                    row[status] += 1
                proposed, decided = _moment(handoff.get("at")), _moment(handoff.get("decided_at"))
                if status == ho.ACCEPTED and proposed is not None:
                    part["hours"].append((decided - proposed).total_seconds() / 3600)  # type: ignore[operator]
                else:
                    code = str(handoff.get("reason") or "other")
                    part["by_reason"][code] = part["by_reason"].get(code, 0) + 1
                    part["returned"].append({"lead": lead["id"], "company": lead.get("company", ""), "reason": code,
                                             "note": handoff.get("decision_note") or "", "by": handoff.get("by"),
                                             "decided_by": handoff.get("decided_by"), "at": handoff.get("decided_at")})
            if type(handoff.get("rating")) is int and inside(handoff.get("rated_at")):
                part["ratings"].append(handoff["rating"])
                if handoff.get("feedback"):
                    part["asked"].append({"lead": lead["id"], "company": lead.get("company", ""),
                                          "rating": handoff["rating"], "note": handoff["feedback"],
                                          "by": handoff.get("by"), "rated_by": handoff.get("rated_by")})
        if mine:  # its closing in the period, if any, counts for those who handed it off (`finish`)
            part["closers"].append([lead["id"], source, sorted({str(h.get("by") or "–") for h in mine}),
                                    sorted({str(h["to"]) for h in mine if h.get("to")})])
        for meeting in ho.meetings(lead):
            if rep is not None and rep not in (meeting.get("by"), *(meeting.get("with") or [])):
                continue
            if meeting.get("status") in ho.MEETING_STATUSES and inside(meeting.get("at")):
                counts["meetings_held" if meeting["status"] == ho.HELD else "no_shows"] += 1
    return part


COUNTS = ("handoffs", "accepted", "rejected", "sla_breaches", "meetings_held", "no_shows")


def finish(parts: Iterable[Mapping[str, Any]], closings: Mapping[str, Closing], now: datetime) -> dict[str, Any]:
    """The figures from the parts of every lead, with the period's latest closings and the clock (a handoff still
    waiting past its SLA is a breach)."""
    counts = dict.fromkeys(COUNTS, 0)
    by_reason: dict[str, int] = {}
    hours: list[float] = []
    ratings: list[int] = []
    returned: list[dict[str, Any]] = []
    asked: list[dict[str, Any]] = []
    by_rep: dict[str, dict[str, Any]] = {}
    by_source: dict[str, dict[str, Any]] = {}
    won = {"orders": 0, "closed": 0, "amount": 0}
    clock = now.timestamp()
    for part in parts:
        for name, value in part["counts"].items():
            counts[name] += value
        counts["sla_breaches"] += sum(1 for due in part["waiting"] if clock > due)
        for code, value in part["by_reason"].items():
            by_reason[code] = by_reason.get(code, 0) + value
        hours += part["hours"]
        ratings += part["ratings"]
        returned += part["returned"]
        asked += part["asked"]
        for mine, theirs in ((by_rep, part["by_rep"]), (by_source, part["by_source"])):
            for name, row in theirs.items():
                into = mine.get(name) or mine.setdefault(name, _row())
                for key, value in row.items():
                    into[key] += value
        for lead_id, source, bys, _receivers in part["closers"]:
            closing = closings.get(lead_id)
            if closing is None:
                continue
            rows = [by_rep.get(name) or by_rep.setdefault(name, _row()) for name in bys]
            rows.append(by_source.get(source) or by_source.setdefault(source, _row()))
            for row in (won, *rows):
                row["closed"] += 1
                if closing[2] == "won":
                    row["orders"] += 1
                    row["amount"] += closing[3]
    figures: dict[str, Any] = dict(counts)
    figures["rejected_by_reason"] = dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0])))
    figures["sal_rate"] = rate(counts["accepted"], counts["accepted"] + counts["rejected"])
    figures["median_hours_to_accept"] = round(statistics.median(hours), 1) if hours else None
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
    figures["asked_for"] = sorted(asked, key=lambda r: str(r["lead"]))
    return figures
