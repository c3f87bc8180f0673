"""Kept tallies of activity files (`locations.Local.rollups`, local only), so KPIs over months read a few
kilobytes per file instead of parsing every activity.

One tally (`services.counting.tally`) per `activities/<rep>/<YYYY-MM>.jsonl`, counted again only when
that file's signature changed. Lead sets are integer bitsets over a persistent, append-only numbering
of lead ids (`locations.Local.lead_numbers`), so "distinct leads worked" over a year is an OR and a bit
count. `RollupTallies` hands them to `services.kpi.period_kpis` for periods made of whole months.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from istui.domain.periods import Period
from istui.services.counting import LEAD_SETS, Tally, file_key, number, tally
from istui.services.kpi import Tallies
from istui.store import files

if TYPE_CHECKING:
    from istui.store.workspace import Workspace

VERSION = 4  # 4: tallies keep the funnel's lead sets (called, connected, handed); older caches are counted again


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
    counted = tally(storage.records().values(), ZoneInfo(tz_name))
    counted["clean"] = not storage.problems()
    return counted


def build_rollups(paths: list[str], tz_name: str, workers: int | None = None,
                  clean_at: Mapping[str, list[int]] | None = None) -> list[Tally]:
    """`rollup_file` of each path, spread over child processes when there are many and cores to spare.

    The children are plain `python -m istui.services.rollups` processes fed through pipes, not a
    multiprocessing pool: a pool needs a working `sys.stderr` file descriptor (the TUI replaces it)
    and forking a threaded process can deadlock."""
    workers = workers or min(os.cpu_count() or 1, 4)
    known = dict(clean_at or {})
    if len(paths) <= 8 or workers < 2:
        return [rollup_file(path, tz_name, known.get(path)) for path in paths]
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
            by_path.update((path, rollup_file(path, tz_name, known.get(path))) for path in chunk)
    return [by_path[path] for path in paths]


class Rollups:
    """The tallies of every activity file of a workspace, kept fresh against file signatures."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.local.rollups
        self.numbers_path = workspace.local.lead_numbers
        self.numbers: dict[str, int] = {}
        self.files: dict[str, Tally] = {}  # "rep/month" → numbered tally (with "sig")

    # --- lead numbering ------------------------------------------------------------------------
    def _load_numbers(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            for index, line in enumerate(self.numbers_path.read_text("utf-8").splitlines()):
                self.numbers[line] = index

    def register(self, lead_ids: Any) -> None:
        """Give new lead ids the next numbers (appended to the registry: numbers never change)."""
        new = [lead_id for lead_id in dict.fromkeys(lead_ids) if lead_id not in self.numbers]
        if new:
            for lead_id in new:
                self.numbers[lead_id] = len(self.numbers)
            files.append_bytes(self.numbers_path, "".join(i + "\n" for i in new).encode())

    # --- loading and refreshing ----------------------------------------------------------------
    def refresh(self) -> dict[str, Tally]:
        """Every file's tally, counting again (in parallel) only those whose file changed."""
        if not self.files:
            self._load_numbers()
            with contextlib.suppress(FileNotFoundError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
                cached = safe_unpickle(files.read_bytes(self.path))
                # usable unless written by another version, in another timezone (days are counted in the
                # workspace's zone: `istui settings timezone=…`) or against a longer (since deleted) numbering
                if (cached.get("version") == VERSION and cached.get("timezone") == self.workspace.settings.timezone
                        and cached.get("numbers", 0) <= len(self.numbers)):
                    self.files = cached["files"]
        stale: list[tuple[str, Path, files.Signature | None]] = []
        present = set()
        for path in self.workspace.activity_files():
            key = file_key(path.parent.name, path.stem)
            present.add(key)
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
            for (key, path, sig), counted in zip(stale, built, strict=True):
                clean = counted.pop("clean", False)
                if sig is not None:
                    checks.remember(path, sig, clean=clean)
                self.register([*(lead for name in LEAD_SETS for lead in counted[name]), *counted["closings"]])
                self.files[key] = {**number(counted, self.numbers), "sig": sig}
        # the cache file is rewritten (~10 ms at team-year) when it saves real work: counting one or two
        # files again (a rep's own calls) costs the next process about as little as rewriting it now
        if stale:
            self.workspace.remember_checks()
        if len(stale) > 2 or removed:
            with contextlib.suppress(OSError):  # a cache: failing to write it costs only speed
                files.atomic_write(self.path, pickle.dumps({"version": VERSION, "numbers": len(self.numbers),
                                                            "timezone": self.workspace.settings.timezone,
                                                            "files": self.files}, protocol=pickle.HIGHEST_PROTOCOL))
        return self.files


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
    short to compare like for like) tallies counted from that month's activities, numbered alike."""

    def __init__(self, kept: RollupTallies, rollups: Rollups, activities: list[Mapping[str, Any]],
                 tz: Any, month_start: date, cut: tuple[date, Any] | None = None) -> None:
        rollups.register(record["lead"] for record in activities)
        self.kept, self.numbers, self.activities, self.tz = kept, rollups.numbers, activities, tz
        self.month_start, self.cut = month_start, cut  # (day, moment): a range ending that day ends at that moment

    def files(self, first: date, last: date | None) -> dict[str, Tally]:
        from datetime import datetime

        from istui.services.counting import tally_by_file

        cut_here = self.cut is not None and last == self.cut[0]
        if last is None or (last.day == 1 and not cut_here) or not first < last or not self.month_start < last:
            return self.kept.files(first, last)
        whole = self.kept.files(first, self.month_start) if first < self.month_start else {}
        start = datetime.combine(max(first, self.month_start), datetime.min.time(), tzinfo=self.tz)
        end = self.cut[1] if cut_here and self.cut is not None else datetime.combine(last, datetime.min.time(), tzinfo=self.tz)
        return {**whole, **{key: number(counted, self.numbers)
                            for key, counted in tally_by_file(self.activities, self.tz, start, end).items()}}


if __name__ == "__main__":  # a child of build_rollups: paths as JSON on stdin, pickled tallies on stdout
    _paths = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps([rollup_file(path, sys.argv[1], clean) for path, clean in _paths],
                                         protocol=pickle.HIGHEST_PROTOCOL))
