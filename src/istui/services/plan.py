"""KGI → KPI planning: from a revenue goal back to the orders, handoffs, meetings, connects and calls it takes.

Rates come from a look-back window of the team's own history (overridable); a missing rate is a
clear message naming the option that supplies it, never a division error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from istui.domain.errors import BadInput
from istui.domain.metrics import FUNNEL
from istui.i18n import N_, _

if TYPE_CHECKING:
    from istui.store.workspace import Workspace

# (needed metric, the rate that converts the next step's count into it, the option that overrides the rate)
CHAIN = (
    ("orders", "deal_size", "--deal-size"),
    ("handoffs", "order_rate", "--order-rate"),
    ("meetings", "handoff_rate", "--handoff-rate"),
    ("connects", "meeting_rate", "--meeting-rate"),
    ("calls", "connect_rate", "--connect-rate"),
)
RATE_SOURCES = {  # rate name: (numerator metric, denominator metric) in the look-back metrics
    "deal_size": ("amount", "orders"),
    "order_rate": ("orders", "handoffs"),
    "handoff_rate": ("handoffs", "meetings"),
    "meeting_rate": ("meetings", "connects"),
    "connect_rate": ("connects", "calls"),
}
RATE_WORDS = {
    "deal_size": N_("no orders (so no average deal size)"),
    "order_rate": N_("no handoffs (so no orders per handoff)"),
    "handoff_rate": N_("no meetings (so no handoffs per meeting)"),
    "meeting_rate": N_("no connects (so no meetings per connect)"),
    "connect_rate": N_("no calls (so no connect rate)"),
}


def observed_rates(lookback: Mapping[str, Any]) -> dict[str, float | None]:
    """The conversion rates of the look-back metrics (None where the denominator is zero)."""
    rates: dict[str, float | None] = {}
    for name, (numerator, denominator) in RATE_SOURCES.items():
        base = lookback[denominator]
        rates[name] = round(lookback[numerator] / base, 4) if base else None
    return rates


def plan(revenue: float, rates: Mapping[str, float | None], working_days: int, lookback_days: int,
         current: Mapping[str, Any] | None = None, elapsed_days: int = 0) -> dict[str, Any]:
    """What the goal takes in total and per working day, beside the current pace when given."""
    if revenue <= 0:
        raise BadInput(_("revenue: the goal must be greater than zero."))
    for _step, name, option in CHAIN:
        if not rates.get(name):
            raise BadInput(_("Cannot plan: the last {days} days have {missing}; give the rate with {option}.").format(
                days=lookback_days, missing=_(RATE_WORDS[name]), option=option))
    needed: dict[str, int] = {}
    amount = revenue
    count = math.ceil(amount / rates["deal_size"])  # type: ignore[operator]
    needed["orders"] = count
    for metric, rate_name, _option in CHAIN[1:]:
        count = math.ceil(count / rates[rate_name])  # type: ignore[operator]
        needed[metric] = count
    rows = []
    for metric in FUNNEL:
        per_day = round(needed[metric] / working_days, 2) if working_days else None
        row: dict[str, Any] = {"metric": metric, "needed": needed[metric], "per_working_day": per_day}
        if current is not None:
            actual = current[metric]
            pace = round(actual / elapsed_days, 2) if elapsed_days else None
            row.update(actual=actual, actual_per_working_day=pace,
                       gap_per_working_day=None if pace is None or per_day is None else round(per_day - pace, 2))
        rows.append(row)
    return {"revenue": revenue, "working_days": working_days, "lookback_days": lookback_days,
            "rates": dict(rates), "steps": rows}


def plan_report(ws: Workspace, revenue: float, period_kind: str, lookback_days: int = 90,
                overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """The KGI → KPI plan for the current month, quarter or fiscal year, at team scope."""
    from datetime import timedelta

    from istui.domain.periods import Period, period_of_kind
    from istui.services.kpi import compute_kpis
    from istui.services.report import work_calendar

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


def plan_targets(result: dict[str, Any]) -> list[tuple[str, float]]:
    """The team targets a plan sets for its period kind: the revenue as `amount`, then every step's count."""
    return [("amount", result["revenue"])] + [(row["metric"], row["needed"]) for row in result["steps"]]


def plan_target_changes(ws: Workspace, result: dict[str, Any]) -> list[dict[str, Any]]:
    """What saving a plan would change, per metric: the team's target before (`old`, None when there is
    none) and after (`new`), for the confirmation a save asks first."""
    from istui.services.targets import find_target

    per = result["period"]["kind"]
    changes = []
    for metric, value in plan_targets(result):
        existing = find_target(ws, metric, per)
        changes.append({"metric": metric, "per": per, "old": existing["value"] if existing else None, "new": value})
    return changes


def save_plan_with_undo(ws: Workspace, result: dict[str, Any]) -> list[Any]:
    """Store a plan as the team's targets for its period kind (all together); returns each target before and
    after, which `services.targets.restore_targets` takes back."""
    from istui.services.targets import set_targets

    return set_targets(ws, plan_targets(result), result["period"]["kind"])


def save_plan_as_targets(ws: Workspace, result: dict[str, Any]) -> list[dict[str, Any]]:
    """Store a plan as the team's targets for its period kind; per metric the value before (`old`) and after."""
    return [{"metric": after["metric"], "value": after["value"], "per": after["per"],
             "old": before["value"] if before else None} for before, after in save_plan_with_undo(ws, result)]
