"""KPIs from cached rollups (same definitions as `services.kpi`, for periods made of whole months).

Each activity file holds one rep's month, so a whole-month period is a set of files: counts are
sums of per-day counters, distinct leads are ORs of bitsets, the by-source cohort intersects the
bitsets with the leads created in the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, tzinfo
from typing import Any

from istui.domain.periods import Period
from istui.services.kpi import add_rates, created_in, finish_source_rows, target_accounts

COUNTS = ("calls", "connects", "emails", "opens", "clicks", "replies", "meetings", "handoffs", "orders", "amount", "lost")
Record = Mapping[str, Any]


def whole_months(period: Period) -> bool:
    return period.start.day == 1 and period.end.day == 1


def _selected(files: Mapping[str, Mapping[str, Any]], months: set[str], rep: str | None) -> list[Mapping[str, Any]]:
    return [roll for key, roll in files.items()
            if key.split("/", 1)[1] in months and (rep is None or key.split("/", 1)[0] == rep)]


def metrics_from_rollups(files: Mapping[str, Mapping[str, Any]], period: Period, rep: str | None) -> dict[str, Any]:
    """The activity metrics of `services.kpi.activity_counts` for a whole-month period."""
    first, last = period.start.toordinal(), period.end.toordinal()
    totals = [0] * len(COUNTS)
    worked = 0
    for roll in _selected(files, set(period.months()), rep):
        worked |= roll["worked"]
        for day, counts in roll["days"].items():
            if first <= day < last:
                for index, value in enumerate(counts):
                    totals[index] += value
    metrics: dict[str, Any] = dict(zip(COUNTS, totals, strict=True))
    metrics["leads_worked"] = worked.bit_count()
    return add_rates(metrics)


class Cohort:
    """The leads created in a period, reduced to what the by-source figures need: per source, the
    count and a bitset over the rollups' lead numbering; the lead number → source map (for orders);
    and the distinct BDR companies. Depends only on the leads, so a caller holding the same leads
    (the TUI) can keep it while activities change."""

    __slots__ = ("counts", "masks", "numbered", "source_of", "target_accounts", "unnumbered")

    def __init__(self, cohort: Iterable[Record], numbers: Mapping[str, int]) -> None:
        cohort = list(cohort)
        self.counts: dict[str, int] = {}
        self.source_of: dict[int, str] = {}
        self.unnumbered: dict[str, str] = {}  # leads without activities yet: numbered when first touched
        # one bitset per source, built in a bytearray: OR-ing big ints lead by lead is quadratic
        buffers: dict[str, bytearray] = {}
        size = (max(numbers.values(), default=0) >> 3) + 1
        for lead in cohort:
            source = lead.get("source") or "other"
            self.counts[source] = self.counts.get(source, 0) + 1
            number = numbers.get(lead["id"])
            if number is not None:
                buffer = buffers.get(source)
                if buffer is None:
                    buffer = buffers[source] = bytearray(size)
                buffer[number >> 3] |= 1 << (number & 7)
                self.source_of[number] = source
            else:
                self.unnumbered[lead["id"]] = source
        self.masks = {source: int.from_bytes(buffer, "little") for source, buffer in buffers.items()}
        self.numbered = len(numbers)
        self.target_accounts = target_accounts(cohort)

    def catch_up(self, numbers: Mapping[str, int]) -> None:
        """Take in the numbers given since (the numbering only grows) to cohort leads touched since."""
        if len(numbers) == self.numbered:
            return
        for lead_id, source in list(self.unnumbered.items()):
            number = numbers.get(lead_id)
            if number is not None:
                del self.unnumbered[lead_id]
                self.source_of[number] = source
                self.masks[source] = self.masks.get(source, 0) | 1 << number
        self.numbered = len(numbers)


def by_source_from_rollups(files: Mapping[str, Mapping[str, Any]], cohort: Cohort, since: date, today: date,
                           rep: str | None) -> dict[str, dict[str, Any]]:
    """`services.kpi.by_source` for the cohort, over activities from `since` up to today."""
    months = set(Period(since.replace(day=1), max(today, since).replace(day=28), None, "").months()) | {f"{today:%Y-%m}"}
    booked = lost = 0
    won: dict[int, float] = {}
    for roll in _selected(files, months, rep):
        booked |= roll["booked"]
        lost |= roll["lost"]
        won.update(roll["won"])
    rows = {source: {"leads": count, "meetings": 0, "orders": 0, "amount": 0, "lost": 0}
            for source, count in cohort.counts.items()}
    won_mask = 0
    for number, amount in won.items():
        source = cohort.source_of.get(number)
        if source is not None:
            rows[source]["orders"] += 1
            rows[source]["amount"] += amount
            won_mask |= 1 << number
    for source, mask in cohort.masks.items():
        rows[source]["meetings"] = (booked & mask).bit_count()
        rows[source]["lost"] = (lost & mask & ~won_mask).bit_count()
    return finish_source_rows(rows)


def kpis_from_rollups(files: Mapping[str, Mapping[str, Any]], numbers: Mapping[str, int], leads: Iterable[Record],
                      period: Period, tz: tzinfo, today: date, *, rep: str | None = None,
                      cohorts: dict[tuple, Cohort] | None = None) -> dict[str, Any]:
    """`services.kpi.compute_kpis` (without a motion filter) for a whole-month period. `cohorts`, when
    given, keeps each period's cohort between calls: pass a fresh dict whenever the leads change."""
    key = (period.start, period.end, rep)
    cohort = cohorts.get(key) if cohorts is not None else None
    if cohort is not None:
        cohort.catch_up(numbers)
    else:
        start, end = period.bounds(tz)
        cohort = Cohort(created_in((lead for lead in leads if rep is None or lead.get("owner") == rep), start, end), numbers)
        if cohorts is not None:
            cohorts[key] = cohort
    metrics = metrics_from_rollups(files, period, rep)
    metrics["target_accounts"] = cohort.target_accounts
    return {"metrics": metrics, "by_source": by_source_from_rollups(files, cohort, period.start, today, rep)}
