"""A local index of lead ids (`locations.Local.lead_index`), so a prefix resolves without reading every bucket.

The first line is `istui-lead-ids 3 <count> <Adler-32 of the rows>` and each bucket with the signature it had when indexed
(`<bucket>:<inode>:<mtime_ns>:<size>`, space-separated); then `<count>` lines of the same width, sorted:
`<id> <bucket>`. A prefix is found by a binary search that reads a few lines (`os.pread`), not the file
(1.5 MB at 50,000 leads). A bucket whose signature changed since is searched itself, by its text; a lead
gone from it is dropped when its bucket is checked, as every candidate is. The cache is rewritten only when
several buckets changed: every `istui log call` edits one bucket, and rewriting the index for each would cost
more than searching a few changed buckets again. The rows are checked against their Adler-32 before a search: a
cache damaged (a write lost in a crash) or edited by hand is made again, never searched. Even so, a prefix the
index does not know is looked for in every bucket before istui says no lead has it, and every lead it names is
checked in its bucket: a forged cache can at worst hide that a short prefix is shared.
"""

from __future__ import annotations

import os
import zlib
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
_MAGIC = b"istui-lead-ids 3"
_ID = 26
_ROW = _ID + 4  # "<id> <bucket>\n"
REWRITE_FROM = 8  # changed buckets searched again on every call before the cache is rewritten


class LeadIndex:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.local.lead_index
        self._fd = -1  # the cache, open while a search reads its rows
        self._start = 0  # where its rows begin
        self._count = -1  # how many rows it has (-1: no cache that can be used)
        self._changed: set[str] = set()  # buckets changed, added or removed since the cache was written
        self._current: dict[str, str] = {}  # bucket → its signature now

    def _refresh(self) -> None:
        """Read the cache's header and compare it with each bucket now; rewrite the cache if many changed. A cache
        whose header or size does not match its rows (torn, damaged, hand-edited) counts as empty."""
        self._close()
        kept: dict[str, str] = {}
        try:
            self._fd = files.open_nofollow(self.path, os.O_RDONLY)
            head = os.pread(self._fd, 16384, 0)
            end = head.find(b"\n")
            while end < 0 and len(head) < os.fstat(self._fd).st_size:  # (a header longer than the first read)
                head += os.pread(self._fd, 65536, len(head))
                end = head.find(b"\n")
            fields = head[:end].decode("ascii").split(" ") if end > 0 else []
            if len(fields) >= 4 and " ".join(fields[:2]).encode() == _MAGIC and fields[2].isdigit() and fields[3].isdigit():
                count = int(fields[2])
                for entry in fields[4:]:
                    bucket, _, token = entry.partition(":")
                    kept[bucket] = token
                if (os.fstat(self._fd).st_size == end + 1 + count * _ROW and all(kept.values())
                        and _checksum(self._fd, end + 1) == int(fields[3])):
                    self._start, self._count = end + 1, count
        except (OSError, ValueError, files.OutsideWorkspace):
            pass
        if self._count < 0:
            kept = {}
        folder = self.workspace.root / locations.LEADS_DIR
        current: dict[str, str] = {}
        if folder.is_dir():
            for entry in os.scandir(folder):
                if entry.name.endswith(".json") and not entry.name.startswith("."):
                    st = entry.stat(follow_symlinks=False)
                    current[entry.name[:-5]] = f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"
        self._current = current
        self._changed = {bucket for bucket in kept.keys() | current.keys() if kept.get(bucket) != current.get(bucket)}
        if self._many_changed():
            self._rewrite()

    def _many_changed(self) -> bool:
        return bool(self._changed) and len(self._changed) >= min(REWRITE_FROM, len(self._current) or 1)

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd, self._start, self._count = -1, 0, -1

    def _bucket_bytes(self, bucket: str) -> bytes:
        try:
            return files.read_bytes(locations.lead_bucket(self.workspace.root, bucket))
        except (OSError, files.OutsideWorkspace):
            return b""

    def _read_ids(self, bucket: str) -> list[str]:
        """The ids of a bucket's record lines (those of unusable records too: `resolve_lead` says why)."""
        data = self._bucket_bytes(bucket)
        found = _ID_LINE.findall(data) if data.startswith(_LAYOUT) else []
        if len(found) != data.count(b"\n") - 2:  # not one record a line, as istui writes it: look everywhere
            found = _ID_KEY.findall(data)
        return [match.decode() for match in found]

    def _ids_in(self, bucket: str, prefix: bytes) -> list[str]:
        """The ids of a bucket's records that start with `prefix`, wherever their keys stand in its text."""
        data, found, start = self._bucket_bytes(bucket), [], 0
        needle = b'"' + prefix
        while (start := data.find(needle, start)) >= 0:
            match = _ID_KEY.match(data, start)
            if match:
                found.append(match.group(1).decode())
            start += 1
        return found

    def _rows(self) -> tuple[list[str], list[str]]:
        """The ids and buckets of the cache's rows, in order. A cache with a row that is not one counts as empty:
        every bucket is read again."""
        if self._count <= 0:
            return [], []
        data = os.pread(self._fd, self._count * _ROW, self._start)
        words = data.decode("ascii", "replace").split()
        if (len(words) != 2 * self._count or data[_ID::_ROW] != b" " * self._count
                or data[_ROW - 1::_ROW] != b"\n" * self._count):
            self._changed |= self._current.keys()
            return [], []
        return words[0::2], words[1::2]

    def _kept(self) -> list[str]:
        """The ids of the cache's rows that are still true (none from a changed bucket), sorted."""
        ids, buckets = self._rows()
        changed = self._changed
        return [lead_id for lead_id, bucket in zip(ids, buckets, strict=True) if bucket not in changed] if changed else ids

    def _rewrite(self) -> None:
        ids, buckets = self._rows()
        rows = {row for row in zip(ids, buckets, strict=True) if row[1] not in self._changed}
        rows.update((lead_id, bucket) for bucket in self._changed & self._current.keys() for lead_id in self._read_ids(bucket))
        ordered = sorted(rows)
        body = "".join(f"{lead_id} {bucket}\n" for lead_id, bucket in ordered).encode("ascii")
        header = " ".join([_MAGIC.decode(), str(len(ordered)), str(zlib.adler32(body))] + [
            f"{bucket}:{token}" for bucket, token in sorted(self._current.items())])
        try:
            files.write_cache(self.path, header.encode("ascii") + b"\n" + body)
        except (OSError, ValueError, files.OutsideWorkspace):
            return  # a cache: failing to write it costs only speed
        self._close()  # read again from the file just written (what another process will read)
        try:
            self._fd = files.open_nofollow(self.path, os.O_RDONLY)
            self._start, self._count, self._changed = len(header) + 1, len(ordered), set()
        except (OSError, files.OutsideWorkspace):
            self._changed = set(self._current)

    def _row(self, number: int) -> bytes:
        return os.pread(self._fd, _ROW, self._start + number * _ROW)

    def _cached(self, prefix: bytes, limit: int) -> list[str]:
        """Up to `limit` ids of the cache's rows that start with `prefix`: a binary search for the first."""
        low, high = 0, self._count
        while low < high:
            middle = (low + high) // 2
            if self._row(middle)[:_ID] < prefix:
                low = middle + 1
            else:
                high = middle
        data = os.pread(self._fd, limit * _ROW, self._start + low * _ROW)
        found = []
        for offset in range(0, len(data), _ROW):
            row = data[offset:offset + _ROW]
            if not row.startswith(prefix):
                break
            if row[_ID:_ID + 1] == b" " and row[27:29].decode("ascii", "replace") not in self._changed:
                found.append(row[:_ID].decode("ascii", "replace"))
        return found

    def ids(self) -> list[str]:
        """Every lead id, sorted (for the shortest distinct prefixes shown; an id forged into the local
        cache would only lengthen them: `starting_with` checks each id it gives against its bucket)."""
        try:
            self._refresh()
            kept = self._kept()
            if self._many_changed():  # (rows that are not rows: the cache is made again)
                self._rewrite()
                kept = self._kept()
            changed = [lead_id for bucket in self._changed & self._current.keys() for lead_id in self._read_ids(bucket)]
            return sorted(kept + changed) if changed else kept
        finally:
            self._close()

    def starting_with(self, prefix: str, limit: int = 6) -> list[str]:
        """Up to `limit` lead ids that start with `prefix` (already normalised), sorted; each one is in its
        bucket (the cache is local and could be stale or edited: it never names a lead that is not there)."""
        wanted = prefix.encode("ascii")
        try:
            self._refresh()
            candidates = self._cached(wanted, limit * 2 + 1) if self._count > 0 else []
            candidates += [lead_id for bucket in sorted(self._changed & self._current.keys())
                           for lead_id in self._ids_in(bucket, wanted)]
        finally:
            self._close()
        found = self._checked(candidates, limit)
        if not found:  # none known: every bucket is searched before the answer is "no lead"
            found = self._checked([lead_id for bucket in sorted(self._current) for lead_id in self._ids_in(bucket, wanted)],
                                  limit)
        return found

    def _checked(self, candidates: list[str], limit: int) -> list[str]:
        found: list[str] = []
        for lead_id in sorted(dict.fromkeys(candidates)):
            if len(found) < limit and in_its_bucket(self.workspace, lead_id):  # (each reads its bucket: stop early)
                found.append(lead_id)
        return found


def _checksum(fd: int, start: int) -> int:
    """The Adler-32 of the cache's rows, read through a mapping of the file (no copy of 1.5 MB made): rows out of
    order or overwritten (a hand edit, a write lost in a crash) would mislead the binary search, not just slow it."""
    import mmap

    with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as view:
        rows = memoryview(view)[start:]
        try:
            return zlib.adler32(rows)
        finally:
            rows.release()


def in_its_bucket(workspace: Workspace, lead_id: str) -> bool:
    """Whether the lead is in its bucket, usable or not (`get_lead` then says what is wrong with it)."""
    from istui.store.workspace import bucket_of

    storage = workspace._lead_storage(bucket_of(lead_id))
    return lead_id in storage.records() or storage.bad_record(lead_id) is not None
