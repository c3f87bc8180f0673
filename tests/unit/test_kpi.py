"""KPI definitions of DESIGN.md section 4 on a hand-built dataset whose answers are worked out by hand."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from istui.domain.periods import month_of, parse_period
from istui.services.kpi import compute_kpis, target_progress

TOKYO = ZoneInfo("Asia/Tokyo")
NOVEMBER = month_of(date(2026, 11, 1))


def lead(lead_id, source, motion, owner, created, company="Co"):
    return {"id": lead_id, "source": source, "motion": motion, "owner": owner, "company": company,
            "created_at": f"{created}T09:00:00+09:00"}


def act(lead_id, rep, kind, outcome, at, **extra):
    at = at if "+" in at or at.endswith("Z") else f"{at}+09:00"
    return {"id": f"{lead_id}-{at}-{outcome}", "lead": lead_id, "rep": rep, "kind": kind, "outcome": outcome, "at": at, **extra}


LEADS = [
    lead("L1", "web_inquiry", "sdr", "alice", "2026-11-02"),
    lead("L2", "trade_show", "sdr", "alice", "2026-11-03"),
    lead("L3", "outbound_list", "bdr", "bob", "2026-11-04", company="Acme"),
    lead("L4", "outbound_list", "bdr", "bob", "2026-11-05", company="  acme "),
    lead("L5", "web_inquiry", "sdr", "alice", "2026-10-20"),
]
ACTIVITIES = [
    act("L1", "alice", "call", "no_answer", "2026-11-02T10:00:00"),
    act("L1", "alice", "call", "connected", "2026-11-03T10:00:00", duration=95),
    act("L1", "alice", "call", "meeting_booked", "2026-11-04T11:00:00", duration=300),
    act("L2", "alice", "call", "voicemail", "2026-11-05T10:00:00", duration=20),
    act("L2", "alice", "email", "sent", "2026-11-05T10:05:00"),
    act("L2", "alice", "email", "opened", "2026-11-06T08:00:00"),
    act("L2", "alice", "email", "clicked", "2026-11-06T08:01:00"),
    act("L5", "alice", "call", "gatekeeper", "2026-10-31T14:59:59+00:00", duration=500),  # 23:59:59 JST, October: outside
    act("L5", "alice", "call", "gatekeeper", "2026-10-31T15:00:00+00:00"),  # 00:00 JST 1 November: inside
    act("L1", "alice", "stage", "handed_off", "2026-11-10T15:00:00"),
    act("L1", "alice", "stage", "won", "2026-11-20T15:00:00", amount=1_200_000),
    act("L3", "bob", "call", "do_not_call", "2026-11-06T10:00:00", duration=30),
    act("L4", "bob", "call", "not_interested", "2026-11-07T10:00:00", duration=45),
    act("L4", "bob", "email", "sent", "2026-11-07T11:00:00"),
    act("L4", "bob", "email", "replied", "2026-11-08T11:00:00"),
    act("L5", "bob", "stage", "lost", "2026-11-15T11:00:00"),
    act("L4", "bob", "email", "meeting_booked", "2026-12-02T11:00:00"),  # after the period
]


def test_team_metrics_for_november() -> None:
    metrics = compute_kpis(ACTIVITIES, LEADS, NOVEMBER, TOKYO)["metrics"]
    assert metrics == {
        "calls": 7, "connects": 4, "connect_rate": 0.5714,
        "emails": 2, "opens": 1, "clicks": 1, "replies": 1, "open_rate": 0.5, "click_rate": 0.5,
        "meetings": 1, "leads_worked": 5, "meeting_rate": 0.2,
        "handoffs": 1, "orders": 1, "amount": 1_200_000, "lost": 1, "win_rate": 0.5,
        "target_accounts": 1,
        # talk time: 95 + 300 + 20 + 30 + 45 s (October's 500 s outside); conversations: connected for ≥ 60 s
        # connects: 95 + 300 + 30 + 45 s (the voicemail's 20 s is no talk with a person) over 4 connects
        "talk_seconds": 490, "talk_minutes": 8.2, "conversations": 2, "connect_seconds": 470,
        "timed_connects": 4, "avg_talk_seconds": round(470 / 4),
    }


def test_rep_scope_counts_only_that_reps_activities() -> None:
    metrics = compute_kpis(ACTIVITIES, LEADS, NOVEMBER, TOKYO, rep="alice")["metrics"]
    assert (metrics["calls"], metrics["connects"], metrics["connect_rate"]) == (5, 2, 0.4)
    assert (metrics["emails"], metrics["opens"], metrics["replies"]) == (1, 1, 0)
    assert (metrics["leads_worked"], metrics["meeting_rate"]) == (3, 0.3333)
    assert (metrics["orders"], metrics["lost"], metrics["win_rate"]) == (1, 0, 1.0)
    assert metrics["target_accounts"] == 0
    assert (metrics["talk_seconds"], metrics["conversations"], metrics["avg_talk_seconds"]) == (415, 2, round(395 / 2))


def test_by_source_cohort_counts_later_meetings() -> None:
    by_source = compute_kpis(ACTIVITIES, LEADS, NOVEMBER, TOKYO)["by_source"]
    assert by_source == {
        "outbound_list": {"leads": 2, "meetings": 1, "meeting_rate": 0.5, "orders": 0, "amount": 0, "lost": 0, "win_rate": None},
        "trade_show": {"leads": 1, "meetings": 0, "meeting_rate": 0.0, "orders": 0, "amount": 0, "lost": 0, "win_rate": None},
        "web_inquiry": {"leads": 1, "meetings": 1, "meeting_rate": 1.0, "orders": 1, "amount": 1_200_000, "lost": 0, "win_rate": 1.0},
    }


def test_zero_denominators_are_null_not_zero() -> None:
    september = month_of(date(2026, 9, 1))
    result = compute_kpis(ACTIVITIES, LEADS, september, TOKYO)
    metrics = result["metrics"]
    for name in ("connect_rate", "open_rate", "click_rate", "meeting_rate", "win_rate"):
        assert metrics[name] is None
    assert metrics["calls"] == 0
    assert result["by_source"] == {}


def test_motion_scope_and_target_progress() -> None:
    targets = [
        {"id": "T1", "metric": "meetings", "value": 2, "per": "month", "rep": None, "motion": None},
        {"id": "T2", "metric": "meetings", "value": 1, "per": "month", "rep": None, "motion": "bdr"},
        {"id": "T3", "metric": "calls", "value": 60, "per": "day", "rep": None, "motion": None},  # other period kind
        {"id": "T4", "metric": "calls", "value": 10, "per": "month", "rep": "alice", "motion": None},  # other scope
        {"id": "T5", "metric": "amount", "value": 2_400_000, "per": "month", "rep": None, "motion": None},
    ]
    rows = target_progress(targets, ACTIVITIES, LEADS, NOVEMBER, TOKYO, rep=None)
    assert [(r["id"], r["actual"], r["progress"]) for r in rows] == [
        ("T1", 1, 0.5), ("T2", 0, 0.0), ("T5", 1_200_000, 0.5),
    ]
    alice = target_progress(targets, ACTIVITIES, LEADS, NOVEMBER, TOKYO, rep="alice")
    assert [(r["id"], r["actual"], r["progress"]) for r in alice] == [("T4", 5, 0.5)]


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [
        ("today", "2026-11-27", "2026-11-28"),
        ("yesterday", "2026-11-26", "2026-11-27"),
        ("week", "2026-11-23", "2026-11-30"),
        ("last_week", "2026-11-16", "2026-11-23"),
        ("month", "2026-11-01", "2026-12-01"),
        ("last-month", "2026-10-01", "2026-11-01"),
        ("quarter", "2026-10-01", "2027-01-01"),  # fiscal Q3 of an April year
        ("fy", "2026-04-01", "2027-04-01"),
        ("2026-02", "2026-02-01", "2026-03-01"),
        ("2026-11-01..2026-11-15", "2026-11-01", "2026-11-16"),
    ],
)
def test_periods(spec: str, start: str, end: str) -> None:
    period = parse_period(spec, date(2026, 11, 27))
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_week_start_and_fiscal_year_settings() -> None:
    sunday_week = parse_period("week", date(2026, 11, 27), week_start=6)
    assert sunday_week.start == date(2026, 11, 22)
    calendar_fy = parse_period("fy", date(2026, 11, 27), fy_start_month=1)
    assert (calendar_fy.start, calendar_fy.end) == (date(2026, 1, 1), date(2027, 1, 1))
    q = parse_period("quarter", date(2026, 2, 10), fy_start_month=4)
    assert (q.start, q.end, q.label) == (date(2026, 1, 1), date(2026, 4, 1), "FY2025 Q4")
    assert parse_period("fy", date(2026, 11, 27)).months()[0] == "2026-04"


def test_pace_mid_month_with_japanese_holidays() -> None:
    """November 2026 in Japan: 21 weekdays less Culture Day (3rd) and Labor Thanksgiving (23rd) = 19 working days.
    On Friday the 27th, 18 of them have passed (today included) and 2 remain (the 27th and the 30th)."""
    from istui.services.calendar import WorkCalendar
    from istui.services.kpi import pace

    calendar = WorkCalendar("JP")
    assert calendar.working_days(date(2026, 11, 1), date(2026, 12, 1)) == 19
    result = pace(19, 12, NOVEMBER, date(2026, 11, 27), calendar.working_days)  # at the end of the 27th's hours
    assert result == {"working_days": {"total": 19, "elapsed": 18, "remaining": 2, "elapsed_now": 18.0,
                                       "remaining_now": 1.0},
                      "expected": 18.0, "ahead": -6.0, "status": "behind", "needed_per_day": 7.0}
    morning = pace(19, 12, NOVEMBER, date(2026, 11, 27), calendar.working_days, day_fraction=0.0)  # before 09:00
    assert (morning["expected"], morning["needed_per_day"]) == (17.0, 3.5)
    company = WorkCalendar("JP", extra=["2026-11-30"], working=["2026-11-23"])  # a day off, a worked holiday
    assert company.working_days(date(2026, 11, 1), date(2026, 12, 1)) == 19
    assert pace(19, 20, NOVEMBER, date(2026, 11, 27), company.working_days, day_fraction=0.5)["needed_per_day"] == 0.0
    assert WorkCalendar("").working_days(date(2026, 11, 1), date(2026, 12, 1)) == 21


def test_pace_before_and_after_the_period() -> None:
    from istui.services.calendar import WorkCalendar
    from istui.services.kpi import pace

    days = WorkCalendar("").working_days
    after = pace(10, 4, NOVEMBER, date(2026, 12, 5), days)
    assert after["working_days"] == {"total": 21, "elapsed": 21, "remaining": 0, "elapsed_now": 21.0, "remaining_now": 0.0}
    assert (after["expected"], after["needed_per_day"], after["status"]) == (10.0, None, "behind")
    before = pace(10, 0, NOVEMBER, date(2026, 10, 20), days)
    assert (before["working_days"]["elapsed"], before["expected"], before["needed_per_day"]) == (0, 0.0, round(10 / 21, 2))


def test_pace_words_never_show_a_negative_or_zero_gap() -> None:
    from istui.domain import labels

    assert labels.pace_gap("ahead", 123.7) == "ahead by 124"
    assert labels.pace_gap("behind", -12.2) == "behind by 12"
    assert labels.pace_gap("ahead", 0.4) == labels.pace_gap("on_pace", 0.0) == "on pace"
    assert labels.daily_gap(-123.7) == "ahead by 123.7" and labels.daily_gap(6.1) == "behind by 6.1"
    assert labels.daily_gap(-0.004) == "on pace" and labels.daily_gap(None) == "–"
    assert labels.daily_gap(0.04) == "behind by 0.04"  # nearly an order a month short: not "on pace"


def test_amounts_past_a_floats_cents_are_shown_never_a_decimal_error() -> None:
    """A won amount of 1e300 (hand-edited, or a teammate's file) crashed `lead show`, `kpi` and `review` with
    decimal.InvalidOperation; it is shown as it is."""
    from istui.domain.formatting import money, rounded

    assert rounded(1234.5) == 1235 and rounded(12.345, "USD") == 12.35
    assert rounded(1e300) == int(1e300) and rounded(-1e20) == -(10**20)
    assert money(1e20) == "¥100,000,000,000,000,000,000"
    assert rounded(float("inf")) == float("inf")


def test_per_day_figures_read_alike_in_a_column() -> None:
    from istui.domain.formatting import per_day

    assert [per_day(v) for v in (3425.333, 79.3, 45, 2, 0.5, 0.04, None)] == [
        "3,425.3", "79.3", "45.0", "2.0", "0.50", "0.04", "–"]


@pytest.mark.parametrize("spec", ["9999-12", "1900-01", "2026-01-01..9999-12-31", "0001-01-01..2026-01-01"])
def test_a_period_outside_the_stored_years_is_one_sentence(spec: str) -> None:
    from istui.domain.errors import BadInput
    from istui.domain.periods import parse_period

    with pytest.raises(BadInput, match="outside the years 1970–2199"):
        parse_period(spec, date(2026, 12, 3))
