"""Today's queue: overdue follow-ups, then those due today, then booked meetings whose time has passed (hand
off or log the result), then new inbound leads (speed to lead), then worked leads left without a next step
(never lost); do-not-call leads never."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from istui.domain.model import TEMPERATURE_RANK
from istui.domain.queue import QUEUE_REASONS, is_callable, queue_reason
from istui.store import fileformat, files

if TYPE_CHECKING:
    from istui.store.workspace import Record, Workspace

_KEPT_VERSION = 1


def may_queue(lead: Mapping[str, Any], rep: str | None) -> bool:
    """Whether `today_queue` can ever hold the lead for `rep` (on any day, at any time)."""
    return (rep is None or lead.get("owner") in (rep, "", None)) and is_callable(lead)


def today_queue(leads: Iterable[Mapping[str, Any]], now: datetime, rep: str | None = None) -> list[dict[str, Any]]:
    """Queue entries `{"reason", "lead"}` best first; `rep` keeps that rep's and unowned leads."""
    day_start = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    day_end = day_start + timedelta(days=1)
    entries = []
    for lead in leads:
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
        moment = lead["meeting_at"] if entry["reason"] == "meeting_passed" else lead["next_at"]  # the earliest first
        return (QUEUE_REASONS.index(entry["reason"]), temp, datetime.fromisoformat(moment).timestamp(), lead["id"])

    return sorted(entries, key=order)


def queue_leads(ws: Workspace) -> list[Record]:
    """Every lead today's queue of this rep can hold (`may_queue`: open, callable, theirs or nobody's), from a
    local cache kept per lead bucket (`locations.Local.queue_leads`): only buckets whose file changed since are
    read, so the TUI shows its first screen before it has read 50,000 leads. `today_queue` of these equals
    `today_queue` of every lead, at any time of any day."""
    path = ws.local.queue_leads
    kept: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError, files.OutsideWorkspace):
        data = fileformat.loads(files.read_bytes(path))
        if isinstance(data, dict) and data.get("version") == _KEPT_VERSION and data.get("rep") == ws.rep:
            kept = data["buckets"] if isinstance(data.get("buckets"), dict) else {}
    buckets: dict[str, Any] = {}
    for bucket in ws.lead_buckets():
        sig = list(files.signature(bucket) or ())
        known = kept.get(bucket.name)
        if not (isinstance(known, dict) and known.get("sig") == sig and isinstance(known.get("leads"), list)
                and all(isinstance(lead, dict) for lead in known["leads"])):
            known = {"sig": sig, "leads": [lead for lead in ws.bucket_leads(bucket).values() if may_queue(lead, ws.rep)]}
        buckets[bucket.name] = known
    if buckets != kept:
        with contextlib.suppress(OSError, files.OutsideWorkspace):  # a cache: failing to write it costs only speed
            files.write_cache(path, json.dumps({"version": _KEPT_VERSION, "rep": ws.rep, "buckets": buckets},
                                               ensure_ascii=True).encode("ascii"))  # a lone surrogate read stays
    return [lead for known in buckets.values() for lead in known["leads"]]
