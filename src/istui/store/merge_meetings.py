"""The merge of a lead's meetings changed on both sides (`store.merge`: the `meeting`, `meeting_at`,
`meeting_history` group). Every meeting is kept by its time: one both sides changed from the side whose record is
newer (ties broken by the meeting's own text), one only a side has from that side — a new one, or one that side
changed (marked held) while the other moved it away; one the other side moved away and this side left as it was
goes; one both sides changed is merged key by key. Of the meetings not marked yet the latest stays (the lead has one
current meeting), the others are lost to it and reported; the current meeting is that one, else the latest that
either side had as current.

Symmetric and idempotent like the rest of the merge: each choice depends on the sides' stamps and the meetings'
texts, never on which side is ours, and merging the result again with either side chooses the same. Standard
library only (git's merge driver imports it).
"""

from __future__ import annotations

import json
from typing import Any

Record = dict[str, Any]
Stamp = tuple[str, str]
FIELDS = ("meeting", "meeting_at", "meeting_history")
_ABSENT = object()


def _by_time(side: Record) -> dict[str, Record] | None:
    """A side's meetings by their time (its history, then its current one), or None when a value is not one istui
    writes (the group is then merged whole, as before)."""
    history, current, at = side.get("meeting_history"), side.get("meeting"), side.get("meeting_at")
    if history is not None and not (isinstance(history, list) and all(
            isinstance(entry, dict) and isinstance(entry.get("at"), str) for entry in history)):
        return None
    if (current is not None and not isinstance(current, dict)) or (at is not None and not isinstance(at, str)):
        return None
    found = {entry["at"]: entry for entry in history or ()}
    if at:
        found[at] = {**(current or {}), "at": at}
    return found if len(found) == len(history or ()) + bool(at) else None  # (two meetings at one time: whole)


def _merge_entry(base: Record, a: Record, b: Record, stamps: tuple[Stamp, Stamp]) -> tuple[Record, bool]:
    """One meeting both sides changed since the base, key by key (one side marked it held while the other noted who
    its invite went to: both kept; a key changed both ways from the newer side, ties by the value); and whether a key
    was changed both ways."""
    merged, conflicted = {}, False
    for key in sorted(a.keys() | b.keys() | base.keys()):
        o, x, y = base.get(key, _ABSENT), a.get(key, _ABSENT), b.get(key, _ABSENT)
        if x == y or y == o:
            value = x
        elif x == o:
            value = y
        else:
            conflicted = True
            value = x if (stamps[0], _text(x)) > (stamps[1], _text(y)) else y
        if value is not _ABSENT:
            merged[key] = value
    return merged, conflicted


def _text(value: Any) -> str:
    return "" if value is _ABSENT else "~" + json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def merge_meetings(base: Record, ours: Record, theirs: Record, stamps: tuple[Stamp, Stamp]
                   ) -> tuple[dict[str, Any], list[tuple[Record, Record, int]]] | None:
    """The group's merged fields ({field: value}; a field no side has stays absent) and each meeting lost:
    (the meeting kept in its place, the one lost, the index of the side it was lost from: 0 ours, 1 theirs).
    None when a side's meetings are not readable."""
    sides = [_by_time(side) for side in (base, ours, theirs)]
    if any(found is None for found in sides):
        return None
    old, mine, others = sides
    assert old is not None and mine is not None and others is not None
    merged: dict[str, tuple[Record, int]] = {}  # time → (meeting, the side it comes from: 0 ours, 1 theirs)
    lost: list[tuple[Record, Record, int]] = []
    for at in sorted(mine.keys() | others.keys()):
        a, b = mine.get(at), others.get(at)
        if a is not None and b is not None:
            if a == b:
                merged[at] = (a, 0)
                continue
            ours_newer = (stamps[0], _text(a)) > (stamps[1], _text(b))
            kept, conflicted = _merge_entry(old.get(at), a, b, stamps) if at in old else (a if ours_newer else b, True)
            merged[at] = (kept, 1 if kept == b != a else 0)
            if conflicted:
                lost.append((kept, b if ours_newer else a, 1 if ours_newer else 0))
            continue
        entry, side = (a, 0) if a is not None else (b, 1)
        assert entry is not None
        if old.get(at) != entry:  # new on that side, or changed there (an edit is kept over a move)
            merged[at] = (entry, side)
    open_meetings = sorted(at for at, (entry, _side) in merged.items() if not entry.get("status"))
    for at in open_meetings[:-1]:  # the latest meeting not marked yet stays: the others are lost to it
        entry, side = merged.pop(at)
        lost.append((merged[open_meetings[-1]][0], entry, side))
    current = open_meetings[-1:] or sorted(
        at for at in (ours.get("meeting_at"), theirs.get("meeting_at")) if isinstance(at, str) and at in merged)[-1:]
    fields: dict[str, Any] = {}
    present = {field for side in (ours, theirs) for field in FIELDS if field in side}
    if current:
        meeting = {key: value for key, value in merged[current[0]][0].items() if key != "at"}
        fields.update(meeting_at=current[0], meeting=meeting)
    else:
        fields.update({field: None for field in ("meeting_at", "meeting") if field in present})
    history = [merged[at][0] for at in sorted(merged) if at not in current]
    if history or "meeting_history" in present:
        fields["meeting_history"] = history
    return fields, lost
