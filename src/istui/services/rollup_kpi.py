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


def by_source_from_rollups(files: Mapping[str, Mapping[str, Any]], numbers: Mapping[str, int], cohort: Iterable[Record],
                           since: date, today: date, rep: str | None) -> dict[str, dict[str, Any]]:
    """`services.kpi.by_source` for the cohort, over activities from `since` up to today."""
    months = set(Period(since.replace(day=1), max(today, since).replace(day=28), None, "").months()) | {f"{today:%Y-%m}"}
    booked = lost = 0
    won: dict[int, float] = {}
    for roll in _selected(files, months, rep):
        booked |= roll["booked"]
        lost |= roll["lost"]
        won.update(roll["won"])
    # per source: one bitset of its cohort leads (built in a bytearray: OR-ing big ints lead by lead is
    # quadratic), then AND with the booked/lost bitsets and count
    rows: dict[str, dict[str, Any]] = {}
    buffers: dict[str, bytearray] = {}
    source_of: dict[int, str] = {}
    size = (max(numbers.values(), default=0) >> 3) + 1
    for lead in cohort:
        source = lead.get("source") or "other"
        row = rows.setdefault(source, {"leads": 0, "meetings": 0, "orders": 0, "amount": 0, "lost": 0})
        row["leads"] += 1
        number = numbers.get(lead["id"])
        if number is not None:
            buffer = buffers.get(source)
            if buffer is None:
                buffer = buffers[source] = bytearray(size)
            buffer[number >> 3] |= 1 << (number & 7)
            source_of[number] = source
    masks = {source: int.from_bytes(buffer, "little") for source, buffer in buffers.items()}
    won_mask = 0
    for number, amount in won.items():
        source = source_of.get(number)
        if source is not None:
            rows[source]["orders"] += 1
            rows[source]["amount"] += amount
            won_mask |= 1 << number
    for source, mask in masks.items():
        rows[source]["meetings"] = (booked & mask).bit_count()
        rows[source]["lost"] = (lost & mask & ~won_mask).bit_count()
    return finish_source_rows(rows)


def kpis_from_rollups(files: Mapping[str, Mapping[str, Any]], numbers: Mapping[str, int], leads: Iterable[Record],
                      period: Period, tz: tzinfo, today: date, *, rep: str | None = None) -> dict[str, Any]:
    """`services.kpi.compute_kpis` (without a motion filter) for a whole-month period."""
    start, end = period.bounds(tz)
    scoped = [lead for lead in leads if rep is None or lead.get("owner") == rep]
    cohort = created_in(scoped, start, end)
    metrics = metrics_from_rollups(files, period, rep)
    metrics["target_accounts"] = target_accounts(cohort)
    return {"metrics": metrics, "by_source": by_source_from_rollups(files, numbers, cohort, period.start, today, rep)}


