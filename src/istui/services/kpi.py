"""KPI math (DESIGN.md section 4): pure functions over activity and lead records. The one home of the formulas."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from istui.domain.model import MEETING_BOOKED, REACHED_OUTCOMES, ActivityKind, Motion, Stage
from istui.domain.periods import Period

Record = Mapping[str, Any]

COUNT_METRICS = (
    "calls", "connects", "emails", "opens", "clicks", "replies", "meetings",
    "leads_worked", "handoffs", "orders", "amount", "lost", "target_accounts",
)
RATE_METRICS = ("connect_rate", "open_rate", "click_rate", "meeting_rate", "win_rate")


def rate(numerator: float, denominator: float) -> float | None:
    """A ratio, or None (JSON null, '–' on screen) when the denominator is zero."""
    return None if not denominator else round(numerator / denominator, 4)


def in_period(at: str, start: datetime, end: datetime) -> bool:
    return start <= datetime.fromisoformat(at) < end


def activity_counts(activities: Iterable[Record], start: datetime, end: datetime) -> dict[str, Any]:
    """Every activity metric for the activities given, counting those in [start, end)."""
    counts = dict.fromkeys(("calls", "connects", "emails", "opens", "clicks", "replies", "meetings",
                            "handoffs", "orders", "amount", "lost"), 0)
    worked: set[str] = set()
    for activity in activities:
        if not in_period(activity["at"], start, end):
            continue
        kind, outcome = activity["kind"], activity.get("outcome")
        if kind == ActivityKind.CALL:
            counts["calls"] += 1
            worked.add(activity["lead"])
            if outcome in REACHED_OUTCOMES:
                counts["connects"] += 1
        elif kind == ActivityKind.EMAIL:
            worked.add(activity["lead"])
            if outcome == "sent":
                counts["emails"] += 1
            elif outcome == "opened":
                counts["opens"] += 1
            elif outcome == "clicked":
                counts["clicks"] += 1
            elif outcome == "replied":
                counts["replies"] += 1
        elif kind == ActivityKind.STAGE:
            if outcome == Stage.HANDED_OFF:
                counts["handoffs"] += 1
            elif outcome == Stage.WON:
                counts["orders"] += 1
                counts["amount"] += activity.get("amount") or 0
            elif outcome == Stage.LOST:
                counts["lost"] += 1
        if outcome == MEETING_BOOKED:
            counts["meetings"] += 1
    counts["leads_worked"] = len(worked)
    return add_rates(counts)


def add_rates(counts: dict[str, Any]) -> dict[str, Any]:
    """The rates of DESIGN.md section 4 from the counts (in place; also returns them)."""
    counts["connect_rate"] = rate(counts["connects"], counts["calls"])
    counts["open_rate"] = rate(counts["opens"], counts["emails"])
    counts["click_rate"] = rate(counts["clicks"], counts["emails"])
    counts["meeting_rate"] = rate(counts["meetings"], counts["leads_worked"])
    counts["win_rate"] = rate(counts["orders"], counts["orders"] + counts["lost"])
    return counts


def created_in(leads: Iterable[Record], start: datetime, end: datetime) -> list[Record]:
    """Leads created in [start, end); times with the bounds' own offset compare as text (no parsing)."""
    low, high = start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")
    offset = low[19:]
    if high[19:] != offset:  # the period crosses a daylight-saving change: parse every time
        return [lead for lead in leads if in_period(lead["created_at"], start, end)]
    return [lead for lead in leads
            if (low <= lead["created_at"] < high if lead["created_at"][19:] == offset and len(lead["created_at"]) == 25
                else in_period(lead["created_at"], start, end))]


def target_accounts(cohort: Iterable[Record]) -> int:
    """Distinct companies among BDR leads of the cohort (ターゲット企業数)."""
    return len({" ".join(lead["company"].casefold().split()) for lead in cohort if lead.get("motion") == Motion.BDR})


def by_source(cohort: Iterable[Record], activities: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """Conversion of the leads created in the period, per source: ever booked, ever won or lost."""
    cohort = list(cohort)
    ids = {lead["id"] for lead in cohort}
    booked: set[str] = set()
    won: dict[str, int] = {}
    lost: set[str] = set()
    for activity in activities:
        lead_id = activity["lead"]
        if lead_id not in ids:
            continue
        outcome = activity.get("outcome")
        if outcome == MEETING_BOOKED:
            booked.add(lead_id)
        elif activity["kind"] == ActivityKind.STAGE and outcome == Stage.WON:
            won[lead_id] = activity.get("amount") or 0
        elif activity["kind"] == ActivityKind.STAGE and outcome == Stage.LOST:
            lost.add(lead_id)
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"leads": 0, "meetings": 0, "orders": 0, "amount": 0, "lost": 0})
    for lead in cohort:
        row = rows[lead.get("source") or "other"]
        row["leads"] += 1
        row["meetings"] += lead["id"] in booked
        if lead["id"] in won:
            row["orders"] += 1
            row["amount"] += won[lead["id"]]
        elif lead["id"] in lost:
            row["lost"] += 1
    return finish_source_rows(rows)


def finish_source_rows(rows: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """By-source rows with their meeting and win rates, biggest source first."""
    result = {}
    for source in sorted(rows, key=lambda s: (-rows[s]["leads"], s)):
        row = rows[source]
        row["meeting_rate"] = rate(row["meetings"], row["leads"])
        row["win_rate"] = rate(row["orders"], row["orders"] + row["lost"])
        result[source] = row
    return result


def compute_kpis(
    activities: Iterable[Record],
    leads: Iterable[Record],
    period: Period,
    tz: tzinfo,
    *,
    rep: str | None = None,
    motion: str | None = None,
) -> dict[str, Any]:
    """All KPIs of DESIGN.md section 4 for one rep (`rep`) or the team (`rep=None`).

    `activities` must cover the period and everything after it (the by-source cohort counts
    meetings and orders that came later); `leads` is every lead (for motions and the cohort).
    """
    start, end = period.bounds(tz)
    leads = list(leads)
    motions = {lead["id"]: lead.get("motion") for lead in leads}
    scoped_activities = [
        a for a in activities
        if (rep is None or a["rep"] == rep) and (motion is None or motions.get(a["lead"]) == motion)
    ]
    scoped_leads = [
        lead for lead in leads
        if (rep is None or lead.get("owner") == rep) and (motion is None or lead.get("motion") == motion)
    ]
    metrics = activity_counts(scoped_activities, start, end)
    cohort = created_in(scoped_leads, start, end)
    metrics["target_accounts"] = target_accounts(cohort)
    return {"metrics": metrics, "by_source": by_source(cohort, scoped_activities)}


WorkingDays = Callable[[date, date], int]


def pace(target: float, actual: float, period: Period, today: date, working_days: WorkingDays) -> dict[str, Any]:
    """Where the actual should be by the end of today if the period's working days were spread evenly,
    and what is needed per remaining working day (today included) to finish on target."""
    total = working_days(period.start, period.end)
    day_after = min(max(today + timedelta(days=1), period.start), period.end)
    elapsed = working_days(period.start, day_after)
    remaining = working_days(min(max(today, period.start), period.end), period.end)
    expected = round(target * elapsed / total, 2) if total else None
    left = max(target - actual, 0)
    return {
        "working_days": {"total": total, "elapsed": elapsed, "remaining": remaining},
        "expected": expected,
        "ahead": None if expected is None else round(actual - expected, 2),
        "status": None if expected is None else ("ahead" if actual > expected else "behind" if actual < expected else "on_pace"),
        "needed_per_day": None if not remaining else round(left / remaining, 2),
    }


def target_progress(
    targets: Iterable[Record],
    activities: Iterable[Record],
    leads: Iterable[Record],
    period: Period,
    tz: tzinfo,
    *,
    rep: str | None,
    today: date | None = None,
    working_days: WorkingDays | None = None,
    metrics_for: Callable[[str | None], Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Each target of this scope and period kind with its actual and progress (actual / target), and
    its pace when `today` and a working-day counter are given. `metrics_for(motion)` may supply the
    metrics (from rollups) instead of computing them from `activities`."""
    activities, leads = list(activities), list(leads)
    cache: dict[str | None, dict[str, Any]] = {}
    rows = []
    for target in targets:
        if target.get("rep") != rep or target["per"] != (period.kind.value if period.kind else None):
            continue
        motion = target.get("motion")
        if motion not in cache:
            cache[motion] = (metrics_for(motion) if metrics_for is not None else
                             compute_kpis(activities, leads, period, tz, rep=rep, motion=motion)["metrics"])
        actual = cache[motion][target["metric"]]
        row = {
            "id": target["id"], "metric": target["metric"], "per": target["per"], "rep": rep,
            "motion": motion, "target": target["value"], "actual": actual,
            "progress": rate(actual, target["value"]),
        }
        if today is not None and working_days is not None:
            row.update(pace(target["value"], actual, period, today, working_days))
        rows.append(row)
    return sorted(rows, key=lambda r: (COUNT_METRICS.index(r["metric"]), r["motion"] or ""))


def daily_trend(activities: Iterable[Record], period: Period, tz: tzinfo, *, rep: str | None = None) -> list[dict[str, Any]]:
    """Calls, connects and meetings per day of the period (days with nothing count zero)."""
    days = {period.start + timedelta(days=i): {"calls": 0, "connects": 0, "meetings": 0} for i in range(period.days)}
    for activity in activities:
        if rep is not None and activity["rep"] != rep:
            continue
        day = datetime.fromisoformat(activity["at"]).astimezone(tz).date()
        row = days.get(day)
        if row is None:
            continue
        if activity["kind"] == ActivityKind.CALL:
            row["calls"] += 1
            row["connects"] += activity.get("outcome") in REACHED_OUTCOMES
        if activity.get("outcome") == MEETING_BOOKED:
            row["meetings"] += 1
    return [{"day": day.isoformat(), **row} for day, row in sorted(days.items())]
