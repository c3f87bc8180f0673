"""A local index of lead ids (`locations.Local.lead_index`), so a prefix resolves without reading every bucket.

The first line lists each bucket with the signature it had when indexed (`<bucket>:<inode>:<mtime_ns>:<size>`,
space-separated); then one line per bucket, in the same order: `<bucket> <id> <id> ...`. A prefix is found by
a plain substring search of the whole text (no parsing of 50,000 ids); a bucket whose signature changed
since is left out of that search and its ids are read from the bucket itself, by a regular expression over
its text. The cache is rewritten only when several buckets changed: every `istui log call` edits one
bucket, and rewriting 1.3 MB for each would cost more than reading a few changed buckets again.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from istui import locations
from istui.domain.patterns import lazy
from istui.store import files

if TYPE_CHECKING:
    from istui.store.workspace import Workspace

_ID_LINE = lazy(rb'\n"([0-9A-Z]{26})": ')  # a record line (the first line is the table's)
#: a record's key wherever it stands: the file reformatted by an editor (indented, or all on one line; inside a JSON
#: text a quote is escaped, so a memo quoting an id does not match)
_ID_KEY = lazy(rb'"([0-9A-Z]{26})"\s*:\s*\{')
_LAYOUT = b'{"leads": {\n'  # how istui writes a lead file (`fileformat.record_lines`)
REWRITE_FROM = 8  # changed buckets read again on every call before the cache is rewritten


class LeadIndex:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.local.lead_index
        self._text = ""  # the cache as read: header line, then one line per bucket
        self._stale: dict[str, list[str]] = {}  # changed or new bucket → its ids, read from the bucket
        self._gone: set[str] = set()  # buckets whose cached line is out of date (changed or removed)

    def _refresh(self) -> None:
        """Read the cache and each bucket changed since it was written; rewrite it if many changed. A cache
        whose header does not match its lines (damaged, hand-edited) counts as empty: every bucket is read."""
        text = files.read_cache_text(self.path)
        header, _, body = text.partition("\n")
        kept: dict[str, str] = {}
        for entry in header.split(" ") if header else []:
            bucket, _, token = entry.partition(":")
            kept[bucket] = token
        last = body[body.rfind("\n", 0, len(body) - 1) + 1:].partition(" ")[0] if body.endswith("\n") else None
        if not kept or last != list(kept)[-1] or not all(kept.values()):
            kept, body = {}, ""  # a torn or damaged cache: its last line is not that of the header's last bucket
        folder = self.workspace.root / locations.LEADS_DIR
        entries = sorted((e for e in os.scandir(folder) if e.name.endswith(".json") and not e.name.startswith(".")),
                         key=lambda e: e.name) if folder.is_dir() else []
        current: dict[str, str] = {}
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            current[entry.name[:-5]] = f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"
        self._text = "\n" + body
        self._gone = {bucket for bucket, token in kept.items() if current.get(bucket) != token}
        self._stale = {bucket: self._read_ids(bucket) for bucket, token in current.items() if kept.get(bucket) != token}
        changed = len(self._gone | set(self._stale))
        if changed and changed >= min(REWRITE_FROM, len(current) or 1):
            self._rewrite(current)

    def _read_ids(self, bucket: str) -> list[str]:
        """The ids of a bucket's record lines (those of unusable records too: `resolve_lead` says why)."""
        try:
            data = files.read_bytes(locations.lead_bucket(self.workspace.root, bucket))
        except (OSError, files.OutsideWorkspace):
            return []
        found = _ID_LINE.findall(data) if data.startswith(_LAYOUT) else []
        if len(found) != data.count(b"\n") - 2:  # not one record a line, as istui writes it: look everywhere
            found = _ID_KEY.findall(data)
        return [match.decode() for match in found]

    def _lines(self) -> dict[str, str]:
        """bucket → " id id ..." for every bucket, fresh."""
        lines = {}
        for line in self._text[1:].splitlines():
            bucket, _, ids = line.partition(" ")
            if bucket not in self._gone:
                lines[bucket] = ids
        lines.update((bucket, " ".join(ids)) for bucket, ids in self._stale.items())
        return lines

    def _rewrite(self, current: dict[str, str]) -> None:
        lines = self._lines()
        order = [bucket for bucket in current if bucket in lines]
        header = " ".join(f"{bucket}:{current[bucket]}" for bucket in order)
        text = header + "\n" + "".join(f"{bucket} {lines[bucket]}\n" for bucket in order)
        try:
            files.write_cache(self.path, text.encode("utf-8"))
        except (OSError, files.OutsideWorkspace):
            return  # a cache: failing to write it costs only speed
        self._text, self._gone, self._stale = "\n" + text.partition("\n")[2], set(), {}

    def ids(self) -> list[str]:
        """Every lead id, sorted (for the shortest distinct prefixes shown; an id forged into the local
        cache would only lengthen them: `starting_with` checks each id it gives against its bucket)."""
        self._refresh()
        return sorted(lead_id for ids in self._lines().values() for lead_id in ids.split())

    def starting_with(self, prefix: str, limit: int = 6) -> list[str]:
        """Up to `limit` lead ids that start with `prefix` (already normalised), sorted; each one is in its
        bucket (the cache is local and could be stale or edited: it never names a lead that is not there)."""
        self._refresh()
        text, needle, candidates = self._text, " " + prefix, []
        start = text.find(needle)
        while start >= 0 and len(candidates) <= limit * 2:
            newline = text.find("\n", start + 1)  # every line of the text ends with one
            space = text.find(" ", start + 1, newline)
            end = newline if space < 0 else space
            line_start = text.rfind("\n", 0, start) + 1
            if text[line_start:text.find(" ", line_start)] not in self._gone:
                candidates.append(text[start + 1:end])
            start = text.find(needle, start + 1)
        candidates += [lead_id for ids in self._stale.values() for lead_id in ids if lead_id.startswith(prefix)]
        found: list[str] = []
        for lead_id in dict.fromkeys(candidates):
            if len(found) < limit and in_its_bucket(self.workspace, lead_id):  # (each reads its bucket: stop early)
                found.append(lead_id)
        return sorted(found)


def in_its_bucket(workspace: Workspace, lead_id: str) -> bool:
    """Whether the lead is in its bucket, usable or not (`get_lead` then says what is wrong with it)."""
    from istui.store.workspace import bucket_of

    storage = workspace._lead_storage(bucket_of(lead_id))
    return lead_id in storage.records() or storage.bad_record(lead_id) is not None
