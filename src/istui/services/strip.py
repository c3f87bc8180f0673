"""The header strip: this rep's counts today against the day targets, and the pace of the rep's month
targets (reads just the rep's own month file)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from istui.domain.metrics import STRIP_MONTH_METRICS
from istui.domain.periods import day_of, month_of
from istui.services.counting import Combined, tally
from istui.services.kpi import pace
from istui.services.report import day_fraction, work_calendar
from istui.store.workspace import Workspace


def today_strip(ws: Workspace) -> dict[str, Any]:
    """{metrics: today's metrics, targets: {metric: day target}, month: [month targets with pace]}."""
    now = ws.now()
    activities = list(ws.activities(months=[f"{now:%Y-%m}"], reps=[ws.rep], keep=True))
    metrics = _metrics(activities, ws, *day_of(now.date()).bounds(ws.tz))
    mine = [t for t in ws.targets() if t.get("rep") == ws.rep and not t.get("motion")]
    targets = {t["metric"]: t["value"] for t in mine if t["per"] == "day"}
    month = month_of(now.date())
    month_targets = [t for t in mine if t["per"] == "month" and t["metric"] in STRIP_MONTH_METRICS]
    month_pace = []
    if month_targets:
        month_metrics = _metrics(activities, ws, *month.bounds(ws.tz))
        days = work_calendar(ws).working_days
        for target in month_targets:
            actual = month_metrics[target["metric"]]
            month_pace.append({"metric": target["metric"], "target": target["value"], "actual": actual,
                               **pace(target["value"], actual, month, now.date(), days, day_fraction(ws, now))})
    return {"metrics": metrics, "targets": targets, "month": month_pace}


def _metrics(activities: list[dict[str, Any]], ws: Workspace, start: datetime, end: datetime) -> dict[str, Any]:
    return Combined([tally(activities, ws.tz, start, end)]).metrics()
