"""What istui processes found about each workspace file they read or wrote, kept for the next process (`FileChecks`)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from istui.store import fileformat, files


class FileChecks:
    """What istui processes found when they last read or wrote each workspace file, by signature, kept in
    `.istui/` so that the next process need not find it again: a file remembered at its current
    signature had every line readable (so a quick `istui log call` appends without reading it), and,
    when remembered as clean, every record usable (so reading it skips the value checks). Any change
    by anyone else changes the signature and the file is checked again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._known: dict[str, list[int]] | None = None
        self._dirty = False

    def _load(self) -> dict[str, list[int]]:
        if self._known is None:
            try:
                data = fileformat.loads(files.read_bytes(self.path))
                self._known = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._known = {}
        return self._known

    def readable(self, path: Path, current: files.Signature) -> bool:
        return self._found(path, current) is not None

    def clean(self, path: Path, current: files.Signature) -> bool:
        return (self._found(path, current) or [])[:1] == [1]

    def written(self, path: Path, current: files.Signature) -> bool:
        """Whether istui wrote the file as it is, in the layout of this istui (`fileformat.LAYOUT`)."""
        return (self._found(path, current) or [])[1:] == [fileformat.LAYOUT]

    def _found(self, path: Path, current: files.Signature) -> list[int] | None:
        """What was found about the file at this very signature ([clean flag, written]), or None."""
        entry = self._load().get(str(path))
        return entry[3:] if type(entry) is list and entry[:3] == list(current) else None  # (a damaged entry: unknown)

    def remember(self, path: Path, current: files.Signature, clean: bool, written: bool = False) -> None:
        """Note what was found (written out by `flush`: losing it costs only a check); `written`: istui wrote the
        file as it is (kept when the file is read again at the same signature)."""
        known = self._load()
        entry = [*current, int(clean)] + ([fileformat.LAYOUT] if written or self.written(path, current) else [])
        if known.get(str(path)) != entry:
            known[str(path)] = entry
            self._dirty = True

    def flush(self) -> None:
        if self._dirty and self._known is not None:
            self._dirty = False
            if len(self._known) > 10_000:
                self._known = {}
            with contextlib.suppress(OSError):
                files.write_cache(self.path, json.dumps(self._known).encode())
