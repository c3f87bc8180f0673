"""Working days: weekdays that are not public holidays (python `holidays` package) or company days off.

The workspace's `holiday_country` (JP by default for a Tokyo workspace) picks the public holidays;
`extra_holidays` adds company days off (年末年始), `working_holidays` removes holidays that are worked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from istui.domain.errors import WorkspaceError
from istui.i18n import _


@lru_cache(maxsize=32)
def public_holidays(country: str, years: tuple[int, ...]) -> frozenset[date]:
    """Public holidays of `country` (ISO code) in `years`; empty when no country is set."""
    if not country:
        return frozenset()
    import holidays  # imported on demand: ~40 ms, never on the quick-logging path

    try:
        return frozenset(holidays.country_holidays(country.upper(), years=list(years)))
    except NotImplementedError:
        raise WorkspaceError(_("holiday_country: '{country}' is not a country code the holidays package knows.").format(
            country=country)) from None


class WorkCalendar:
    """Which days are working days for one workspace."""

    def __init__(self, country: str = "", extra: Iterable[str | date] = (), working: Iterable[str | date] = ()) -> None:
        self.country = country
        self.extra = {d if isinstance(d, date) else date.fromisoformat(d) for d in extra}
        self.working = {d if isinstance(d, date) else date.fromisoformat(d) for d in working}

    def is_working_day(self, day: date) -> bool:
        if day in self.working:
            return True
        if day.weekday() >= 5 or day in self.extra:
            return False
        return day not in public_holidays(self.country, (day.year,))

    def working_days(self, start: date, end: date) -> int:
        """Working days in [start, end)."""
        count, day = 0, start
        while day < end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count
