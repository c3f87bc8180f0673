"""TinyDB storages for a git-shared workspace.

`RecordLinesStorage` keeps one table as a JSON object with one record per line, sorted by id:
UTF-8, sorted keys, replaced atomically. `JsonLinesStorage` keeps one record per line and appends
with fsync. Both re-read a file only when its (inode, mtime_ns, size) signature changed; leave out,
and report, the lines they cannot read and the records whose values cannot be used (DESIGN.md
section 8), keeping those records as they are when they rewrite the file; never write to a file with a
line they could not read; and can defer writes to an all-or-nothing `Journal`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from istui.domain import checks
from istui.domain.errors import WorkspaceError
from istui.i18n import _
from istui.store import fileformat, files, sharing
from istui.store.file_checks import FileChecks

Record = dict[str, Any]


class CorruptFile(WorkspaceError):
    """A workspace file with a line that could not be read; istui will not write to it."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(_("{path} line {line}: {reason}; istui will not write to it. Run `istui doctor` for details.")
                         .format(path=path, line=line, reason=reason))


class BadRecord(WorkspaceError):
    """A record with a value istui cannot use: left out of what is shown, kept as it is on disk."""

    def __init__(self, path: Path, line: int | None, problem: checks.Problem) -> None:
        self.path, self.line, self.problem = path, line, problem
        where = f"{path} line {line}" if line else str(path)
        super().__init__(_("{where}: {message}; {fix} (`istui doctor` lists every such record).").format(
            where=where, message=problem.message, fix=problem.fix))


class ReadProblem(NamedTuple):
    """A line or record a storage left out when it read its file."""

    path: Path
    line: int | None
    message: str


class _CachedStorage(Storage):
    """Shared by both storages: the parsed table, its signature, what was left out, and deferred writes."""

    def __init__(self, path: str | Path, table: str, verified: FileChecks | None = None) -> None:
        self.path = Path(path)
        self.table = table
        self.verified = verified
        self._records: dict[str, Record] | None = None  # the usable records
        self._all: dict[str, Record] = {}  # every record read, usable or not, in file order
        self._bad: dict[str, checks.Problem] = {}  # id → why the record was left out
        self._broken: list[tuple[int, str]] = []  # lines that could not be read
        self._lines: dict[str, int] | None = None
        self._raw = b""
        self.torn = False  # the last line was an unfinished write, left out
        self._signature: files.Signature | None = None
        self.pending: dict[str, Record] | None = None  # set while a transaction defers writes
        self._txn_base: dict[str, Record] | None = None

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
        """The usable records as {id: record}; callers must not mutate them. Lines that cannot be read and
        records with unusable values are left out (see `problems`)."""
        if self.pending is not None:
            return self.pending
        current = files.signature(self.path)
        if self._records is None or current != self._signature:
            if current is None:
                self._load(b"", None)
            else:
                try:
                    self._load(files.read_bytes(self.path), current)
                except files.OutsideWorkspace:
                    self._load(b"", current, _("is a symbolic link; istui never follows one"))
                except (IsADirectoryError, NotADirectoryError):
                    self._load(b"", current, _("is a folder where istui keeps a file"))
        assert self._records is not None
        return self._records

    def _load(self, raw: bytes, current: files.Signature | None, unreadable: str | None = None) -> None:
        """Take in the file's bytes (`unreadable`: why there are none to take, though the file is there)."""
        if unreadable is not None:
            scan = fileformat.Scan({}, [(1, unreadable)])
        else:
            scan = self._scan(raw) if current is not None else fileformat.Scan({}, [])  # no file: no records
        usable: dict[str, Record] = {}
        bad: dict[str, checks.Problem] = {}
        known_clean = (current is not None and self.verified is not None and not scan.broken
                       and self.verified.clean(self.path, current))
        for key, record in ({} if known_clean else scan.records).items():
            problem = checks.first_problem(self.table, record)
            if problem is None and record.get("id") != key:
                problem = checks.Problem("id", _("record key {key} differs from its id {id}").format(
                    key=key, id=record.get("id")), _("make the key and the id the same"))
            if problem is None:
                usable[key] = record
            else:
                bad[key] = problem
        if known_clean:
            usable = scan.records  # every record was found usable at this very signature
        elif current is not None and self.verified is not None and not scan.broken:
            self.verified.remember(self.path, current, clean=not bad)
        if self.table == "leads" and sharing.keeping():
            sharing.share_values(scan.records.values())
        self._records, self._all, self._bad, self._broken = usable, scan.records, bad, scan.broken
        self.torn = scan.torn
        self._raw = raw if (bad or scan.broken) else b""
        self._lines = None
        self._signature = current

    def clean_rows(self, fields: tuple[tuple[Any, ...], ...]) -> list[tuple[Any, ...]] | None:
        """The records as tuples of `fields` (`fileformat.json_lines_rows`) when the file is known clean at its
        signature (`FileChecks`: every record was found usable), so a count over it needs neither dicts nor
        checks; None otherwise (read `records`)."""
        current = files.signature(self.path)
        if current is None or self.verified is None or not self.verified.clean(self.path, current):
            return None
        try:
            raw = files.read_bytes(self.path)
        except (OSError, files.OutsideWorkspace):
            return None
        return fileformat.json_lines_rows(raw, fields) if files.signature(self.path) == current else None

    def problems(self) -> list[ReadProblem]:
        """What the last read left out: unreadable lines (the file is then never written) and unusable records."""
        found = [ReadProblem(self.path, line, reason) for line, reason in self._broken]
        for key, problem in self._bad.items():
            found.append(ReadProblem(self.path, self.line_of(key), problem.message))
        return found

    def every_record(self) -> dict[str, Record]:
        """Every record read, usable or not (doctor checks them all)."""
        self.records()
        return self._all

    def unreadable_lines(self) -> list[tuple[int, str]]:
        self.records()
        return list(self._broken)

    def line_of(self, key: str) -> int | None:
        if self._lines is None:
            raw = self._raw or (files.read_bytes(self.path) if self._signature is not None else b"")
            self._lines = self._line_numbers(raw)
        return self._lines.get(key)

    def bad_record(self, key: str) -> WorkspaceError | None:
        """Why the record `key` is not among the usable ones, when the file says why: its value cannot be
        used (BadRecord), or a line of the file could not be read (CorruptFile: it may be that record)."""
        self.records()
        problem = self._bad.get(key)
        if problem is not None:
            return BadRecord(self.path, self.line_of(key), problem)
        if self._broken:
            return CorruptFile(self.path, *self._broken[0])
        return None

    def check_writable(self) -> None:
        """CorruptFile unless every line of the file could be read (istui never writes over what it cannot read)."""
        self.records()
        if self._broken:
            line, reason = self._broken[0]
            raise CorruptFile(self.path, line, reason)

    def _was_clean(self) -> bool:
        """Whether the file, as it is before this process writes to it, is known to hold only usable records."""
        current = files.signature(self.path)
        if current is None:
            return True  # a new file
        if self._records is not None and current == self._signature:
            return not self._bad and not self._broken
        return self.verified is not None and self.verified.clean(self.path, current)

    def changed_on_disk(self) -> bool:
        return files.signature(self.path) != self._signature

    def with_unusable(self, records: dict[str, Record]) -> dict[str, Record]:
        """`records` (the table as the caller changed it) with the unusable records put back where they
        were: a write never drops a record it could not show."""
        if not self._bad:
            return records
        merged: dict[str, Record] = {}
        for key, record in self._all.items():
            if key in records:
                merged[key] = records[key]
            elif key in self._bad:
                merged[key] = record
        merged.update((key, record) for key, record in records.items() if key not in merged)
        return merged

    def insert(self, new: list[Record]) -> None:
        """Add records with ids not in the table yet (ValueError as TinyDB's insert otherwise), without TinyDB's
        copies of the table and of each record: a bulk import adds 100,000 leads."""
        current = self.records()
        taken = next((record["id"] for record in new if record["id"] in current), None)
        if taken is not None:
            raise ValueError(f"Document with ID {taken!r} already exists")
        grown = {**current, **{record["id"]: record for record in new}}  # a new dict: the transaction sees a change
        if self.pending is not None:
            self.pending = grown
        else:
            self._write(grown)

    # transactions (`Workspace.transaction`) ----------------------------------------------------
    def begin(self) -> None:
        """Defer writes until the transaction commits."""
        self.pending = self._txn_base = dict(self.records())

    def changed_in_transaction(self) -> bool:
        return self.pending is not self._txn_base

    def planned(self) -> tuple[bytes | None, bytes | None]:
        """(the file's new content, or None) and (bytes to append, or None) this transaction wants;
        CorruptFile when the file cannot be written."""
        self.pending, pending = None, self.pending
        try:
            self.check_writable()
        finally:
            self.pending = pending
        return self.serialize(self.with_unusable(pending or {})), None

    def committed(self) -> None:
        self._remember(self.pending or {})
        self.end()

    def end(self) -> None:
        self.pending = self._txn_base = None

    def serialize(self, records: Mapping[str, Record]) -> bytes:
        raise NotImplementedError

    def _scan(self, raw: bytes) -> fileformat.Scan:
        raise NotImplementedError

    def _line_numbers(self, raw: bytes) -> dict[str, int]:
        raise NotImplementedError

    def _write(self, records: dict[str, Record]) -> None:
        self.check_writable()
        files.atomic_write(self.path, self.serialize(self.with_unusable(records)))
        self._remember(records)

    def _remember(self, records: dict[str, Record]) -> None:
        all_records = self.with_unusable(records)
        self._records, self._all = records, all_records
        self._signature = files.signature(self.path)
        if self._bad:
            self._raw = files.read_bytes(self.path)
            self._lines = None
        if self.verified is not None and self._signature is not None:
            self.verified.remember(self.path, self._signature, clean=not self._bad, written=True)


class RecordLinesStorage(_CachedStorage):
    """`{"table": {` / one `"id": {record},` per line, sorted by id / `}}`."""

    def serialize(self, records: Mapping[str, Record]) -> bytes:
        return fileformat.record_lines(self.table, records, self._as_written())

    def _as_written(self) -> tuple[dict[str, Record], str] | None:
        """The records read and the text of the file, when istui wrote it as it is (`FileChecks.written`): the
        records not changed since keep their lines (`fileformat.record_lines`)."""
        current = files.signature(self.path)
        if current is None or current != self._signature or self.verified is None or not self.verified.written(
                self.path, current):
            return None
        try:
            text = files.read_bytes(self.path).decode("utf-8")
        except (OSError, ValueError, files.OutsideWorkspace):
            return None
        return (self._all, text) if files.signature(self.path) == current else None

    def replace_records(self, changed: dict[str, Record]) -> None:
        """Put whole new records in place of those with their ids (KeyError for one not there), without TinyDB's
        copies of the table and of each record: the others stay the very objects read, and keep their lines."""
        current = self.records()
        missing = next((key for key in changed if key not in current), None)
        if missing is not None:
            raise KeyError(missing)
        self.write({self.table: {**current, **changed}})  # (deferred while a transaction is open)

    def _scan(self, raw: bytes) -> fileformat.Scan:
        return fileformat.scan_record_lines(raw, self.table)

    def _line_numbers(self, raw: bytes) -> dict[str, int]:
        return fileformat.record_line_numbers(raw.decode("utf-8", "replace"))


class JsonLinesStorage(_CachedStorage):
    """One record per line; new records are appended (fsync'd), other changes rewrite atomically."""

    def serialize(self, records: Mapping[str, Record]) -> bytes:
        return fileformat.json_lines(records.values())

    def _scan(self, raw: bytes) -> fileformat.Scan:
        return fileformat.scan_json_lines(raw)  # a torn tail is left out, and cut at the next append

    def _line_numbers(self, raw: bytes) -> dict[str, int]:
        return fileformat.json_line_numbers(raw)

    txn_appends: list[Record] | None = None  # records appended in a transaction that rewrites nothing
    _clean_before = False  # whether the file was known clean when the transaction planned its append

    def begin(self) -> None:
        self.txn_appends = []  # the file is read only if the transaction reads or rewrites it

    def records(self) -> dict[str, Record]:
        if self.pending is None and self.txn_appends:
            self.txn_appends, appended = None, self.txn_appends
            try:
                base = super().records()
            finally:
                self.txn_appends = appended
            return {**base, **{r["id"]: r for r in appended}}
        return super().records()

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.txn_appends is not None and self.pending is None:
            self.pending = data.get(self.table, {})  # the transaction rewrites the file after all
            return
        super().write(data)

    def changed_in_transaction(self) -> bool:
        return self.pending is not None or bool(self.txn_appends)

    def planned(self) -> tuple[bytes | None, bytes | None]:
        if self.pending is not None:
            return super().planned()
        self.check_appendable()
        self._clean_before = self._was_clean()  # asked before the journal appends (after, the signature is new)
        return None, fileformat.json_lines(self.txn_appends or [])

    def committed(self) -> None:
        if self.pending is not None:
            super().committed()
            return
        self._records = None  # read again when next needed (the appended records are on disk)
        self._note_appended(self._clean_before)
        self.end()

    def end(self) -> None:
        super().end()
        self.txn_appends = None

    def check_appendable(self) -> None:
        """CorruptFile unless the file can be appended to: every line of it reads. Cheap when this process
        read it, or any istui process read or wrote it last and it has not changed since (`FileChecks`)."""
        if self._records is not None and not self.changed_on_disk():
            self.check_writable()
            return
        if self.verified is not None:
            current = files.signature(self.path)
            if current is None or self.verified.readable(self.path, current):
                return
        self.check_writable()

    def append(self, new: Iterable[Record]) -> None:
        """Append records (the fast path of logging a call: the file is read only when no istui process
        wrote it last)."""
        batch = list(new)
        if self.pending is not None:
            self.pending.update({r["id"]: r for r in batch})
            return
        if self.txn_appends is not None:
            self.txn_appends.extend(batch)
            return
        self.check_appendable()
        known = self._records if self._records is not None and not self.changed_on_disk() else None
        was_clean = self._was_clean()
        files.append_bytes(self.path, fileformat.json_lines(batch))
        if known is not None:
            known.update({r["id"]: r for r in batch})
            self._remember(known)
        else:
            self._note_appended(was_clean)

    def _note_appended(self, was_clean: bool) -> None:
        """Remember the file as istui left it after an append: readable, and clean if it was before."""
        current = files.signature(self.path)
        if self.verified is not None and current is not None:
            self.verified.remember(self.path, current, clean=was_clean)

    def _write(self, records: dict[str, Record]) -> None:
        old = self.records()
        if all(key in records and records[key] == value for key, value in old.items()):
            added = [value for key, value in records.items() if key not in old]
            if added:
                self.check_writable()
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
