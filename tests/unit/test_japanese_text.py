"""Japanese text: width and kana folding for search, readings for sorting, CP932 CSVs with カナ columns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from istui.domain.text import fold, lead_search_text, reading_key

HIRAGANA = st.text(st.sampled_from([chr(c) for c in range(0x3041, 0x3097)]), max_size=12)
ASCII = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), max_size=12)


def katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if 0x3041 <= ord(ch) <= 0x3096 else ch for ch in text)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(HIRAGANA)
def test_hiragana_and_katakana_fold_alike(text: str) -> None:
    assert fold(katakana(text)) == fold(text)


@given(ASCII)
def test_fullwidth_and_halfwidth_letters_and_digits_fold_alike(text: str) -> None:
    assert fold(fullwidth(text)) == fold(text) == fold(text.upper())


@given(st.text(max_size=30))
def test_fold_is_idempotent_and_ignores_spaces(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold(text.replace(" ", "\u3000")) == fold(text)


def test_the_forms_a_japanese_rep_types() -> None:
    assert fold("ﾔﾏﾀﾞ") == fold("ヤマダ") == fold("やまだ") == "やまだ"
    assert fold("ｶﾞｽ") == fold("ガス")  # half-width voiced marks compose
    assert fold("ＡＣＭＥ　１２３") == fold("acme123")
    assert fold("株式会社東洋商事") == fold("(株)東洋商事") == fold("㈱東洋商事") == fold("（株）東洋商事")
    assert fold("有限会社山田商店") == fold("㈲山田商店")


def test_search_finds_a_lead_however_it_is_typed() -> None:
    lead = {"company": "株式会社東洋商事", "company_kana": "トウヨウショウジ", "contact": "山田 太郎",
            "contact_kana": "ヤマダ タロウ", "phone": "03-1234-5678", "email": "yamada@toyo.example", "tags": ["製造業"]}
    text = lead_search_text(lead)
    for query in ("㈱東洋", "(株)東洋商事", "株式会社東洋", "とうよう", "ﾄｳﾖｳ", "トウヨウ", "ﾔﾏﾀﾞ", "やまだたろう", "山田太郎",
                  "０３－１２３４", "0312345678", "ＹＡＭＡＤＡ@", "製造業"):
        assert fold(query) in text, query
    assert fold("大阪") not in text


def test_readings_sort_names_as_they_are_read() -> None:
    names = [("株式会社わかば", "ワカバ"), ("Acme", None), ("㈱あおば商事", "アオバショウジ"), ("山田商店", "ヤマダショウテン")]
    ordered = sorted(names, key=lambda pair: reading_key(*pair))
    assert [name for name, _ in ordered] == ["Acme", "㈱あおば商事", "山田商店", "株式会社わかば"]


def test_amounts_full_and_compact() -> None:
    from istui.domain.formatting import compact_yen, money, set_amount_style

    assert money(1_200_000) == "¥1,200,000"
    assert [compact_yen(v) for v in (9_800, 10_000, 1_200_000, 12_345_678, 120_000_000, 1_250_000_000, -3_000_000)] == [
        "9,800円", "1万円", "120万円", "1,234.6万円", "1.2億円", "12.5億円", "-300万円"]
    try:
        set_amount_style("compact")
        assert money(1_200_000) == "120万円" and money(1_200_000, "USD") == "$1,200,000"
    finally:
        set_amount_style("full")


def test_dates_in_japanese() -> None:
    from datetime import date, datetime

    from istui.domain.formatting import long_date, when
    from istui.i18n import set_language

    now = datetime.fromisoformat("2026-11-27T10:30:00+09:00")
    assert long_date(date(2026, 11, 27)) == "Fri 2026-11-27"
    try:
        set_language("ja")
        assert long_date(date(2026, 11, 27)) == "2026年11月27日(金)"
        assert when("2026-11-28T10:00:00+09:00", now) == "明日 10:00"
        assert when("2026-12-05T09:30:00+09:00", now) == "12/5 09:30"
    finally:
        set_language("en")
    assert when("2026-11-28T10:00:00+09:00", now) == "tomorrow 10:00"
