"""The KPI report of `istui kpi`, the KPI tab and the review: the metrics, the by-source cohort and the
targets with pace of one scope, and with analytics the funnel, the previous period, the heatmaps, the
leaderboard and talk-note effectiveness.

Whole-month periods (month, quarter, fiscal year, YYYY-MM) read the kept tallies of `services.rollups`;
other periods tally the activities they read. Both are assembled by the same `_assemble`, from the
same tallies (`services.counting`), so they agree by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from istui.domain.metrics import COUNT_METRICS, TREND_METRICS
from istui.domain.model import Motion
from istui.domain.periods import Period, day_elapsed, month_of, parse_period
from istui.services import analytics as an
from istui.services.calendar import work_calendar
from istui.services.kpi import (
    RawTallies,
    Tallies,
    compute_kpis,
    elapsed_working_days,
    period_kpis,
    target_progress,
)
from istui.store.workspace import Record, Workspace


def kept_note_usage(ws: Workspace, months: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Talk-note usage (calls that used each note, meetings they booked) over the given months (None: all),
    from the kept tallies of the activity files (`services.rollups`): no month file is parsed unless it changed."""
    from istui.services.counting import Combined
    from istui.services.rollup_days import by_month
    from istui.services.rollups import Rollups, recounted_if_damaged

    wanted = None if months is None else set(months)

    def usage() -> dict[str, dict[str, Any]]:
        kept = ws.cached("rollups", lambda: Rollups(ws)).refresh()
        return an.note_usage(Combined(by_month(kept, wanted).values()))

    return recounted_if_damaged(ws, usage)


def day_fraction(ws: Workspace, now: datetime) -> float:
    """How much of today's working hours (the `working_hours` setting) has gone by at `now`."""
    return day_elapsed(now.astimezone(ws.tz).time(), ws.settings.work_hours)


def cohort_end(period: Period, today: date) -> date:
    """Where a period's cohort stops being followed: the end of today's month (or of the period, if later)."""
    return max(period.end, month_of(today).end)


def kpi_report(ws: Workspace, period_spec: str, rep: str | None, leads: Iterable[Record] | None = None,
               trend: bool = False, analytics: bool = False, use_rollups: bool = True,
               cohorts: dict[tuple, Any] | None = None) -> dict[str, Any]:
    """`_kpi_report`, counted again from the activity files if the kept tallies turn out damaged."""
    from istui.services.rollups import recounted_if_damaged

    return recounted_if_damaged(ws, lambda: _kpi_report(ws, period_spec, rep, leads, trend, analytics, use_rollups,
                                                         cohorts))


def _kpi_report(ws: Workspace, period_spec: str, rep: str | None, leads: Iterable[Record] | None = None,
                trend: bool = False, analytics: bool = False, use_rollups: bool = True,
                cohorts: dict[tuple, Any] | None = None) -> dict[str, Any]:
    """Every metric, the by-source cohort and the targets with pace of one scope (`rep`, or None for the
    team); with `trend`, the daily trend; with `analytics`, also the funnel, the previous period and
    its deltas, weekday × hour heatmaps, the leaderboard (team) and talk-note effectiveness.

    A caller that keeps `leads` between reports may pass `cohorts` (a dict, replaced whenever a lead's
    creation time, source, owner, motion or company changes) to keep each period's cohort."""
    from istui.services.handoff_report import handoff_report
    from istui.services.rollup_days import KeptTallies
    from istui.services.rollups import Rollups

    now = ws.now()
    today = now.date()
    settings = ws.settings
    period = parse_period(period_spec, today, settings.week_start_index, settings.fiscal_year_start_month)
    whole_previous = an.previous_period(period, settings.week_start_index, settings.fiscal_year_start_month)
    days = work_calendar(ws).working_days
    previous, cut_at = an.comparable_previous(whole_previous, period, today, days,
                                              elapsed_working_days(period, today, days, day_fraction(ws, now)),
                                              settings.work_hours, ws.tz)
    kept_cohorts = None
    window = period if period.days >= 7 else Period(today - timedelta(days=13), today + timedelta(days=1), None,
                                                    "last 14 days")
    if use_rollups:
        rollups = ws.cached("rollups", lambda: Rollups(ws))  # kept with the workspace: a TUI recounts only changed files
        kept = KeptTallies(rollups, [rep] if rep else None)
        source: Tallies = kept
        if leads is None:  # the leads are read only if a cohort is not kept (or for a motion's target)
            if cohorts is None:
                cohorts = kept_cohorts = rollups.kept_cohorts()
            leads = LazyLeads(ws)
        raw: list[Record] | None = None
        before: Tallies = source
        if analytics and cut_at is not None:  # the previous period's last day counted up to the moment it is cut at
            before = KeptTallies(rollups, [rep] if rep else None, (previous.end, cut_at), kept=kept.kept)
    else:
        leads = list(ws.leads()) if leads is None else leads
        first = min(previous.start if analytics else period.start, window.start if trend or analytics else period.start)
        # (a file may hold activities of a neighbouring local month: the timezone changed since they were written)
        months = Period(first - timedelta(days=1), cohort_end(period, today) + timedelta(days=1), None, "").months()
        raw = list(ws.activities(months=months, reps=[rep] if rep else None))  # a rep's report reads only their files
        source = before = RawTallies(raw, ws.tz, leads)
        if analytics and cut_at is not None:
            before = RawTallies(raw, ws.tz, leads, cut=(previous.end, cut_at))
    report = _assemble(ws, source, raw, leads, period, previous, window, rep, today, trend or analytics, analytics,
                       cohorts, before)

    def team_source(reps: list[str]) -> Tallies:  # a lead handed off is closed by field sales: read their files too
        if rep is None:
            return source
        if use_rollups:
            return KeptTallies(rollups, reps)
        return RawTallies(list(ws.activities(months=Period(period.start - timedelta(days=1), period.end + timedelta(
            days=1), None, "").months(), reps=reps)), ws.tz)

    report["handoff"] = handoff_report(ws, period, rep, team_source)
    if kept_cohorts is not None:
        rollups.keep_cohorts(kept_cohorts)
    if analytics:  # a running period is compared with as many working days at the start of the previous one
        report["previous"]["period"] = {  # the whole period the compared days are cut from, named in words
            "label": whole_previous.label, "kind": whole_previous.kind.value if whole_previous.kind else None,
            "start": whole_previous.start.isoformat(), "end": whole_previous.end.isoformat()}
        if cut_at is not None:  # the compared part ends at that moment (`end` said the next midnight)
            report["previous"]["through"] = cut_at.isoformat(timespec="minutes")
            report["previous"]["end"] = cut_at.isoformat()
        else:
            cut = previous.end != whole_previous.end
            report["previous"]["through"] = (previous.end - timedelta(days=1)).isoformat() if cut else None
    return report


class LazyLeads:
    """Every lead of the workspace, read when first iterated (a report whose cohorts are kept reads none)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._leads: list[Record] | None = None

    def __iter__(self) -> Iterator[Record]:
        if self._leads is None:
            self._leads = list(self.ws.leads())
        return iter(self._leads)


def _assemble(ws: Workspace, source: Tallies, raw: list[Record] | None, leads: Iterable[Record], period: Period,
              previous: Period, window: Period, rep: str | None, today: date, trend: bool, analytics: bool,
              cohorts: dict[tuple, Any] | None, before_source: Tallies | None = None) -> dict[str, Any]:
    tz = ws.tz
    before_source = source if before_source is None else before_source
    result = period_kpis(source, leads, period, tz, rep=rep, since_end=cohort_end(period, today), cohorts=cohorts)

    def metrics_for(motion: str | None) -> dict[str, Any]:
        if motion is None:
            return result["metrics"]
        metrics = dict.fromkeys(COUNT_METRICS, None)
        # distinct companies of the period's BDR leads: the cohort's (no lead read); other motions have none
        metrics["target_accounts"] = result["metrics"]["target_accounts"] if motion == Motion.BDR else 0
        if any(t.get("motion") == motion and t["metric"] != "target_accounts" for t in ws.targets()):
            activities = raw if raw is not None else list(ws.activities(months=period.months()))
            metrics.update(compute_kpis(activities, leads, period, tz, rep=rep, motion=motion)["metrics"])
        return metrics

    report = _report_head(period, tz, rep, result, target_progress(
        ws.targets(), [], [], period, tz, rep=rep, today=today, working_days=work_calendar(ws).working_days,
        metrics_for=metrics_for, day_fraction=day_fraction(ws, ws.now())))
    if trend:
        report["trend"] = source.combined(window.start, window.end, rep).daily(window.start, window.end, TREND_METRICS)
    if analytics:
        before = period_kpis(before_source, leads, previous, tz, rep=rep, since_end=cohort_end(period, today),
                             cohorts=cohorts)
        files = source.files(period.start, period.end)
        combined = source.combined(period.start, period.end, rep)
        report["weekly_trend"] = an.weekly_trend(report["trend"], ws.settings.week_start_index)
        report.update(an.previous_block(previous, previous.bounds(tz), before, result["metrics"], combined,
                                        before_source.combined(previous.start, previous.end, rep)))
        report["heatmaps"] = an.heatmaps_of(combined)
        report["leaderboard"] = an.rank_reps(an.metrics_by_rep(files)) if rep is None else []
        report["notes"] = an.note_rows(an.note_usage(combined), {note["id"]: note["title"] for note in ws.notes()})
    return report


def _report_head(period: Period, tz: tzinfo, rep: str | None, result: dict[str, Any],
                 targets: list[dict[str, Any]]) -> dict[str, Any]:
    """What every KPI report starts with: period, scope, metrics, by source, targets."""
    return {"period": period.as_json(tz), "scope": {"rep": rep, "team": rep is None},
            "metrics": result["metrics"], "by_source": result["by_source"], "targets": targets}
