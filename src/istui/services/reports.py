"""Reports that read the workspace: the KPI report of `istui kpi` and the TUI's KPI tab, note usage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from istui.domain.periods import Period, parse_period
from istui.services.calendar import WorkCalendar
from istui.services.kpi import compute_kpis, daily_trend, target_progress
from istui.store.workspace import Record, Workspace


def kpi_report(ws: Workspace, period_spec: str, rep: str | None, leads: Iterable[Record] | None = None,
               trend: bool = False, analytics: bool = False, use_rollups: bool = True,
               cohorts: dict[tuple, Any] | None = None) -> dict[str, Any]:
    """Every metric, the by-source cohort and the targets with pace of one scope (`rep`, or None for the
    team); with `trend`, the daily trend; with `analytics`, also the funnel, the previous period and
    its deltas, weekday × hour heatmaps, the leaderboard (team) and talk-note effectiveness.

    Whole-month periods (month, quarter, fiscal year, YYYY-MM) come from cached rollups; e-mail open
    heatmaps from rollups pair a send with an open within the same month file. A caller that keeps
    `leads` between reports may pass `cohorts` (a dict, replaced whenever a lead's creation time,
    source, owner, motion or company changes) to keep each period's cohort."""
    from istui.services import analytics as an
    from istui.services.rollup_kpi import whole_months

    now = ws.now()
    settings = ws.settings
    period = parse_period(period_spec, now.date(), settings.week_start_index, settings.fiscal_year_start_month)
    previous = an.previous_period(period, settings.week_start_index, settings.fiscal_year_start_month)
    if use_rollups and whole_months(period) and whole_months(previous):
        return _report_from_rollups(ws, period, previous, rep, leads, trend or analytics, analytics, cohorts)
    first = previous.start if analytics else period.start
    if trend and period.days < 7:
        first = min(first, now.date() - timedelta(days=13))
    # the by-source cohort counts meetings and orders that came after the period, up to today
    months = Period(first, max(period.end, now.date() + timedelta(days=1)), None, "").months()
    activities = list(ws.activities(months=months, reps=[rep] if rep else None))  # a rep's report reads only their files
    leads = list(ws.leads()) if leads is None else list(leads)
    result = compute_kpis(activities, leads, period, ws.tz, rep=rep)
    start, end = period.bounds(ws.tz)
    report = _report_head(period, ws.tz, rep, result, target_progress(
        ws.targets(), activities, leads, period, ws.tz, rep=rep, today=now.date(), working_days=work_calendar(ws).working_days))
    if trend or analytics:
        window = period if period.days >= 7 else Period(now.date() - timedelta(days=13), now.date() + timedelta(days=1),
                                                        None, "last 14 days")
        report["trend"] = daily_trend(activities, window, ws.tz, rep=rep)
    if analytics:
        before = compute_kpis(activities, leads, previous, ws.tz, rep=rep)
        in_period = [a for a in activities if start <= datetime.fromisoformat(a["at"]) < end]
        report["weekly_trend"] = an.weekly_trend(report["trend"], settings.week_start_index)
        report.update(an.previous_block(previous, previous.bounds(ws.tz), before, result["metrics"]))
        report["heatmaps"] = an.heatmaps(activities, start, end, ws.tz, rep=rep)
        report["leaderboard"] = an.leaderboard(activities, start, end) if rep is None else []
        mine = [a for a in in_period if rep is None or a["rep"] == rep]
        report["notes"] = an.note_rows(note_usage(mine), {note["id"]: note["title"] for note in ws.notes()})
    return report


def _report_from_rollups(ws: Workspace, period: Period, previous: Period, rep: str | None,
                         leads: Iterable[Record] | None, trend: bool, analytics: bool,
                         cohorts: dict[tuple, Any] | None = None) -> dict[str, Any]:
    """`kpi_report` for whole months: from cached per-file rollups, without reading the activities."""
    from istui.services import analytics as an
    from istui.services.kpi import COUNT_METRICS, created_in, target_accounts
    from istui.services.rollup_kpi import kpis_from_rollups, metrics_from_rollups
    from istui.store.rollups import Rollups

    now = ws.now()
    today = now.date()
    rollups = ws.cached("rollups", lambda: Rollups(ws))  # kept with the workspace: a TUI reloads only changed files
    files = rollups.refresh()
    leads = list(ws.leads()) if leads is None else list(leads)
    result = kpis_from_rollups(files, rollups.numbers, leads, period, ws.tz, today, rep=rep, cohorts=cohorts)
    start, end = period.bounds(ws.tz)

    def metrics_for(motion: str | None) -> dict[str, Any]:
        if motion is None:
            return result["metrics"]
        scoped = [lead for lead in leads if lead.get("motion") == motion and (rep is None or lead.get("owner") == rep)]
        metrics = dict.fromkeys(COUNT_METRICS, None)  # activity counts by motion need the raw activities
        metrics["target_accounts"] = target_accounts(created_in(scoped, start, end))
        if any(t.get("motion") == motion and t["metric"] != "target_accounts" for t in ws.targets()):
            metrics.update(compute_kpis(list(ws.activities(months=period.months())), leads, period, ws.tz, rep=rep,
                                        motion=motion)["metrics"])
        return metrics

    report = _report_head(period, ws.tz, rep, result, target_progress(
        ws.targets(), [], leads, period, ws.tz, rep=rep, today=today, working_days=work_calendar(ws).working_days,
        metrics_for=metrics_for))
    selected = [roll for key, roll in files.items() if rep is None or key.split("/", 1)[0] == rep]
    if trend:
        days: dict[int, list[int]] = {}
        for roll in selected:
            for day, counts in roll["days"].items():
                if start.date().toordinal() <= day < end.date().toordinal():
                    row = days.setdefault(day, [0, 0, 0])
                    row[0] += counts[0]
                    row[1] += counts[1]
                    row[2] += counts[6]
        dates = [period.start + timedelta(days=i) for i in range(period.days)]
        report["trend"] = [{"day": day.isoformat(),
                            **dict(zip(("calls", "connects", "meetings"), days.get(day.toordinal(), [0, 0, 0]), strict=True))}
                           for day in dates]
    if analytics:
        before = kpis_from_rollups(files, rollups.numbers, leads, previous, ws.tz, today, rep=rep, cohorts=cohorts)
        months = set(period.months())
        in_period = [roll for key, roll in files.items() if key.split("/", 1)[1] in months
                     and (rep is None or key.split("/", 1)[0] == rep)]
        heat_calls: dict[tuple[int, int], list[int]] = {}
        heat_mails: dict[tuple[int, int], list[int]] = {}
        usage: dict[str, list[int]] = {}
        for roll in in_period:
            for target, source in ((heat_calls, roll["heat_calls"]), (heat_mails, roll["heat_mails"]), (usage, roll["notes"])):
                for key, (a, b) in source.items():
                    cell = target.setdefault(key, [0, 0])
                    cell[0] += a
                    cell[1] += b
        reps = sorted({key.split("/", 1)[0] for key in files})
        report["weekly_trend"] = an.weekly_trend(report["trend"], ws.settings.week_start_index)
        report.update(an.previous_block(previous, previous.bounds(ws.tz), before, result["metrics"]))
        report["heatmaps"] = {"connect_rate": an.cells_from_counts(heat_calls), "open_rate": an.cells_from_counts(heat_mails),
                              "min_events": an.MIN_EVENTS}
        report["leaderboard"] = an.rank_reps({name: metrics_from_rollups(files, period, name) for name in reps}) \
            if rep is None else []
        report["notes"] = an.note_rows({note_id: {"calls": calls, "meetings": meetings} for note_id, (calls, meetings)
                                        in usage.items()}, {note["id"]: note["title"] for note in ws.notes()})
    return report


def _report_head(period: Period, tz: tzinfo, rep: str | None, result: dict[str, Any],
                 targets: list[dict[str, Any]]) -> dict[str, Any]:
    """What every KPI report starts with: period, scope, metrics, by source, targets."""
    start, end = period.bounds(tz)
    return {"period": {"label": period.label, "kind": period.kind.value if period.kind else None,
                       "start": start.isoformat(), "end": end.isoformat()},
            "scope": {"rep": rep, "team": rep is None},
            "metrics": result["metrics"], "by_source": result["by_source"], "targets": targets}


def work_calendar(ws: Workspace) -> WorkCalendar:
    settings = ws.settings
    return WorkCalendar(settings.holiday_country, settings.extra_holidays, settings.working_holidays)


def today_strip(ws: Workspace) -> dict[str, Any]:
    """The header strip: this rep's counts today against the day targets, and the pace of the rep's
    month targets (activity counts only; reads just the rep's own month file)."""
    from istui.domain.periods import day_of, month_of
    from istui.services.kpi import activity_counts, pace

    now = ws.now()
    activities = list(ws.activities(months=[f"{now:%Y-%m}"], reps=[ws.rep], keep=True))
    metrics = activity_counts(activities, *day_of(now.date()).bounds(ws.tz))
    mine = [t for t in ws.targets() if t.get("rep") == ws.rep and not t.get("motion")]
    targets = {t["metric"]: t["value"] for t in mine if t["per"] == "day"}
    month = month_of(now.date())
    month_targets = [t for t in mine if t["per"] == "month" and t["metric"] in ("calls", "connects", "emails", "meetings",
                                                                                  "handoffs", "orders", "amount")]
    month_pace = []
    if month_targets:
        month_metrics = activity_counts(activities, *month.bounds(ws.tz))
        days = work_calendar(ws).working_days
        for target in month_targets:
            actual = month_metrics[target["metric"]]
            month_pace.append({"metric": target["metric"], "target": target["value"], "actual": actual,
                               **pace(target["value"], actual, month, now.date(), days)})
    return {"metrics": metrics, "targets": targets, "month": month_pace}


def note_usage(activities: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """Per talk note: calls that used it, how many booked a meeting, and that rate."""
    usage: dict[str, dict[str, Any]] = {}
    for activity in activities:
        note_id = activity.get("script")
        if not note_id or activity.get("kind") != "call":
            continue
        row = usage.setdefault(note_id, {"calls": 0, "meetings": 0})
        row["calls"] += 1
        row["meetings"] += activity.get("outcome") == "meeting_booked"
    for row in usage.values():
        row["meeting_rate"] = round(row["meetings"] / row["calls"], 4) if row["calls"] else None
    return usage


def plan_report(ws: Workspace, revenue: float, period_kind: str, lookback_days: int = 90,
                overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """The KGI → KPI plan for the current month, quarter or fiscal year, at team scope."""
    from istui.domain.periods import period_of_kind
    from istui.services.plan import observed_rates, plan

    now = ws.now()
    today = now.date()
    settings = ws.settings
    period = period_of_kind(period_kind, today, settings.week_start_index, settings.fiscal_year_start_month)
    window = Period(today - timedelta(days=lookback_days), today + timedelta(days=1), None, f"last {lookback_days} days")
    first = min(window.start, period.start)
    activities = list(ws.activities(months=Period(first, max(period.end, window.end), None, "").months()))
    leads = list(ws.leads())
    rates = observed_rates(compute_kpis(activities, leads, window, ws.tz)["metrics"])
    rates.update(overrides or {})
    calendar = work_calendar(ws)
    current = compute_kpis(activities, leads, period, ws.tz)["metrics"]
    elapsed = calendar.working_days(period.start, min(today + timedelta(days=1), period.end))
    result = plan(revenue, rates, calendar.working_days(period.start, period.end), lookback_days, current, elapsed)
    start, end = period.bounds(ws.tz)
    result["period"] = {"label": period.label, "kind": period.kind.value if period.kind else None,
                        "start": start.isoformat(), "end": end.isoformat()}
    result["elapsed_working_days"] = elapsed
    return result


def save_plan_as_targets(ws: Workspace, result: dict[str, Any]) -> list[dict[str, Any]]:
    """Store a plan as the team's targets for its period kind: the revenue as `amount`, every step's count."""
    from istui.services.targets import set_target

    per = result["period"]["kind"]
    values = [("amount", result["revenue"])] + [(row["metric"], row["needed"]) for row in result["steps"]]
    with ws.lock.held():
        for metric, value in values:
            set_target(ws, metric, per, value)
    return [{"metric": metric, "value": value, "per": per} for metric, value in values]
