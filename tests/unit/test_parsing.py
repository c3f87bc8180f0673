"""WHEN, phone, e-mail and amount parsing: examples with known answers, then properties (hypothesis)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from istui.domain.errors import BadInput
from istui.domain.parsing import normalize_email, parse_amount, parse_when

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 27, 10, 30, tzinfo=TOKYO)  # Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 15:00", "2026-11-27T15:00"),
        ("tomorrow 10am", "2026-11-28T10:00"),
        ("yesterday 9:00", "2026-11-26T09:00"),
        ("tomorrow", "2026-11-28T09:00"),
        ("+3d", "2026-11-30T10:30"),
        ("+2h", "2026-11-27T12:30"),
        ("+45m", "2026-11-27T11:15"),
        ("-1d", "2026-11-26T10:30"),
        ("mon", "2026-11-30T09:00"),
        ("fri", "2026-12-04T09:00"),  # today is Friday: the next one
        ("next tue 9:30", "2026-12-01T09:30"),
        ("2026-12-01", "2026-12-01T09:00"),
        ("2026-12-01 14:00", "2026-12-01T14:00"),
        ("12/1 14:00", "2026-12-01T14:00"),
        ("1/5", "2027-01-05T09:00"),  # nearest year: next January
        ("11/20 16:00", "2026-11-20T16:00"),
        ("3pm", "2026-11-27T15:00"),
        ("明日 10:00", "2026-11-28T10:00"),
        ("月曜 9時半", "2026-11-30T09:30"),
        ("ＴＯＭＯＲＲＯＷ　１０ＡＭ", "2026-11-28T10:00"),
        ("2026-12-01T08:00:00+00:00", "2026-12-01T17:00"),  # converted to the workspace timezone
    ],
)
def test_when_forms(text: str, expected: str) -> None:
    parsed = parse_when(text, NOW)
    assert parsed.strftime("%Y-%m-%dT%H:%M") == expected
    assert parsed.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize("text", ["", "soon", "tomorrow 25:00", "13pm", "+3x", "next", "2026-13-01", "mon at noonish"])
def test_bad_when_names_the_field(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_when(text, NOW, "next")
    assert str(info.value).startswith("next")


@given(st.integers(min_value=0, max_value=9999), st.sampled_from(["m", "h", "d", "w"]))
def test_relative_when_adds_exactly(amount: int, unit: str) -> None:
    seconds = {"m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    if (NOW + timedelta(seconds=amount * seconds)).year > 2199:  # beyond what istui stores: one sentence
        with pytest.raises(BadInput, match="outside the years"):
            parse_when(f"+{amount}{unit}", NOW)
        return
    assert parse_when(f"+{amount}{unit}", NOW) - NOW == timedelta(seconds=amount * seconds)


@given(st.text(max_size=40))
def test_when_never_fails_with_anything_but_one_sentence(text: str) -> None:
    try:
        moment = parse_when(text, NOW)
    except BadInput:
        pass
    else:
        assert 1970 <= moment.year <= 2199 and moment.tzinfo is not None


@given(st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2099, 12, 31).date()),
       st.integers(0, 23), st.integers(0, 59))
def test_iso_when_round_trips(day, hour: int, minute: int) -> None:
    text = f"{day.isoformat()} {hour:02d}:{minute:02d}"
    parsed = parse_when(text, NOW)
    assert (parsed.date(), parsed.hour, parsed.minute) == (day, hour, minute)


@given(st.text(max_size=30))
def test_when_never_crashes(text: str) -> None:
    try:
        result = parse_when(text, NOW)
    except BadInput:
        return
    assert result.tzinfo is not None


def test_email() -> None:
    assert normalize_email("  Taro.Yamada@Example.CO.JP ") == "Taro.Yamada@example.co.jp"
    assert normalize_email("ｔａｒｏ@example.com") == "taro@example.com"
    for bad in ("taro", "taro@", "@example.com", "taro@example", "ta ro@example.com", "a..b@example.com"):
        with pytest.raises(BadInput, match=r"^email: "):
            normalize_email(bad)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1200000", 1_200_000), ("1,200,000", 1_200_000), ("¥1,200,000", 1_200_000), ("￥1,200,000", 1_200_000),
     ("120万", 1_200_000), ("120万円", 1_200_000), ("1.2億", 120_000_000), ("1.5万", 15_000), ("０", 0),
     ("JPY 3,000", 3_000), ("12k", 12_000)],
)
def test_amount_forms(text: str, value: int) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,2,3万円円x", "万"])
def test_bad_amount(text: str) -> None:
    with pytest.raises(BadInput, match=r"^amount: "):
        parse_amount(text)


@pytest.mark.parametrize("text", ["12,00", "1,20", "1200,000", ",100", "100,", "1,,000", "12,00万", "１２，００"])
def test_misplaced_thousands_separator_is_refused_with_one_sentence(text: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse_amount(text)
    message = str(raised.value)
    assert message.startswith("amount: ") and "wrong place" in message
    assert message.count(". ") == 0 and message.endswith(".") and "\n" not in message


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,200", 1_200), ("12,000", 12_000), ("1,200,000", 1_200_000), ("120万", 1_200_000), ("１２０万", 1_200_000),
     ("1.5億", 150_000_000), ("3千", 3_000), ("1,500万", 15_000_000), ("１，２００", 1_200), ("¥1,200", 1_200)],
)
def test_amounts_with_separators_units_and_full_width_digits(text: str, value: int) -> None:
    assert parse_amount(text) == value


@given(st.integers(min_value=0, max_value=10**12))
def test_amount_round_trips_through_every_format(value: int) -> None:
    assert parse_amount(str(value)) == value
    assert parse_amount(f"{value:,}") == value
    assert parse_amount(f"¥{value:,}") == value
    if value <= 10**11:
        assert parse_amount(f"{value}万") == value * 10_000
