"""The handoff figures of a KPI report (`services.handoff_figures`), kept per lead bucket: each bucket's part of a
period's figures (`handoff_figures.partial`) is kept in memory and in a local cache file until the bucket changes,
so a report reads only the buckets written since; the closings (from the report's tallies) and the clock are
added at the end (`handoff_figures.finish`)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from istui.domain.periods import Period
from istui.services.handoff_figures import finish, partial
from istui.services.kpi import Tallies
from istui.services.today import in_loop, loop_clock, sla_key
from istui.store import fileformat, files
from istui.store.workspace import Workspace

_VERSION = 2
_KEYS_PER_BUCKET = 8  # the periods and scopes a bucket's parts are kept for (the latest asked for)
_WRITE_AFTER = 4  # the cache file is written once this many parts were counted again


def handoff_report(ws: Workspace, period: Period, rep: str | None,
                   team_source: Callable[[list[str]], Tallies]) -> dict[str, Any]:
    """The handoff figures of `period` for `rep` (None: the team). A handed-off lead is closed by field sales, so
    the closings of one rep's handoffs are read from their files and those of the field reps they handed to
    (`team_source(reps)`)."""
    parts = bucket_parts(ws, period, rep)
    closers = [row for part in parts for row in part["closers"]]
    closings: dict[str, Any] = {}
    if closers:
        handed_to = set() if rep is None else {rep, *(name for row in closers for name in row[3])}
        tallies = team_source(sorted(handed_to))
        combined, numbers = tallies.combined(period.start, period.end, None), tallies.numbers
        for lead_id, *_rest in closers:
            closing = combined.closings.get(numbers.get(lead_id, -1))
            if closing is not None:
                closings[lead_id] = closing
    return finish(parts, closings, ws.now())


def bucket_parts(ws: Workspace, period: Period, rep: str | None) -> list[dict[str, Any]]:
    """Each lead bucket's part of the period's figures for `rep`: kept while the bucket file is unchanged."""
    key = f"{period.start}|{period.end}|{rep or ''}"
    tag = f"{_VERSION} {sla_key(ws)}"
    memory: dict[str, Any] = ws.cached(f"handoff-parts {tag}", dict)
    if not memory:
        with contextlib.suppress(OSError, ValueError, files.OutsideWorkspace):
            data = fileformat.loads(files.read_bytes(ws.local.handoff_parts))
            if isinstance(data, dict) and data.get("tag") == tag and isinstance(data.get("buckets"), dict):
                memory.update(data["buckets"])
    start, end = period.bounds(ws.tz)
    floor = timedelta(hours=ws.settings.handoff_sla_hours)  # working hours take longer than as many hours
    sla_due, changed, parts = None, 0, []
    for bucket in ws.lead_buckets():
        sig = list(files.signature(bucket) or ())
        known = memory.get(bucket.name)
        if not (isinstance(known, dict) and known.get("sig") == sig and isinstance(known.get("parts"), dict)):
            known = memory[bucket.name] = {"sig": sig, "parts": {}}
        part, closers = known["parts"].get(key), known.setdefault("closers", {}).get(rep or "")
        if not _usable(part) or not isinstance(closers, list):
            sla_due = sla_due or loop_clock(ws)
            leads = [lead for lead in ws.bucket_leads(bucket).values() if in_loop(lead)]
            part = partial(leads, start, end, sla_due=sla_due, rep=rep, sla_floor=floor)
            closers = known["closers"][rep or ""] = part.pop("closers")  # (the same for every period: kept once)
            known["parts"].pop(key, None)
            known["parts"][key] = part
            while len(known["parts"]) > _KEYS_PER_BUCKET:
                known["parts"].pop(next(iter(known["parts"])))
            changed += 1
        parts.append({**part, "closers": closers})
    names = {bucket.name for bucket in ws.lead_buckets()} if changed else set(memory)
    for gone in set(memory) - names:  # a bucket file deleted
        del memory[gone]
        changed += _WRITE_AFTER
    if changed >= _WRITE_AFTER:  # (a bucket or two counted again costs less than writing every bucket's parts)
        with contextlib.suppress(OSError, files.OutsideWorkspace):  # a cache: failing to write it costs only speed
            files.write_cache(ws.local.handoff_parts, json.dumps({"tag": tag, "buckets": memory},
                                                                 ensure_ascii=True).encode("ascii"))
    return parts


_PART_KEYS = ("counts", "by_reason", "hours", "ratings", "returned", "asked", "by_rep", "by_source", "waiting")


def _usable(part: Any) -> bool:
    """A kept part as `partial` makes it (a hand-edited or truncated cache file is counted again)."""
    return isinstance(part, dict) and all(isinstance(part.get(name), (dict, list)) for name in _PART_KEYS)
