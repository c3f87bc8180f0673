"""Kept tallies of single days, for ranges that are not whole months: today, a week, the last 14 days of
the trend, a previous period cut short to compare like for like.

`services.rollups` keeps one tally per activity file (a rep's month). A range that starts or ends inside a
month takes, per file of that month, the kept tallies of its days instead (`day_tallies`: each equal to
`counting.tally` of the file bounded to that day, so adding up a range's days gives the range's tally), and
for a range that ends at a moment inside a day (the cut), that day counted from its kept activities. Days
are counted when a range first asks for their month and again only when their file changes; they are kept
in the rollups cache file for the `KEPT_MONTHS` months asked for last.
"""

from __future__ import annotations

import contextlib
import pickle
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING, Any

from istui.domain.metrics import ACTIVITY_COUNTS
from istui.domain.model import ActivityKind
from istui.domain.outcomes import EmailOutcome
from istui.domain.periods import Period, month_of
from istui.services.counting import LEAD_SETS, Record, Tally, bits, file_key, lead_ids, number, pairing_key, tally
from istui.services.kpi import Tallies
from istui.store import files

if TYPE_CHECKING:
    from istui.services.rollups import Rollups

KEPT_MONTHS = 4  # the months whose days are kept (most recently asked for); older ones are counted again if asked
KEPT_PARTS = 3  # per file, the days a range was cut in whose activities are kept (the last asked for)
_DAMAGED = (pickle.UnpicklingError, EOFError, TypeError, KeyError, IndexError, ValueError, AttributeError)
_EMAIL, _SENT, _OPENED = ActivityKind.EMAIL.value, EmailOutcome.SENT.value, EmailOutcome.OPENED.value


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def of_each_day(records: list[Record], tz: tzinfo) -> dict[int, list[Record]]:
    """Per local day (date ordinal) with an activity, that day's activities and every e-mail event their sends
    pair with (`counting.tally` pairs a send with the next e-mail event of the same rep and lead in its month), in
    file order: what a tally of any part of that day needs."""
    by_day: dict[int, list[int]] = defaultdict(list)
    mails: dict[tuple[str, int, int, str], list[int]] = defaultdict(list)
    sends: dict[int, set[tuple[str, int, int, str]]] = defaultdict(set)
    for index, record in enumerate(records):
        local = datetime.fromisoformat(record["at"]).astimezone(tz)
        day = local.toordinal()
        by_day[day].append(index)
        if record["kind"] == _EMAIL and record.get("outcome") in (_SENT, _OPENED):
            key = pairing_key(record["rep"], record["lead"], local)
            mails[key].append(index)
            if record.get("outcome") == _SENT:
                sends[day].add(key)
    found = {}
    for day, indices in by_day.items():
        paired = {index for key in sends.get(day, ()) for index in mails[key]}
        found[day] = [records[index] for index in (sorted(paired.union(indices)) if paired else indices)]
    return found


def day_tallies(records: list[Record], tz: tzinfo) -> dict[int, Tally]:
    """Per local day (date ordinal) with an activity, `tally(records, tz, its start, the next day's start)` of
    one file's records, counted from `of_each_day`."""
    return {day: tally(chosen, tz, _midnight(date.fromordinal(day), tz), _midnight(date.fromordinal(day + 1), tz))
            for day, chosen in of_each_day(records, tz).items()}


def compact(counted: Tally, numbers: Mapping[str, int]) -> Tally:
    """A day's tally as it is kept: its counts as a tuple (`ACTIVITY_COUNTS`; its `days` are those counts on
    its day), its lead sets as arrays of lead numbers in bytes (a bitset is as long as the highest number), its
    closings keyed by number."""
    return {"counts": tuple(counted["counts"].values()),
            **{name: array("I", sorted(numbers[lead] for lead in counted[name])).tobytes() for name in LEAD_SETS},
            "closings": {numbers[lead]: closing for lead, closing in counted["closings"].items()},
            **{name: counted[name] for name in ("heat_calls", "heat_mails", "notes")}}


def expanded(kept: Tally, day: int) -> Tally:
    """A `compact` tally of `day` (ordinal) as numbered tallies are combined: lead sets as bitsets."""
    counts = dict(zip(ACTIVITY_COUNTS, kept["counts"], strict=True))
    return {**kept, "counts": counts, "days": {day: counts},
            **{name: bits(array("I", kept[name]).tolist()) for name in LEAD_SETS}}


class DayStore:
    """The days of the activity files asked for. Kept per file (in the rollups cache file, which `Rollups` loads,
    saves and drops under its lock) as {"sig", "days": the pickled {ordinal: `compact` tally}, "parts": {ordinal:
    the pickled activities of that day and the e-mail events their sends pair with}} (the days a range was cut
    in, `KEPT_PARTS` at most); each pickle is read only when its file is asked for."""

    def __init__(self, rollups: Rollups) -> None:
        self.rollups = rollups
        self.kept: dict[str, dict[str, Any]] = {}
        self._read: dict[str, tuple[Any, dict[int, Tally], dict[int, list[Record]]]] = {}  # key → (sig, days, parts)

    def _days(self, key: str, sig: Any) -> dict[int, Tally] | None:
        """The kept days of a file, if kept at `sig` and readable (a damaged cache file: counted again)."""
        from istui.services.rollups import safe_unpickle

        read = self._read.get(key)
        if read is not None and read[0] == sig:
            return read[1]
        entry = self.kept.get(key)
        if entry is None or entry.get("sig") != sig:
            return None
        with contextlib.suppress(*_DAMAGED):
            self._read[key] = (sig, safe_unpickle(entry["days"]), {})
            return self._read[key][1]
        return None

    def _part(self, key: str, day: int) -> list[Record] | None:
        """The kept activities of one day of a file whose days are read (`_days`), if kept and readable."""
        from istui.services.rollups import safe_unpickle

        parts = self._read[key][2]
        if day not in parts and day in self.kept[key]["parts"]:
            with contextlib.suppress(*_DAMAGED):
                parts[day] = safe_unpickle(self.kept[key]["parts"][day])
        return parts.get(day)

    def range(self, month: str, reps: list[str] | None, first: date, end: datetime) -> dict[str, Tally]:
        """Numbered tallies of the files of `month` over [`first`, `end`), a range inside that month: one per
        day wholly inside it (keyed `rep/YYYY-MM@YYYY-MM-DD`), and one for the part of `end`'s day before
        `end` when `end` is not a midnight (keyed `…@YYYY-MM-DDTHH:MM:SS`)."""
        workspace, tz = self.rollups.workspace, self.rollups.workspace.tz
        last_day = end.astimezone(tz).date()
        part_day = last_day.toordinal() if end != _midnight(last_day, tz) else None
        found: dict[str, Tally] = {}
        changed = 0
        holding = {key for key, counted in self.rollups.files.items() if month in (counted.get("elsewhere") or {})}
        others = sorted({key.split("/", 1)[1] for key in holding})  # files holding days of this month too
        for path in workspace.activity_files([month, *others], reps):
            key = file_key(path.parent.name, path.stem)
            if path.stem != month and key not in holding:
                continue
            sig = files.signature(path)
            days = self._days(key, sig)
            records = None
            if days is None:
                records = list(workspace.activities(months=[path.stem], reps=[path.parent.name]))
                counted = day_tallies(records, tz)
                self.rollups.register(lead for day in counted.values() for lead in lead_ids(day))
                days = {day: compact(t, self.rollups.numbers) for day, t in counted.items()}
                self.kept[key] = {"sig": sig, "days": pickle.dumps(days, protocol=pickle.HIGHEST_PROTOCOL), "parts": {}}
                self._read[key] = (sig, days, {})
                changed += 1
            for day in range(first.toordinal(), last_day.toordinal()):
                if day in days:
                    found[f"{key}@{date.fromordinal(day)}"] = expanded(days[day], day)
            if part_day is None:
                continue
            part = self._part(key, part_day)
            if part is None:
                if records is None:
                    records = list(workspace.activities(months=[path.stem], reps=[path.parent.name]))
                part = of_each_day(records, tz).get(part_day, [])
                parts = self.kept[key]["parts"]
                parts[part_day] = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
                for old in list(parts)[:-KEPT_PARTS]:
                    del parts[old]
                self._read[key][2][part_day] = part
                changed += 1
            self.rollups.register(record["lead"] for record in part)
            found[f"{key}@{end.isoformat()}"] = number(tally(part, tz, _midnight(last_day, tz), end),
                                                       self.rollups.numbers)
        self._keep_recent(month)
        if changed > 2:  # a rep's own new calls cost the next process one file: not worth rewriting the cache
            workspace.remember_checks()
            self.rollups.save()
        return found

    def _keep_recent(self, month: str) -> None:
        """Keep the days of the `KEPT_MONTHS` months asked for last (the keys of one month kept together)."""
        for key in [key for key in self.kept if key.split("/", 1)[1] == month]:
            self.kept[key] = self.kept.pop(key)  # to the end: most recently asked
        months = list(dict.fromkeys(key.split("/", 1)[1] for key in self.kept))
        for old in months[:-KEPT_MONTHS]:
            for key in [key for key in self.kept if key.split("/", 1)[1] == old]:
                del self.kept[key]
                self._read.pop(key, None)


def by_month(kept: Mapping[str, Tally], months: Iterable[str] | None = None) -> dict[str, Tally]:
    """The kept tallies of the local months wanted (None: all): each file's own month, and the parts of files
    holding activities of other months (`Rollups._split`), keyed `rep/YYYY-MM>YYYY-MM` (file, month)."""
    wanted = None if months is None else set(months)
    found = {}
    for key, counted in kept.items():
        if wanted is None or key.split("/", 1)[1] in wanted:
            found[key] = counted
        for month, part in (counted.get("elsewhere") or {}).items():
            if wanted is None or month in wanted:
                found[f"{key}>{month}"] = part
    return found


class KeptTallies(Tallies):
    """The kept tallies for any range: whole months from the month tallies, the days of a month cut into from
    the kept days; with `cut` (day, moment), a range ending that day ends at that moment instead."""

    def __init__(self, rollups: Rollups, reps: list[str] | None = None, cut: tuple[date, datetime] | None = None,
                 kept: Mapping[str, Tally] | None = None) -> None:
        """`kept`: the month tallies of `rollups.refresh(reps)` when the caller has them (another `KeptTallies`')."""
        self.rollups, self.reps, self.cut = rollups, reps, cut
        self.kept = rollups.refresh(reps) if kept is None else kept
        self.numbers = rollups.numbers
        self._months: dict[str, dict[str, Tally]] = {}  # local month → its tallies (`by_month`), sorted once
        for key, counted in by_month(self.kept).items():
            self._months.setdefault(key[-7:], {})[key] = counted
        self._found: dict[tuple[date, date | None], dict[str, Tally]] = {}  # a report asks for a range more than once

    def range_key(self, first: date, last: date | None, files: Mapping[str, Tally]) -> Any:
        return frozenset(files)  # each key names what its tally covers: the same keys are the same tallies

    def files(self, first: date, last: date | None) -> dict[str, Tally]:
        if (first, last) not in self._found:
            self._found[(first, last)] = self._files(first, last)
        return self._found[(first, last)]

    def _files(self, first: date, last: date | None) -> dict[str, Tally]:
        tz = self.rollups.workspace.tz
        if last is None:  # every activity from `first` on: to the end of the last month with a file
            latest = max([*self._months, f"{first:%Y-%m}"])
            last = month_of(date.fromisoformat(f"{latest}-01")).end
        end = self.cut[1] if self.cut is not None and last == self.cut[0] else _midnight(last, tz)
        found: dict[str, Tally] = {}
        for month in Period(first, last, None, "").months():
            month_start = date.fromisoformat(f"{month}-01")
            next_start = month_of(month_start).end
            start, stop = max(first, month_start), min(end, _midnight(next_start, tz))
            if start >= stop.astimezone(tz).date() and stop == _midnight(stop.astimezone(tz).date(), tz):
                continue  # nothing of this month before the cut
            if start == month_start and stop == _midnight(next_start, tz):
                found.update(self._months.get(month, {}))
            else:
                found.update(self.rollups.day_range(month, self.reps, start, stop))
        return found
