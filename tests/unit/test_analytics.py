"""Funnel, previous-period deltas, heatmaps in the workspace timezone, leaderboard: known answers by hand."""

from __future__ import annotations

from datetime import date, datetime

from istui.domain.periods import parse_period
from istui.services import analytics as an
from istui.services.kpi import RawTallies, compute_kpis

from test_kpi import ACTIVITIES, LEADS, NOVEMBER, TOKYO, act


def cohort_funnel(activities: list[dict], leads: list[dict]) -> list[dict]:
    combined = RawTallies(activities, TOKYO, leads).combined(NOVEMBER.start, NOVEMBER.end, None)
    return an.funnel(combined.metrics(), combined)


def expected_cohorts(activities: list[dict]) -> list[tuple[int, float | None]]:
    """Independently: per step the leads that reached it in November, and the share of the step before's
    leads that reached it (orders: the latest closing of the lead in November is a win)."""
    def day(a: dict) -> str:
        return datetime.fromisoformat(a["at"]).astimezone(TOKYO).date().isoformat()

    inside = [a for a in activities if "2026-11-01" <= day(a) < "2026-12-01"]
    reached = {"connected", "meeting_booked", "not_interested", "callback", "do_not_call"}
    latest: dict = {}
    for a in sorted(inside, key=lambda a: (a["at"], a["id"])):
        if a["kind"] == "stage" and a["outcome"] in ("won", "lost"):
            latest[a["lead"]] = a["outcome"]
    sets = [{a["lead"] for a in inside if a["kind"] == "call"},
            {a["lead"] for a in inside if a["kind"] == "call" and a["outcome"] in reached},
            {a["lead"] for a in inside if a["outcome"] == "meeting_booked"},
            {a["lead"] for a in inside if a["kind"] == "stage" and a["outcome"] == "handed_off"},
            {lead for lead, outcome in latest.items() if outcome == "won"}]
    return [(len(s), None if i == 0 or not sets[i - 1] else round(len(sets[i - 1] & s) / len(sets[i - 1]), 4))
            for i, s in enumerate(sets)]


def test_funnel_and_weakest_step() -> None:
    steps = cohort_funnel(ACTIVITIES, LEADS)
    assert [s["count"] for s in steps] == [7, 4, 1, 1, 1]  # the activity counts, as before
    assert [(s["leads"], s["rate_from_previous"]) for s in steps] == expected_cohorts(ACTIVITIES)
    assert an.weakest_step(steps) is not None
    empty = cohort_funnel([], [])
    assert an.weakest_step(empty) is None and all(s["rate_from_previous"] is None for s in empty[1:])
    whole = [{"step": "calls", "rate_from_previous": None}, {"step": "connects", "rate_from_previous": None},
             {"step": "orders", "rate_from_previous": 1.0}]
    assert an.weakest_step(whole) is None  # one step, and it lost no lead: nothing is weak
    whole[1]["rate_from_previous"] = 0.25
    assert an.weakest_step(whole) is whole[1]


def test_a_later_step_with_more_events_than_the_one_before_stays_at_most_100_percent() -> None:
    """2 leads handed off in November, 13 orders from leads handed off before: the old funnel said 650 %."""
    acts = [act(f"H{i}", "alice", "stage", "handed_off", f"2026-11-0{i + 2}T10:00:00") for i in range(2)]
    acts += [act(f"O{i}", "alice", "stage", "handed_off", "2026-10-05T10:00:00") for i in range(13)]
    acts += [act(f"O{i}", "alice", "stage", "won", "2026-11-10T10:00:00", amount=100_000) for i in range(13)]
    acts += [act("H0", "alice", "stage", "won", "2026-11-20T10:00:00", amount=500_000)]
    steps = {s["step"]: s for s in cohort_funnel(acts, [])}
    assert (steps["handoffs"]["count"], steps["orders"]["count"]) == (2, 14)
    assert (steps["orders"]["converted"], steps["orders"]["rate_from_previous"]) == (1, 0.5)
    assert [(s["leads"], s["rate_from_previous"]) for s in steps.values()] == expected_cohorts(acts)


def test_previous_period_of_each_kind() -> None:
    today = date(2026, 11, 27)
    cases = {"month": ("2026-10-01", "2026-11-01"), "week": ("2026-11-16", "2026-11-23"),
             "quarter": ("2026-07-01", "2026-10-01"), "fy": ("2025-04-01", "2026-04-01"),
             "today": ("2026-11-26", "2026-11-27"), "2026-11-10..2026-11-19": ("2026-10-31", "2026-11-10")}
    for spec, (start, end) in cases.items():
        previous = an.previous_period(parse_period(spec, today))
        assert (previous.start.isoformat(), previous.end.isoformat()) == (start, end), spec


def test_deltas_against_october() -> None:
    now = compute_kpis(ACTIVITIES, LEADS, NOVEMBER, TOKYO)["metrics"]
    before = compute_kpis(ACTIVITIES, LEADS, an.previous_period(NOVEMBER), TOKYO)["metrics"]
    assert (before["calls"], before["connects"], before["meeting_rate"], before["win_rate"]) == (1, 0, 0.0, None)
    changes = an.deltas(now, before)
    assert changes["calls"] == {"current": 7, "previous": 1, "delta": 6, "direction": "up"}
    assert changes["connect_rate"] == {"current": 0.5714, "previous": 0.0, "delta": 0.5714, "direction": "up"}
    assert changes["meeting_rate"]["delta"] == 0.2
    assert changes["win_rate"] == {"current": 0.5, "previous": None, "delta": None, "direction": None}
    assert changes["lost"]["direction"] == "up" and changes["emails"]["direction"] == "up"


def test_heatmap_bins_are_in_the_workspace_timezone() -> None:
    start, end = NOVEMBER.bounds(TOKYO)
    calls = [act("L1", "alice", "call", outcome, f"2026-11-02T01:{m:02d}:00+00:00")  # Monday 10:xx in Tokyo
             for m, outcome in enumerate(("connected", "no_answer", "meeting_booked", "busy", "callback"))]
    calls.append(act("L2", "alice", "call", "connected", "2026-11-03T05:00:00+00:00"))  # Tuesday 14:00, one call
    mails = [act("L3", "bob", "email", "sent", "2026-11-04T00:30:00+00:00"),  # Wednesday 09:30, opened
             act("L3", "bob", "email", "opened", "2026-11-04T03:00:00+00:00"),
             act("L4", "bob", "email", "sent", "2026-11-04T00:40:00+00:00"),  # not opened before the next sent
             act("L4", "bob", "email", "sent", "2026-11-05T00:40:00+00:00"),
             act("L4", "bob", "email", "opened", "2026-11-05T02:00:00+00:00")]
    maps = an.heatmaps(calls + mails, start, end, TOKYO)
    cells = {(c["weekday"], c["hour"]): c for c in maps["connect_rate"]}
    assert cells[("mon", 10)] == {"weekday": "mon", "hour": 10, "events": 5, "hits": 3, "rate": 0.6, "too_few": False}
    assert cells[("tue", 14)]["too_few"] and cells[("tue", 14)]["rate"] is None
    opens = {(c["weekday"], c["hour"]): (c["events"], c["hits"]) for c in maps["open_rate"]}
    assert opens == {("wed", 9): (2, 1), ("thu", 9): (1, 1)}
    assert an.best_cells(maps["connect_rate"]) == [cells[("mon", 10)]]
    assert an.heatmaps(calls, start, end, TOKYO, rep="bob")["connect_rate"] == []


def test_leaderboard_and_weekly_trend() -> None:
    start, end = NOVEMBER.bounds(TOKYO)
    board = an.leaderboard(ACTIVITIES, start, end)
    assert [(r["rep"], r["calls"], r["meetings"], r["orders"], r["amount"]) for r in board] == [
        ("alice", 5, 1, 1, 1_200_000), ("bob", 2, 0, 0, 0)]
    daily = [{"day": f"2026-11-{d:02d}", "calls": d, "connects": 1, "meetings": 0} for d in range(22, 30)]
    weeks = an.weekly_trend(daily)
    assert weeks == [{"week": "2026-11-16", "days": 1, "calls": 22, "connects": 1, "meetings": 0},
                     {"week": "2026-11-23", "days": 7, "calls": sum(range(23, 30)), "connects": 7, "meetings": 0}]
