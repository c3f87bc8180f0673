"""Today's queue: overdue follow-ups, then those due today, then booked meetings whose time has passed (hand
off or log the result), then new inbound leads (speed to lead), then worked leads left without a next step
(never lost); do-not-call leads never."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from istui.domain.handoffs import TASK_REASONS, handoff_of, involves, task_reason, waiting
from istui.domain.handoffs import sla_due as sla_due_of
from istui.domain.model import TEMPERATURE_RANK
from istui.domain.queue import QUEUE_REASONS, is_callable, queue_reason
from istui.store import fileformat, files

if TYPE_CHECKING:
    from istui.store.workspace import Record, Workspace

_KEPT_VERSION = 2  # what a kept lead list holds: a new version reads every bucket again


def may_queue(lead: Mapping[str, Any], rep: str | None) -> bool:
    """Whether `today_queue` can ever hold the lead for `rep` (on any day, at any time)."""
    return (rep is None or lead.get("owner") in (rep, "", None)) and is_callable(lead)


def today_queue(leads: Iterable[Mapping[str, Any]], now: datetime, rep: str | None = None,
                sla_due: Callable[[Mapping[str, Any]], datetime | None] | None = None) -> list[dict[str, Any]]:
    """Queue entries `{"reason", "lead"}` best first; `rep` keeps that rep's and unowned leads. With `sla_due` (a
    lead's handoff → when its SLA ends) and a `rep`, the handoff loop's tasks of that rep come first
    (`domain.handoffs.TASK_REASONS`: handoffs past their SLA, handoffs to answer, meetings to mark, meetings today)."""
    day_start = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    day_end = day_start + timedelta(days=1)
    entries, tasks = [], []
    for lead in leads:
        if rep is not None and sla_due is not None and involves(lead, rep):
            handoff = lead.get("handoff")
            due = sla_due(handoff) if lead.get("stage") == "handed_off" and isinstance(handoff, dict) else None
            task = task_reason(lead, rep, now, day_end, due)
            if task:
                tasks.append({"reason": task, "lead": lead})
                continue
        if not may_queue(lead, rep):
            continue
        reason = queue_reason(lead, day_start, day_end, now)
        if reason:
            entries.append({"reason": reason, "lead": lead})

    def order(entry: dict[str, Any]) -> tuple:
        lead = entry["lead"]
        temp = TEMPERATURE_RANK.get(lead.get("temp"), 1)
        if entry["reason"] == "new":  # the freshest inbound lead converts best: newest first
            return (QUEUE_REASONS.index("new"), temp, -datetime.fromisoformat(lead["created_at"]).timestamp(), lead["id"])
        if entry["reason"] == "no_next_step":  # worked, then left without a follow-up: oldest touch first
            touched = datetime.fromisoformat(lead.get("updated_at") or lead["created_at"])
            return (QUEUE_REASONS.index("no_next_step"), temp, touched.timestamp(), lead["id"])
        if entry["reason"] == "set_meeting":  # booked without its time: the longest waiting first
            return (QUEUE_REASONS.index("set_meeting"), temp, lead.get("updated_at") or "", lead["id"])
        moment = lead["meeting_at"] if entry["reason"] == "meeting_passed" else lead["next_at"]  # the earliest first
        return (QUEUE_REASONS.index(entry["reason"]), temp, datetime.fromisoformat(moment).timestamp(), lead["id"])

    def task_order(entry: dict[str, Any]) -> tuple:
        lead = entry["lead"]
        moment = lead["handoff"].get("at") if entry["reason"].startswith("handoff") else lead["meeting_at"]
        return (TASK_REASONS.index(entry["reason"]), str(moment or ""), lead["id"])

    tasks.sort(key=task_order)
    first = [entry for entry in tasks if entry["reason"] in ANSWER_FIRST]
    return first + sorted(entries, key=order) + [entry for entry in tasks if entry["reason"] not in ANSWER_FIRST]


#: The handoff loop's tasks Today lists before the call queue (handoffs waiting for an answer, those past their SLA
#: on top); the meetings to mark and of the day come after it (the call queue stays on top for a call block).
ANSWER_FIRST = ("handoff_overdue", "handoff_proposed")
#: Every reason in Today, in its order.
TODAY_ORDER = (*ANSWER_FIRST, *QUEUE_REASONS, *(reason for reason in TASK_REASONS if reason not in ANSWER_FIRST))


def loop_clock(ws: Workspace) -> Callable[[Mapping[str, Any]], datetime | None]:
    """`sla_due(handoff)`: when field sales should have answered a handoff round (the workspace's SLA, counted in
    working hours on its calendar), worked out once per round and workspace."""
    from istui.domain.schedule import add_working_minutes
    from istui.services.calendar import work_calendar

    known: dict[str, datetime | None] = ws.cached(f"sla-due {sla_key(ws)}", dict)
    calendar, work_hours, hours = work_calendar(ws), ws.settings.work_hours, ws.settings.handoff_sla_hours

    def add(moment: datetime, count: int) -> datetime:
        return add_working_minutes(moment.astimezone(ws.tz), count * 60, work_hours, calendar.is_working_day)

    def sla_due(handoff: Mapping[str, Any]) -> datetime | None:
        at = str(handoff.get("at"))
        if at not in known:
            known[at] = sla_due_of(handoff, add, hours)
        return known[at]

    return sla_due


def answer_by(ws: Workspace, lead: Mapping[str, Any]) -> datetime | None:
    """When field sales should answer the lead's handoff (its SLA's end), while it waits; else None."""
    return loop_clock(ws)(handoff_of(lead)) if waiting(lead) else None


def sla_key(ws: Workspace) -> str:
    """What a handoff's SLA end depends on besides its time: the SLA, the working hours and days."""
    s = ws.settings
    return f"{s.handoff_sla_hours}|{s.working_hours}|{s.timezone}|{s.holiday_country}|{s.extra_holidays}|{s.working_holidays}"


def queue_leads(ws: Workspace) -> list[Record]:
    """Every lead today's queue of this rep can hold (`may_queue`: open, callable, theirs or nobody's, and those the
    handoff loop involves them in, `domain.handoffs.involves`), kept per lead bucket (`kept_leads`), so the TUI shows
    its first screen before it has read 50,000 leads. `today_queue` of these equals `today_queue` of every lead,
    at any time of any day."""
    rep = ws.rep
    return kept_leads(ws, ws.local.queue_leads, f"queue {_KEPT_VERSION} {rep}",
                      lambda lead: may_queue(lead, rep) or involves(lead, rep))


def in_loop(lead: Record) -> bool:
    """A lead the handoff figures count: handed off, or with a meeting."""
    return bool(lead.get("handoff") or lead.get("meeting_at") or lead.get("meeting_history"))


def kept_leads(ws: Workspace, path: Any, tag: str, keep: Callable[[Record], bool]) -> list[Record]:
    """The leads `keep` takes, from a local cache (`path`) kept per lead bucket: only buckets whose file changed
    since are read. `tag` names what the cache holds (a different one is read afresh)."""
    kept: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError, files.OutsideWorkspace):
        data = fileformat.loads(files.read_bytes(path))
        if isinstance(data, dict) and data.get("tag") == tag:
            kept = data["buckets"] if isinstance(data.get("buckets"), dict) else {}
    buckets: dict[str, Any] = {}
    changed = False
    for bucket in ws.lead_buckets():
        sig = list(files.signature(bucket) or ())
        known = kept.get(bucket.name)
        if not (isinstance(known, dict) and known.get("sig") == sig and isinstance(known.get("leads"), list)
                and all(isinstance(lead, dict) for lead in known["leads"])):
            taken = [lead for lead in ws.bucket_leads(bucket).values() if keep(lead)]
            known, changed = {"sig": sig, "leads": taken}, True
        buckets[bucket.name] = known
    if changed or len(buckets) != len(kept):
        with contextlib.suppress(OSError, files.OutsideWorkspace):  # a cache: failing to write it costs only speed
            files.write_cache(path, json.dumps({"tag": tag, "buckets": buckets},
                                               ensure_ascii=True).encode("ascii"))  # a lone surrogate read stays
    return [lead for known in buckets.values() for lead in known["leads"]]
