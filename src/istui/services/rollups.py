"""Kept tallies of activity files (`locations.Local.rollups`, local only), so KPIs over months read a few
kilobytes per file instead of parsing every activity.

One tally (`services.counting.tally`) per `activities/<rep>/<YYYY-MM>.jsonl`, counted again only when
that file's signature changed. Lead sets are integer bitsets over a persistent, append-only numbering
of lead ids (`locations.Local.lead_numbers`), so "distinct leads worked" over a year is an OR and a bit
count. `RollupTallies` hands them to `services.kpi.period_kpis` for periods made of whole months.
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
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from istui.domain.model import ActivityKind
from istui.domain.outcomes import EmailOutcome
from istui.domain.periods import Period
from istui.services.counting import ROW_FIELDS, Tally, file_key, lead_ids, localize, number, pairing_key, tally, tally_rows
from istui.services.kpi import COHORT_FIELDS, Cohort, Tallies
from istui.store import files

if TYPE_CHECKING:
    from istui.store.workspace import Workspace

T = TypeVar("T")
VERSION = 7  # 4: the funnel's lead sets (called, connected, handed); 6: cut months and cohorts kept too; 7: problems


class _DataOnly(pickle.Unpickler):
    """Unpickles plain data (dicts, lists, tuples, numbers, text, sets) and nothing else: a cache file in
    `.istui/` can arrive through git, and a pickle that names a function would run it."""

    SAFE: ClassVar[set[tuple[str, str]]] = {("builtins", "set"), ("builtins", "frozenset")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.SAFE:
            return getattr(__import__("builtins"), name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def safe_unpickle(data: bytes) -> Any:
    import io

    return _DataOnly(io.BytesIO(data)).load()


class _KnownClean:
    """`FileChecks` as a child process needs it: the one file it is told is clean, at that signature."""

    def __init__(self, path: Path, signature: list[int] | None) -> None:
        self.path, self.signature = path, signature

    def clean(self, path: Path, current: files.Signature) -> bool:
        return path == self.path and self.signature is not None and list(current) == self.signature

    def readable(self, path: Path, current: files.Signature) -> bool:
        return self.clean(path, current)

    def remember(self, path: Path, current: files.Signature, clean: bool) -> None:
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
        child = subprocess.Popen([sys.executable, "-m", "istui.services.rollups", tz_name], stdin=subprocess.PIPE,
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
        # "rep/month" → a month cut on one day: {"sig", "day" (ordinal), "before": numbered tally of the days
        # before it, "records": that day's activities and the e-mail events their sends pair with}
        self.cuts: dict[str, dict[str, Any]] = {}
        # the cohorts of earlier reports ((start, end, rep), days as ordinals → `Cohort.data`), kept while every lead bucket's
        # cohort fields are what they were: bucket → (signature, digest of its leads' `COHORT_FIELDS`)
        self.cohorts: dict[tuple, dict[str, Any]] = {}
        self.lead_digests: dict[str, tuple[Any, str]] = {}
        self._digests_changed = False
        self._loaded = False
        self.from_disk = False  # the tallies in use came from the cache file (not all counted by this process)
        self.kept_on_disk = True  # False once the registry cannot be written: nothing is saved then
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
            cached = safe_unpickle(files.read_bytes(self.path))
            # usable unless written by another version, in another timezone (days are counted in the
            # workspace's zone: `istui settings timezone=…`) or against a longer (since deleted) numbering
            if (cached.get("version") == VERSION and cached.get("timezone") == self.workspace.settings.timezone
                    and cached.get("numbers", 0) <= len(self.numbers)
                    and cached.get("numbers_digest") == self._numbers_digest(cached.get("numbers", 0))):
                self.files, self.cuts = cached["files"], cached["cuts"]
                self.cohorts, self.lead_digests = cached["cohorts"], cached["lead_digests"]
                self.from_disk = True

    def drop(self) -> None:
        """Forget every kept tally, here and on disk: the next refresh counts every file again."""
        with self.lock:
            self.files, self.cuts, self.cohorts, self.lead_digests = {}, {}, {}, {}
            self.from_disk = False
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)

    def _save(self) -> None:
        if not self.kept_on_disk:
            return
        with contextlib.suppress(OSError):  # a cache: failing to write it costs only speed
            files.atomic_write(self.path, pickle.dumps({"version": VERSION, "numbers": len(self.numbers),
                                                        "numbers_digest": self._numbers_digest(len(self.numbers)),
                                                        "timezone": self.workspace.settings.timezone,
                                                        "files": self.files, "cuts": self.cuts,
                                                        "cohorts": self.cohorts, "lead_digests": self.lead_digests},
                                                       protocol=pickle.HIGHEST_PROTOCOL))

    def refresh(self) -> dict[str, Tally]:
        """Every file's tally, counting again (in parallel) only those whose file changed."""
        with self.lock:
            return self._refresh()

    def _refresh(self) -> dict[str, Tally]:
        self._load()
        stale: list[tuple[str, Path, files.Signature | None]] = []
        present = set()
        paths: dict[str, Path] = {}
        for path in self.workspace.activity_files():
            key = file_key(path.parent.name, path.stem)
            present.add(key)
            paths[key] = path
            sig = files.signature(path)
            if self.files.get(key, {}).get("sig") != sig:
                stale.append((key, path, sig))
        removed = set(self.files) - present
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
        # the cache file is rewritten (~10 ms at team-year) when it saves real work: counting one or two
        # files again (a rep's own calls) costs the next process about as little as rewriting it now
        if stale:
            self.workspace.remember_checks()
        if len(stale) > 2 or removed:
            self._save()
        self._name_problems(paths)
        return self.files

    def _name_problems(self, paths: dict[str, Path]) -> None:
        """The lines and records the kept tallies left out, as the workspace's read problems (the CLI names them on
        stderr, as it does for files it reads: a report from kept tallies reads none)."""
        from istui.store.storages import ReadProblem

        for key, path in paths.items():
            kept = self.files.get(key, {}).get("problems")
            if kept and isinstance(kept, list):
                self.workspace._transient_problems[path] = [ReadProblem(path, *problem) for problem in kept[:50]]

    def cut(self, month_start: date, reps: list[str] | None, end: datetime) -> dict[str, Tally]:
        """Numbered tallies of the activity files of the month starting `month_start` over [its start, `end`),
        `end` a moment inside the month (a previous period cut short to compare like for like). Per file, the
        days before `end`'s day are a kept tally, and `end`'s day is counted from the kept activities of that
        day: the cut moves with the clock, its day only once a day, so a new process reads no month file."""
        with self.lock:
            return self._cut(month_start, reps, end)

    def _cut(self, month_start: date, reps: list[str] | None, end: datetime) -> dict[str, Tally]:
        self._load()
        tz = self.workspace.tz
        day = end.astimezone(tz).date()
        start, day_start, day_end = (datetime.combine(d, time.min, tzinfo=tz)
                                     for d in (month_start, day, day + timedelta(days=1)))
        found: dict[str, Tally] = {}
        changed = False
        for path in self.workspace.activity_files([f"{month_start:%Y-%m}"], reps):
            key = file_key(path.parent.name, path.stem)
            sig = files.signature(path)
            entry = self.cuts.get(key)
            if entry is None or entry["sig"] != sig or entry["day"] != day.toordinal():
                records = list(self.workspace.activities(months=[path.stem], reps=[path.parent.name]))
                before = tally(records, tz, start, day_start)
                self.register(lead_ids(before))
                entry = self.cuts[key] = {"sig": sig, "day": day.toordinal(), "before": number(before, self.numbers),
                                          "records": of_the_day(records, tz, day_start, day_end)}
                changed = True
            self.register(record["lead"] for record in entry["records"])
            found[key] = entry["before"]
            found[f"{key}@{day}"] = number(tally(entry["records"], tz, day_start, end), self.numbers)
        if changed:
            self.workspace.remember_checks()
            self._save()
        return found

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
            self._save()


def of_the_day(records: list[Mapping[str, Any]], tz: Any, day_start: datetime, day_end: datetime) -> list[Mapping[str, Any]]:
    """The activities of [day_start, day_end), and every e-mail event of the leads their sends pair with
    (`counting.tally` pairs a send with the next e-mail event of the same rep and lead in its month), in
    file order: what a tally of any part of that day needs."""
    email, sent, opened = ActivityKind.EMAIL.value, EmailOutcome.SENT.value, EmailOutcome.OPENED.value
    moments = [datetime.fromisoformat(record["at"]) for record in records]

    def pair(record: Mapping[str, Any], moment: datetime) -> tuple[str, int, int, str]:
        return pairing_key(record["rep"], record["lead"], moment.astimezone(tz))

    sends = {pair(record, moment) for record, moment in zip(records, moments, strict=True)
             if day_start <= moment < day_end and record["kind"] == email and record.get("outcome") == sent}
    return [record for record, moment in zip(records, moments, strict=True)
            if day_start <= moment < day_end
            or (sends and record["kind"] == email and record.get("outcome") in (sent, opened)
                and pair(record, moment) in sends)]


def whole_months(period: Period) -> bool:
    return period.start.day == 1 and period.end.day == 1


class RollupTallies(Tallies):
    """The kept tallies, for ranges made of whole months (a tally covers its file's month)."""

    def __init__(self, kept: Mapping[str, Tally], numbers: Mapping[str, int]) -> None:
        self.kept, self.numbers = kept, numbers

    def range_key(self, first: date, last: date | None, files: Mapping[str, Tally]) -> Any:
        return frozenset(files)  # whole months: the same files are the same tallies

    def files(self, first: date, last: date | None) -> dict[str, Tally]:
        months = set(Period(first, last, None, "").months()) if last is not None else None
        return {key: counted for key, counted in self.kept.items()
                if key.split("/", 1)[1] >= f"{first:%Y-%m}" and (months is None or key.split("/", 1)[1] in months)}


class PartlyKept(Tallies):
    """Kept tallies, and for the days of one month not covered by whole months (a previous period cut
    short to compare like for like) the kept tallies of that month cut short (`Rollups.cut`)."""

    def __init__(self, kept: RollupTallies, rollups: Rollups, reps: list[str] | None, tz: Any, month_start: date,
                 cut: tuple[date, datetime] | None = None) -> None:
        self.kept, self.rollups, self.numbers, self.reps, self.tz = kept, rollups, rollups.numbers, reps, tz
        self.month_start, self.cut = month_start, cut  # (day, moment): a range ending that day ends at that moment

    def files(self, first: date, last: date | None) -> dict[str, Tally]:
        cut_here = self.cut is not None and last == self.cut[0]
        if last is None or (last.day == 1 and not cut_here) or not first < last or not self.month_start < last:
            return self.kept.files(first, last)
        if first > self.month_start:
            raise ValueError("a cut range starts at a month's start")
        whole = self.kept.files(first, self.month_start) if first < self.month_start else {}
        end = self.cut[1] if cut_here and self.cut is not None else datetime.combine(last, time.min, tzinfo=self.tz)
        return {**whole, **self.rollups.cut(self.month_start, self.reps, end)}


if __name__ == "__main__":  # a child of build_rollups: paths as JSON on stdin, pickled tallies on stdout
    import gc

    gc.disable()  # a short life that makes no cycles: the collector would only walk what was read, again and again
    _jobs = [(path, clean) for path, clean in json.loads(sys.stdin.buffer.read())]
    sys.stdout.buffer.write(pickle.dumps(rollup_files(_jobs, sys.argv[1]), protocol=pickle.HIGHEST_PROTOCOL))
