"""Issue 12, the figures: like-for-like comparisons, daily targets in the week, "missed" meaning behind
pace, and pace by the time of day — on a frozen clock (ISTUI_NOW), checked against counts made here."""

from __future__ import annotations

from datetime import datetime

import pytest

from conftest import add_lead


def log_calls(cli, lead_id: str, moments: list[str]) -> None:
    for moment in moments:
        assert cli("log", "call", lead_id, "-o", "2", "--at", moment, "--next", "2026-12-20 10:00").code == 0


def calls_on(cli, days: set[str]) -> int:
    """An independent count: the call activities of the export whose local day is one of `days`."""
    activities = cli("export", "activities", "--format", "json").json
    return sum(1 for a in activities if a["kind"] == "call" and datetime.fromisoformat(a["at"]).date().isoformat() in days)


def test_a_running_period_is_compared_up_to_the_same_point_of_the_working_day(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    lead = add_lead(cli, "Acme")
    # Tue 1 December (Mon 30 November before it); calls on Mon 30 Nov at 08:30, 10:00, 12:00 and 17:00
    monkeypatch.setenv("ISTUI_NOW", "2026-12-01T08:00:00+09:00")
    log_calls(cli, lead["id"], ["2026-11-30 08:30", "2026-11-30 10:00", "2026-11-30 12:00", "2026-11-30 17:00"])
    expected = {"08:50": 1, "11:00": 2, "12:30": 3, "18:30": 4}  # before work: the early call only; after: all four
    for clock, calls in expected.items():
        monkeypatch.setenv("ISTUI_NOW", f"2026-12-01T{clock}:00+09:00")
        report = cli("kpi", "--team", "--period", "today", "--json").json
        assert report["previous"]["metrics"]["calls"] == calls, clock
        week = cli("kpi", "--team", "--period", "week", "--json").json  # the week of 30 Nov vs the week of 23 Nov
        assert week["previous"]["label"] == "week of 2026-11-23"
    monkeypatch.setenv("ISTUI_NOW", "2026-12-01T11:00:00+09:00")
    report = cli("kpi", "--team", "--period", "today", "--json").json
    assert report["previous"]["through"] == "2026-11-30T11:00+09:00"
    assert report["previous"]["end"] == "2026-11-30T11:00:00+09:00"  # where the compared part ends
    # pace and the comparison count the same time gone: 2/9 of today's working hours
    assert cli("target", "set", "calls", "90", "--per", "day", "--team").code == 0
    target = cli("kpi", "--team", "--period", "today", "--json").json["targets"][0]
    assert target["working_days"]["elapsed_now"] == pytest.approx(2 / 9, abs=1e-3) and target["expected"] == 20


def test_a_month_two_days_old_is_compared_with_the_first_two_working_days(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    lead = add_lead(cli, "Acme")
    # November 2026 in Japan: Mon 2 and Wed 4 are its first two working days (Tue 3 is Culture Day)
    log_calls(cli, lead["id"], ["2026-11-02 10:00", "2026-11-02 11:00", "2026-11-02 12:00", "2026-11-04 10:00",
                                "2026-11-04 11:00", "2026-11-10 10:00", "2026-11-20 10:00", "2026-11-20 11:00",
                                "2026-11-26 10:00", "2026-11-26 11:00", "2026-11-26 12:00"])
    monkeypatch.setenv("ISTUI_NOW", "2026-12-02T17:00:00+09:00")  # Wednesday: December's 2nd working day
    log_calls(cli, lead["id"], ["2026-12-01 10:00", "2026-12-02 10:00", "2026-12-02 11:00"])
    first_two = calls_on(cli, {"2026-11-02", "2026-11-04"})
    assert first_two == 5 and calls_on(cli, {f"2026-11-{d:02d}" for d in range(1, 31)}) == 11
    report = cli("kpi", "--team", "--period", "month", "--json").json
    assert report["metrics"]["calls"] == calls_on(cli, {"2026-12-01", "2026-12-02"}) == 3
    assert report["previous"]["metrics"]["calls"] == first_two
    # 17:00 on the 2nd working day, working hours 09:00-18:00: one whole working day and 8/9 of the second gone,
    # so November is cut after Mon 2 and 8/9 of Wed 4's hours, at 17:00
    assert report["previous"]["through"] == "2026-11-04T17:00+09:00"
    assert report["deltas"]["calls"] == {"current": 3, "previous": 5, "delta": -2, "direction": "down"}
    findings = cli("review", "--team", "--period", "month", "--json").json
    assert "Calls fell from 5 to 3: protect call blocks in the calendar." in findings["focus"]
    assert "(vs November 2026 through Wed 2026-11-04 17:00)" in cli("review", "--team", "--period", "month").out
    # a period that has ended is compared with the whole previous one
    october = cli("kpi", "--team", "--period", "2026-11", "--json").json
    assert october["previous"]["through"] is None and october["metrics"]["calls"] == 11


def test_a_weekly_review_counts_the_daily_target_and_lists_it_as_behind_while_the_week_runs(cli) -> None:
    lead = add_lead(cli, "Acme")
    log_calls(cli, lead["id"], [f"2026-11-{day} {hour}:00" for day in (24, 25, 26) for hour in (10, 11, 12, 13, 14, 15)]
              + [f"2026-11-27 {hour:02d}:00" for hour in (8, 9, 10)] + ["2026-11-27 10:15", "2026-11-27 10:20",
                                                                       "2026-11-27 10:25", "2026-11-27 10:29"])
    assert cli("target", "set", "calls", "60", "--per", "day").code == 0
    week = {f"2026-11-{day}" for day in range(23, 30)}
    made = calls_on(cli, week)
    assert made == 25
    findings = cli("review", "--period", "week", "--json").json
    # Mon 23 is Labor Thanksgiving Day: 4 working days, so the week's target is 60 × 4 = 240
    assert findings["targets_missed"][0].startswith(f"calls: {made} of 240 (10.4%) (60/day × 4 working days), behind by")
    assert findings["targets_hit"] == [] and findings["targets_on_track"] == []
    assert findings["targets_behind"] == findings["targets_missed"]  # Friday 10:30: the week still runs
    text = cli("review", "--period", "week").out
    assert "Targets behind pace so far\n- calls: 25 of 240" in text and "Targets missed" not in text
    report = cli("kpi", "--period", "week", "--json").json
    assert [(t["metric"], t["per"], t["per_day"], t["target"]) for t in report["targets"]] == [("calls", "week", 60, 240)]


def test_a_target_ahead_of_pace_is_not_missed(cli) -> None:
    lead = add_lead(cli, "Acme")
    log_calls(cli, lead["id"], [f"2026-11-{day} {hour}:00" for day in (24, 25, 26) for hour in (10, 11, 12, 13, 14, 15)]
              + ["2026-11-27 09:30"])
    assert cli("target", "set", "calls", "20", "--per", "week").code == 0
    assert cli("target", "set", "meetings", "2", "--per", "week").code == 0  # none booked: behind pace
    findings = cli("review", "--period", "week", "--json").json
    # at 10:30 on Friday, 3 + 1.5/9 of 4 working days have gone by: 20 × 3.1667 / 4 = 15.8 expected, 19 made
    assert findings["targets_on_track"] == ["calls: 19 of 20 (95.0%), ahead by 3"]
    assert findings["targets_missed"] == ["meetings: 0 of 2 (0.0%), behind by 2"]
    assert "Targets on pace so far\n- calls: 19 of 20" in cli("review", "--period", "week").out


@pytest.mark.parametrize(("now", "expected", "words"), [
    ("2026-11-27T06:20:00+09:00", 0.0, "on pace"),  # before the working day: nothing is due yet
    ("2026-11-27T13:30:00+09:00", 30.0, "behind by 25"),  # 4.5 of 9 working hours: half of 60
    ("2026-11-27T19:00:00+09:00", 60.0, "behind by 55"),  # the working day is over: all of it
])
def test_pace_within_a_day_follows_the_working_hours(cli, monkeypatch: pytest.MonkeyPatch, now: str, expected: float,
                                                     words: str) -> None:
    lead = add_lead(cli, "Acme")
    monkeypatch.setenv("ISTUI_NOW", now)
    made = 5 if expected else 0
    log_calls(cli, lead["id"], [f"2026-11-27 06:0{minute}" for minute in range(made)])
    assert cli("target", "set", "calls", "60", "--per", "day").code == 0
    [target] = cli("kpi", "--json").json["targets"]
    assert (target["actual"], target["expected"]) == (made, expected)
    assert target["status"] == ("on_pace" if not expected else "behind")
    text = cli("kpi").out
    row = next(line for line in text.splitlines() if line.strip().startswith("calls") and "60" in line)
    assert words in row and "-0" not in row and "ahead 0" not in row
    if expected == 60.0:
        assert target["needed_per_day"] is None  # no working time left today
    else:
        assert target["needed_per_day"] == round((60 - made) / (1 - expected / 60), 2)


@pytest.mark.parametrize("columns", [100, 160])
def test_a_long_amount_pace_fits_the_targets_table(cli, monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    """An amount's pace reads whole and short ('ahead by ¥2.2M', not 'ahead by ¥2,208,6…'), at 100 and 160 columns."""
    from istui.domain.formatting import short_money

    assert [short_money(v) for v in (9_800, 590_476, 2_208_695, 16_000_000, 1_250_000_000)] == [
        "¥9,800", "¥590K", "¥2.2M", "¥16M", "¥1.2B"]
    monkeypatch.setenv("COLUMNS", str(columns))
    assert cli("target", "set", "amount", "16000000", "--per", "month", "--team").code == 0
    assert cli("target", "set", "calls", "60", "--per", "day", "--team").code == 0
    lead = add_lead(cli, "Big Order KK")
    assert cli("lead", "stage", lead["id"], "won", "--amount", "40000000").code == 0
    report = cli("kpi", "--team", "--period", "month", "--json").json
    amount = next(t for t in report["targets"] if t["metric"] == "amount")
    assert amount["status"] == "ahead" and amount["ahead"] > 1_000_000
    text = cli("kpi", "--team", "--period", "month").out
    line = next(row for row in text.splitlines() if row.lstrip().startswith("amount"))
    assert f"ahead by {short_money(amount['ahead'])}" in line and "…" not in line.split("ahead by")[1].split()[0]
    assert "¥40,000,000" in line and "¥16,000,000" in line  # actual and target stay whole
    assert all(len(row) <= columns for row in text.splitlines() if row.startswith("  ") and "%" in row)


def test_the_team_review_weighs_each_reps_targets_and_a_day_target_says_what_is_left(cli, monkeypatch) -> None:
    lead = add_lead(cli, "Acme")
    monkeypatch.setenv("ISTUI_NOW", "2026-12-02T12:00:00+09:00")  # Wednesday noon: 1/3 of the working day gone
    log_calls(cli, lead["id"], ["2026-12-02 10:00", "2026-12-02 11:00"])
    assert cli("target", "set", "calls", "60", "--per", "day").code == 0  # alice's own target, no team target
    findings = cli("review", "--team", "--period", "today", "--json").json
    # 2 of 60 at noon: 20 expected by now, behind by 18; and 58 left today (not "87/day")
    assert findings["targets_missed"] == ["alice · calls: 2 of 60 (3.3%), behind by 18"]
    assert "Catch up on calls: 58 more today to reach 60." in cli("review", "--period", "today", "--json").json["focus"]
    assert "58 more today" in cli("kpi", "--period", "today").out
