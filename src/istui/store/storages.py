"""TinyDB storages for a git-shared workspace.

`RecordLinesStorage` keeps one table as a JSON object with one record per line, sorted by id:
UTF-8, sorted keys, replaced atomically. `JsonLinesStorage` keeps one record per line and appends
with fsync. Both re-read a file only when its (inode, mtime_ns, size) signature changed, refuse to
overwrite a file they could not parse, and can defer writes to an all-or-nothing `Journal`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from istui.domain.errors import WorkspaceError
from istui.store import fileformat, files
from istui.store.fileformat import FormatError

Record = dict[str, Any]


class CorruptFile(WorkspaceError):
    """A workspace file that could not be parsed; istui will not overwrite it."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path} line {line}: {reason}; istui will not write to it. Run `istui doctor` for details.")


class _CachedStorage(Storage):
    """Shared by both storages: the parsed table, its signature, and deferred writes."""

    def __init__(self, path: str | Path, table: str) -> None:
        self.path = Path(path)
        self.table = table
        self._records: dict[str, Record] | None = None
        self._signature: files.Signature | None = None
        self.pending: dict[str, Record] | None = None  # set while a transaction defers writes

    # TinyDB interface ------------------------------------------------------------------------
    def read(self) -> dict[str, dict[str, Any]] | None:
        records = self.records()
        return {self.table: {key: dict(value) for key, value in records.items()}}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        new = data.get(self.table, {})
        if self.pending is not None:
            self.pending = new
            return
        self._write(new)

    # istui interface -------------------------------------------------------------------------
    def records(self) -> dict[str, Record]:
        """The table as {id: record}; callers must not mutate the records."""
        if self.pending is not None:
            return self.pending
        current = files.signature(self.path)
        if self._records is None or current != self._signature:
            if current is None:
                self._records, self._signature = {}, None
            else:
                raw = self.path.read_bytes()
                self._records = self._parse(raw)
                self._signature = current
        return self._records

    def changed_on_disk(self) -> bool:
        return files.signature(self.path) != self._signature

    def serialize(self, records: Mapping[str, Record]) -> bytes:
        raise NotImplementedError

    def _parse(self, raw: bytes) -> dict[str, Record]:
        raise NotImplementedError

    def _write(self, records: dict[str, Record]) -> None:
        self.records()  # never overwrite a file we could not parse: this raises CorruptFile
        files.atomic_write(self.path, self.serialize(records))
        self._remember(records)

    def _remember(self, records: dict[str, Record]) -> None:
        self._records = records
        self._signature = files.signature(self.path)


class RecordLinesStorage(_CachedStorage):
    """`{"table": {` / one `"id": {record},` per line, sorted by id / `}}`."""

    def serialize(self, records: Mapping[str, Record]) -> bytes:
        return fileformat.record_lines(self.table, records)

    def _parse(self, raw: bytes) -> dict[str, Record]:
        try:
            return fileformat.parse_record_lines(raw, self.table)
        except FormatError as exc:
            raise CorruptFile(self.path, exc.line, exc.reason) from None


class JsonLinesStorage(_CachedStorage):
    """One record per line; new records are appended (fsync'd), other changes rewrite atomically."""

    def serialize(self, records: Mapping[str, Record]) -> bytes:
        return fileformat.json_lines(records.values())

    def _parse(self, raw: bytes) -> dict[str, Record]:
        try:
            records, _torn = fileformat.parse_json_lines(raw)  # a torn tail is ignored, cut at the next append
        except FormatError as exc:
            raise CorruptFile(self.path, exc.line, exc.reason) from None
        return records

    def append(self, new: Iterable[Record]) -> None:
        """Append records without reading the file (the fast path of logging a call)."""
        batch = list(new)
        if self.pending is not None:
            self.pending.update({r["id"]: r for r in batch})
            return
        known = self._records if not self.changed_on_disk() else None
        files.append_bytes(self.path, fileformat.json_lines(batch))
        if known is not None:
            known.update({r["id"]: r for r in batch})
            self._remember(known)

    def _write(self, records: dict[str, Record]) -> None:
        old = self.records()
        if all(key in records and records[key] == value for key, value in old.items()):
            added = [value for key, value in records.items() if key not in old]
            if added:
                files.append_bytes(self.path, fileformat.json_lines(added))
                self._remember(records)
            return
        super()._write(records)


class StrIdTable(Table):
    """A TinyDB table keyed by our string ids, never by TinyDB's integer auto-ids."""

    document_id_class = str

    def _get_next_id(self) -> str:  # pragma: no cover - guarded: every insert names its id
        raise ValueError("istui records are inserted with their own string id")


class ShardDB(TinyDB):
    table_class = StrIdTable


def open_table(storage: _CachedStorage) -> Table:
    """A TinyDB table over `storage`, without a query cache (other processes change files)."""
    db = ShardDB(storage=_Given(storage))
    return db.table(storage.table, cache_size=0)


class _Given:
    """Hands an existing storage instance to TinyDB, which wants a class to instantiate."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def __call__(self) -> Storage:
        return self.storage
