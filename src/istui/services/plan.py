"""KGI → KPI planning: from a revenue goal back to the orders, handoffs, meetings, connects and calls it takes.

The rates are the funnel's cohort rates (DESIGN.md section 4, `services.analytics.funnel`): of the leads
that reached a step in a look-back window, the share that reached the next step in it — never above 100 %.
The window is made of closed months (the current month is still running): the last 3, and where a step
has fewer than `MIN_LEADS` leads there, the last 6, then 12; a rate whose step has too few leads even over
12 months is not planned with but named, with its lead count and the option that supplies it. The average
order amount comes from the same closed-deal rule (the latest win of each lead) over the shortest window
with at least `MIN_DEALS` orders. Each rate says which window it came from and over how many leads.

A step's needed count is in leads first (`leads_needed`); calls, connects, meetings and handoffs are
counted in activities (as their targets and the KPIs are), so the leads are multiplied by the activities
per lead observed at that step in the same window (`per_lead`: calls per lead called, …).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from istui.domain.errors import BadInput
from istui.domain.formatting import number
from istui.domain.metrics import FUNNEL
from istui.domain.periods import Period, month_of
from istui.i18n import _

if TYPE_CHECKING:
    from istui.services.counting import Combined
    from istui.store.workspace import Workspace

# (needed metric, the rate that converts the next step's count into it, the option that overrides the rate);
# from `handoffs` on, the rate is the funnel's cohort rate from that metric's step to the one before in CHAIN
CHAIN = (
    ("orders", "deal_size", "--deal-size"),
    ("handoffs", "order_rate", "--order-rate"),
    ("meetings", "handoff_rate", "--handoff-rate"),
    ("connects", "meeting_rate", "--meeting-rate"),
    ("calls", "connect_rate", "--connect-rate"),
)
#: rate name → (the step whose leads are the base, the step they reach)
RATE_STEPS = {name: (metric, CHAIN[index - 1][0]) for index, (metric, name, _option) in enumerate(CHAIN) if index}
MIN_LEADS = 20  # a cohort rate needs at least this many leads at its base step
MIN_DEALS = 3  # the average order amount (an amount, not a rate) needs at least this many orders
WINDOWS = (3, 6, 12)  # closed months looked back, shortest first


def closed_windows(today: date, months: tuple[int, ...] = WINDOWS) -> list[Period]:
    """The look-back windows: the last N whole months before today's month, for each N."""
    end = month_of(today).start
    last = end - relativedelta(months=1)
    return [Period(end - relativedelta(months=n), end, None, f"{end - relativedelta(months=n):%Y-%m}..{last:%Y-%m}")
            for n in months]


def cohort_rates(windows: list[tuple[Period, Mapping[str, Any], Combined]]) -> dict[str, dict[str, Any]]:
    """Per rate of CHAIN, what the history says: the value (None: not enough data), the window it came from,
    the leads at the base step (`leads`; for `deal_size` the orders) and of those the leads that converted.
    `windows` holds (window, its metrics, its combined tallies), shortest first."""
    from istui.services.analytics import funnel

    rows = [(window, metrics, {row["step"]: row for row in funnel(metrics, combined)})
            for window, metrics, combined in windows]
    found: dict[str, dict[str, Any]] = {}
    for name, (base, reached) in RATE_STEPS.items():
        best = next(((w, steps) for w, _m, steps in rows if steps[base]["leads"] >= MIN_LEADS), None)
        enough = best is not None
        window, steps = best if best else (rows[-1][0], rows[-1][2]) if rows else (None, None)
        leads = steps[base]["leads"] if steps else 0
        converted = steps[reached]["converted"] if steps else 0
        per_lead = round(steps[base]["count"] / leads, 4) if leads else None
        found[name] = {"value": steps[reached]["rate_from_previous"] if enough else None, "source": "history",
                       "window": window.label if window else None, "months": _months(window), "step": base,
                       "to": reached, "leads": leads, "converted": converted, "enough": enough,
                       "per_lead": per_lead}
    best_deals = next(((w, m) for w, m, _s in rows if m["orders"] >= MIN_DEALS), None)
    window, metrics = best_deals if best_deals else (rows[-1][0], rows[-1][1]) if rows else (None, None)
    orders = metrics["orders"] if metrics else 0
    found["deal_size"] = {"value": round(metrics["amount"] / orders, 2) if best_deals else None, "source": "history",
                          "window": window.label if window else None, "months": _months(window), "step": "orders",
                          "to": None, "leads": orders, "converted": None, "enough": best_deals is not None,
                          "per_lead": None}
    return found


def _months(window: Period | None) -> int | None:
    if window is None:
        return None
    return (window.end.year - window.start.year) * 12 + window.end.month - window.start.month


def _missing(missing: list[tuple[str, str]], sources: Mapping[str, Any]) -> BadInput:
    """Why the rates in `missing` ((rate, option) pairs) cannot be planned with, in one sentence naming every
    option that supplies one."""
    if len(missing) == 1:
        return _missing_one(*missing[0], sources.get(missing[0][0]))
    found = [sources.get(name) or {} for name, _option in missing]
    windows = sorted({item["window"] for item in found if item.get("window")})
    options = ", ".join(option for _name, option in missing)
    if not windows:
        return BadInput(_("Cannot plan: there are no rates for {rates}; give them with {options}.").format(
            rates=", ".join(_rate_name(name) for name, _option in missing), options=options))
    reasons = "; ".join(f"{_rate_name(name)} ({_shortfall(name, item)})" for (name, _option), item in zip(missing, found, strict=True))
    return BadInput(_("Cannot plan: too little history ({windows}) for {count} rates: {reasons}; give them with "
                      "{options}.").format(windows=", ".join(windows), count=len(missing), reasons=reasons,
                                           options=options))


def _shortfall(name: str, found: Mapping[str, Any]) -> str:
    """What one rate lacks, in a few words: `0 orders, at least 3 needed`."""
    from istui.domain import labels

    if found.get("window") is None:
        return _("no history")
    if name == "deal_size":
        return _("{orders} orders, at least {least} needed").format(orders=found["leads"], least=MIN_DEALS)
    if not found["enough"]:
        return _("{leads} leads, at least {least} needed").format(leads=found["leads"], least=MIN_LEADS)
    return _("none of {leads} leads reached {next}").format(leads=found["leads"], next=labels.metric(found["to"]))


def _missing_one(name: str, option: str, found: Mapping[str, Any] | None) -> BadInput:
    """Why a rate cannot be planned with, in one sentence naming the option that supplies it."""
    from istui.domain import labels

    if found is None or found.get("window") is None:
        return BadInput(_("Cannot plan: there is no rate for {rate}; give it with {option}.").format(
            rate=_rate_name(name), option=option))
    if name == "deal_size":
        return BadInput(_("Cannot plan: not enough orders for an average order amount ({orders} in {window}, "
                          "at least {least} needed); give it with {option}.").format(
            orders=found["leads"], window=found["window"], least=MIN_DEALS, option=option))
    if not found["enough"]:
        return BadInput(_("Cannot plan: not enough data for {step} → {next} ({leads} leads in {window}, at least "
                          "{least} needed); give the rate with {option}.").format(
            step=labels.metric(found["step"]), next=labels.metric(found["to"]), leads=found["leads"],
            window=found["window"], least=MIN_LEADS, option=option))
    return BadInput(_("Cannot plan: none of the {leads} leads at {step} in {window} reached {next}; give the rate "
                      "with {option}.").format(step=labels.metric(found["step"]), next=labels.metric(found["to"]),
                                               leads=found["leads"], window=found["window"], option=option))


def _rate_name(name: str) -> str:
    from istui.domain import labels

    if name == "deal_size":
        return _("average order amount")
    base, reached = RATE_STEPS[name]
    return f"{labels.metric(base)} → {labels.metric(reached)}"


def plan(revenue: float, rates: Mapping[str, float | None], working_days: int, lookback_days: int,
         current: Mapping[str, Any] | None = None, elapsed_days: float = 0,
         per_lead: Mapping[str, float | None] | None = None,
         sources: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """What the goal takes in total and per working day, beside the current pace when given.

    The rates are cohort rates in (0, 1] (and the deal size an amount); each step's leads needed are the
    next step's divided by its rate, and its count the leads times `per_lead[step]` (activities per lead at
    that step; 1 when not given). `sources` (from `cohort_rates`) only words a missing rate's message."""
    if revenue <= 0:
        raise BadInput(_("revenue: the goal must be greater than zero."))
    missing = [(name, option) for _step, name, option in CHAIN if not rates.get(name)]
    if missing:
        raise _missing(missing, sources or {})
    for _step, name, option in CHAIN:
        value = rates[name]
        if name != "deal_size" and value > 1:  # type: ignore[operator]
            raise BadInput(_("Cannot plan: the rate for {rate} is above 100 %; give the rate with {option}.").format(
                rate=_rate_name(name), option=option))
    leads_needed: dict[str, int] = {"orders": math.ceil(revenue / rates["deal_size"])}  # type: ignore[operator]
    count = leads_needed["orders"]
    for metric, rate_name, _option in CHAIN[1:]:
        count = math.ceil(round(count / rates[rate_name], 6))  # type: ignore[operator]
        leads_needed[metric] = count
    rows = []
    for metric in FUNNEL:
        intensity = max((per_lead or {}).get(metric) or 1.0, 1.0)
        needed = math.ceil(round(leads_needed[metric] * intensity, 6))
        per_day = round(needed / working_days, 2) if working_days else None
        row: dict[str, Any] = {"metric": metric, "needed": needed, "per_working_day": per_day}
        if per_lead is not None:
            row.update(leads_needed=leads_needed[metric], per_lead=round(intensity, 2))
        if current is not None:
            actual = current[metric]
            pace = round(actual / elapsed_days, 2) if elapsed_days >= 1 else None  # not from a few minutes' work
            row.update(actual=actual, actual_per_working_day=pace,
                       gap_per_working_day=None if pace is None or per_day is None else round(per_day - pace, 2))
        rows.append(row)
    return {"revenue": revenue, "working_days": working_days, "lookback_days": lookback_days,
            "rates": dict(rates), "steps": rows}


def plan_report(ws: Workspace, revenue: float, period_kind: str, lookback_days: int | None = None,
                overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """`_plan_report`, counted again from the activity files if the kept tallies turn out damaged."""
    from istui.services.rollups import recounted_if_damaged

    return recounted_if_damaged(ws, lambda: _plan_report(ws, revenue, period_kind, lookback_days, overrides))


def _plan_report(ws: Workspace, revenue: float, period_kind: str, lookback_days: int | None = None,
                 overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """The KGI → KPI plan for the current month, quarter or fiscal year, at team scope, on the funnel's
    cohort rates of closed months (module docstring); `lookback_days` instead looks back that many days
    before today's month (one window, no fallback). `rate_sources` says where each rate came from."""
    from datetime import timedelta

    from istui.domain.periods import period_of_kind
    from istui.services.kpi import elapsed_working_days
    from istui.services.report import day_fraction, work_calendar
    from istui.services.rollup_days import KeptTallies
    from istui.services.rollups import Rollups

    today = ws.now().date()
    settings = ws.settings
    period = period_of_kind(period_kind, today, settings.week_start_index, settings.fiscal_year_start_month)
    if lookback_days:
        end = month_of(today).start
        windows = [Period(end - timedelta(days=lookback_days), end, None,
                          f"{end - timedelta(days=lookback_days):%Y-%m-%d}..{end - timedelta(days=1):%Y-%m-%d}")]
    else:
        windows = closed_windows(today)
    rollups = ws.cached("rollups", lambda: Rollups(ws))
    kept = KeptTallies(rollups)
    history = []
    for window in windows:
        combined = kept.combined(window.start, window.end, None)
        history.append((window, combined.metrics(), combined))
    found = cohort_rates(history)
    for name, value in (overrides or {}).items():
        found[name] = {**found[name], "value": value, "source": "given"}
    rates = {name: found[name]["value"] for _metric, name, _option in CHAIN}
    per_lead = {base: found[name]["per_lead"] for name, (base, _reached) in RATE_STEPS.items()}
    used = [found[name] for name in rates if found[name]["source"] == "history" and found[name]["window"]]
    longest = max((w for w in windows if any(f["window"] == w.label for f in used)), key=lambda w: w.days,
                  default=windows[0])
    calendar = work_calendar(ws)
    current = kept.combined(period.start, period.end, None).metrics()
    elapsed = round(elapsed_working_days(period, today, calendar.working_days, day_fraction(ws, ws.now())), 2)
    result = plan(revenue, rates, calendar.working_days(period.start, period.end), longest.days, current, elapsed,
                  per_lead, found)
    start, end_at = period.bounds(ws.tz)
    result["period"] = {"label": period.label, "kind": period.kind.value if period.kind else None,
                        "start": start.isoformat(), "end": end_at.isoformat()}
    result["elapsed_working_days"] = elapsed
    result["rate_sources"] = {name: {key: value for key, value in found[name].items() if key != "enough"}
                              for name in rates}
    result["min_leads"], result["min_deals"] = MIN_LEADS, MIN_DEALS
    return result


def rate_lines(result: Mapping[str, Any], currency: str) -> list[str]:
    """How a plan's rates read (CLI and TUI): each rate with the window and the leads it came from, or `given`."""
    from istui.domain.formatting import money, percent

    lines = [_("Rates: cohorts of leads over closed months (at least {least} leads a step):").format(
        least=result.get("min_leads", MIN_LEADS))]
    sources = result.get("rate_sources", {})
    for _metric, name, _option in CHAIN:
        value, found = result["rates"][name], sources.get(name, {})
        shown = money(value, currency) if name == "deal_size" else percent(value)
        if found.get("source") != "history":
            lines.append("  " + _("{rate} {value} (given)").format(rate=_rate_name(name), value=shown))
        elif name == "deal_size":
            lines.append("  " + _("{rate} {value} ({orders} orders, {window})").format(
                rate=_rate_name(name), value=shown, orders=number(found["leads"]), window=_window_words(found["window"])))
        else:
            lines.append("  " + _("{rate} {value} ({converted} of {leads} leads, {window})").format(
                rate=_rate_name(name), value=shown, converted=number(found["converted"]), leads=number(found["leads"]),
                window=_window_words(found["window"])))
    return lines


_WINDOW = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")


def _window_words(label: str) -> str:
    """`2026-09..2026-11` (the window's label, the JSON's) as a person says it: `Sep – Nov 2026`, `2026年9月〜11月`."""
    from istui.domain.formatting import months_words

    match = _WINDOW.match(label or "")
    if not match:
        return label
    return months_words(date(int(match[1]), int(match[2]), 1), date(int(match[3]), int(match[4]), 1))


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
