"""The one count of activities: checked against an independent count over random activities, equal
whether counted whole or file by file (so raw == rollup by construction), and equal on disk through
the kept rollups; the rules where the old copies disagreed are pinned (DESIGN.md section 4)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from istui.domain.outcomes import REACHED_OUTCOMES
from istui.services import analytics as an
from istui.services.counting import Combined, tally, tally_by_file
from istui.services.kpi import RawTallies, compute_kpis

from random_activities import LEADS, NOVEMBER, REPS, START, TOKYO, activities  # noqa: F401


def naive_metrics(acts: list[dict], start: datetime, end: datetime) -> dict:
    """DESIGN.md section 4, counted the plain way."""
    inside = [a for a in acts if start <= datetime.fromisoformat(a["at"]) < end]
    calls = [a for a in inside if a["kind"] == "call"]
    mails = [a for a in inside if a["kind"] == "email"]
    latest: dict[str, dict] = {}
    for a in sorted((a for a in inside if a["kind"] == "stage" and a["outcome"] in ("won", "lost")),
                    key=lambda a: (datetime.fromisoformat(a["at"]), a["id"])):
        latest[a["lead"]] = a
    won = [a for a in latest.values() if a["outcome"] == "won"]
    return {"calls": len(calls), "connects": sum(a["outcome"] in REACHED_OUTCOMES for a in calls),
            "emails": sum(a["outcome"] == "sent" for a in mails), "opens": sum(a["outcome"] == "opened" for a in mails),
            "clicks": sum(a["outcome"] == "clicked" for a in mails), "replies": sum(a["outcome"] == "replied" for a in mails),
            "meetings": sum(a["outcome"] == "meeting_booked" for a in inside),
            "handoffs": sum(a["kind"] == "stage" and a["outcome"] == "handed_off" for a in inside),
            "leads_worked": len({a["lead"] for a in calls + mails}), "orders": len(won),
            "amount": sum(a["amount"] for a in won), "lost": len(latest) - len(won),
            "talk_seconds": sum(a.get("duration", 0) for a in calls),
            "conversations": sum(a["outcome"] in REACHED_OUTCOMES and a.get("duration", 0) >= 60 for a in calls),
            "connect_seconds": sum(a.get("duration", 0) for a in calls if a["outcome"] in REACHED_OUTCOMES),
            "timed_connects": sum(1 for a in calls if a["outcome"] in REACHED_OUTCOMES and a.get("duration"))}


@settings(max_examples=300, deadline=None)
@given(acts=activities)
def test_metrics_equal_an_independent_count(acts) -> None:
    start, end = NOVEMBER.bounds(TOKYO)
    metrics = compute_kpis(acts, [], NOVEMBER, TOKYO)["metrics"]
    expected = naive_metrics(acts, start, end)
    assert {k: metrics[k] for k in expected} == expected
    timed = expected["timed_connects"]  # average talk per connect: of the connects that were timed
    assert metrics["avg_talk_seconds"] == (round(round(expected["connect_seconds"] / timed, 4)) if timed else None)


@settings(max_examples=300, deadline=None)
@given(acts=activities)
def test_counting_file_by_file_equals_counting_everything_at_once(acts) -> None:
    """What makes the rollups equal the raw report: a tally does not depend on how activities are split
    into files (one rep's month each)."""
    whole, split = Combined([tally(acts, TOKYO)]), Combined(tally_by_file(acts, TOKYO).values())
    for name in ("booked", "closings", "counts", "days", "heat_calls", "heat_mails", "notes", "worked"):
        assert (getattr(split, name) or None) == (getattr(whole, name) or None), name  # nothing counted: None or empty


@settings(max_examples=200, deadline=None)
@given(acts=activities)
def test_the_call_heatmap_equals_an_independent_count_and_names_only_hours_with_calls(acts) -> None:
    """Per local (weekday, hour): [calls, connects]; an hour with only e-mails or stage changes is no cell (it
    would draw as a column of dots)."""
    expected: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for a in acts:
        if a["kind"] == "call":
            local = datetime.fromisoformat(a["at"]).astimezone(TOKYO)
            expected[(local.weekday(), local.hour)][0] += 1
            expected[(local.weekday(), local.hour)][1] += a["outcome"] in REACHED_OUTCOMES
    assert tally(acts, TOKYO)["heat_calls"] == dict(expected)


def act(n: int, lead: str, kind: str, outcome: str, at: str, rep: str = "alice", **extra) -> dict:
    return {"id": f"A{n:03d}", "lead": lead, "rep": rep, "kind": kind, "outcome": outcome, "at": at + "+09:00", **extra}


def test_a_reopened_deal_counts_once_with_its_last_outcome_and_amount() -> None:
    acts = [act(1, "L1", "stage", "won", "2026-11-05T10:00:00", amount=1_000_000),
            act(2, "L1", "stage", "lost", "2026-11-10T10:00:00"),
            act(3, "L1", "stage", "won", "2026-11-20T10:00:00", amount=1_200_000),
            act(4, "L2", "stage", "won", "2026-11-06T10:00:00", amount=30_000),
            act(5, "L2", "stage", "lost", "2026-11-07T10:00:00")]
    leads = [{"id": "L1", "company": "A", "source": "web_inquiry", "motion": "sdr", "created_at": "2026-11-01T09:00:00+09:00"},
             {"id": "L2", "company": "B", "source": "web_inquiry", "motion": "sdr", "created_at": "2026-11-01T09:00:00+09:00"}]
    result = compute_kpis(acts, leads, NOVEMBER, TOKYO)
    metrics = result["metrics"]
    assert (metrics["orders"], metrics["amount"], metrics["lost"], metrics["win_rate"]) == (1, 1_200_000, 1, 0.5)
    row = result["by_source"]["web_inquiry"]
    assert (row["orders"], row["amount"], row["lost"], row["win_rate"]) == (1, 1_200_000, 1, 0.5)
    combined = RawTallies(acts, TOKYO, leads).combined(NOVEMBER.start, NOVEMBER.end, None)
    assert an.funnel(metrics, combined)[-1]["count"] == an.funnel(metrics, combined)[-1]["leads"] == 1


def test_a_send_counts_as_opened_only_when_the_same_reps_next_event_that_month_is_an_open() -> None:
    """The e-mail heatmap's pairing (the raw report paired across months and reps, the rollups within one
    file; the rollups' rule is now the only one): an open in the next month, or by another rep, does not
    make a send opened."""
    acts = [act(1, "L1", "email", "sent", "2026-11-30T09:10:00"), act(2, "L1", "email", "opened", "2026-12-01T08:00:00"),
            act(3, "L2", "email", "sent", "2026-11-16T09:20:00"),
            act(4, "L2", "email", "opened", "2026-11-16T11:00:00", rep="bob"),
            act(5, "L3", "email", "sent", "2026-11-17T09:30:00"), act(6, "L3", "email", "opened", "2026-11-18T08:00:00")]
    start, end = NOVEMBER.bounds(TOKYO)
    cells = {(c["weekday"], c["hour"]): (c["events"], c["hits"]) for c in an.heatmaps(acts, start, end, TOKYO)["open_rate"]}
    assert cells == {("mon", 9): (2, 0), ("tue", 9): (1, 1)}


def test_leads_worked_are_distinct_across_files() -> None:
    acts = [act(1, "L1", "call", "no_answer", "2026-11-02T10:00:00"), act(2, "L1", "call", "busy", "2026-11-03T10:00:00", rep="bob"),
            act(3, "L1", "email", "sent", "2026-12-01T10:00:00")]
    by_file = tally_by_file(acts, TOKYO)
    assert sorted(by_file) == ["alice/2026-11", "alice/2026-12", "bob/2026-11"]
    assert Combined(by_file.values()).metrics()["leads_worked"] == 1
    per_day = defaultdict(int)
    for counted in by_file.values():
        for day, counts in counted["days"].items():
            per_day[date.fromordinal(day).isoformat()] += counts["calls"]
    assert dict(per_day) == {"2026-11-02": 1, "2026-11-03": 1, "2026-12-01": 0}


@given(acts=activities)
@settings(max_examples=60, deadline=None)
def test_every_funnel_and_kpi_rate_is_a_share_or_none(acts) -> None:
    """Every rate of the metrics, of the by-source rows and of the cohort funnel is in [0, 1] or None."""
    leads = [{"id": lead, "company": lead, "source": "web_inquiry", "motion": "sdr",
              "created_at": "2026-11-02T09:00:00+09:00"} for lead in LEADS]
    result = compute_kpis(acts, leads, NOVEMBER, TOKYO)
    rates = [value for name, value in result["metrics"].items() if name.endswith("_rate")]
    rates += [row[name] for row in result["by_source"].values() for name in ("meeting_rate", "win_rate")]
    combined = RawTallies(acts, TOKYO, leads).combined(NOVEMBER.start, NOVEMBER.end, None)
    rates += [step["rate_from_previous"] for step in an.funnel(result["metrics"], combined)]
    assert all(value is None or 0 <= value <= 1 for value in rates), rates


@settings(max_examples=300)
@given(moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
       written_in=st.sampled_from(["UTC", "Asia/Tokyo", "Asia/Kolkata", "America/New_York", "Australia/Lord_Howe",
                                   "Asia/Kathmandu", "America/St_Johns"]),
       counted_in=st.sampled_from(["Asia/Tokyo", "America/New_York", "Australia/Lord_Howe", "Europe/London",
                                   "Asia/Kolkata"]))
def test_local_hours_are_the_local_day_weekday_and_hour_of_each_time(moment, written_in, counted_in) -> None:
    """The remembered local hour of a time (shared by the times of its hour) is the time's own, in zones
    with half-hour offsets and clock changes, written in one zone and counted in another."""
    from zoneinfo import ZoneInfo

    from istui.services.counting import LocalHours

    local_hours = LocalHours(ZoneInfo(counted_in))
    for minutes in (0, 17, 29, 30, 31, 59):  # the same hour of text: the first fills the memory
        at = moment.replace(minute=minutes, tzinfo=ZoneInfo(written_in)).isoformat(timespec="seconds")
        local = datetime.fromisoformat(at).astimezone(ZoneInfo(counted_in))
        assert local_hours(at) == (local.toordinal(), local.weekday(), local.hour), at
