"""A local index of lead ids (`locations.Local.lead_index`), so a prefix resolves without reading every bucket.

One line per bucket: `<bucket> <inode>:<mtime_ns>:<size> <id> <id> ...`. Only buckets whose
signature changed since the index was written are read again; a prefix is found with a plain
substring search over each line, so resolving one needs no parsing of 50,000 ids.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

from istui import locations
from istui.store import files

if TYPE_CHECKING:
    from istui.store.workspace import Workspace


class LeadIndex:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.local.lead_index

    def _fresh_lines(self) -> list[str]:
        """One up-to-date line per bucket (`bucket token ids...`), rewriting the cache if any changed."""
        cached: dict[str, str] = {}
        with contextlib.suppress(FileNotFoundError):
            for line in self.path.read_text("utf-8").splitlines():
                cached[line[:line.find(" ")]] = line
        lines: list[str] = []
        changed = False
        folder = self.workspace.root / locations.LEADS_DIR
        entries = sorted((e for e in os.scandir(folder) if e.name.endswith(".json") and not e.name.startswith(".")),
                         key=lambda e: e.name) if folder.is_dir() else []
        for entry in entries:
            bucket = entry.name[:-5]
            st = entry.stat()
            token = f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"
            line = cached.get(bucket)
            if line is None or line.split(" ", 2)[1] != token:
                ids = self.workspace._lead_storage(bucket).records()
                line = f"{bucket} {token} {' '.join(ids)}".rstrip()
                changed = True
            lines.append(line)
        if changed or len(lines) != len(cached):
            with contextlib.suppress(OSError):  # a cache: failing to write it costs only speed
                files.atomic_write(self.path, "".join(line + "\n" for line in lines))
        return lines

    def ids(self) -> list[str]:
        """Every lead id, sorted."""
        return sorted(lead_id for line in self._fresh_lines() for lead_id in line.split(" ")[2:])

    def starting_with(self, prefix: str, limit: int = 6) -> list[str]:
        """Up to `limit` lead ids that start with `prefix` (already normalised), sorted."""
        needle = " " + prefix
        found: list[str] = []
        for line in self._fresh_lines():
            start = line.find(needle, line.find(" ", line.find(" ") + 1))
            while start >= 0 and len(found) < limit:
                end = line.find(" ", start + 1)
                found.append(line[start + 1:end if end >= 0 else len(line)])
                start = line.find(needle, start + 1)
        return sorted(found)
