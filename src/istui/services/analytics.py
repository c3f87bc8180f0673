"""KPI analytics (pure): the funnel, comparison with the previous period, weekday × hour heatmaps,
the per-rep leaderboard and weekly trends. Built on the definitions in `services.kpi`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from istui.domain.metrics import COUNT_METRICS, FUNNEL, LEADERBOARD_METRICS, RATE_METRICS, TREND_METRICS
from istui.domain.periods import Period, period_of_kind
from istui.services.counting import Combined, overlap, rate, size, tally_by_file
from istui.services.kpi import RawTallies, of_rep

Record = Mapping[str, Any]
MIN_EVENTS = 5  # heatmap cells with fewer events are marked too_few rather than shown as a rate
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def funnel(metrics: Mapping[str, Any], combined: Combined) -> list[dict[str, Any]]:
    """calls → connects → meetings → handoffs → orders: each step's count (activities; orders by the closed-deal
    rule), the leads that reached it (`leads`), and its cohort rate (DESIGN.md section 4): of the leads that
    reached the step before in the period, the share (`converted`) that also reached this one by the period's
    end — never above 100 %."""
    sets = combined.funnel_sets()
    steps = []
    for index, name in enumerate(FUNNEL):
        row = {"step": name, "count": metrics[name], "leads": size(sets[name]), "rate_from_previous": None}
        if index:
            before = sets[FUNNEL[index - 1]]
            row["converted"] = overlap(before, sets[name])
            row["rate_from_previous"] = rate(row["converted"], size(before))
        steps.append(row)
    return steps


def funnel_changes(steps: list[dict[str, Any]], before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per funnel step, the leads that reached it now and in the previous period, the change and its direction."""
    rows = []
    for now, then in zip(steps, before, strict=True):
        change = now["leads"] - then["leads"]
        rows.append({"step": now["step"], "leads": now["leads"], "previous": then["leads"], "delta": change,
                     "direction": "up" if change > 0 else "down" if change < 0 else "same"})
    return rows


def weakest_step(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The funnel step with the lowest rate from the step before (steps with no base are skipped); None when no step
    loses a lead (every rate 100 %: nothing to call weak)."""
    rated = [s for s in steps[1:] if s["rate_from_previous"] is not None]
    weakest = min(rated, key=lambda s: s["rate_from_previous"]) if rated else None
    return weakest if weakest is not None and weakest["rate_from_previous"] < 1 else None


def previous_period(period: Period, week_start: int = 0, fy_start_month: int = 4) -> Period:
    """The period of the same kind just before (or, for a FROM..TO range, as many days just before)."""
    if period.kind is None:
        start = period.start - timedelta(days=period.days)
        return Period(start, period.start, None, f"{start.isoformat()}..{(period.start - timedelta(days=1)).isoformat()}")
    return period_of_kind(period.kind, period.start - timedelta(days=1), week_start, fy_start_month)


def comparable_previous(previous: Period, period: Period, today: date, working_days: Callable[[date, date], int],
                        elapsed: float | None = None, hours: tuple[time, time] | None = None,
                        tz: tzinfo | None = None) -> tuple[Period, datetime | None]:
    """The previous period like for like (DESIGN.md section 4), and the moment it is cut at (None: at a day's
    end). While `period` is still running, the previous one is cut after as many working days as have gone by:
    `elapsed` (`kpi.elapsed_working_days`, the count pace uses: whole days and the part of today's working
    hours) — the whole days, then the same share of the next working day's `hours`. Without `elapsed`, today
    counts as a whole day. A period that has ended is compared with the whole previous one."""
    if not period.start <= today < period.end:
        return previous, None
    today_works = bool(working_days(today, today + timedelta(days=1)))
    if elapsed is None or hours is None or tz is None or not today_works:
        elapsed, hours = float(working_days(period.start, today + timedelta(days=1))), None
    whole, part = int(elapsed), elapsed - int(elapsed)
    day, counted = previous.start, 0
    while day < previous.end and counted < whole:
        counted += working_days(day, day + timedelta(days=1))
        day += timedelta(days=1)
    if hours is None or tz is None:  # whole days only
        return (Period(previous.start, day, previous.kind, previous.label), None) if day < previous.end else (previous, None)
    while day < previous.end and not working_days(day, day + timedelta(days=1)):
        day += timedelta(days=1)  # the next working day, where today's share of the hours falls
    if day >= previous.end:
        return previous, None
    opens, closes = (datetime.combine(day, moment, tzinfo=tz) for moment in hours)
    cut_at = opens + (closes - opens) * part
    return Period(previous.start, day + timedelta(days=1), previous.kind, previous.label), cut_at


def deltas(current: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per metric: current, previous, the change (rates in points of 1.0) and its direction."""
    result = {}
    for name in (*COUNT_METRICS, *RATE_METRICS):
        now, before = current.get(name), previous.get(name)
        change = None if now is None or before is None else round(now - before, 4)
        direction = None if change is None else "up" if change > 0 else "down" if change < 0 else "same"
        result[name] = {"current": now, "previous": before, "delta": change, "direction": direction}
    return result


def heatmaps(activities: Iterable[Record], start: datetime, end: datetime, tz: tzinfo,
             rep: str | None = None) -> dict[str, Any]:
    """Connect rate of calls and open rate of sent e-mails by weekday × hour in the workspace timezone
    (the pairing of sends and opens: `services.counting`)."""
    mine = [a for a in activities if rep is None or a["rep"] == rep]
    return heatmaps_of(Combined(tally_by_file(mine, tz, start, end).values()))


def heatmaps_of(combined: Combined) -> dict[str, Any]:
    """The heatmaps of combined tallies; cells with fewer than MIN_EVENTS calls (or e-mails) are `too_few`."""
    return {"connect_rate": cells_from_counts(combined.heat_calls), "open_rate": cells_from_counts(combined.heat_mails),
            "min_events": MIN_EVENTS}


def cells_from_counts(counts: Mapping[tuple[int, int], list[int]]) -> list[dict[str, Any]]:
    cells = []
    for (weekday, hour), (events, hits) in sorted(counts.items()):
        too_few = events < MIN_EVENTS
        cells.append({"weekday": WEEKDAYS[weekday], "hour": hour, "events": events, "hits": hits,
                      "rate": None if too_few else rate(hits, events), "too_few": too_few})
    return cells


def best_cells(cells: list[dict[str, Any]], count: int = 3) -> list[dict[str, Any]]:
    """The best weekday × hour windows among cells with enough events."""
    return sorted((c for c in cells if c["rate"] is not None), key=lambda c: (-c["rate"], -c["events"]))[:count]


def leaderboard(activities: Iterable[Record], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per rep: the activity metrics of the period, most meetings first."""
    files = RawTallies(activities, start.tzinfo or UTC).files(start.date(), end.date())
    return rank_reps(metrics_by_rep(files))


def metrics_by_rep(files: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The metrics of each rep who has a tally among `files` (keyed `rep/YYYY-MM`)."""
    reps = sorted({key.split("/", 1)[0] for key in files})
    return {rep: Combined(of_rep(files, rep)).metrics() for rep in reps}


def rank_reps(metrics_by_rep: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Leaderboard rows of the reps who did anything, most meetings first."""
    rows = [{"rep": rep, **{k: m[k] for k in LEADERBOARD_METRICS}}
            for rep, m in metrics_by_rep.items() if m["calls"] or m["emails"] or m["orders"]]
    return sorted(rows, key=lambda r: (-r["meetings"], -r["orders"], -r["calls"], r["rep"]))


def note_usage(combined: Combined) -> dict[str, dict[str, Any]]:
    """Per talk note: the calls that used it, how many booked a meeting, and that rate."""
    return {note_id: {"calls": calls, "meetings": meetings, "meeting_rate": rate(meetings, calls)}
            for note_id, (calls, meetings) in combined.notes.items()}


def note_rows(usage: Mapping[str, Mapping[str, Any]], titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """Talk-note effectiveness rows (calls, meetings, meeting rate) with titles, most used first."""
    return sorted(({"id": note_id, "title": titles.get(note_id, "(deleted note)"), "calls": row["calls"],
                    "meetings": row["meetings"], "meeting_rate": rate(row["meetings"], row["calls"])}
                   for note_id, row in usage.items()), key=lambda r: (-r["calls"], r["id"]))


def previous_block(previous: Period, bounds: tuple[datetime, datetime], before: Mapping[str, Any],
                   current: Mapping[str, Any], combined: Combined, combined_before: Combined) -> dict[str, Any]:
    """The report's funnel, previous period (metrics, funnel, by source) and deltas against it."""
    metrics = before["metrics"]
    return {
        "funnel": funnel(current, combined),
        "previous": {"label": previous.label, "start": bounds[0].isoformat(), "end": bounds[1].isoformat(),
                     "metrics": metrics, "funnel": funnel(metrics, combined_before), "by_source": before["by_source"]},
        "deltas": deltas(current, metrics),
    }


def weekly_trend(daily: list[dict[str, Any]], week_start: int = 0) -> list[dict[str, Any]]:
    """Daily trend rows summed per week (the week's first day labels it; `days`: how many of its days the trend
    holds, 7 unless the trend starts or ends inside it)."""
    weeks: dict[str, dict[str, Any]] = {}
    for row in daily:
        day = datetime.fromisoformat(row["day"]).date()
        first = (day - timedelta(days=(day.weekday() - week_start) % 7)).isoformat()
        week = weeks.setdefault(first, {"week": first, "days": 0, **dict.fromkeys(TREND_METRICS, 0)})
        week["days"] += 1
        for key in TREND_METRICS:
            week[key] += row[key]
    return list(weeks.values())
