"""A local index of lead ids (`.istui/cache/lead-ids`), so a prefix resolves without reading every bucket.

One line per bucket: `<bucket> <inode>:<mtime_ns>:<size> <id> <id> ...`. Only buckets whose
signature changed since the index was written are read again.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from istui.store import files

if TYPE_CHECKING:
    from istui.store.workspace import Workspace


class LeadIndex:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.root / ".istui" / "cache" / "lead-ids"

    def _load(self) -> dict[str, tuple[str, list[str]]]:
        entries: dict[str, tuple[str, list[str]]] = {}
        with contextlib.suppress(FileNotFoundError):
            for line in self.path.read_text("utf-8").splitlines():
                parts = line.split(" ")
                if len(parts) >= 2:
                    entries[parts[0]] = (parts[1], parts[2:])
        return entries

    def ids(self) -> list[str]:
        entries = self._load()
        fresh: dict[str, tuple[str, list[str]]] = {}
        changed = False
        for path in self.workspace.lead_buckets():
            sig = files.signature(path)
            token = ":".join(map(str, sig)) if sig else "-"
            known = entries.get(path.stem)
            if known and known[0] == token:
                fresh[path.stem] = known
            else:
                ids = list(self.workspace._lead_storage(path.stem).records())
                fresh[path.stem] = (token, ids)
                changed = True
        if changed or set(fresh) != set(entries):
            body = "".join(f"{b} {tok} {' '.join(ids)}\n" for b, (tok, ids) in sorted(fresh.items()))
            with contextlib.suppress(OSError):  # a cache: failing to write it costs only speed
                files.atomic_write(self.path, body)
        return sorted(lead_id for _, ids in fresh.values() for lead_id in ids)
