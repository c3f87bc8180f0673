"""Kept tallies of activity files (`locations.Local.rollups`, local only), so KPIs over months read a few
kilobytes per file instead of parsing every activity.

One tally (`services.counting.tally`) per `activities/<rep>/<YYYY-MM>.jsonl`, counted again only when
that file's signature changed. Lead sets are integer bitsets over a persistent, append-only numbering
of lead ids (`locations.Local.lead_numbers`), so "distinct leads worked" over a year is an OR and a bit
count. `rollup_days.KeptTallies` hands them, and the kept days of months cut into, to
`services.kpi.period_kpis`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from istui.domain.periods import month_of
from istui.services.counting import ROW_FIELDS, Tally, file_key, lead_ids, localize, number, tally, tally_rows
from istui.services.kpi import COHORT_FIELDS, Cohort
from istui.services.rollup_days import DayStore
from istui.store import files

if TYPE_CHECKING:
    from istui.store.workspace import Workspace

T = TypeVar("T")
VERSION = 12  # 10–12: talk time (the calls' durations, those of connects, the timed connects); 4: the funnel's lead sets (called, connected, handed); 6: cut months and cohorts kept too; 7: problems;
# 8: kept days instead of cut months; 9: machine opens are no opens


class DataOnly(pickle.Unpickler):
    """Unpickles plain data (dicts, lists, tuples, numbers, text, sets) and nothing else: a cache file in
    `.istui/` can arrive through git, and a pickle that names a function would run it."""

    SAFE: ClassVar[set[tuple[str, str]]] = {("builtins", "set"), ("builtins", "frozenset")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.SAFE:
            return getattr(__import__("builtins"), name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def safe_unpickle(data: bytes) -> Any:
    import io

    return DataOnly(io.BytesIO(data)).load()


class _KnownClean:
    """`FileChecks` as a child process needs it: the one file it is told is clean, at that signature."""

    def __init__(self, path: Path, signature: list[int] | None) -> None:
        self.path, self.signature = path, signature

    def clean(self, path: Path, current: files.Signature) -> bool:
        return path == self.path and self.signature is not None and list(current) == self.signature

    def readable(self, path: Path, current: files.Signature) -> bool:
        return self.clean(path, current)

    def written(self, path: Path, current: files.Signature) -> bool:
        return False

    def remember(self, path: Path, current: files.Signature, clean: bool, written: bool = False) -> None:
        pass


def rollup_file(path: str, tz_name: str, clean_at: list[int] | None = None) -> Tally:
    """The tally of one activity file, with lead ids (run in a worker process when many files need it):
    of its usable records, as every reader sees them (lines that do not read and unusable values left
    out; the value checks are skipped when the file is known clean at `clean_at`, its signature then).
    The tally's `clean` says whether every line and record was usable."""
    from istui.store.storages import JsonLinesStorage

    storage = JsonLinesStorage(Path(path), "activities", _KnownClean(Path(path), clean_at))  # type: ignore[arg-type]
    try:
        found = storage.clean_rows(ROW_FIELDS)  # a clean file (the common case) is decoded straight into rows
        if found is not None:
            return {**tally_rows(found, ZoneInfo(tz_name)), "clean": True}
        counted = tally(storage.records().values(), ZoneInfo(tz_name))
    except (ValueError, TypeError, KeyError, AttributeError):
        # not clean after all (the note that it was is local and can be wrong): read with every check
        storage = JsonLinesStorage(Path(path), "activities", _KnownClean(Path(path), None))  # type: ignore[arg-type]
        counted = tally(storage.records().values(), ZoneInfo(tz_name))
    problems = storage.problems()
    counted["clean"] = not problems
    if problems:  # named to the user whenever the kept tally is used (a report from rollups reads no file)
        counted["problems"] = [(problem.line, problem.message) for problem in problems]
    return counted


def rollup_files(jobs: list[tuple[str, list[int] | None]], tz_name: str) -> list[Tally]:
    """`rollup_file` of each (path, signature known clean), localized (`counting.localize`): each tally's "leads"
    is the list of lead ids its places index, one list shared by all (a pickle keeps it once)."""
    places: dict[str, int] = {}
    built = [localize(rollup_file(path, tz_name, clean), places) for path, clean in jobs]
    leads = list(places)
    return [{**counted, "leads": leads} for counted in built]


def build_rollups(paths: list[str], tz_name: str, workers: int | None = None,
                  clean_at: Mapping[str, list[int]] | None = None) -> list[Tally]:
    """`rollup_files` of the paths, spread over child processes when there are many and cores to spare.

    The children are plain `python -m istui.services.rollups` processes fed through pipes, not a
    multiprocessing pool: a pool needs a working `sys.stderr` file descriptor (the TUI replaces it)
    and forking a threaded process can deadlock."""
    workers = workers or min(os.cpu_count() or 1, 4)
    known = dict(clean_at or {})
    if len(paths) <= 8 or workers < 2:
        return rollup_files([(path, known.get(path)) for path in paths], tz_name)
    chunks = [paths[i::workers] for i in range(workers)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                                     os.environ.get("PYTHONPATH")]))}
    children = []
    for chunk in chunks:
        child = subprocess.Popen([sys.executable, "-m", "istui.services.rollups", tz_name, str(os.getpid())], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert child.stdin is not None
        child.stdin.write(json.dumps([[path, known.get(path)] for path in chunk]).encode())
        child.stdin.close()
        children.append(child)
    by_path: dict[str, Tally] = {}
    for chunk, child in zip(chunks, children, strict=True):
        assert child.stdout is not None
        output = child.stdout.read()
        if child.wait() == 0:
            by_path.update(zip(chunk, safe_unpickle(output), strict=True))
        else:  # a child that failed (no memory, killed): do its share here
            by_path.update(zip(chunk, rollup_files([(path, known.get(path)) for path in chunk], tz_name), strict=True))
    return [by_path[path] for path in paths]


def _strays(path: Path, days: Mapping[int, Any]) -> bool:
    """Whether a tally's local days (ordinals) leave the month its file is named after."""
    try:
        month = month_of(date.fromisoformat(f"{path.stem}-01"))
    except ValueError:
        return False  # (not a month file: doctor names it)
    return any(not month.start.toordinal() <= day < month.end.toordinal() for day in days)


def recounted_if_damaged(ws: Workspace, compute: Callable[[], T]) -> T:
    """`compute()` (a report from the kept tallies); when tallies read from the cache file make it fail (a value
    of another type: the file is local but can be damaged or edited), the cache is dropped and `compute()` runs
    once more on tallies counted from the activity files. A failure then is a real one, and raised."""
    from istui.domain.errors import IstuiError

    try:
        return compute()
    except IstuiError:
        raise
    except (TypeError, KeyError, ValueError, AttributeError, IndexError):
        rollups = ws.cached("rollups", lambda: Rollups(ws))
        if not rollups.from_disk:
            raise
        rollups.drop()
        return compute()


class Rollups:
    """The tallies of every activity file of a workspace, kept fresh against file signatures."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.local.rollups
        self.numbers_path = workspace.local.lead_numbers
        self.numbers: dict[str, int] = {}
        self.files: dict[str, Tally] = {}  # "rep/month" → numbered tally (with "sig")
        self.day_store = DayStore(self)  # the kept days of months cut into
        # the cohorts of earlier reports ((start, end, rep), days as ordinals → `Cohort.data`), kept while every lead bucket's
        # cohort fields are what they were: bucket → (signature, digest of its leads' `COHORT_FIELDS`)
        self.cohorts: dict[tuple, dict[str, Any]] = {}
        self.lead_digests: dict[str, tuple[Any, str]] = {}
        self._digests_changed = False
        self._loaded = False
        self.from_disk = False  # the tallies in use came from the cache file (not all counted by this process)
        self.kept_on_disk = True  # False once the registry cannot be written: nothing is saved then
        self._said_not_kept = False
        self.lock = threading.RLock()  # the TUI's KPI and Notes workers share one: each entry point holds it

    # --- lead numbering ------------------------------------------------------------------------
    def _load_numbers(self) -> None:
        """The registry; one that does not read as distinct ids, one per line, is started again (a repeated line
        would give two leads one number: wrong figures that last)."""
        try:
            lines, readable = files.read_bytes(self.numbers_path).decode("utf-8").splitlines(), True
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError, files.OutsideWorkspace):
            lines, readable = [], False
        self.numbers = {line: index for index, line in enumerate(lines)}
        if not readable or len(self.numbers) != len(lines) or "" in self.numbers:
            self.numbers = {}
            with contextlib.suppress(OSError, files.OutsideWorkspace):
                files.atomic_write(self.numbers_path, b"")

    def _numbers_digest(self, count: int) -> str:
        """What the kept tallies' bitsets mean: the first `count` ids of the registry, in order."""
        return hashlib.blake2b("\n".join(list(self.numbers)[:count]).encode(), digest_size=16).hexdigest()

    def register(self, lead_ids: Any) -> None:
        """Give new lead ids the next numbers (appended to the registry: numbers never change)."""
        new = [lead_id for lead_id in dict.fromkeys(lead_ids) if lead_id not in self.numbers]
        if new:
            for lead_id in new:
                self.numbers[lead_id] = len(self.numbers)
            try:
                files.append_bytes(self.numbers_path, "".join(i + "\n" for i in new).encode())
            except (OSError, files.OutsideWorkspace):  # (a folder in its place): this process's numbers are its own,
                self.kept_on_disk = False  # and no tally counted with them is kept

    # --- loading and refreshing ----------------------------------------------------------------
    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        self._load_numbers()
        with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, KeyError,
                                 TypeError, files.OutsideWorkspace):
            cached = safe_unpickle(files.unseal(files.read_bytes(self.path)))
            # usable unless written by another version, in another timezone (days are counted in the
            # workspace's zone: `istui settings timezone=…`) or against a longer (since deleted) numbering
            if (cached.get("version") == VERSION and cached.get("timezone") == self.workspace.settings.timezone
                    and cached.get("numbers", 0) <= len(self.numbers)
                    and cached.get("numbers_digest") == self._numbers_digest(cached.get("numbers", 0))):
                self.files, self.day_store.kept = cached["files"], cached["days"]
                self.cohorts, self.lead_digests = cached["cohorts"], cached["lead_digests"]
                self.from_disk = True

    def drop(self) -> None:
        """Forget every kept tally, here and on disk: the next refresh counts every file again."""
        with self.lock:
            self.files, self.cohorts, self.lead_digests = {}, {}, {}
            self.day_store = DayStore(self)
            self.from_disk = False
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)

    def save(self) -> None:
        if not self.kept_on_disk:
            self._not_kept(self.numbers_path)
            return
        try:
            files.atomic_write(self.path, files.seal(pickle.dumps({
                "version": VERSION, "numbers": len(self.numbers), "numbers_digest": self._numbers_digest(len(self.numbers)),
                "timezone": self.workspace.settings.timezone, "files": self.files, "days": self.day_store.kept,
                "cohorts": self.cohorts, "lead_digests": self.lead_digests}, protocol=pickle.HIGHEST_PROTOCOL)))
        except (OSError, files.OutsideWorkspace) as error:  # a cache: failing to write it costs only speed, but say so
            self._not_kept(self.path, getattr(error, "strerror", None) or str(error))

    def _not_kept(self, path: Path, reason: str | None = None) -> None:
        """Say once (the CLI on stderr, the TUI in a notification) that the kept tallies cannot be written: the
        figures stay right, but every report counts the activity files again."""
        from istui import locations
        from istui.i18n import _

        if not self._said_not_kept:
            self._said_not_kept = True
            self.workspace.notices.append(_(
                "{file} cannot be written ({reason}), so KPI reports count every activity file again each time "
                "(right, but slow); make it writable (or move what is in its place) to make them fast again.").format(
                    file=locations.relative(self.workspace.root, path), reason=reason or _("not writable")))

    def refresh(self, reps: list[str] | None = None) -> dict[str, Tally]:
        """Every file's tally (of `reps` only, when given: a rep's report counts none of the team's files),
        counting again (in parallel) only those whose file changed."""
        with self.lock:
            return self._refresh(reps)

    def _refresh(self, reps: list[str] | None) -> dict[str, Tally]:
        self._load()
        stale: list[tuple[str, Path, files.Signature | None]] = []
        present = set()
        paths: dict[str, Path] = {}
        for path in self.workspace.activity_files(reps=reps):
            key = file_key(path.parent.name, path.stem)
            present.add(key)
            paths[key] = path
            sig = files.signature(path)
            if self.files.get(key, {}).get("sig") != sig:
                stale.append((key, path, sig))
        removed = {key for key in self.files if reps is None or key.split("/", 1)[0] in reps} - present
        for key in removed:
            del self.files[key]
        if stale:
            checks = self.workspace.file_checks
            clean_at = {str(path): list(sig) for _, path, sig in stale if sig is not None and checks.clean(path, sig)}
            built = build_rollups([str(path) for _, path, _ in stale], self.workspace.settings.timezone,
                                  clean_at=clean_at)
            numbering: dict[int, tuple[list[str], list[int]]] = {}  # per list of lead ids: its ids' numbers
            for (key, path, sig), counted in zip(stale, built, strict=True):
                clean, leads = counted.pop("clean", False), counted.pop("leads")
                problems = counted.pop("problems", [])
                if id(leads) not in numbering:
                    self.register(leads)
                    numbering[id(leads)] = (leads, [self.numbers[lead] for lead in leads])
                if sig is not None:
                    checks.remember(path, sig, clean=clean)
                self.files[key] = {**number(counted, numbering[id(leads)][1]), "sig": sig, "problems": problems}
                if _strays(path, counted["days"]):
                    self.files[key].update(self._split(path))
        # the cache file is rewritten (~10 ms at team-year) when it saves real work: counting one or two
        # files again (a rep's own calls) costs the next process about as little as rewriting it now
        if stale:
            self.workspace.remember_checks()
        if len(stale) > 2 or removed:
            self.save()
        self._name_problems(paths)
        if reps is None:
            return self.files
        return {key: counted for key, counted in self.files.items() if key.split("/", 1)[0] in reps}

    def _split(self, path: Path) -> Tally:
        """The tally of a file holding activities of other local months than its own (the workspace's timezone
        changed since they were written, or a line was moved by hand or a merge): its own month's, and per other
        month (`elsewhere`) that month's, so that every activity counts in the month it happened in."""
        tz = self.workspace.tz
        months: dict[str, list[Any]] = {}
        for record in self.workspace.activities(months=[path.stem], reps=[path.parent.name]):
            months.setdefault(f"{datetime.fromisoformat(record['at']).astimezone(tz):%Y-%m}", []).append(record)
        counted = {month: tally(records, tz) for month, records in months.items()}
        self.register(lead for part in counted.values() for lead in lead_ids(part))
        own = counted.pop(path.stem, None) or tally([], tz)
        return {**number(own, self.numbers),
                "elsewhere": {month: number(part, self.numbers) for month, part in counted.items()}}

    def _name_problems(self, paths: dict[str, Path]) -> None:
        """The lines and records the kept tallies left out, as the workspace's read problems (the CLI names them on
        stderr, as it does for files it reads: a report from kept tallies reads none)."""
        from istui.store.storages import ReadProblem

        for key, path in paths.items():
            kept = self.files.get(key, {}).get("problems")
            if kept and isinstance(kept, list):
                self.workspace._transient_problems[path] = [ReadProblem(path, *problem) for problem in kept[:50]]

    def day_range(self, month: str, reps: list[str] | None, first: date, end: datetime) -> dict[str, Tally]:
        """`DayStore.range`: the kept days of a month's files over [first, end)."""
        with self.lock:
            self._load()
            return self.day_store.range(month, reps, first, end)

    def kept_cohorts(self) -> dict[tuple, Cohort]:
        """The cohorts of earlier reports while no lead's cohort fields changed since (a bucket whose file
        changed is read again and its leads' `COHORT_FIELDS` compared by digest: a call logged with a next
        action changes the file, not the cohorts), else none. Hand them to `keep_cohorts` after the report."""
        with self.lock:
            return self._kept_cohorts()

    def _kept_cohorts(self) -> dict[tuple, Cohort]:
        self._load()
        digests: dict[str, tuple[Any, str]] = {}
        for path in self.workspace.lead_buckets():
            sig = files.signature(path)
            known = self.lead_digests.get(path.stem)
            if known is not None and tuple(known[0]) == tuple(sig or ()):
                digests[path.stem] = known
                continue
            leads = self.workspace.bucket_leads(path)
            facts = sorted((lead_id, *(str(lead.get(name)) for name in COHORT_FIELDS)) for lead_id, lead in leads.items())
            digests[path.stem] = (tuple(sig or ()), hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest())
        same = ({name: digest for name, (_sig, digest) in digests.items()}
                == {name: digest for name, (_sig, digest) in self.lead_digests.items()})
        self._digests_changed = digests != self.lead_digests
        self.lead_digests = digests
        if not same:
            self.cohorts = {}
        return {(date.fromordinal(start), date.fromordinal(end), rep): Cohort.from_data(data)
                for (start, end, rep), data in self.cohorts.items()}

    def keep_cohorts(self, cohorts: Mapping[tuple, Cohort]) -> None:
        """Keep the cohorts of this report (with the numbers they caught up to) for the next process."""
        plain = {(start.toordinal(), end.toordinal(), rep): cohort for (start, end, rep), cohort in cohorts.items()}
        with self.lock:
            self._keep(plain)

    def _keep(self, plain: dict[tuple, Cohort]) -> None:
        if set(plain) != set(self.cohorts) or self._digests_changed or any(
                cohort.numbered != self.cohorts[key]["numbered"] for key, cohort in plain.items()):
            self.cohorts = {key: cohort.data() for key, cohort in plain.items()}
            self._digests_changed = False
            self.save()


if __name__ == "__main__":  # a child of build_rollups: paths as JSON on stdin, pickled tallies on stdout
    import gc

    gc.disable()  # a short life that makes no cycles: the collector would only walk what was read, again and again
    if sys.platform == "linux":  # killed with the parent (a kill -9 of `istui kpi` left children counting on for 30 s)
        with contextlib.suppress(OSError, AttributeError):
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if len(sys.argv) > 2 and os.getppid() != int(sys.argv[2]):  # the parent died before that was set
            sys.exit(1)
    _jobs = [(path, clean) for path, clean in json.loads(sys.stdin.buffer.read())]
    sys.stdout.buffer.write(pickle.dumps(rollup_files(_jobs, sys.argv[1]), protocol=pickle.HIGHEST_PROTOCOL))
