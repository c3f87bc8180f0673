"""KPI math (DESIGN.md section 4), pure: the metrics and the by-source cohort of a period from tallies
(`services.counting`), targets with pace, the daily trend. Where the tallies come from is a `Tallies`:
`RawTallies` counts activities it is given, `services.rollups` hands over the kept tallies of files;
`period_kpis` is the same for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from istui.domain.metrics import COUNT_METRICS, SOURCE_COUNTS, TREND_METRICS
from istui.domain.model import Motion
from istui.domain.periods import Period
from istui.services.counting import Combined, Tally, number, rate, tally_by_file

Record = Mapping[str, Any]


class Tallies:
    """Numbered tallies per rep's month (`counting.file_key`), each covering [first, last) of the days asked for."""

    numbers: Mapping[str, int]
    _combined: dict[tuple, Combined]

    def files(self, first: date, last: date | None) -> dict[str, Tally]:
        raise NotImplementedError

    def range_key(self, first: date, last: date | None, files: Mapping[str, Tally]) -> Any:
        """What makes two ranges' tallies the same (for kept tallies: the files; for counted ones: the range)."""
        return (first, last)

    def combined(self, first: date, last: date | None, rep: str | None) -> Combined:
        """The tallies of [first, last) of one rep (or the team) added up; the same files are added up once."""
        files = self.files(first, last)
        key = (self.range_key(first, last, files), rep)
        memo = self.__dict__.setdefault("_combined", {})
        if key not in memo:
            memo[key] = Combined(of_rep(files, rep))
        return memo[key]


class RawTallies(Tallies):
    """Tallies counted from the activities given (each range counted once and kept)."""

    def __init__(self, activities: Iterable[Record], tz: tzinfo, leads: Iterable[Record] = (),
                 cut: tuple[date, datetime] | None = None) -> None:
        self.activities = list(activities)
        self.tz = tz
        self.cut = cut  # (day, moment): a range ending on that day ends at that moment instead (like for like)
        numbers: dict[str, int] = {}
        for record in self.activities:
            numbers.setdefault(record["lead"], len(numbers))
        for lead in leads:
            numbers.setdefault(lead["id"], len(numbers))
        self.numbers = numbers
        self._kept: dict[tuple[date, date | None], dict[str, Tally]] = {}

    def files(self, first: date, last: date | None) -> dict[str, Tally]:
        key = (first, last)
        if key not in self._kept:
            start = datetime.combine(first, datetime.min.time(), tzinfo=self.tz)
            end = None if last is None else datetime.combine(last, datetime.min.time(), tzinfo=self.tz)
            if self.cut is not None and last == self.cut[0]:
                end = self.cut[1]
            self._kept[key] = {name: number(counted, self.numbers)
                               for name, counted in tally_by_file(self.activities, self.tz, start, end).items()}
        return self._kept[key]


def of_rep(files: Mapping[str, Tally], rep: str | None) -> list[Tally]:
    """The tallies of one rep (all of them for the team, `rep=None`)."""
    return list(files.values()) if rep is None else [t for key, t in files.items() if key.split("/", 1)[0] == rep]


def in_period(at: str, start: datetime, end: datetime) -> bool:
    return start <= datetime.fromisoformat(at) < end


def created_in(leads: Iterable[Record], start: datetime, end: datetime) -> list[Record]:
    """Leads created in [start, end); times with the bounds' own offset compare as text (no parsing)."""
    low, high = start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")
    offset = low[19:]
    if high[19:] != offset:  # the period crosses a daylight-saving change: parse every time
        return [lead for lead in leads if in_period(lead["created_at"], start, end)]
    return [lead for lead in leads
            if (low <= lead["created_at"] < high if lead["created_at"][19:] == offset and len(lead["created_at"]) == 25
                else in_period(lead["created_at"], start, end))]


def target_accounts(cohort: Iterable[Record]) -> int:
    """Distinct companies among BDR leads of the cohort (ターゲット企業数)."""
    return len({" ".join(lead["company"].casefold().split()) for lead in cohort if lead.get("motion") == Motion.BDR})


#: What a period's cohort depends on, of each lead (a change of any other field keeps the cohorts).
COHORT_FIELDS = ("created_at", "source", "owner", "motion", "company")


class Cohort:
    """The leads created in a period, reduced to what the by-source figures need: per source, the count
    and a bitset over a lead numbering; the lead number → source map (for closings); and the distinct BDR
    companies. Depends only on the leads, so a caller holding the same leads (the TUI) can keep it while
    activities change."""

    __slots__ = ("counts", "masks", "numbered", "source_of", "target_accounts", "unnumbered")

    def __init__(self, cohort: Iterable[Record], numbers: Mapping[str, int]) -> None:
        cohort = list(cohort)
        self.counts: dict[str, int] = {}
        self.source_of: dict[int, str] = {}
        self.unnumbered: dict[str, str] = {}  # leads without activities yet: numbered when first touched
        buffers: dict[str, bytearray] = {}  # one bitset per source, built in a bytearray (OR-ing big ints is quadratic)
        size = (max(numbers.values(), default=0) >> 3) + 1
        for lead in cohort:
            source = lead.get("source") or "other"
            self.counts[source] = self.counts.get(source, 0) + 1
            position = numbers.get(lead["id"])
            if position is not None:
                buffer = buffers.get(source)
                if buffer is None:
                    buffer = buffers[source] = bytearray(size)
                buffer[position >> 3] |= 1 << (position & 7)
                self.source_of[position] = source
            else:
                self.unnumbered[lead["id"]] = source
        self.masks = {source: int.from_bytes(buffer, "little") for source, buffer in buffers.items()}
        self.numbered = len(numbers)
        self.target_accounts = target_accounts(cohort)

    def data(self) -> dict[str, Any]:
        """The cohort as plain data (kept across processes by `services.rollups`)."""
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Cohort:
        cohort = cls.__new__(cls)
        for name in cls.__slots__:
            setattr(cohort, name, data[name])
        return cohort

    def catch_up(self, numbers: Mapping[str, int]) -> None:
        """Take in the numbers given since (the numbering only grows) to cohort leads touched since."""
        if len(numbers) == self.numbered:
            return
        for lead_id, source in list(self.unnumbered.items()):
            position = numbers.get(lead_id)
            if position is not None:
                del self.unnumbered[lead_id]
                self.source_of[position] = source
                self.masks[source] = self.masks.get(source, 0) | 1 << position
        self.numbered = len(numbers)

    def by_source(self, since: Combined) -> dict[str, dict[str, Any]]:
        """Per source: the cohort's leads, those that ever booked a meeting, and those whose latest closing
        (over the activities of `since`) is a win (with its amount) or a loss."""
        rows = {source: {**dict.fromkeys(SOURCE_COUNTS, 0), "leads": count} for source, count in self.counts.items()}
        closings, source_of = since.closings, self.source_of
        for position in closings.keys() & source_of.keys():
            _at, _id, outcome, amount = closings[position]
            row = rows[source_of[position]]
            if outcome == "won":
                row["orders"] += 1
                row["amount"] = round(row["amount"] + amount, 3)
            else:
                row["lost"] += 1
        for source, mask in self.masks.items():
            rows[source]["meetings"] = ((since.booked or 0) & mask).bit_count()
        return finish_source_rows(rows)


def finish_source_rows(rows: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """By-source rows with their meeting and win rates, biggest source first."""
    result = {}
    for source in sorted(rows, key=lambda s: (-rows[s]["leads"], s)):
        row = rows[source]
        row["meeting_rate"] = rate(row["meetings"], row["leads"])
        row["win_rate"] = rate(row["orders"], row["orders"] + row["lost"])
        result[source] = row
    return result


def period_kpis(source: Tallies, leads: Iterable[Record], period: Period, tz: tzinfo, *, rep: str | None = None,
                since_end: date | None = None, cohorts: dict[tuple, Cohort] | None = None) -> dict[str, Any]:
    """Every metric of `period` and the by-source cohort of the leads created in it, for one rep (`rep`:
    their activities, and the leads they own) or the team. The cohort's meetings and closings are counted
    from the period's start to `since_end` (None: every activity given). `cohorts`, when given, keeps
    each period's cohort between calls: pass a fresh dict whenever the leads change."""
    key = (period.start, period.end, rep)
    cohort = cohorts.get(key) if cohorts is not None else None
    if cohort is not None:
        cohort.catch_up(source.numbers)
    else:
        start, end = period.bounds(tz)
        cohort = Cohort(created_in((lead for lead in leads if rep is None or lead.get("owner") == rep), start, end),
                        source.numbers)
        if cohorts is not None:
            cohorts[key] = cohort
    metrics = source.combined(period.start, period.end, rep).metrics()
    metrics["target_accounts"] = cohort.target_accounts
    return {"metrics": metrics, "by_source": cohort.by_source(source.combined(period.start, since_end, rep))}


def compute_kpis(
    activities: Iterable[Record],
    leads: Iterable[Record],
    period: Period,
    tz: tzinfo,
    *,
    rep: str | None = None,
    motion: str | None = None,
) -> dict[str, Any]:
    """All KPIs of DESIGN.md section 4 for one rep (`rep`) or the team (`rep=None`), from raw activities.

    `activities` must cover the period and everything after it (the by-source cohort counts
    meetings and orders that came later); `leads` is every lead (for motions and the cohort).
    """
    leads = list(leads)
    if motion is not None:
        motions = {lead["id"]: lead.get("motion") for lead in leads}
        activities = [a for a in activities if motions.get(a["lead"]) == motion]
        leads = [lead for lead in leads if lead.get("motion") == motion]
    return period_kpis(RawTallies(activities, tz, leads), leads, period, tz, rep=rep)


WorkingDays = Callable[[date, date], int]
#: A gap of at most this much (either way) between the actual and where it should be reads as "on pace".
ON_PACE_WITHIN = 0.5


def elapsed_working_days(period: Period, today: date, working_days: WorkingDays, day_fraction: float = 1.0) -> float:
    """The working days of `period` gone by: whole days before today, and the part of today's working hours
    gone by (`day_fraction`). The one count of time gone that pace and the plan share."""
    if today < period.start:
        return 0.0
    if today >= period.end:
        return float(working_days(period.start, period.end))
    today_works = working_days(today, today + timedelta(days=1))
    return working_days(period.start, today) + (min(max(day_fraction, 0.0), 1.0) if today_works else 0.0)


def pace(target: float, actual: float, period: Period, today: date, working_days: WorkingDays,
         day_fraction: float = 1.0) -> dict[str, Any]:
    """Where the actual should be by now if the period's working days were spread evenly, and what is
    needed per remaining working day to finish on target. `day_fraction` is how much of today's working
    hours has gone by (`domain.periods.day_elapsed`; 1.0: the whole of today counts as gone).

    `working_days` holds whole days (`elapsed` counts today, `remaining` counts today too); `elapsed_now`
    is the exact share gone by (today's part of it by the clock), which `expected` and `needed_per_day` use."""
    total = working_days(period.start, period.end)
    day_after = min(max(today + timedelta(days=1), period.start), period.end)
    elapsed = working_days(period.start, day_after)
    remaining = working_days(min(max(today, period.start), period.end), period.end)
    elapsed_now = elapsed_working_days(period, today, working_days, day_fraction)
    expected = round(target * elapsed_now / total, 2) if total else None
    gap = None if expected is None else round(actual - expected, 2)
    status = None if gap is None else "on_pace" if abs(gap) <= ON_PACE_WITHIN else "ahead" if gap > 0 else "behind"
    left = max(target - actual, 0)
    days_left = total - elapsed_now
    return {
        "working_days": {"total": total, "elapsed": elapsed, "remaining": remaining,
                         "elapsed_now": round(elapsed_now, 4), "remaining_now": round(days_left, 4)},
        "expected": expected,
        "ahead": gap,
        "status": status,
        "needed_per_day": None if days_left <= 0 else round(left / days_left, 2),
    }


def target_progress(
    targets: Iterable[Record],
    activities: Iterable[Record],
    leads: Iterable[Record],
    period: Period,
    tz: tzinfo,
    *,
    rep: str | None,
    today: date | None = None,
    working_days: WorkingDays | None = None,
    metrics_for: Callable[[str | None], Mapping[str, Any]] | None = None,
    day_fraction: float = 1.0,
) -> list[dict[str, Any]]:
    """Each target of this scope and period kind with its actual and progress (actual / target), and
    its pace when `today` and a working-day counter are given. `metrics_for(motion)` may supply the
    metrics (from rollups) instead of computing them from `activities`."""
    activities, leads = list(activities), list(leads)
    cache: dict[str | None, Mapping[str, Any]] = {}
    rows = []
    kind = period.kind.value if period.kind else None
    mine = [target for target in targets if target.get("rep") == rep]
    own = {(target["metric"], target.get("motion")) for target in mine if target["per"] == kind}
    for target in mine:
        daily = None
        if target["per"] != kind:
            # a day target rolls up into a longer period that has no target of its own for that metric
            if (target["per"] != "day" or kind in (None, "day") or working_days is None
                    or (target["metric"], target.get("motion")) in own):
                continue
            daily = target["value"]
            target = {**target, "value": daily * working_days(period.start, period.end)}
            if not target["value"]:
                continue
        motion = target.get("motion")
        if motion not in cache:
            cache[motion] = (metrics_for(motion) if metrics_for is not None else
                             compute_kpis(activities, leads, period, tz, rep=rep, motion=motion)["metrics"])
        actual = cache[motion][target["metric"]]
        row = {
            "id": target["id"], "metric": target["metric"], "per": target["per"], "rep": rep,
            "motion": motion, "target": target["value"], "actual": actual,
            "progress": rate(actual, target["value"]),
        }
        if daily is not None:
            row["per"], row["per_day"] = kind, daily  # from the day target: its value times the working days
        if today is not None and working_days is not None:
            row.update(pace(target["value"], actual, period, today, working_days, day_fraction))
        rows.append(row)
    return sorted(rows, key=lambda r: (COUNT_METRICS.index(r["metric"]), r["motion"] or ""))


def daily_trend(activities: Iterable[Record], period: Period, tz: tzinfo, *, rep: str | None = None) -> list[dict[str, Any]]:
    """Calls, connects and meetings per day of the period (days with nothing count zero)."""
    source = RawTallies([a for a in activities if rep is None or a["rep"] == rep], tz)
    return Combined(source.files(period.start, period.end).values()).daily(period.start, period.end, TREND_METRICS)
