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
from collections.abc import Callable, Iterable, Iterator, Mapping
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


_HANDOFFS, _ACCEPTED, _REJECTED, _ORDERS, _CLOSED, _AMOUNT = range(len(ROW_COUNTS))
_COLUMN = {"accepted": _ACCEPTED, "rejected": _REJECTED}
#: a returned round and a rating with what was missing, as a part keeps them (a list each, in this order)
RETURNED_KEYS = ("lead", "company", "reason", "note", "by", "decided_by", "at")
ASKED_KEYS = ("lead", "company", "rating", "note", "by", "rated_by")
#: the closers a part keeps are one text (`closer_ids`, `handed_to`): rows, their fields, and the names in a field
_ROW, _FIELD, _NAMES = "\x1e", "\x1f", "\x1d"
_SAFE = str.maketrans(dict.fromkeys(map(ord, _ROW + _FIELD + _NAMES), "?"))


def _name(value: Any, default: str) -> str:
    """A name (a rep, a source) as the figures count it: the closers' separators in it made '?'."""
    return str(value or default).translate(_SAFE)


def _finish(row: list[Any]) -> dict[str, Any]:
    figures: dict[str, Any] = dict(zip(ROW_COUNTS, row, strict=True))
    figures["sal_rate"] = rate(row[_ACCEPTED], row[_ACCEPTED] + row[_REJECTED])
    figures["win_rate"] = rate(row[_ORDERS], row[_CLOSED])
    figures["amount"] = round(row[_AMOUNT], 3)
    return figures


def closer_ids(closers: str) -> Iterator[str]:
    """The lead ids of a part's `closers`."""
    for line in closers.split(_ROW) if closers else ():
        yield line.partition(_FIELD)[0]


def handed_to(closers: str) -> Iterator[str]:
    """Who the leads of a part's `closers` were handed to."""
    for line in closers.split(_ROW) if closers else ():
        names = line.rpartition(_FIELD)[2]
        if names:
            yield from names.split(_NAMES)


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
                            "returned": [], "asked": [], "by_rep": {}, "by_source": {}, "waiting": []}
    counts, by_rep, by_source = part["counts"], part["by_rep"], part["by_source"]
    closers: list[str] = []

    def rows_of(handoff: Record, source: str) -> tuple[list[Any], list[Any]]:
        name = _name(handoff.get("by"), "–")
        return (by_rep.get(name) or by_rep.setdefault(name, [0] * len(ROW_COUNTS)),
                by_source.get(source) or by_source.setdefault(source, [0] * len(ROW_COUNTS)))

    for lead in leads:
        mine = [r for r in ho.rounds(lead) if rep is None or rep in (r.get("by"), r.get("to"))]
        source = _name(lead.get("source"), "other") if mine else ""
        for handoff in mine:
            status = handoff.get("status")
            if inside(handoff.get("at")):
                counts["handoffs"] += 1
                for row in rows_of(handoff, source):
                    row[_HANDOFFS] += 1
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
                    row[_COLUMN[status]] += 1
                proposed, decided = _moment(handoff.get("at")), _moment(handoff.get("decided_at"))
                if status == ho.ACCEPTED and proposed is not None:
                    part["hours"].append((decided - proposed).total_seconds() / 3600)  # type: ignore[operator]
                else:
                    code = str(handoff.get("reason") or "other")
                    part["by_reason"][code] = part["by_reason"].get(code, 0) + 1
                    part["returned"].append([lead["id"], lead.get("company", ""), code, handoff.get("decision_note") or "",
                                             handoff.get("by"), handoff.get("decided_by"), handoff.get("decided_at")])
            if type(handoff.get("rating")) is int and inside(handoff.get("rated_at")):
                part["ratings"].append(handoff["rating"])
                if handoff.get("feedback"):
                    part["asked"].append([lead["id"], lead.get("company", ""), handoff["rating"], handoff["feedback"],
                                          handoff.get("by"), handoff.get("rated_by")])
        if mine:  # its closing in the period, if any, counts for those who handed it off (`finish`)
            closers.append(_FIELD.join((lead["id"], source, _NAMES.join(sorted({_name(h.get("by"), "–") for h in mine})),
                                        _NAMES.join(sorted({_name(h["to"], "") for h in mine if h.get("to")})))))
        for meeting in ho.meetings(lead):
            if rep is not None and rep not in (meeting.get("by"), *(meeting.get("with") or [])):
                continue
            if meeting.get("status") in ho.MEETING_STATUSES and inside(meeting.get("at")):
                counts["meetings_held" if meeting["status"] == ho.HELD else "no_shows"] += 1
    part["closers"] = _ROW.join(closers)  # (one text, not a list of lists: a kept part of 50,000 leads is large)
    return part


COUNTS = ("handoffs", "accepted", "rejected", "sla_breaches", "meetings_held", "no_shows")


def usable_part(part: Any) -> bool:
    """Whether `part` is as `partial` makes it, without its closers (what a cache file gives back is checked)."""
    return (type(part) is dict and _table(part.get("counts")) and set(part["counts"]) == set(COUNTS)
            and _table(part.get("by_reason")) and all(_numbers(part.get(name)) for name in ("hours", "ratings", "waiting"))
            and _rows(part.get("returned"), len(RETURNED_KEYS)) and _rows(part.get("asked"), len(ASKED_KEYS))
            and _table(part.get("by_rep"), len(ROW_COUNTS)) and _table(part.get("by_source"), len(ROW_COUNTS)))


def usable_closers(closers: Any) -> bool:
    """Whether `closers` is as `partial` makes it: one text of rows of four fields."""
    return type(closers) is str and (not closers or all(line.count(_FIELD) == 3 for line in closers.split(_ROW)))


def _numbers(values: Any, length: int | None = None) -> bool:
    return (type(values) is list and (length is None or len(values) == length)
            and all(type(value) in (int, float) for value in values))


def _rows(rows: Any, length: int) -> bool:
    return type(rows) is list and all(type(row) is list and len(row) == length and all(
        value is None or type(value) in (str, int) for value in row) for row in rows)


def _table(table: Any, length: int | None = None) -> bool:
    """{name: count}, or {name: a row of `length` counts}."""
    return type(table) is dict and all(type(name) is str and (_numbers(value, length) if length else type(value) is int)
                                       for name, value in table.items())


def finish(parts: Iterable[Mapping[str, Any]], closings: Mapping[str, Closing], now: datetime) -> dict[str, Any]:
    """The figures from the parts of every lead, with the period's latest closings and the clock (a handoff still
    waiting past its SLA is a breach)."""
    counts = dict.fromkeys(COUNTS, 0)
    by_reason: dict[str, int] = {}
    hours: list[float] = []
    ratings: list[int] = []
    returned: list[dict[str, Any]] = []
    asked: list[dict[str, Any]] = []
    by_rep: dict[str, list[Any]] = {}
    by_source: dict[str, list[Any]] = {}
    won = [0] * len(ROW_COUNTS)
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
                into = mine.get(name) or mine.setdefault(name, [0] * len(ROW_COUNTS))
                for index, value in enumerate(row):
                    into[index] += value
        for line in part["closers"].split(_ROW) if part["closers"] else ():
            lead_id, _, rest = line.partition(_FIELD)
            closing = closings.get(lead_id)
            if closing is None:
                continue
            source, bys, _receivers = rest.split(_FIELD)
            rows = [by_rep.get(name) or by_rep.setdefault(name, [0] * len(ROW_COUNTS)) for name in bys.split(_NAMES)]
            rows.append(by_source.get(source) or by_source.setdefault(source, [0] * len(ROW_COUNTS)))
            for row in (won, *rows):
                row[_CLOSED] += 1
                if closing[2] == "won":
                    row[_ORDERS] += 1
                    row[_AMOUNT] += closing[3]
    figures: dict[str, Any] = dict(counts)
    figures["rejected_by_reason"] = dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0])))
    figures["sal_rate"] = rate(counts["accepted"], counts["accepted"] + counts["rejected"])
    figures["median_hours_to_accept"] = round(statistics.median(hours), 1) if hours else None
    figures["show_rate"] = rate(counts["meetings_held"], counts["meetings_held"] + counts["no_shows"])
    figures["handoff_orders"], figures["handoff_closed"] = won[_ORDERS], won[_CLOSED]
    figures["handoff_amount"] = round(won[_AMOUNT], 3)
    figures["handoff_win_rate"] = rate(won[_ORDERS], won[_CLOSED])
    figures["ratings"] = len(ratings)
    figures["avg_rating"] = round(sum(ratings) / len(ratings), 2) if ratings else None
    figures["by_rep"] = {name: _finish(row) for name, row in sorted(by_rep.items()) if any(row)}
    figures["by_source"] = {name: _finish(row) for name, row in sorted(by_source.items(), key=lambda i: (-i[1][_HANDOFFS], i[0]))
                            if any(row)}
    figures["returned"] = [dict(zip(RETURNED_KEYS, row, strict=True)) for row in sorted(returned, key=lambda r: str(r[6]))]
    figures["asked_for"] = [dict(zip(ASKED_KEYS, row, strict=True)) for row in sorted(asked, key=lambda r: str(r[0]))]
    return figures
