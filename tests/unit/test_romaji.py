"""Romaji search: a rep who types Latin letters finds 東洋 by its reading トウヨウ (`touyou`, `toyo`,
`tōyō`, `tohyoh`), with the romaji made once per lead, inside the one search key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from istui.domain.romaji import romaji_forms
from istui.domain.text import fold, lead_search_text

TOYO = {"company": "株式会社東洋商事", "company_kana": "トウヨウショウジ", "contact": "山田 太郎", "contact_kana": "ヤマダ タロウ",
        "phone": "03-1234-5678", "email": "yamada@example.jp", "tags": ["製造業"]}


@pytest.mark.parametrize(("reading", "forms"), [
    ("トウヨウ", ("touyou", "toyo", "tohyoh")),
    ("とうよう", ("touyou", "toyo", "tohyoh")),
    ("ﾄｳﾖｳ", ("touyou", "toyo", "tohyoh")),  # half-width
    ("オオノ", ("oono", "ono", "ohno")),
    ("シンバシ", ("shinbashi", "shimbashi")),
    ("マッチャ", ("maccha", "matcha")),
    ("キップ", ("kippu",)),
    ("チャーハン", ("chaahan", "chahan")),
    ("ジュンイチ", ("junichi",)),
    ("フィルム", ("firumu",)),
    ("サトウ・ケンイチ", ("satoukenichi", "satokenichi", "satohkenichi")),
    ("ABC", ()),
])
def test_a_reading_in_romaji(reading: str, forms: tuple[str, ...]) -> None:
    assert romaji_forms(reading) == forms


@pytest.mark.parametrize("query", ["touyou", "toyo", "tōyō", "Tōyō Shōji", "TOYO", "tohyoh", "toyoshoji",
                                   "yamada taro", "yamadatarou", "東洋", "とうよう", "ﾄｳﾖｳ", "03-1234", "製造業"])
def test_romaji_and_everything_else_find_the_lead(query: str) -> None:
    assert fold(query) in lead_search_text(TOYO)


@pytest.mark.parametrize("query", ["tokyo", "toyota", "yamamoto", "shojit"])
def test_romaji_finds_only_what_the_reading_says(query: str) -> None:
    assert fold(query) not in lead_search_text(TOYO)


def test_a_query_never_spans_two_fields() -> None:
    key = lead_search_text(TOYO)
    assert fold("商事とう") not in key and fold("太郎03") not in key
    assert fold("商事") in key and fold("とうよう") in key


def test_no_reading_no_romaji() -> None:
    lead = {**TOYO, "company_kana": "", "contact_kana": None}  # (nothing else spells toyo in Latin letters)
    assert "toyo" not in lead_search_text(lead)
    assert lead_search_text(TOYO, romaji=False) == lead_search_text({**TOYO, "company_kana": "トウヨウショウジ"}, romaji=False)
    assert "toyo" not in lead_search_text(TOYO, romaji=False)


KANA = st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6) | st.sampled_from("ーッャュョァィゥェォ"),
               min_size=1, max_size=12)


@given(KANA)
def test_every_form_is_plain_latin_and_width_and_script_do_not_matter(reading: str) -> None:
    forms = romaji_forms(reading)
    assert all(form.isascii() and (form.isalnum() or form == "") for form in forms)
    hiragana = "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in reading)
    assert romaji_forms(hiragana) == forms
    typed = forms[0] if forms else ""
    assert all(fold(form) == form for form in forms) and (not typed or fold(typed.upper()) == typed)
