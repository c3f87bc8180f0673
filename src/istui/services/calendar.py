"""Working days: weekdays that are not public holidays (python `holidays` package) or company days off.

The workspace's `holiday_country` (JP by default for a Tokyo workspace) picks the public holidays;
`extra_holidays` adds company days off (年末年始), `working_holidays` removes holidays that are worked.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from istui.domain.errors import WorkspaceError
from istui.i18n import _

if TYPE_CHECKING:
    from istui.store.workspace import Workspace


@lru_cache(maxsize=32)
def public_holidays(country: str, years: tuple[int, ...], cache: Path | None = None) -> frozenset[date]:
    """Public holidays of `country` (ISO code) in `years`; empty when no country is set. With a `cache`
    folder (the workspace's `.istui/cache`) they are kept there as plain dates, so a command that needs a
    working day (a call logged without a follow-up) does not load the holidays package (~150 ms)."""
    if not country:
        return frozenset()
    stored = cache / f"holidays-{country.upper()}-{'-'.join(map(str, years))}-{_package_stamp()}.json" if cache else None
    if stored is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            from istui.store.fileformat import loads

            kept = frozenset(date.fromisoformat(day) for day in loads(stored.read_bytes()))
            if all(day.year in years for day in kept):  # else not what this file holds: made again
                return kept
    import holidays  # imported on demand: ~40 ms, never on the quick-logging path

    try:
        days = frozenset(holidays.country_holidays(country.upper(), years=list(years)))
    except NotImplementedError:
        raise WorkspaceError(_("holiday_country: '{country}' is not a country code the holidays package knows.").format(
            country=country)) from None
    if stored is not None:
        with contextlib.suppress(OSError):
            from istui.store import files

            files.ensure_dir(stored.parent)
            files.write_cache(stored, json.dumps(sorted(day.isoformat() for day in days)).encode())
    return days


def _package_stamp() -> str:
    """Which installed holidays package made the dates (a new version may know new holidays)."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    try:
        return str(os.stat(spec.origin).st_mtime_ns) if spec and spec.origin else "0"
    except OSError:
        return "0"


def work_calendar(ws: Workspace) -> WorkCalendar:
    """The working days of a workspace (its holiday settings, the holidays kept in its local cache)."""
    settings = ws.settings
    return WorkCalendar(settings.holiday_country, settings.extra_holidays, settings.working_holidays, ws.local.cache)


class WorkCalendar:
    """Which days are working days for one workspace."""

    def __init__(self, country: str = "", extra: Iterable[str | date] = (), working: Iterable[str | date] = (),
                 cache: Path | None = None) -> None:
        self.country = country
        self.cache = cache
        self.extra = {d if isinstance(d, date) else date.fromisoformat(d) for d in extra}
        self.working = {d if isinstance(d, date) else date.fromisoformat(d) for d in working}

    def is_working_day(self, day: date) -> bool:
        if day in self.working:
            return True
        if day.weekday() >= 5 or day in self.extra:
            return False
        return day not in public_holidays(self.country, (day.year,), self.cache)

    def working_days(self, start: date, end: date) -> int:
        """Working days in [start, end)."""
        count, day = 0, start
        while day < end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count
