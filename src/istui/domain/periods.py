"""Period arithmetic in the workspace timezone: days, weeks, months, fiscal quarters and years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from istui.domain.errors import BadInput
from istui.domain.model import PeriodKind
from istui.domain.patterns import lazy
from istui.i18n import N_, _

PERIOD_HINT = N_("use today, yesterday, week, last_week, month, last_month, quarter, fy, YYYY-MM or FROM..TO "
                 "(e.g. 2026-11-01..2026-11-15)")


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open range of days [start, end) in the workspace timezone."""

    start: date
    end: date
    kind: PeriodKind | None  # None for a free FROM..TO range
    label: str

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time(), tzinfo=tz), datetime.combine(self.end, time(), tzinfo=tz))

    def as_json(self, tz: tzinfo) -> dict[str, str | None]:
        """The period as reports give it: label, kind, and its bounds as ISO 8601 times in `tz`."""
        start, end = self.bounds(tz)
        return {"label": self.label, "kind": self.kind.value if self.kind else None, "start": start.isoformat(),
                "end": end.isoformat()}

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def months(self) -> list[str]:
        """Every YYYY-MM touched by the period (activity files are sharded by month)."""
        months, cursor = [], self.start.replace(day=1)
        while cursor < self.end:
            months.append(f"{cursor:%Y-%m}")
            cursor = _add_months(cursor, 1)
        return months


def day_elapsed(moment: time, hours: tuple[time, time]) -> float:
    """How much of a working day has gone by at `moment`: 0 before the working hours start, 1 after they
    end, linear in between (`hours` is the workspace's (start, end), e.g. 09:00-18:00)."""
    def seconds(t: time) -> int:
        return t.hour * 3600 + t.minute * 60 + t.second

    start, end = seconds(hours[0]), seconds(hours[1])
    now = seconds(moment)
    if now <= start:
        return 0.0
    if now >= end or end <= start:
        return 1.0
    return (now - start) / (end - start)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def week_of(day: date, week_start: int = 0) -> Period:
    start = day - timedelta(days=(day.weekday() - week_start) % 7)
    return Period(start, start + timedelta(days=7), PeriodKind.WEEK, f"week of {start.isoformat()}")


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    return Period(start, _add_months(start, 1), PeriodKind.MONTH, f"{start:%Y-%m}")


def fiscal_year_of(day: date, fy_start_month: int = 4) -> Period:
    year = day.year if day.month >= fy_start_month else day.year - 1
    start = date(year, fy_start_month, 1)
    label = f"FY{year}" if fy_start_month != 1 else f"{year}"
    return Period(start, _add_months(start, 12), PeriodKind.FISCAL_YEAR, label)


def quarter_of(day: date, fy_start_month: int = 4) -> Period:
    fy = fiscal_year_of(day, fy_start_month)
    offset = (day.year * 12 + day.month - (fy.start.year * 12 + fy.start.month)) // 3
    start = _add_months(fy.start, 3 * offset)
    return Period(start, _add_months(start, 3), PeriodKind.QUARTER, f"{fy.label} Q{offset + 1}")


def day_of(day: date) -> Period:
    return Period(day, day + timedelta(days=1), PeriodKind.DAY, day.isoformat())


def period_of_kind(kind: PeriodKind | str, day: date, week_start: int = 0, fy_start_month: int = 4) -> Period:
    """The period of the given kind that contains `day`."""
    kind = PeriodKind(kind)
    if kind is PeriodKind.DAY:
        return day_of(day)
    if kind is PeriodKind.WEEK:
        return week_of(day, week_start)
    if kind is PeriodKind.MONTH:
        return month_of(day)
    if kind is PeriodKind.QUARTER:
        return quarter_of(day, fy_start_month)
    return fiscal_year_of(day, fy_start_month)


_MONTH = lazy(r"^(\d{4})-(\d{1,2})$")


def parse_period(spec: str, today: date, week_start: int = 0, fy_start_month: int = 4) -> Period:
    """`today|yesterday|week|last_week|month|last_month|quarter|fy|YYYY-MM|FROM..TO` → Period.

    In FROM..TO both ends are dates and TO is included.
    """
    cleaned = spec.strip().lower().replace("-", "_") if not any(c.isdigit() for c in spec) else spec.strip()
    simple = {
        "today": lambda: day_of(today),
        "day": lambda: day_of(today),
        "yesterday": lambda: day_of(today - timedelta(days=1)),
        "week": lambda: week_of(today, week_start),
        "last_week": lambda: week_of(today - timedelta(days=7), week_start),
        "month": lambda: month_of(today),
        "last_month": lambda: month_of(today.replace(day=1) - timedelta(days=1)),
        "quarter": lambda: quarter_of(today, fy_start_month),
        "fy": lambda: fiscal_year_of(today, fy_start_month),
        "fiscal_year": lambda: fiscal_year_of(today, fy_start_month),
        "year": lambda: fiscal_year_of(today, fy_start_month),
    }
    if cleaned in simple:
        return simple[cleaned]()
    month = _MONTH.match(cleaned)
    if month:
        year, number = int(month[1]), int(month[2])
        if not 1 <= number <= 12:
            raise BadInput(_("period: '{spec}' has no month {number}; {hint}.").format(spec=spec, number=number, hint=_(PERIOD_HINT)))
        _check_years(spec, year)
        return month_of(date(year, number, 1))
    if ".." in cleaned:
        first, _sep, last = cleaned.partition("..")
        try:
            start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
        except ValueError:
            raise BadInput(_("period: '{spec}' is not a FROM..TO range of dates; {hint}.").format(
                spec=spec, hint=_(PERIOD_HINT))) from None
        if end < start:
            raise BadInput(_("period: '{spec}' ends before it starts.").format(spec=spec))
        _check_years(spec, start.year, end.year)
        return Period(start, end + timedelta(days=1), None, f"{start.isoformat()}..{end.isoformat()}")
    raise BadInput(_("period: '{spec}' is not a period; {hint}.").format(spec=spec, hint=_(PERIOD_HINT)))


YEARS = range(1970, 2200)  # the years a stored time may fall in (`domain.checks`)


def _check_years(spec: str, *years: int) -> None:
    if any(year not in YEARS for year in years):
        raise BadInput(_("period: '{spec}' lies outside the years {first}–{last}.").format(
            spec=spec, first=YEARS[0], last=YEARS[-1]))


def month_keys(first: date, last: date) -> list[str]:
    """The months from `first`'s to `last`'s, as activity files name them (`2026-12`)."""
    keys = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys
