"""Text as Japanese reps type it: width, kana and company-designator folding for search, and
readings (フリガナ) for sorting.

`fold` makes `ﾔﾏﾀﾞ`, `ヤマダ` and `やまだ` one string, full-width and half-width letters and digits
one string, and `株式会社`, `(株)`, `（株）` and `㈱` one token; it also drops spaces, so `山田太郎`
finds `山田 太郎`. Search compares folded query and folded text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# katakana ァ (U+30A1) … ヶ (U+30F6) → hiragana ぁ (U+3041) … ゖ (U+3096); ヽヾ → ゝゞ
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {0x30FD: 0x309D, 0x30FE: 0x309E}
_NON_DIGITS = re.compile("[^0-9]")
_KATAKANA = re.compile("[\u30a1-\u30f6\u30fd\u30fe]")
# legal-entity designators, long and short forms (after NFKC, ㈱ and （株） are "(株)")
_DESIGNATORS = (("株式会社", "(株)"), ("有限会社", "(有)"), ("合同会社", "(同)"), ("合資会社", "(資)"),
                ("合名会社", "(名)"), ("一般社団法人", "(一社)"), ("一般財団法人", "(一財)"),
                ("医療法人", "(医)"), ("学校法人", "(学)"), ("社会福祉法人", "(福)"))


def fold(text: str) -> str:
    """The search form of `text`: NFKC (widths), case-folded, katakana as hiragana, designators short,
    no spaces. Idempotent."""
    if text.isascii():  # most phone numbers, e-mails and English names: nothing but case and spaces
        return "".join(text.lower().split())
    value = _fold_once(text)
    for _ in range(2):  # normalising can expose more to normalise (a spacing mark after a space)
        if unicodedata.is_normalized("NFKC", value) and value.casefold() == value:
            break
        value = _fold_once(value)
    return value


def _fold_once(text: str) -> str:
    value = unicodedata.normalize("NFKC", text).casefold()
    for long_form, short_form in _DESIGNATORS:
        if long_form in value:
            value = value.replace(long_form, short_form)
    if _KATAKANA.search(value):  # translate() costs a dict lookup per character: only when needed
        value = value.translate(_KATAKANA_TO_HIRAGANA)
    return "".join(value.split())


def lead_search_text(lead: Mapping[str, Any]) -> str:
    """What lead search looks in, folded: company and contact with their readings, phone (with and
    without hyphens), e-mail, tags (fields joined by U+001F, so a query never spans two)."""
    get = lead.get
    phone = get("phone") or ""
    return fold(f"{get('company') or ''}\x1f{get('company_kana') or ''}\x1f{get('contact') or ''}\x1f"
                f"{get('contact_kana') or ''}\x1f{phone}\x1f{_NON_DIGITS.sub('', phone)}\x1f{get('email') or ''}\x1f"
                f"{' '.join(get('tags') or ())}")


def note_search_text(note: Mapping[str, Any]) -> str:
    """What note search looks in, folded: title, body and tags."""
    return fold(f"{note.get('title') or ''} {note.get('body') or ''} {' '.join(note.get('tags') or ())}")


def reading_key(name: str, reading: str | None) -> str:
    """Sort key of a name by its reading (the reading when given, else the name), so `ヤマダ` and
    `やまだ` sort together and a company sorts under its name, not its designator."""
    value = fold(reading or name)
    for _, short_form in _DESIGNATORS:
        short = fold(short_form)
        if value.startswith(short):
            value = value[len(short):]
        elif value.endswith(short):
            value = value[: -len(short)]
    return value
