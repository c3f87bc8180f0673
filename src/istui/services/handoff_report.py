"""The handoff figures of a KPI report (`services.handoff_figures`), kept per lead bucket: each bucket's part of a
period's figures (`handoff_figures.partial`) is kept in memory and in a local cache file until the bucket changes,
so a report reads only the buckets written since; the closings (from the report's tallies) and the clock are
added at the end (`handoff_figures.finish`)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from istui.domain.periods import Period
from istui.services.handoff_figures import closer_ids, finish, handed_to, partial, usable_closers, usable_part
from istui.services.kpi import Tallies
from istui.services.today import in_loop, loop_clock, sla_key
from istui.store import fileformat, files
from istui.store.workspace import Workspace

_VERSION = 3  # 3: rows as lists, the closers as one text
_KEYS_PER_BUCKET = 64  # the periods and scopes a bucket's parts are kept for (the latest asked for): a team review asks one per rep
_WRITE_AFTER = 4  # the cache file is written once this many parts were counted again


def handoff_report(ws: Workspace, period: Period, rep: str | None,
                   team_source: Callable[[list[str]], Tallies]) -> dict[str, Any]:
    """The handoff figures of `period` for `rep` (None: the team). A handed-off lead is closed by field sales, so
    the closings of one rep's handoffs are read from their files and those of the field reps they handed to
    (`team_source(reps)`)."""
    parts = bucket_parts(ws, period, rep)
    closers = [part["closers"] for part in parts if part["closers"]]
    closings: dict[str, Any] = {}
    if closers:
        reps = set() if rep is None else {rep, *(name for text in closers for name in handed_to(text))}
        tallies = team_source(sorted(reps))
        combined, numbers = tallies.combined(period.start, period.end, None), tallies.numbers
        number, closing_of = numbers.get, combined.closings.get
        for text in closers:
            for lead_id in closer_ids(text):
                closing = closing_of(number(lead_id, -1))
                if closing is not None:
                    closings[lead_id] = closing
    return finish(parts, closings, ws.now())


def bucket_parts(ws: Workspace, period: Period, rep: str | None) -> list[dict[str, Any]]:
    """Each lead bucket's part of the period's figures for `rep`: kept while the bucket file is unchanged."""
    key = f"{period.start}|{period.end}|{rep or ''}"
    tag = f"{_VERSION} {sla_key(ws)}"
    memory: dict[str, Any] = ws.cached(f"handoff-parts {tag}", dict)
    if not memory:
        memory.update(_read_kept(ws, tag))
    start, end = period.bounds(ws.tz)
    floor = timedelta(hours=ws.settings.handoff_sla_hours)  # working hours take longer than as many hours
    sla_due, changed, parts = None, 0, []
    for bucket in ws.lead_buckets():
        sig = list(files.signature(bucket) or ())
        known = memory.get(bucket.name)
        if not (isinstance(known, dict) and known.get("sig") == sig and isinstance(known.get("parts"), dict)):
            known = memory[bucket.name] = {"sig": sig, "parts": {}}
        part, closers = known["parts"].get(key), known.setdefault("closers", {}).get(rep or "")
        if part is None or closers is None:
            sla_due = sla_due or loop_clock(ws)
            leads = [lead for lead in ws.bucket_leads(bucket).values() if in_loop(lead)]
            part = partial(leads, start, end, sla_due=sla_due, rep=rep, sla_floor=floor)
            closers = known["closers"][rep or ""] = part.pop("closers")  # (the same for every period: kept once)
            part = _NOTHING if part == _NOTHING else part  # (most of a rep's buckets: one object for all)
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
            buckets = {name: {**known, "parts": {key: 0 if part is _NOTHING else part for key, part in known["parts"].items()}}
                       for name, known in memory.items()}  # (a part with nothing in it written as 0)
            files.write_cache(ws.local.handoff_parts, files.seal(json.dumps({"tag": tag, "buckets": buckets},
                                                                            ensure_ascii=True).encode("ascii")))
    return parts


_NOTHING = partial([], datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC),
                   sla_due=lambda handoff: None)  # the part of leads that add nothing (shared: never changed)
_NOTHING.pop("closers")


def _read_kept(ws: Workspace, tag: str) -> dict[str, Any]:
    """The buckets' parts kept in the cache file, those as `partial` makes them (a file edited by hand, cut short
    or of another version gives back fewer: those are counted again)."""
    try:
        data = fileformat.loads(files.unseal(files.read_bytes(ws.local.handoff_parts)))
    except (OSError, ValueError, files.OutsideWorkspace):
        return {}
    if not (isinstance(data, dict) and data.get("tag") == tag and isinstance(data.get("buckets"), dict)):
        return {}
    kept = {}
    for name, bucket in data["buckets"].items():
        if isinstance(bucket, dict) and isinstance(bucket.get("parts"), dict) and isinstance(bucket.get("closers"), dict):
            kept[name] = {"sig": bucket.get("sig"),
                          "parts": {key: _NOTHING if type(part) is int else part for key, part in bucket["parts"].items()
                                    if (type(part) is int and part == 0) or usable_part(part)},
                          "closers": {rep: text for rep, text in bucket["closers"].items() if usable_closers(text)}}
    return kept
