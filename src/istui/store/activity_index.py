"""A local index of which activity files mention which leads (`locations.Local.activity_index`).

One line per activity file: `<rep>/<month> <inode>:<mtime_ns>:<size> <lead id> <lead id> ...`.
A file is scanned again (a regular expression over its bytes, no JSON parsing) only when its
signature changed, so a lead's timeline reads just the few files that hold its activities.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from istui.domain import checks
from istui.domain.patterns import lazy
from istui.store import fileformat, files

if TYPE_CHECKING:

    from istui.store.workspace import Workspace

_LEAD = lazy(rb'"lead": "([0-9A-Z]{26})"')


def activities_naming(path: Path, lead_id: str) -> list[dict[str, Any]]:
    """The usable activities of one lead in one activity file: only the lines that name the lead are
    parsed (a month file holds thousands); a symlinked or vanished file gives none."""
    try:
        data = files.read_bytes(path)
    except (FileNotFoundError, files.OutsideWorkspace):
        return []
    needle = f'"lead": "{lead_id}"'.encode()
    found = []
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        with contextlib.suppress(ValueError):
            record = fileformat.loads(data[start:end])
            if checks.first_problem("activities", record) is None and record.get("lead") == lead_id:
                found.append(record)
        at = data.find(needle, end)
    return found


def _indexed(path: Path, known: tuple[str, str] | None, sig: files.Signature | None) -> str:
    """The lead ids an activity file mentions, as " id id ... ": when the file only grew since it was
    indexed (same inode, larger), from its new bytes alone (each `log call` appends to one)."""
    old = known[0].split(":") if known else []
    if sig and len(old) == 3 and old[0] == str(sig[0]) and old[2].isdigit() and 0 < int(old[2]) < sig[2]:
        try:
            with open(path, "rb") as handle:
                handle.seek(int(old[2]))
                tail = handle.read()
        except OSError:
            tail = None
        if tail is not None:
            assert known is not None
            ids = set(known[1].split()) | {match.decode() for match in _LEAD.findall(tail)}
            return f" {' '.join(sorted(ids))} "
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    return f" {' '.join(sorted({match.decode() for match in _LEAD.findall(data)}))} "


class ActivityIndex:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.local.activity_index
        # file key → (signature token, " id id id ... " as one string: a fraction of a set's memory)
        self._entries: dict[str, tuple[str, str]] = {}
        self._loaded = False

    def _load(self) -> None:
        for line in files.read_cache_text(self.path).splitlines():  # a damaged cache reads as empty: rebuilt
            key, _, rest = line.partition(" ")
            token, _, ids = rest.partition(" ")
            if token:
                self._entries[key] = (token, f" {ids} ")
        self._loaded = True

    def refresh(self) -> list[Path]:
        """Bring the index up to date; returns every activity file."""
        if not self._loaded:
            self._load()
        paths = self.workspace.activity_files()
        changed = False
        seen = set()
        for path in paths:
            key = f"{path.parent.name}/{path.stem}"
            seen.add(key)
            sig = files.signature(path)
            token = ":".join(map(str, sig)) if sig else "-"
            known = self._entries.get(key)
            if known is None or known[0] != token:
                self._entries[key] = (token, _indexed(path, known, sig))
                changed = True
        for key in set(self._entries) - seen:
            del self._entries[key]
            changed = True
        if changed:
            body = "".join(f"{key} {token} {ids.strip()}\n" for key, (token, ids) in sorted(self._entries.items()))
            with contextlib.suppress(OSError):  # a cache: failing to write it costs only speed, never a sync
                files.write_cache(self.path, body.encode("utf-8"))
        return paths

    def files_for(self, lead_id: str) -> list[Path]:
        """The activity files that mention `lead_id`."""
        paths = self.refresh()
        needle = f" {lead_id} "
        return [p for p in paths if needle in self._entries[f"{p.parent.name}/{p.stem}"][1]]
