"""The record-level three-way merge of workspace files, and git's merge driver around it.

git runs `python -m istui.store.merge %O %A %B %P` (registered by `store.gitrepo`) for every
`*.json` / `*.jsonl` file changed on both sides. The rules (DESIGN.md section 6):

- a record added on either side is kept; deleted on one side and edited on the other keeps the edit;
- a field changed on one side takes that change;
- a field changed on both sides: text is merged line by line (two reps editing different
  paragraphs of one note both survive), lists of tags as sets; otherwise the newer `updated_at`
  wins and the losing value goes to the local conflict log (`.istui/conflicts.jsonl`);
- the output has the canonical layout of its file; input that does not parse makes the driver
  exit non-zero and leaves the file to the user (an activity file's torn last line, an append a
  crash interrupted, is left out rather than refused);
- `istui.toml` is merged key by key with the same rules (`store.settings_merge`).

The merge is symmetric (swapping the sides changes only the conflict log) and idempotent (merging
its own result again with either side changes nothing). Only the standard library is imported
here: git starts one process per file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from istui import locations
from istui.domain.model import TARGET_KEY, Stage
from istui.store import fileformat, merge_meetings

Record = dict[str, Any]
_MISSING = object()  # a field absent from a side
_NO_MERGE = object()  # a field both sides changed that no rule merges


class Unparseable(ValueError):
    """A side of the merge is not a workspace file istui can read."""


# --- merging text line by line ---------------------------------------------------------------
def merge_lines(base: str, ours: str, theirs: str, numbered: bool = True) -> str | None:
    """Three-way merge of text by lines; None when both sides changed the same lines differently.
    `numbered` tells repeated lines apart by their occurrence (what the symmetric merge driver needs);
    without it a line added before a repeated one (a new paragraph before blank lines) aligns better."""
    o, a, b = ((_numbered if numbered else _plain)(text) for text in (base, ours, theirs))
    merged: list[tuple[str, int]] = []
    io = ia = ib = 0
    for so, sa, sb, length in _sync_regions(o, a, b):
        chunk_o, chunk_a, chunk_b = o[io:so], a[ia:sa], b[ib:sb]
        if chunk_a == chunk_o:
            merged += chunk_b
        elif chunk_b == chunk_o or chunk_a == chunk_b:
            merged += chunk_a
        else:
            return None
        merged += o[so:so + length]
        io, ia, ib = so + length, sa + length, sb + length
    text = "".join(line for line, _ in merged)
    # the final newline: as changed by a side, else as it was
    ends_o, ends_a, ends_b = base.endswith("\n"), ours.endswith("\n"), theirs.endswith("\n")
    if not (ends_a if ends_a != ends_o else ends_b) and text.endswith("\n"):
        text = text[:-1]
    return text


def merge_text(base: str, ours: str, theirs: str) -> str | None:
    """`merge_lines`, kept only when merging its result again with either side gives it back.

    A line merge (diff3) is not idempotent when lines repeat: the merged text may align with a side
    differently than the side aligned with the base. Such a merge counts as a conflict (the newer
    edit wins), so a merge of merges never changes what was merged."""
    text = merge_lines(base, ours, theirs)
    if text is None or merge_lines(base, text, ours) != text or merge_lines(base, text, theirs) != text:
        return None
    return text


def _numbered(text: str) -> list[tuple[str, int]]:
    """Lines, each with how often it occurred before (a second blank line is not the first one: it
    keeps repeated lines from being matched to the wrong copy); the last line gets its newline so
    an edit at the end is not a change of two lines."""
    seen: dict[str, int] = {}
    result = []
    for line in text.splitlines(keepends=True):
        line = line if line.endswith("\n") else line + "\n"
        seen[line] = seen.get(line, 0) + 1
        result.append((line, seen[line]))
    return result


def _plain(text: str) -> list[tuple[str, int]]:
    return [(line if line.endswith("\n") else line + "\n", 0) for line in text.splitlines(keepends=True)]


def _sync_regions(o: list[Any], a: list[Any], b: list[Any]) -> list[tuple[int, int, int, int]]:
    """Runs of lines unchanged on both sides: (start in base, in ours, in theirs, length), ending
    with an empty run at the three ends (as in bzr's merge3)."""
    ma = SequenceMatcher(None, o, a, autojunk=False).get_matching_blocks()
    mb = SequenceMatcher(None, o, b, autojunk=False).get_matching_blocks()
    regions = []
    i = j = 0
    while i < len(ma) - 1 and j < len(mb) - 1:
        ao, aa, alen = ma[i]
        bo, bb, blen = mb[j]
        start, end = max(ao, bo), min(ao + alen, bo + blen)
        if start < end:
            regions.append((start, aa + (start - ao), bb + (start - bo), end - start))
        if ao + alen < bo + blen:
            i += 1
        else:
            j += 1
    regions.append((len(o), len(a), len(b), 0))
    return regions


# --- merging records -------------------------------------------------------------------------
def _stamp(record: Mapping[str, Any]) -> tuple[str, str]:
    return str(record.get("updated_at") or ""), str(record.get("updated_by") or "")


def _order(value: Any) -> str:
    """A total order of field values for ties (an absent field sorts first)."""
    return "" if value is _MISSING else "~" + json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


Stamp = tuple[str, str]  # (updated_at, updated_by)


def merge_fields(base: Mapping[Any, Any], ours: Mapping[Any, Any], theirs: Mapping[Any, Any], stamps: tuple[Stamp, Stamp],
                 conflicts: list[dict[str, Any]], where: str, record_id: Any, what: str,
                 name: Any = str) -> dict[Any, Any]:
    """Fields (or settings keys) changed on both sides, one by one: a change on one side is taken, text and
    tag lists are merged, otherwise the newer stamp wins (ties broken by rep, then by value, so either side
    computes the same result) and the other value is logged as a conflict named `name(field)`."""
    stamp_a, stamp_b = stamps
    merged: dict[Any, Any] = {}
    for field in sorted(set(ours) | set(theirs) | set(base)):
        o, a, b = base.get(field, _MISSING), ours.get(field, _MISSING), theirs.get(field, _MISSING)
        if a == b:
            value = a
        elif a == o:
            value = b
        elif b == o:
            value = a
        else:
            value = _both_changed(o, a, b)
            if value is _NO_MERGE:
                a_wins = (stamp_a, _order(a)) > (stamp_b, _order(b))
                value, lost = (a, b) if a_wins else (b, a)
                (kept_at, kept_from), (lost_at, lost_from) = (stamp_a, stamp_b) if a_wins else (stamp_b, stamp_a)
                conflicts.append({"where": where, "id": record_id, "field": name(field), "label": what,
                                  "kept": None if value is _MISSING else value,
                                  "lost": None if lost is _MISSING else lost,
                                  "kept_from": kept_from, "lost_from": lost_from, "kept_at": kept_at,
                                  "lost_at": lost_at})
        if value is not _MISSING:
            merged[field] = value
    return merged


def merge_record(base: Record | None, ours: Record, theirs: Record, conflicts: list[dict[str, Any]],
                 where: str = "") -> Record:
    """One record changed on both sides, field by field."""
    stamp_a, stamp_b = _stamp(ours), _stamp(theirs)
    fields = [{k: v for k, v in side.items() if k not in ("updated_at", "updated_by")} for side in (base or {}, ours, theirs)]
    _merge_groups(fields, (stamp_a, stamp_b), conflicts, where, ours.get("id") or theirs.get("id"),
                  label(ours) or label(theirs))
    merged = merge_fields(*fields, (stamp_a, stamp_b), conflicts, where, ours.get("id") or theirs.get("id"),
                          label(ours) or label(theirs))
    newer = ours if stamp_a >= stamp_b else theirs
    for field in ("updated_at", "updated_by"):
        if field in newer:
            merged[field] = newer[field]
    return merged


#: Fields that only make sense together (`domain.handoffs`): when the first one changed and the group changed on
#: both sides, the whole group comes from the newer side (a handoff accepted on one clone and returned on another
#: must not end accepted in stage nurturing), and the other side's first field is logged as the conflict. The
#: meetings are merged meeting by meeting instead (`store.merge_meetings`): a meeting set on one side while the
#: other marks the earlier one is kept.
FIELD_GROUPS = (("handoff", "handoff_history", "stage", "next_at", "next_action", "owner"),
                ("meeting", "meeting_at", "meeting_history"))


def _merge_groups(fields: list[dict[str, Any]], stamps: tuple[Stamp, Stamp], conflicts: list[dict[str, Any]],
                  where: str, record_id: Any, what: str) -> None:
    """Settle each `FIELD_GROUPS` group changed on both sides as one value, in place (both sides then agree)."""
    base, ours, theirs = fields
    for group in FIELD_GROUPS:
        mine = {f for f in group if ours.get(f, _MISSING) != base.get(f, _MISSING)}
        others = {f for f in group if theirs.get(f, _MISSING) != base.get(f, _MISSING)}
        if not (mine and others and group[0] in mine | others):
            continue
        if all(ours.get(f, _MISSING) == theirs.get(f, _MISSING) for f in group):
            continue
        if group == merge_meetings.FIELDS and _merge_meetings(fields, stamps, conflicts, where, record_id, what):
            continue
        head = group[0]
        whole = [_order({f: side.get(f) for f in group if f in side}) for side in (ours, theirs)]  # (ties: the
        ours_wins = (stamps[0], whole[0]) > (stamps[1], whole[1])  # whole group decides, either side computing alike)
        winner, loser = (ours, theirs) if ours_wins else (theirs, ours)
        (kept_at, kept_from), (lost_at, lost_from) = stamps if ours_wins else stamps[::-1]
        if head == "handoff" and winner.get(head, _MISSING) == base.get(head, _MISSING) and winner.get("stage") in _CLOSED:
            # the lead was closed on one side while field sales answered its handoff on the other: the answer stands
            # beside the close (never a handoff left proposed on a closed lead); the other side's stage is what lost
            for f in ("handoff", "handoff_history"):
                if f in loser:
                    winner[f] = loser[f]
                else:
                    winner.pop(f, None)
            head = "stage"
        if _named(winner, head) != _named(loser, head):
            conflicts.append({"where": where, "id": record_id, "field": head, "label": what,
                              "kept": _named(winner, head), "lost": _named(loser, head), "kept_from": kept_from,
                              "lost_from": lost_from, "kept_at": kept_at, "lost_at": lost_at})
        for f in group:
            if f in winner:
                loser[f] = winner[f]
            else:
                loser.pop(f, None)


_CLOSED = frozenset({Stage.WON.value, Stage.LOST.value, Stage.DISQUALIFIED.value})


def _merge_meetings(fields: list[dict[str, Any]], stamps: tuple[Stamp, Stamp], conflicts: list[dict[str, Any]],
                    where: str, record_id: Any, what: str) -> bool:
    """The meeting group merged meeting by meeting (`store.merge_meetings`), in place on both sides, each meeting
    lost logged; False when a side's meetings are not readable (the group is then taken whole from the newer side)."""
    base, ours, theirs = fields
    result = merge_meetings.merge_meetings(base, ours, theirs, stamps)
    if result is None:
        return False
    merged, lost = result
    for side in (ours, theirs):
        for field in merge_meetings.FIELDS:
            side.pop(field, None)
        side.update(merged)
    for kept, gone, loser in lost:
        (kept_at, kept_from), (lost_at, lost_from) = stamps[1 - loser], stamps[loser]
        conflicts.append({"where": where, "id": record_id, "field": "meeting", "label": what, "kept": kept,
                          "lost": gone, "kept_from": kept_from, "lost_from": lost_from, "kept_at": kept_at,
                          "lost_at": lost_at})
    return True


def _named(side: Mapping[str, Any], head: str) -> Any:
    """A group's first field as a conflict records it: a meeting with its time (`meeting_at`), so that the report
    says which meeting was kept and which lost (the group moves whole: one side's new meeting can be the one lost)."""
    value = side.get(head)
    if head == "meeting" and isinstance(value, dict) and isinstance(side.get("meeting_at"), str):
        return {**value, "at": side["meeting_at"]}
    return value


def label(record: Mapping[str, Any]) -> str:
    """What a person calls a record: a lead's company, a note's title, a target's metric and scope."""
    if record.get("company"):
        return str(record["company"])
    if record.get("title") and "body" in record:
        return str(record["title"])
    if record.get("metric"):
        return f"target {record['metric']} per {record.get('per')} ({record.get('rep') or 'team'})"
    if record.get("kind"):
        return f"{record['kind']} of {record.get('at', '')[:16]}"
    return ""


def _both_changed(o: Any, a: Any, b: Any) -> Any:
    """The merge of a field both sides changed (text by lines, tag lists as sets), or _NO_MERGE."""
    if isinstance(a, str) and isinstance(b, str) and (isinstance(o, str) or o is _MISSING or o is None):
        text = merge_text(o if isinstance(o, str) else "", a, b)
        return _NO_MERGE if text is None else text
    if _string_list(a) and _string_list(b) and (_string_list(o) or o is _MISSING or o is None):
        base = set(o) if isinstance(o, list) else set()
        return sorted((set(a) & set(b)) | (set(a) - base) | (set(b) - base))
    return _NO_MERGE


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def merge_tables(base: Mapping[str, Record], ours: Mapping[str, Record], theirs: Mapping[str, Record],
                 where: str = "") -> tuple[dict[str, Record], list[dict[str, Any]]]:
    """Three-way merge of {id: record} tables; returns the merged table (sorted by id) and the
    conflicts resolved by the newer-wins rule."""
    conflicts: list[dict[str, Any]] = []
    merged: dict[str, Record] = {}
    for record_id in sorted(set(ours) | set(theirs)):
        o, a, b = base.get(record_id), ours.get(record_id), theirs.get(record_id)
        if a is None or b is None:
            present = a if a is not None else b
            assert present is not None
            if o is not None and present == o:
                continue  # deleted on one side, untouched on the other: deleted
            if o is not None:  # deleted on one side, edited on the other: the edit is kept
                conflicts.append({"where": where, "id": record_id, "field": None, "label": label(present),
                                  "kept": "edited record",
                                  "lost": "deletion", "kept_from": _stamp(present)[1], "lost_from": None,
                                  "kept_at": _stamp(present)[0], "lost_at": None,
                                  "lost_side": "ours" if a is None else "theirs"})
            merged[record_id] = present
        elif a == b:
            merged[record_id] = a
        elif o is not None and a == o:
            merged[record_id] = b
        elif o is not None and b == o:
            merged[record_id] = a
        else:
            merged[record_id] = merge_record(o, a, b, conflicts, where)
    return merged, conflicts


# --- files -----------------------------------------------------------------------------------
def table_name(path: str) -> str | None:
    """The TinyDB table of a record-lines workspace file, or None for an activity (JSON lines) file."""
    parts = Path(path).parts
    if path.endswith(".jsonl"):
        return None
    if len(parts) == 2 and parts[0] == locations.LEADS_DIR:
        return "leads"
    if len(parts) == 1 and parts[0] in (locations.NOTES_FILE, locations.TARGETS_FILE, locations.CAMPAIGNS_FILE):
        return parts[0][:-5]
    raise Unparseable(f"{path} is not a workspace file istui knows how to merge")


def parse(raw: bytes, table: str | None) -> dict[str, Record]:
    if not raw.strip():
        return {}
    try:
        if table is None:
            records, _torn = fileformat.parse_json_lines(raw)  # a torn last line: an append that never finished
            return records
        return fileformat.parse_record_lines(raw, table)
    except fileformat.FormatError as exc:
        raise Unparseable(str(exc)) from None


def serialize(records: Mapping[str, Record], table: str | None) -> bytes:
    """The canonical layout of `store.fileformat` (records sorted by id)."""
    if table is None:
        return fileformat.json_lines(records[key] for key in sorted(records))
    return fileformat.record_lines(table, records)


def merge_files(base: bytes, ours: bytes, theirs: bytes, path: str) -> tuple[bytes, list[dict[str, Any]]]:
    table = table_name(path)
    merged, conflicts = merge_tables(parse(base, table), parse(ours, table), parse(theirs, table), path)
    if table == "targets":
        merged = one_target_per_key(merged, conflicts, path)
    return serialize(merged, table), conflicts


def one_target_per_key(targets: dict[str, Record], conflicts: list[dict[str, Any]], where: str) -> dict[str, Record]:
    """Two reps who each set the same target (metric, period kind, scope, motion) created two records:
    the newer stays, the other is logged as a conflict."""
    best: dict[tuple, Record] = {}
    for record in targets.values():
        key = tuple(record.get(name) for name in TARGET_KEY)
        other = best.get(key)
        if other is None:
            best[key] = record
            continue
        keep, drop = sorted((record, other), key=lambda r: (_stamp(r), r["id"]), reverse=True)
        best[key] = keep
        conflicts.append({"where": where, "id": keep["id"], "field": "value", "label": label(keep),
                          "kept": keep.get("value"),
                          "lost": drop.get("value"), "kept_from": _stamp(keep)[1], "lost_from": _stamp(drop)[1],
                          "kept_at": _stamp(keep)[0], "lost_at": _stamp(drop)[0]})
    kept = {record["id"] for record in best.values()}
    return {record_id: record for record_id, record in targets.items() if record_id in kept}


def log_conflicts(root: Path, conflicts: list[dict[str, Any]]) -> None:
    """Append to the local conflict log (never committed), which `istui sync` reports."""
    if not conflicts:
        return
    from datetime import datetime

    moment = datetime.now(UTC).isoformat(timespec="seconds")
    path = locations.Local(root).conflicts
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps({"logged_at": moment, **c}, ensure_ascii=False, sort_keys=True, default=str) + "\n"
                   for c in conflicts)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def merge_versions(base: bytes, ours: bytes, theirs: bytes, path: str, root: Path,
                   commits: tuple[str, str] | None = None) -> tuple[bytes, list[dict[str, Any]]]:
    """Three versions of a workspace file merged record by record (settings key by key, the side changed
    last winning; `commits`: ours and theirs, else what git tells the driver); Unparseable when a version
    cannot be read or the file is not istui's."""
    if path == locations.SETTINGS_FILE:
        from istui.store.settings_merge import merge_settings, side_stamps, stamp_of

        stamps = side_stamps(root, path) if commits is None else tuple(stamp_of(root, c, path) for c in commits)
        return merge_settings(base, ours, theirs, stamps)
    return merge_files(base, ours, theirs, path)


def driver(base_path: str, ours_path: str, theirs_path: str, path: str, root: Path | None = None) -> int:
    """git's merge driver: the merge written over %A; 0 when merged, 1 when left to the user."""
    root = root or Path.cwd()  # git runs drivers at the top of the work tree
    try:
        if path != locations.SETTINGS_FILE:
            table_name(path)
    except Unparseable:  # a JSON file of the user's own: git's line merge, with its markers
        return subprocess.run(["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", ours_path, base_path,
                               theirs_path], check=False).returncode and 1
    try:
        base, ours, theirs = (Path(name).read_bytes() for name in (base_path, ours_path, theirs_path))
        merged, conflicts = merge_versions(base, ours, theirs, path, root)
    except (Unparseable, OSError) as exc:
        print(f"istui merge: {path} cannot be merged automatically ({exc}); it is left for you to fix, "
              "then `git add` it.", file=sys.stderr)
        return 1
    temp = Path(ours_path + ".istui-merge")
    temp.write_bytes(merged)
    os.replace(temp, ours_path)
    log_conflicts(root, conflicts)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: python -m istui.store.merge BASE OURS THEIRS PATH  (git passes %O %A %B %P)", file=sys.stderr)
        return 2
    return driver(*args)


if __name__ == "__main__":  # run as istui.store.merge, not __main__: one Unparseable for every module
    from istui.store.merge import main as run

    raise SystemExit(run())
