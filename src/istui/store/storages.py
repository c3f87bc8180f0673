"""TinyDB storages for a git-shared workspace.

`RecordLinesStorage` keeps one table as a JSON object with one record per line, sorted by id:
UTF-8, sorted keys, replaced atomically. `JsonLinesStorage` keeps one record per line and appends
with fsync. Both re-read a file only when its (inode, mtime_ns, size) signature changed, refuse to
overwrite a file they could not parse, and can defer writes to an all-or-nothing `Journal`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from istui.domain.errors import WorkspaceError
from istui.store import files

Record = dict[str, Any]


def dump_record(record: Mapping[str, Any]) -> str:
    """One record as one line: UTF-8 (no \\u escapes), sorted keys."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


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
        lines = [f"{json.dumps(key)}: {dump_record(records[key])}" for key in sorted(records)]
        body = ",\n".join(lines)
        return f'{{"{self.table}": {{\n{body}{chr(10) if lines else ""}}}}}\n'.encode()

    def _parse(self, raw: bytes) -> dict[str, Record]:
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise CorruptFile(self.path, raw[: exc.start].count(b"\n") + 1, "is not UTF-8") from None
        except json.JSONDecodeError as exc:
            raise CorruptFile(self.path, exc.lineno, exc.msg) from None
        table = data.get(self.table) if isinstance(data, dict) else None
        if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
            raise CorruptFile(self.path, 1, f'expected {{"{self.table}": {{id: record, ...}}}}')
        return table


class JsonLinesStorage(_CachedStorage):
    """One record per line; new records are appended (fsync'd), other changes rewrite atomically."""

    def serialize(self, records: Mapping[str, Record]) -> bytes:
        return "".join(dump_record(record) + "\n" for record in records.values()).encode()

    def _parse(self, raw: bytes) -> dict[str, Record]:
        records: dict[str, Record] = {}
        lines = raw.split(b"\n")
        torn_tail = not raw.endswith(b"\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                if torn_tail and number == len(lines):
                    break  # a record whose append was interrupted: ignored, cut at the next append
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "is not UTF-8"
                raise CorruptFile(self.path, number, reason) from None
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                raise CorruptFile(self.path, number, "expected a JSON object with an id")
            records[record["id"]] = record
        return records

    def append(self, new: Iterable[Record]) -> None:
        """Append records without reading the file (the fast path of logging a call)."""
        batch = list(new)
        if self.pending is not None:
            self.pending.update({r["id"]: r for r in batch})
            return
        known = self._records if not self.changed_on_disk() else None
        files.append_bytes(self.path, "".join(dump_record(r) + "\n" for r in batch).encode())
        if known is not None:
            known.update({r["id"]: r for r in batch})
            self._remember(known)

    def _write(self, records: dict[str, Record]) -> None:
        old = self.records()
        if all(key in records and records[key] == value for key, value in old.items()):
            added = [value for key, value in records.items() if key not in old]
            if added:
                files.append_bytes(self.path, "".join(dump_record(r) + "\n" for r in added).encode())
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
