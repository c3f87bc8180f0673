"""The retry schedule's arithmetic (domain.schedule): working hours, working days, the end of the day,
Friday evening, holidays, the attempt limit, and the schedule table's validation."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from istui.domain.errors import BadInput
from istui.domain.schedule import (
    DEFAULT_RETRY_SCHEDULE,
    add_working_days,
    add_working_minutes,
    apply_delay,
    attempts_without_connect,
    decide,
    describe,
    into_working_time,
    validate_schedule,
)
from istui.store.settings import Settings

TOKYO = ZoneInfo("Asia/Tokyo")
HOURS = (time(9), time(18))
HOLIDAY = date(2026, 11, 23)  # 勤労感謝の日, a Monday


def working(day: date) -> bool:
    return day.weekday() < 5 and day != HOLIDAY


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


@pytest.mark.parametrize(("start", "minutes", "expected"), [
    ("2026-11-25 10:00", 120, "2026-11-25 12:00"),  # within the day
    ("2026-11-25 17:30", 120, "2026-11-26 10:30"),  # 30 min today, 90 tomorrow
    ("2026-11-25 16:00", 120, "2026-11-26 09:00"),  # exactly the end of the day: the next morning
    ("2026-11-27 17:30", 120, "2026-11-30 10:30"),  # Friday evening: Monday
    ("2026-11-20 17:00", 120, "2026-11-24 10:00"),  # Friday before a Monday holiday: Tuesday
    ("2026-11-25 06:20", 120, "2026-11-25 11:00"),  # before the day starts: from 09:00
    ("2026-11-28 11:00", 120, "2026-11-30 11:00"),  # on a Saturday: from Monday 09:00
    ("2026-11-25 20:00", 540, "2026-11-27 09:00"),  # a whole working day of hours
])
def test_working_hours(start: str, minutes: int, expected: str) -> None:
    assert add_working_minutes(at(start), minutes, HOURS, working) == at(expected)


@pytest.mark.parametrize(("start", "expected"), [
    ("2026-11-25 11:15", "2026-11-26 11:15"),  # the same time the next working day
    ("2026-11-27 15:00", "2026-11-30 15:00"),  # Friday: Monday
    ("2026-11-20 15:00", "2026-11-24 15:00"),  # over a holiday
    ("2026-11-25 19:40", "2026-11-26 09:00"),  # after hours: the start of the day
    ("2026-11-25 07:00", "2026-11-26 09:00"),  # before hours: the start of the day
    ("2026-11-28 10:00", "2026-11-30 10:00"),  # from a Saturday
])
def test_working_days(start: str, expected: str) -> None:
    assert add_working_days(at(start), 1, HOURS, working) == at(expected)


@pytest.mark.parametrize(("delay", "start", "expected"), [
    ("15min", "2026-11-25 10:00", "2026-11-25 10:15"),
    ("15min", "2026-11-25 17:50", "2026-11-26 09:00"),  # past the end of the day: the next day's start
    ("15min", "2026-11-27 17:50", "2026-11-30 09:00"),  # Friday evening
    ("90d", "2026-11-25 10:00", "2027-02-23 10:00"),  # calendar days, landing on a working day
    ("90d", "2026-08-25 10:00", "2026-11-24 09:00"),  # lands on the holiday: next working day's start
    ("2wd", "2026-11-26 10:00", "2026-11-30 10:00"),
])
def test_delays(delay: str, start: str, expected: str) -> None:
    assert apply_delay(at(start), delay, HOURS, working) == at(expected)


def test_working_hours_setting_changes_the_arithmetic() -> None:
    early = Settings(working_hours="08:00-17:00").work_hours
    assert add_working_minutes(at("2026-11-25 16:30"), 120, early, working) == at("2026-11-26 09:30")
    assert into_working_time(at("2026-11-25 08:10"), early, working) == at("2026-11-25 08:10")


def test_the_default_schedule_of_design_section_4() -> None:
    moment = at("2026-11-25 12:30")  # a Wednesday

    def after(outcome: str, **kw):
        return decide(outcome, moment, {}, HOURS, working, **kw)

    assert after("busy").next_at == at("2026-11-25 12:45")
    assert after("no_answer").next_at == after("gatekeeper").next_at == at("2026-11-25 14:30")
    assert after("voicemail").next_at == at("2026-11-26 12:30")
    callback = after("callback")
    assert callback.ask == "next" and callback.next_at == at("2026-11-26 12:30")  # kept queued until WHEN is typed
    nurture = after("not_interested")
    assert nurture.stage == "nurturing" and nurture.next_at == at("2027-02-23 12:30")
    assert after("wrong_number") == (None, None, {"phone_status": "wrong_number"}, None, "phone")
    assert after("do_not_call").fields == {"dnc": True} and after("do_not_call").next_at is None
    assert after("meeting_booked").ask == "meeting" and after("meeting_booked").next_at is None
    assert after("sent", email=True).next_at == at("2026-11-27 12:30")


def test_max_attempts_without_a_connect_moves_to_nurturing() -> None:
    moment = at("2026-11-25 12:30")
    assert decide("no_answer", moment, {}, HOURS, working, attempts=5).stage is None
    limit = decide("no_answer", moment, {}, HOURS, working, attempts=6)
    assert limit.stage == "nurturing" and limit.rule == "max_attempts" and limit.next_at == at("2027-02-23 12:30")
    assert decide("no_answer", moment, {"max_attempts": 2}, HOURS, working, attempts=2).stage == "nurturing"
    assert decide("connected", moment, {}, HOURS, working, attempts=9).stage is None  # a connect is no failed attempt
    assert attempts_without_connect(["no_answer", "connected", "busy", "voicemail"]) == 2
    assert attempts_without_connect(["callback"]) == 0


def test_a_workspace_schedule_overrides_the_defaults() -> None:
    moment = at("2026-11-25 12:30")
    assert decide("busy", moment, {"busy": "1wh"}, HOURS, working).next_at == at("2026-11-25 13:30")
    assert validate_schedule({"busy": "30min"})["busy"] == "30min"
    assert validate_schedule({})["no_answer"] == DEFAULT_RETRY_SCHEDULE["no_answer"]


def test_describe_reads_as_the_call_block_shows_it() -> None:
    now = at("2026-11-25 12:30")
    assert describe(decide("no_answer", now, {}, HOURS, working), now) == "retry today 14:30"
    assert describe(decide("callback", now, {}, HOURS, working), now) == "asks for WHEN"
    assert describe(decide("not_interested", now, {}, HOURS, working), now) == "nurturing, 02-23"  # within half a year: no year (it reads back)


@pytest.mark.parametrize(("table", "message"), [
    ({"busy": "15"}, "retry_schedule.busy: '15' is not a delay"),
    ({"no_answer": 2}, "retry_schedule.no_answer: 2 is not a delay"),
    ({"voicemail": "1 week"}, "retry_schedule.voicemail: '1 week' is not a delay"),
    ({"hung_up": "1wd"}, "retry_schedule.hung_up: not a schedule entry"),
    ({"max_attempts": 0}, "retry_schedule.max_attempts: 0 is not a whole number"),
    ({"max_attempts": True}, "retry_schedule.max_attempts: True is not a whole number"),
    ("busy=15min", "retry_schedule: 'busy=15min' is not a table"),
])
def test_a_wrong_schedule_is_one_sentence_naming_the_key(table, message) -> None:
    settings = Settings()
    settings.retry_schedule = table
    with pytest.raises(BadInput) as caught:
        settings.validate()
    assert message in str(caught.value)


@pytest.mark.parametrize("delay", ["0min", "0wh", "0wd", "0d", "00min"])
def test_a_zero_delay_is_refused_with_one_sentence(delay: str) -> None:
    """Finding 5: a zero delay would set the follow-up to the very moment of the call."""
    settings = Settings()
    settings.retry_schedule = {"busy": delay}
    with pytest.raises(BadInput) as caught:
        settings.validate()
    assert str(caught.value) == f"retry_schedule.busy: a delay must be at least 1{delay.lstrip('0')}."


@pytest.mark.parametrize(("delay", "hours"), [
    ("9999wh", HOURS), ("9999wh", (time(0), time(23, 59))), ("2000wh", HOURS), ("9999wd", HOURS),
    ("9999min", HOURS), ("9999d", HOURS), ("1wh", (time(0), time(23, 59))),
])
def test_any_accepted_delay_lands_inside_working_hours(delay: str, hours: tuple[time, time]) -> None:
    """Finding 5: the arithmetic is exact for any accepted amount (it stopped after 400 days before), and the
    follow-up always lies inside working time on a working day, after the moment."""
    start = at("2026-11-25 17:30")
    moment = apply_delay(start, delay, hours, working)
    assert moment > start and working(moment.date()) and hours[0] <= moment.timetz().replace(tzinfo=None) < hours[1]


def test_working_hours_arithmetic_is_exact_far_ahead() -> None:
    days, minutes = divmod(9999 * 60, 9 * 60)  # 1111 whole working days of 9 hours, and no minutes left
    assert minutes == 0
    moment = add_working_minutes(at("2026-11-25 09:00"), 9999 * 60, HOURS, working)
    expected = add_working_days(at("2026-11-25 09:00"), days, HOURS, working)
    assert moment == expected
