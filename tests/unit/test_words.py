"""Words that are true: a report's period said in words, counts refused with count examples (never yen), and
keys named as the user's `[keymap]` sets them."""

from __future__ import annotations

from datetime import date

import pytest

from istui.domain.errors import BadInput
from istui.domain.formatting import period_words
from istui.domain.parsing import parse_amount
from istui.domain.periods import parse_period
from istui.i18n import set_language
from istui.services.targets import clean_target

TODAY = date(2026, 12, 2)  # a Wednesday; weeks start on Monday


def words(spec: str) -> str:
    period = parse_period(spec, TODAY)
    return period_words(period.start, period.end, period.kind.value if period.kind else None, period.label, TODAY)


@pytest.mark.parametrize(("spec", "english", "japanese"), [
    ("today", "today, 2 Dec", "今日 12月2日"),
    ("yesterday", "yesterday, 1 Dec", "昨日 12月1日"),
    ("week", "this week, 30 Nov – 6 Dec", "今週 11月30日〜12月6日"),
    ("last_week", "last week, 23 – 29 Nov", "先週 11月23日〜11月29日"),
    ("month", "December 2026", "2026年12月"),
    ("quarter", "FY2026 Q3, Oct – Dec 2026", "2026年度 第3四半期（2026年10月〜12月）"),
    ("fy", "FY2026, Apr 2026 – Mar 2027", "2026年度（2026年4月〜2027年3月）"),
    ("2026-11-01..2026-11-15", "1 – 15 Nov", "11月1日〜11月15日"),
    ("2026-12-20..2027-01-05", "20 Dec 2026 – 5 Jan 2027", "2026年12月20日〜2027年1月5日"),
    ("2025-03", "March 2025", "2025年3月"),
])
def test_a_period_is_said_in_words(spec: str, english: str, japanese: str) -> None:
    assert words(spec) == english
    try:
        set_language("ja")
        assert words(spec) == japanese
    finally:
        set_language("en")


@pytest.mark.parametrize(("value", "said"), [
    ("-5", "value: '-5' is below zero; a count is 0 or more, e.g. 60."),
    ("abc", "value: 'abc' is not a count; use a whole number such as 60 or 1,200."),
    ("2.5", "value: '2.5' has a fraction; a count is a whole number, e.g. 60."),
    ("¥60", "value: '¥60' is a number of things, not an amount; leave out the currency."),
])
def test_a_count_target_is_refused_with_count_examples(value: str, said: str) -> None:
    with pytest.raises(BadInput) as refused:
        clean_target("calls", value, "day")
    assert str(refused.value) == said
    assert "¥" not in said.replace("'¥60'", "") and "万" not in said


def test_an_amount_keeps_its_amount_examples() -> None:
    with pytest.raises(BadInput, match=r"below zero; an amount is 0 or more, e.g. 1200000 or 120万"):
        clean_target("amount", "-5", "month")
    with pytest.raises(BadInput, match=r"is not an amount; use 1200000"):
        parse_amount("abc")
    assert parse_amount("1,200", currency=None) == 1200 and isinstance(parse_amount("60", currency=None), int)


def test_keys_are_named_as_the_keymap_sets_them() -> None:
    from istui.tui import keys

    try:
        known, unknown, refused = keys.use_keymap({"today-call-block": "ctrl+b", "tab-kpi": ["f4", "ctrl+4"], "no-such-id": "x"})
        assert known == {"today-call-block": "ctrl+b", "tab-kpi": "f4,ctrl+4"} and unknown == ["no-such-id"] and not refused
        assert keys.key("today-call-block") == "ctrl+b" and keys.keys("tab-kpi") == "f4 / ctrl+4"
        assert (keys.key("help"), keys.key("leads-filter"), keys.key("call-end"), keys.keys("sheet-close")) == \
            ("?", "/", "esc", "esc / q")
        known, _unknown, refused = keys.use_keymap({"help": "\x1b[2J"})  # a key from a file never reaches the terminal raw
        assert "\x1b" not in keys.key("help") and not known and "\x1b" not in refused[0]
        known, _unknown, refused = keys.use_keymap({"today-call-block": "l", "help": "???", "tab-kpi": "f4"})
        assert known == {"tab-kpi": "f4"} and keys.key("today-call-block") == "c" and keys.key("help") == "?"
        assert refused == ['today-call-block = "l": today-log-call has that key on the same screen',
                           'help = "???": no key is named so (e.g. "c", "ctrl+b", "f4", "question_mark")']
    finally:
        keys.use_keymap(None)
    assert keys.key("today-call-block") == "c"
