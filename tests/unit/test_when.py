"""WHEN as a Japanese rep types it, and the one date style: every date the app shows reads back to itself."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from istui.domain.errors import BadInput
from istui.domain.formatting import long_date, long_moment, long_when, period_words, short_day, short_moment, when
from istui.domain.when import parse_follow_up, parse_when
from istui.i18n import set_language

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 27, 10, 30, tzinfo=TOKYO)  # Friday


@pytest.fixture
def japanese():
    set_language("ja")
    yield
    set_language("en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the forms of the issue
        ("明日 10時", "2026-11-28T10:00"),
        ("月曜", "2026-11-30T09:00"),
        ("金 10:00", "2026-12-04T10:00"),
        ("明日10:00", "2026-11-28T10:00"),
        ("あした", "2026-11-28T09:00"),
        ("来週月曜", "2026-11-30T09:00"),
        ("3日後", "2026-11-30T10:30"),  # like +3d: the time of day kept
        ("12月5日 14時", "2026-12-05T14:00"),
        ("午後3時", "2026-11-27T15:00"),
        ("今日中", "2026-11-27T18:00"),  # the end of the working hours
        # their neighbours
        ("明後日", "2026-11-29T09:00"),
        ("あさって 11時", "2026-11-29T11:00"),
        ("今日 15時", "2026-11-27T15:00"),
        ("来週", "2026-11-30T09:00"),
        ("再来週の水曜 14時", "2026-12-09T14:00"),
        ("来週の金曜の午後3時に", "2026-12-04T15:00"),
        ("今週金曜 17:00", "2026-11-27T17:00"),
        ("次の火曜", "2026-12-01T09:00"),
        ("午前10時半", "2026-11-27T10:30"),
        ("10時30分", "2026-11-27T10:30"),
        ("10時半", "2026-11-27T10:30"),
        ("正午", "2026-11-27T12:00"),
        ("明日の午前中", "2026-11-28T09:00"),
        ("明日中", "2026-11-28T18:00"),
        ("１２月５日　１４時", "2026-12-05T14:00"),
        ("明日１０：００", "2026-11-28T10:00"),
        ("12月5日14時", "2026-12-05T14:00"),
        ("2026年12月5日(土) 14:00", "2026-12-05T14:00"),
        ("12/5(土) 14:00", "2026-12-05T14:00"),
        ("1月5日", "2027-01-05T09:00"),  # the nearest year
        ("3日後 10時", "2026-11-30T10:00"),
        ("2週間後", "2026-12-11T10:30"),
        ("1ヶ月後", "2026-12-27T10:30"),
        ("3時間後", "2026-11-27T13:30"),
        ("一昨日", "2026-11-25T09:00"),
        ("明日の朝", "2026-11-28T09:00"),  # parts of the day
        ("月曜の夕方", "2026-11-30T17:00"),
        ("来月", "2026-12-01T09:00"),  # a month ahead: its first day, or the day named
        ("来月15日 14時", "2026-12-15T14:00"),
        ("再来月", "2027-01-01T09:00"),
        ("next month", "2026-12-01T09:00"),
        ("tomorrow afternoon", "2026-11-28T14:00"),
        # English neighbours
        ("eod", "2026-11-27T18:00"),
        ("tomorrow eod", "2026-11-28T18:00"),
        ("next week", "2026-11-30T09:00"),
        ("in 3 days", "2026-11-30T10:30"),
        ("Sat 2026-12-05 14:00", "2026-12-05T14:00"),
        ("11-30 09:00", "2026-11-30T09:00"),
        ("12/1/2026", "2026-12-01T09:00"),
    ],
)
def test_japanese_when_forms(text: str, expected: str) -> None:
    assert parse_when(text, NOW).strftime("%Y-%m-%dT%H:%M") == expected


def test_end_of_day_follows_the_working_hours_and_is_never_already_over() -> None:
    assert parse_when("今日中", NOW, day_end=time(19, 30)).time() == time(19, 30)
    evening = NOW.replace(hour=20)
    assert parse_follow_up("今日中", evening) == evening.replace(hour=23, minute=59)
    assert parse_follow_up("eod", evening) == evening.replace(hour=23, minute=59)


def test_a_month_later_stops_at_the_end_of_a_short_month() -> None:
    assert parse_when("1ヶ月後", NOW.replace(month=1, day=31)).date() == date(2026, 2, 28)
    assert parse_when("1か月後", NOW.replace(month=12, day=31)).date() == date(2027, 1, 31)


@pytest.mark.parametrize("text", ["今週", "午後12時", "午前13時", "2月30日", "明日 25時", "今月", "12月5日(金)"])
def test_what_japanese_cannot_mean_is_one_sentence(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_when(text, NOW, "next")
    assert str(info.value).startswith("next") and "\n" not in str(info.value)


def test_a_near_day_that_does_not_fit_the_date_is_refused() -> None:
    assert parse_when("tomorrow, 28 Nov", NOW) == datetime(2026, 11, 28, 9, tzinfo=TOKYO)
    assert parse_when("明日、11月28日 14時", NOW) == datetime(2026, 11, 28, 14, tzinfo=TOKYO)
    with pytest.raises(BadInput, match=r"names tomorrow, but that date is Sun 2026-11-29"):
        parse_when("tomorrow, 29 Nov", NOW, "next")


def test_a_weekday_that_does_not_fit_the_date_is_refused(japanese) -> None:
    with pytest.raises(BadInput, match=r"2026年12月5日\(土\)"):
        parse_when("12月5日(金) 14時", NOW, "next")


def test_a_past_follow_up_is_shown_in_the_long_form_that_can_be_typed_back(japanese) -> None:
    with pytest.raises(BadInput) as info:
        parse_follow_up("11月1日", NOW)
    message = str(info.value)
    assert "2026年11月1日(日) 09:00" in message and "2027年11月1日(月) 09:00" in message
    assert parse_follow_up("2027年11月1日(月) 09:00", NOW) == datetime(2027, 11, 1, 9, tzinfo=TOKYO)


@pytest.mark.parametrize(("moment", "en", "ja"), [
    (NOW.replace(hour=15, minute=0), "today 15:00", "今日 15:00"),
    (NOW + timedelta(days=1), "tomorrow 10:30", "明日 10:30"),
    (NOW - timedelta(days=1), "yesterday 10:30", "昨日 10:30"),
    (NOW.replace(day=23, hour=18, minute=36), "11-23 18:36", "11/23 18:36"),
    (NOW.replace(year=2027, month=1, day=5), "01-05 10:30", "1/5 10:30"),  # within half a year: no year
    (NOW.replace(year=2027, month=6, day=5, hour=14, minute=0), "2027-06-05 14:00", "2027/6/5 14:00"),
])
def test_one_short_form_per_language(moment: datetime, en: str, ja: str) -> None:
    assert short_moment(moment, NOW) == en
    assert when(moment.isoformat(), NOW) == en
    set_language("ja")
    try:
        assert short_moment(moment, NOW) == ja
    finally:
        set_language("en")


def test_one_long_form_per_language(japanese) -> None:
    moment = datetime(2026, 12, 2, 15, 17, tzinfo=TOKYO)
    assert long_moment(moment) == "2026年12月2日(水) 15:17"
    assert long_when("2026-12-02T06:17:00+00:00", TOKYO) == "2026年12月2日(水) 15:17"
    set_language("en")
    assert long_moment(moment) == "Wed 2026-12-02 15:17"
    assert long_date(moment.date()) == "Wed 2026-12-02"


ZONES = [TOKYO, ZoneInfo("UTC"), ZoneInfo("America/New_York")]
MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2150, 12, 31))


@given(moment=MOMENTS, now=MOMENTS, zone=st.sampled_from(ZONES), language=st.sampled_from(["en", "ja"]))
def test_every_date_the_app_shows_reads_back_to_itself(moment: datetime, now: datetime, zone: ZoneInfo,
                                                        language: str) -> None:
    """Both forms, both languages, moments years apart: a rep can type back whatever the app shows."""
    now = now.replace(tzinfo=zone)
    local = moment.replace(tzinfo=zone, second=0, microsecond=0)
    # a wall time the zone skips or repeats (a DST change) names no single moment
    assume(local.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None))
    assume(local.replace(fold=1).utcoffset() == local.utcoffset())
    set_language(language)
    try:
        shown = [short_moment(local, now), long_moment(local)]
        days = [short_day(local.date(), now.date()), short_day(local.date(), now.date(), relative=False),
                long_date(local.date()),  # and a day as the KPI tab names its period: `tomorrow, 4 Dec`, `明日 12月4日`
                period_words(local.date(), local.date() + timedelta(days=1), "day", "", now.date())]
        for text in shown:
            assert parse_when(text, now) == local, text
        for text in days:
            assert parse_when(text, now).date() == local.date(), text
    finally:
        set_language("en")
