"""Every rep whose value lost a conflict is told, not only the rep who merged (DESIGN.md section 8).

The merge driver logs each conflict it settles in the merging clone's `.istui/conflicts.jsonl`. Sync
then notes it in the workspace, in `conflicts/<rep>.jsonl` of the rep whose value lost, committed with
the merge (JSON lines merged by the driver like activities, by id), so that rep's next sync, in any
clone, reports it: `bob's value "X" of lead Acme, field phone, lost to alice's "Y"`. Each clone
remembers the notes it has shown (`.istui/conflicts-seen.json`): a rep is told once.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from istui import locations
from istui.domain.errors import BadInput
from istui.domain.handoffs import in_words
from istui.domain.parsing import parse_rep
from istui.i18n import _
from istui.store import fileformat, files
from istui.store.gitrepo import Git
from istui.store.settings_merge import rep_of_subject
from istui.store.workspace import Workspace

_NOT_NOTED = ("logged_at", "lost_side", "id")


def note_id(entry: dict[str, Any]) -> str:
    """The same conflict noted by two merges gets one id (so it is told once)."""
    content = {key: value for key, value in entry.items() if key not in _NOT_NOTED}
    return hashlib.sha1(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:20]


def note_conflicts(git: Git, ws: Workspace, conflicts: list[dict[str, Any]], head: str, target: str,
                   merged: Callable[[str], bytes | None]) -> dict[str, bytes]:
    """The `conflicts/<losing rep>.jsonl` files of the merge (`merged` reads a file of the merge so far) with
    the conflicts it settled appended: relative path → the whole new content."""
    by_rep: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for conflict in conflicts:
        entry = {key: value for key, value in conflict.items() if key not in _NOT_NOTED}
        entry["record"] = conflict.get("id")
        if conflict.get("field") is None:  # an edit kept over a deletion: the deleting side lost
            ours_lost = conflict.get("lost_side") == "ours"
            entry["lost_from"] = _rep_of(git, head if ours_lost else target, conflict["where"])
            entry["kept_from"] = entry.get("kept_from") or _rep_of(git, target if ours_lost else head, conflict["where"])
        try:
            loser = parse_rep(str(entry.get("lost_from") or ""))
        except BadInput:
            continue  # no rep to tell (or a name that cannot be a file name)
        entry["id"] = note_id(entry)  # the same conflict noted in two clones is one line, alike byte for byte
        by_rep[loser].append(entry)
    shown_here = []
    contents: dict[str, bytes] = {}
    for rep, entries in by_rep.items():
        relative = f"{locations.CONFLICTS_DIR}/{rep}.jsonl"
        before = merged(relative) or b""
        known = set(_parse_notes(before))
        new = list({entry["id"]: entry for entry in entries if entry["id"] not in known}.values())
        if new:
            contents[relative] = (before if not before or before.endswith(b"\n") else before + b"\n") + \
                fileformat.json_lines(new)
        if rep == ws.rep:  # the merging rep sees them in this sync's report
            shown_here += [entry["id"] for entry in entries]
    _remember_shown(ws, shown_here)
    return contents


def _rep_of(git: Git, commit: str, path: str) -> str | None:
    """The rep of the commit that last changed `path` on one side (its message starts with the rep)."""
    line = git.run("log", "-1", "--format=%s%x09%an", commit, "--", path, check=False).out.strip()
    if not line:
        return None
    subject, _tab, author = line.rpartition("\t")
    return rep_of_subject(subject) or author or None


def _notes(ws: Workspace, rep: str) -> dict[str, dict[str, Any]]:
    path = ws.root / locations.CONFLICTS_DIR / f"{rep}.jsonl"
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        return _parse_notes(path.read_bytes())
    except OSError:
        return {}


def _parse_notes(raw: bytes) -> dict[str, dict[str, Any]]:
    try:
        return fileformat.parse_json_lines(raw)[0]
    except fileformat.FormatError:
        return {}


def _shown(ws: Workspace) -> set[str]:
    try:
        return set(json.loads(ws.local.conflicts_seen.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return set()


def _remember_shown(ws: Workspace, ids: list[str]) -> None:
    if ids:
        files.atomic_write(ws.local.conflicts_seen, json.dumps(sorted(_shown(ws) | set(ids))) + "\n")


def tell(ws: Workspace) -> list[dict[str, Any]]:
    """This rep's values that lost a conflict and were not shown in this clone yet (then remembered)."""
    shown = _shown(ws)
    new = [entry for key, entry in _notes(ws, ws.rep).items() if key not in shown]
    _remember_shown(ws, [entry["id"] for entry in new])
    return sorted(new, key=lambda entry: (str(entry.get("kept_at")), entry["id"]))


# --- sentences ------------------------------------------------------------------------------------------
def short(value: Any, field: str | None = None) -> str:
    """A value as a conflict line shows it: a handoff or a meeting in words (`domain.handoffs.in_words`), any
    other as its JSON, cut at 40 characters."""
    words = in_words(field, value) if field else None
    text = words if words is not None else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def _what(entry: dict[str, Any]) -> str:
    where = str(entry.get("where") or "")
    name = entry.get("label") or str(entry.get("record") or entry.get("id") or "")[:10]
    if where.startswith(f"{locations.LEADS_DIR}/"):
        return _("lead {name}").format(name=name)
    if where == locations.NOTES_FILE:
        return _("note {name}").format(name=name)
    return str(name)


def lost_line(entry: dict[str, Any]) -> str:
    """`bob's value "03-1" of lead Acme, field phone, lost to alice's "03-2"`."""
    loser, winner = entry.get("lost_from") or "?", entry.get("kept_from") or "?"
    if entry.get("field") is None:
        return _("{loser}'s deletion of {what} was undone: {winner} had edited it").format(
            loser=loser, what=_what(entry), winner=winner)
    return _("{loser}'s value {lost} of {what}, field {field}, lost to {winner}'s {kept}").format(
        loser=loser, lost=short(entry.get("lost"), entry["field"]), what=_what(entry), field=entry["field"], winner=winner,
        kept=short(entry.get("kept"), entry["field"]))


def conflict_line(conflict: dict[str, Any]) -> str:
    """A conflict this clone's merge settled: what was kept, what not."""
    what = conflict.get("label") or f"{conflict['where']} {str(conflict['id'])[:10]}"
    if conflict.get("field") is None:
        return _("{what}: kept the edit by {rep} over a deletion").format(what=what, rep=conflict.get("kept_from") or "?")
    return _("{what} {field}: kept {kept} ({kept_from}), not {lost} ({lost_from})").format(
        what=what, field=conflict["field"], kept=short(conflict["kept"], conflict["field"]),
        kept_from=conflict.get("kept_from") or "?", lost=short(conflict["lost"], conflict["field"]),
        lost_from=conflict.get("lost_from") or "?")
