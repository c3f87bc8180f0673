"""The workspace facade: every read and write of leads, activities, notes and targets goes through here.

Layout (DESIGN.md section 3): `leads/<bucket>.json` (256 buckets by a hash of the lead id),
`activities/<rep>/<YYYY-MM>.jsonl` (only that rep appends), `notes.json`, `targets.json`,
`istui.toml`, and the local-only `.istui/` (lock, caches, journal, this clone's settings).
"""

from __future__ import annotations

import _thread  # (not threading: importing it costs a quick command 0.5 ms)
import contextlib
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tinydb.table import Document, Table

from istui import locations
from istui.domain.errors import BadInput, NotFound
from istui.domain.ids import ID_LENGTH, looks_like_id_prefix, new_id, normalize_prefix, resolve_prefix
from istui.domain.text import clip
from istui.i18n import _
from istui.store import files
from istui.store import roster as team
from istui.store.activity_index import activities_naming
from istui.store.file_checks import FileChecks
from istui.store.journal import Journal
from istui.store.settings import Settings, load_settings, local_settings, save_local_settings, save_settings
from istui.store.storages import JsonLinesStorage, ReadProblem, Record, RecordLinesStorage, open_table

BUCKETS = 256
GITIGNORE = f"{locations.LOCAL_DIR}/\n.*.tmp\n"
GITATTRIBUTES = "*.json merge=istui\n*.jsonl merge=istui\nistui.toml merge=istui\n"
Clock = Callable[[tzinfo], datetime]


def bucket_of(lead_id: str) -> str:
    """The shard a lead lives in: two hex digits of a hash of its id."""
    return f"{zlib.crc32(lead_id.encode()) % BUCKETS:02x}"


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def system_clock(tz: tzinfo) -> datetime:
    return datetime.now(tz)


class Workspace:
    """One team workspace on disk, as seen by one rep."""

    def __init__(self, root: Path, settings: Settings, rep: str, clock: Clock = system_clock) -> None:
        self.root = root
        self.settings = settings
        self.rep = rep
        self.tz = ZoneInfo(settings.timezone)
        self._clock = clock
        self.local = locations.Local(root)
        self.lock = files.WorkspaceLock(self.local.lock, on_acquire=self._locked, on_release=self.remember_checks)
        self._journal = Journal(self.local.journal, root)
        self.file_checks = FileChecks(self.local.file_checks)
        self._storages: dict[Path, RecordLinesStorage | JsonLinesStorage] = {}
        self._transaction: list[RecordLinesStorage | JsonLinesStorage] | None = None
        self._transaction_thread = 0  # a reader in another thread (the TUI's loader) never joins a transaction
        self._swept = False  # temp files of dead writers removed once per workspace object
        self.notices: list[str] = []  # what a recovery could not do, for the interfaces to show
        self._transient_problems: dict[Path, list[ReadProblem]] = {}  # of files read but not kept
        self._activity_index: Any = None
        self._index_lock = _thread.allocate_lock()  # timelines are read in worker threads
        self._helpers: dict[str, Any] = {}

    # --- opening and creating ------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, rep: str | None = None, clock: Clock = system_clock) -> Workspace:
        root = root.expanduser().resolve()
        local = root / locations.LOCAL_DIR
        if os.path.islink(local):
            raise files.OutsideWorkspace(local)
        files.secure_local_folder(local)
        settings = load_settings(root)
        workspace = cls(root, settings, rep or local_settings(root).get("rep") or "me", clock)
        from istui.store.gitrepo import ensure_merge_driver, tighten_fresh_clone

        ensure_merge_driver(root)  # a fresh clone has none: without it git would merge as plain text
        tighten_fresh_clone(root)  # nor owner-only modes: git checked its files out readable by others
        if workspace._journal.path.exists():
            with workspace.lock.held():
                pass  # taking the lock finishes the interrupted change (`_locked`)
        team.migrate(workspace)  # a workspace made before the roster: the people its records name join it
        return workspace

    def _locked(self) -> None:
        """Run whenever this workspace takes its lock, before anything is written: a change a crash left
        half-done is finished first (so it never lands over a later edit), then stray temp files go."""
        if os.path.exists(self._journal.path):
            skipped = self._journal.recover()
            for path in skipped:
                if path == str(self._journal.path):
                    self.notices.append(_("A change plan in .istui/ named files outside the workspace (it did not come "
                                          "from this istui: git may have brought it); it was dropped, nothing applied."))
                    continue
                self.notices.append(_("An interrupted change to {file} was not finished because the file changed "
                                      "since; check it (`istui doctor`).").format(file=path))
            for storage in self._storages.values():
                storage._signature = None  # read again: the recovery may have replaced files
        if not self._swept:
            self._swept = True
            folders = [self.root, self.root / locations.LEADS_DIR, self.local.folder, self.local.cache]
            with contextlib.suppress(OSError):
                folders += [Path(entry.path) for entry in os.scandir(self.root / locations.ACTIVITIES_DIR)
                            if entry.is_dir(follow_symlinks=False)]
            files.remove_stale_temps(folders)

    @classmethod
    def create(cls, root: Path, rep: str, settings: Settings, remote: str | None = None,
               clock: Clock = system_clock) -> Workspace:
        root = root.expanduser().resolve()
        if (root / locations.SETTINGS_FILE).exists():
            raise BadInput(_("{root} is already an istui workspace.").format(root=root))
        if root.exists() and any(p.name != ".git" for p in root.iterdir()):
            raise BadInput(_("{root} exists and is not empty; choose a new or empty folder.").format(root=root))
        files.ensure_dir(root)
        os.chmod(root, files.DIR_MODE)
        for folder in (locations.LEADS_DIR, locations.ACTIVITIES_DIR, locations.LOCAL_DIR):
            files.ensure_dir(root / folder)
        save_settings(root, team.with_rep(settings, rep))  # the first rep is on the roster
        files.atomic_write(root / locations.GITIGNORE_FILE, GITIGNORE)
        files.atomic_write(root / locations.GITATTRIBUTES_FILE, GITATTRIBUTES)
        save_local_settings(root, {"rep": rep})
        workspace = cls(root, settings, rep, clock)
        for storage in map(workspace.shared_storage, (locations.NOTES_FILE, locations.TARGETS_FILE)):
            storage.write({storage.table: {}})
        from istui.store.gitrepo import init_repository

        init_repository(root, remote)
        return workspace

    # --- time ----------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock(self.tz).astimezone(self.tz)

    def stamp(self, record: dict[str, Any], created: bool = False) -> dict[str, Any]:
        moment = iso(self.now())
        if created:
            record.setdefault("created_at", moment)
        record["updated_at"] = moment
        record["updated_by"] = self.rep
        return record

    def month_of(self, at: str) -> str:
        return datetime.fromisoformat(at).astimezone(self.tz).strftime("%Y-%m")

    # --- storages and transactions -------------------------------------------------------------
    def _storage(self, path: Path, kind: type[RecordLinesStorage] | type[JsonLinesStorage], table: str):
        storage = self._storages.get(path)
        if storage is None:
            files.confine(self.root, path)
            storage = self._storages[path] = kind(path, table, self.file_checks)
        joining = self._transaction  # None, or the open transaction: only its own thread joins it
        if joining is not None and self._transaction_thread == _thread.get_ident() and storage not in joining:
            storage.begin()
            joining.append(storage)
        return storage

    def _lead_storage(self, bucket: str) -> RecordLinesStorage:
        return self._storage(locations.lead_bucket(self.root, bucket), RecordLinesStorage, "leads")

    def shared_storage(self, name: str) -> RecordLinesStorage:
        """The storage of a records file at the root: notes.json, targets.json, campaigns.json."""
        return self._storage(self.root / name, RecordLinesStorage, name.removesuffix(".json"))

    def _activity_storage(self, rep: str, month: str) -> JsonLinesStorage:
        return self._storage(locations.activity_file(self.root, rep, month), JsonLinesStorage, "activities")

    def _table(self, storage: RecordLinesStorage | JsonLinesStorage) -> Table:
        return open_table(storage)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside land all together (through the journal) or not at all; holds the lock."""
        with self.lock.held():
            if self._transaction is not None and self._transaction_thread == _thread.get_ident():
                yield
                return
            self._transaction, self._transaction_thread = [], _thread.get_ident()
            try:
                yield
                changed = [storage for storage in self._transaction if storage.changed_in_transaction()]
                replace: dict[Path, bytes] = {}
                append: dict[Path, bytes] = {}
                for storage in changed:  # CorruptFile here, before anything is written
                    content, added = storage.planned()
                    if content is not None:
                        replace[storage.path] = content
                    if added:
                        append[storage.path] = added
                if replace or append:
                    self._journal.commit(replace, append)
                for storage in changed:
                    storage.committed()
            finally:
                for storage in self._transaction:
                    storage.end()
                self._transaction = None

    # --- leads ---------------------------------------------------------------------------------
    def lead_buckets(self) -> list[Path]:
        folder = self.root / locations.LEADS_DIR
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith(".") and not p.is_dir())

    def bucket_leads(self, bucket: Path) -> dict[str, Record]:
        """The leads of one bucket file of `lead_buckets` (read-only records), by id."""
        return self._lead_storage(bucket.stem).records()

    def leads(self) -> Iterator[Record]:
        """Every lead (read-only records), bucket by bucket."""
        for path in self.lead_buckets():
            yield from self.bucket_leads(path).values()
        self.remember_checks()

    def remember_checks(self) -> None:
        """Keep what this process found about the files it read (`FileChecks`) for the next one."""
        self.file_checks.flush()

    def lead_ids(self) -> list[str]:
        """All lead ids, sorted; from a local index refreshed only for buckets that changed."""
        from istui.store.index import LeadIndex

        return LeadIndex(self).ids()

    def resolve_lead(self, prefix: str) -> str:
        """The one lead id starting with `prefix` (case-insensitive), or BadInput saying why not."""
        wanted = normalize_prefix(prefix)
        prefix = clip(prefix, ID_LENGTH + 4)  # (as quoted in a message: not 100,000 characters back)
        if not looks_like_id_prefix(wanted):
            raise NotFound(_("lead: '{prefix}' is not a lead id; ids look like 01JD8X3K… (see `istui lead list`).").format(
                prefix=prefix))
        from istui.store.index import LeadIndex, in_its_bucket

        if len(wanted) == ID_LENGTH and in_its_bucket(self, wanted):
            return wanted  # (a lead with an unusable value too: get_lead says which)

        matches = LeadIndex(self).starting_with(wanted)
        if not matches:
            raise NotFound(_("lead: no lead id starts with '{prefix}'.").format(prefix=prefix))
        if len(matches) > 1:
            from istui.domain.ids import short_ids

            shown = ", ".join(sorted(short_ids(matches, len(wanted) + 1).values())[:5])
            raise BadInput(_("lead: '{prefix}' matches several leads ({shown}…); type more of the id.").format(
                prefix=prefix, shown=shown))
        return matches[0]

    def get_lead(self, lead_id: str) -> Record:
        storage = self._lead_storage(bucket_of(lead_id))
        record = storage.records().get(lead_id)
        if record is None:
            raise storage.bad_record(lead_id) or NotFound(_("lead: no lead with id {id}.").format(id=lead_id))
        return dict(record)

    def add_lead(self, record: Record) -> Record:
        return self.add_leads([record])[0]

    def add_leads(self, records: Iterable[Record], keep_stamps: bool = False) -> list[Record]:
        """Insert new leads (all or none); each gets an id and timestamps unless it has them (`keep_stamps`:
        a record with `updated_at` keeps it and `updated_by`, as an import of istui's export)."""
        added, by_bucket = [], {}  # type: ignore[var-annotated] (bucket → its new records)
        with self.transaction():
            for record in records:
                record = dict(record)
                record.setdefault("id", new_id())
                if not (keep_stamps and record.get("updated_at") and record.get("updated_by")):
                    self.stamp(record, created=True)
                by_bucket.setdefault(bucket_of(record["id"]), []).append(record)
                added.append(record)
            for bucket, new in by_bucket.items():  # one read and one write of each bucket
                self._lead_storage(bucket).insert(new)
        return added

    def update_lead(self, lead_id: str, changes: dict[str, Any]) -> Record:
        """Apply field changes to one lead and stamp it; returns the new record."""
        with self.lock.held():
            return self._update_bucket(bucket_of(lead_id), {lead_id: changes})[0]

    def _update_bucket(self, bucket: str, changes: dict[str, dict[str, Any]]) -> list[Record]:
        """Apply field changes to leads of one bucket, stamped, in one read and one write of it."""
        new = {lead_id: self.stamp({**self.get_lead(lead_id), **fields}) for lead_id, fields in changes.items()}
        self._lead_storage(bucket).replace_records(new)
        return list(new.values())

    def remove_lead(self, lead_id: str) -> Record:
        """Delete one lead (its activities stay); returns the record so it can be restored."""
        with self.lock.held():
            record = self.get_lead(lead_id)
            self._table(self._lead_storage(bucket_of(lead_id))).remove(doc_ids=[lead_id])
        return record

    def restore_lead(self, record: Record) -> None:
        """Put back a deleted lead exactly as it was (undo of a delete)."""
        with self.lock.held():
            self._table(self._lead_storage(bucket_of(record["id"]))).insert(Document(dict(record), doc_id=record["id"]))

    def fingerprint(self) -> tuple:
        """A cheap signature of every shared file: changes whenever any process (or git) writes one (polled)."""
        shared = [(p.name, files.signature(p)) for p in (self.root / locations.NOTES_FILE, self.root / locations.TARGETS_FILE)]
        found = files.tree_signatures(self.root / locations.LEADS_DIR, ".json")
        return tuple(found + files.tree_signatures(self.root / locations.ACTIVITIES_DIR, ".jsonl", depth=1) + shared)

    def update_leads(self, changes: dict[str, dict[str, Any]]) -> list[Record]:
        """Apply changes to several leads at once, all or none (each bucket read and written once)."""
        by_bucket: dict[str, dict[str, dict[str, Any]]] = {}
        for lead_id, fields in changes.items():
            by_bucket.setdefault(bucket_of(lead_id), {})[lead_id] = fields
        with self.transaction():
            return [record for bucket, group in by_bucket.items() for record in self._update_bucket(bucket, group)]

    # --- activities ----------------------------------------------------------------------------
    def activity_files(self, months: Iterable[str] | None = None, reps: Iterable[str] | None = None) -> list[Path]:
        folder = self.root / locations.ACTIVITIES_DIR
        if not folder.is_dir():
            return []
        wanted_months = set(months) if months is not None else None
        wanted_reps = set(reps) if reps is not None else None
        found = []
        for rep_dir in sorted(folder.iterdir()):
            if rep_dir.is_symlink() or not rep_dir.is_dir() or (wanted_reps is not None and rep_dir.name not in wanted_reps):
                continue  # a symlinked folder is never followed (doctor reports it)
            for path in sorted(rep_dir.glob("*.jsonl")):
                if path.is_dir():
                    continue  # a folder named like a month file (doctor reports it)
                if wanted_months is None or path.stem in wanted_months:
                    found.append(path)
        return found

    def activities(self, months: Iterable[str] | None = None, reps: Iterable[str] | None = None,
                   keep: bool = False) -> Iterator[Record]:
        """Activity records (read-only) from the given months and reps (default: all). Files read before stay
        cached; others are parsed and dropped again unless `keep` (a TUI does not hold a year of activities)."""
        for path in self.activity_files(months, reps):
            storage = self._storages.get(path)
            if storage is None and not keep:
                transient = JsonLinesStorage(path, "activities", self.file_checks)
                yield from transient.records().values()
                self._transient_problems[path] = transient.problems()
                continue
            yield from self._activity_storage(path.parent.name, path.stem).records().values()

    def activities_of_lead(self, lead_id: str) -> list[Record]:
        """One lead's activities, oldest first; reads only the files the activity index names."""
        with self._index_lock:
            if self._activity_index is None:
                from istui.store.activity_index import ActivityIndex

                self._activity_index = ActivityIndex(self)
            paths = self._activity_index.files_for(lead_id)
        found = []
        for path in paths:
            storage = self._storages.get(path)
            if storage is not None and storage._records is not None and not storage.changed_on_disk():
                found += [r for r in storage._records.values() if r.get("lead") == lead_id]
            else:
                found += activities_naming(path, lead_id)
        return sorted(found, key=lambda r: (r["at"], r["id"]))

    def add_activity(self, record: Record) -> Record:
        """Append one activity to this rep's month file (fsync'd); nothing else is read."""
        record = dict(record)
        record.setdefault("id", new_id())
        record.setdefault("rep", self.rep)
        self.stamp(record, created=True)
        with self.lock.held():
            self._activity_storage(record["rep"], self.month_of(record["at"])).append([record])
        return record

    def update_activity(self, activity: Record, changes: dict[str, Any]) -> Record:
        """Change fields of one activity (a note added after the disposition key), re-read under the lock
        (a concurrent change of other fields stays); rewrites its month file."""
        with self.lock.held():
            storage = self._activity_storage(activity["rep"], self.month_of(activity["at"]))
            current = storage.records().get(activity["id"])
            if current is None:
                raise NotFound(_("activity: no activity with id {id}; it was removed since it was read.").format(
                    id=activity["id"]))
            record = self.stamp({**current, **changes})
            self._table(storage).update(record, doc_ids=[activity["id"]])
        return record

    def remove_activity(self, activity: Record) -> None:
        """Delete one activity (undo of a log)."""
        with self.lock.held():
            storage = self._activity_storage(activity["rep"], self.month_of(activity["at"]))
            self._table(storage).remove(doc_ids=[activity["id"]])

    # --- bulk loading -------------------------------------------------------------------------
    def bulk_insert(self, leads: Iterable[Record] = (), activities: Iterable[Record] = (),
                    notes: Iterable[Record] = (), targets: Iterable[Record] = ()) -> None:
        """Load many finished records (ids and timestamps set) with one write per shard."""
        from collections import defaultdict

        with self.lock.held():
            shards: dict[Any, list[Record]] = defaultdict(list)
            for record in leads:
                shards[self._lead_storage(bucket_of(record["id"]))].append(record)
            for record in notes:
                shards[self.shared_storage(locations.NOTES_FILE)].append(record)
            for record in targets:
                shards[self.shared_storage(locations.TARGETS_FILE)].append(record)
            for storage, records in shards.items():
                self._table(storage).insert_multiple(Document(r, doc_id=r["id"]) for r in records)
            by_file: dict[tuple[str, str], list[Record]] = defaultdict(list)
            for record in activities:
                by_file[(record["rep"], self.month_of(record["at"]))].append(record)
            for (rep, month), records in by_file.items():
                records.sort(key=lambda r: r["at"])
                self._activity_storage(rep, month).append(records)

    # --- notes and targets ---------------------------------------------------------------------
    def notes(self) -> list[Record]:
        return list(self.shared_storage(locations.NOTES_FILE).records().values())

    def targets(self) -> list[Record]:
        return list(self.shared_storage(locations.TARGETS_FILE).records().values())

    def resolve_note(self, prefix: str) -> str:
        return resolve_prefix(prefix, self.shared_storage(locations.NOTES_FILE).records(), "note")

    def resolve_target(self, prefix: str) -> str:
        return resolve_prefix(prefix, self.shared_storage(locations.TARGETS_FILE).records(), "target")

    def get_note(self, note_id: str) -> Record:
        storage = self.shared_storage(locations.NOTES_FILE)
        record = storage.records().get(note_id)
        if record is None:
            raise storage.bad_record(note_id) or NotFound(_("note: no note with id {id}.").format(id=note_id))
        return dict(record)

    def add_note(self, record: Record) -> Record:
        return self.save_shared(locations.NOTES_FILE, record)

    def update_note(self, note_id: str, changes: dict[str, Any]) -> Record:
        """Apply field changes to one note, re-read under the lock (a concurrent edit of other fields stays)."""
        with self.lock.held():
            record = self.get_note(note_id)
            record.update(changes)
            self.stamp(record)
            self._table(self.shared_storage(locations.NOTES_FILE)).update(record, doc_ids=[note_id])
        return record

    def save_target(self, record: Record) -> Record:
        return self.save_shared(locations.TARGETS_FILE, record)

    def remove_target(self, target_id: str) -> None:
        with self.lock.held():
            self._table(self.shared_storage(locations.TARGETS_FILE)).remove(doc_ids=[target_id])

    def save_shared(self, name: str, record: Record) -> Record:
        """Add or replace one record of a records file at the root (notes.json, targets.json, campaigns.json)."""
        storage = self.shared_storage(name)
        record = dict(record)
        created = "id" not in record
        record.setdefault("id", new_id())
        self.stamp(record, created=created)
        with self.lock.held():
            self._table(storage).upsert(Document(record, doc_id=record["id"]))
        return record

    def cached(self, name: str, make: Callable[[], Any]) -> Any:
        """A helper object kept for this workspace's lifetime (indexes, rollups), made on first use."""
        value = self._helpers.get(name)
        if value is None:
            value = self._helpers[name] = make()
        return value

    def read_problems(self) -> list[ReadProblem]:
        """The lines and records left out of what was read so far (each file's last read), for the
        interfaces to point at `istui doctor`."""
        found: list[ReadProblem] = []
        for storage in self._storages.values():
            found += storage.problems()
        for path, problems in self._transient_problems.items():
            if path not in self._storages:
                found += problems
        return found

    # --- change detection ----------------------------------------------------------------------
    def changed_files(self) -> list[Path]:
        """Files read earlier that another process has changed since (the TUI reloads them)."""
        return [path for path, storage in self._storages.items() if storage.changed_on_disk()]

