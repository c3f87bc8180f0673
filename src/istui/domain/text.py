"""Text as Japanese reps type it: width, kana and company-designator folding for search, readings
(フリガナ) for sorting, and the one rule of which characters are never typed in and never shown.

`fold` makes `ﾔﾏﾀﾞ`, `ヤマダ` and `やまだ` one string, full-width and half-width letters and digits
one string, `ō` and `o` one letter (Hepburn's macrons and circumflexes), and `株式会社`, `(株)`, `（株）`
and `㈱` one token; it also drops spaces, so `山田太郎` finds `山田 太郎`. Search compares folded query
and folded text; a lead's text holds its readings in romaji too (`domain.romaji`), so `toyo` finds 東洋.

`terminal_safe` makes any text safe to show in a terminal (every printer of the CLI, every widget of the
TUI, the reports use it); `unsafe_character` finds what input validation refuses (`domain.parsing`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from istui.domain.patterns import lazy
from istui.domain.romaji import romaji_forms

# katakana ァ (U+30A1) … ヶ (U+30F6) → hiragana ぁ (U+3041) … ゖ (U+3096); ヽヾ → ゝゞ
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {0x30FD: 0x309D, 0x30FE: 0x309E}
_NON_DIGITS = lazy("[^0-9]")
_KATAKANA = lazy("[\u30a1-\u30f6\u30fd\u30fe]")
_LONG_VOWELS = lazy("[āīūēōâîûêô]")  # Hepburn's long vowels (after NFKC and case folding)
_SHORT_VOWELS = str.maketrans("āīūēōâîûêô", "aiueoaiueo")
# legal-entity designators, long and short forms (after NFKC, ㈱ and （株） are "(株)")
_DESIGNATORS = (("株式会社", "(株)"), ("有限会社", "(有)"), ("合同会社", "(同)"), ("合資会社", "(資)"),
                ("合名会社", "(名)"), ("一般社団法人", "(一社)"), ("一般財団法人", "(一財)"),
                ("医療法人", "(医)"), ("学校法人", "(学)"), ("社会福祉法人", "(福)"))


#: Characters that draw nothing and mean nothing in a name or a search: the zero-width space, the word joiner and
#: the BOM (a zero-width no-break space). Dropped from one-line fields and from search forms (`drop_invisible`,
#: which also drops a zero-width joiner that joins nothing; the non-joiner stays, for Persian and Devanagari).
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
_JOINER = lazy("\u200d")


def drop_invisible(text: str) -> str:
    """`text` without zero-width spaces, word joiners, BOMs, and zero-width joiners that join nothing: one stays
    before an emoji (👨‍👩‍👧) and after a combining mark (a virama of an Indic script)."""
    text = text.translate(INVISIBLE)
    if "\u200d" not in text:
        return text
    return _JOINER.sub(lambda m: m[0] if _joins(text, m.start()) else "", text)


def _joins(text: str, at: int) -> bool:
    before, after = text[at - 1:at], text[at + 1:at + 2]
    if not before or not after:
        return False
    return unicodedata.category(after) == "So" or unicodedata.category(before) in ("Mn", "Mc")


def cell_width(text: str) -> int:
    """The terminal columns `text` takes: 2 for a wide (Japanese) character, 0 for a combining mark."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` terminal columns, marking the cut with '…'."""
    if cell_width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


NAME_IN_TEXT = 40  # columns of a record's name quoted in a title, a prompt or a message


def named(text: object) -> str:
    """A record's name (a company) quoted in a sentence: safe for the terminal and at most `NAME_IN_TEXT` columns,
    so that a 200-character name does not push the rest of a title or a prompt off the screen."""
    return clip(terminal_safe(text), NAME_IN_TEXT)


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
    value = drop_invisible(unicodedata.normalize("NFKC", text).casefold())
    for long_form, short_form in _DESIGNATORS:
        if long_form in value:
            value = value.replace(long_form, short_form)
    if _KATAKANA.search(value):  # translate() costs a dict lookup per character: only when needed
        value = value.translate(_KATAKANA_TO_HIRAGANA)
    if _LONG_VOWELS.search(value):  # `tōyō` is typed for `toyo`
        value = value.translate(_SHORT_VOWELS)
    return "".join(value.split())


def lead_search_text(lead: Mapping[str, Any], romaji: bool = True) -> str:
    """What lead search looks in, folded: company and contact with their readings (also in romaji, so
    `touyou`, `toyo` and `tōyō` find トウヨウ), phone (with and without hyphens, and in E.164), e-mail, tags (fields
    joined by U+0000, which `fold` keeps and no query holds, so a query never spans two). The TUI makes it
    once per lead and keeps it; a one-off search without Latin letters can leave out the romaji (`romaji`)."""
    get = lead.get
    phone = get("phone") or ""
    readings = [reading for reading in (get("company_kana"), get("contact_kana")) if reading and isinstance(reading, str)]
    latin = "".join(f"\x00{form}" for reading in readings for form in romaji_forms(reading)) if romaji else ""
    return fold(f"{get('company') or ''}\x00{get('company_kana') or ''}\x00{get('contact') or ''}\x00"
                f"{get('contact_kana') or ''}\x00{phone}\x00{_NON_DIGITS.sub('', phone)}\x00{get('phone_e164') or ''}\x00"
                f"{get('email') or ''}\x00"
                f"{' '.join(get('tags') or ())}") + latin


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


# --- characters that never reach a terminal ------------------------------------------------------------
# C0 controls (ESC starts escape sequences: titles, screen clears, OSC 52 clipboard writes; BEL ends them;
# CR and BS draw over what is shown), DEL, C1 controls (U+009B is a one-character CSI to some terminals),
# the bidirectional embeddings, overrides and isolates (they reorder what is shown, "Trojan Source"), and
# lone surrogates (not text: they cannot even be written as UTF-8). Line and paragraph separators count
# as line breaks. Tab and line feed are the only controls multi-line text keeps.
# (Patterns compiled on first use, by `re`'s own cache: compiling them costs milliseconds `istui log call`
# does not have; text that `str.isprintable` passes holds none of these characters and is not searched.)
_BEYOND_C0 = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"  # DEL, C1, bidi controls, lone surrogates
_SEPARATORS = "\u2028\u2029"
_UNSAFE_ON_A_LINE = f"[\x00-\x1f{_BEYOND_C0}{_SEPARATORS}]"
_UNSAFE_IN_LINES = f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}{_SEPARATORS}]"  # all but tab and line feed
_UNSAFE_TYPED = f"[\x00-\x08\x0b\x0c\x0e-\x1f{_BEYOND_C0}]"  # all but tab, LF, CR and the separators
_UNSAFE_IN_JSON = f"[{_BEYOND_C0}{_SEPARATORS}]"  # JSON escapes C0 itself
_LINE_BREAKS = "\r\n\u2028\u2029"
REPLACEMENT = "\ufffd"  # �: something was here that cannot be shown


def terminal_safe(text: object, multiline: bool = False) -> str:
    """`text` as it may be shown in a terminal: every control character, bidirectional override and lone
    surrogate becomes `�` (visible, never executed). On one line, line breaks and tabs become spaces; with
    `multiline`, line feeds and tabs stay and a carriage return (alone or before a line feed) becomes a
    line feed. None is ''. Idempotent; text without such characters comes back as it is."""
    value = "" if text is None else text if isinstance(text, str) else str(text)
    if value.isprintable():
        return value
    if multiline:
        if not re.search(_UNSAFE_IN_LINES, value):
            return value
        return re.sub(_UNSAFE_IN_LINES, _shown_in_lines, value.replace("\r\n", "\n"))
    if not re.search(_UNSAFE_ON_A_LINE, value):
        return value
    return re.sub(_UNSAFE_ON_A_LINE, _shown_on_a_line, value)


def _shown_in_lines(match: re.Match[str]) -> str:
    return "\n" if match[0] in _LINE_BREAKS else REPLACEMENT


def _shown_on_a_line(match: re.Match[str]) -> str:
    return " " if match[0] in _LINE_BREAKS or match[0] == "\t" else REPLACEMENT


def unsafe_character(text: str) -> str | None:
    """The first character input validation refuses (all `terminal_safe` hides except tab, line feed and
    carriage return, which fields fold or keep), or None."""
    found = None if text.isprintable() else re.search(_UNSAFE_TYPED, text)
    return found[0] if found else None


#: Letters and symbols that draw nothing: Hangul fillers, the blank Braille pattern (names made of them look empty).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible(text: str) -> bool:
    """Whether `text` shows at least one character: not only spaces, format characters (category Cf: zero-width
    space and joiner, BOM, bidirectional marks), variation selectors, combining grapheme joiners or blank glyphs.
    Only for telling an empty-looking value apart: such characters inside a real name stay."""
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "Z" or category in ("Cc", "Cf", "Cs") or ch in _BLANK_GLYPHS:
            continue
        if category == "Mn" and ("\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef" or ch == "\u034f"):
            continue
        return True
    return False


def json_safe(document: Any) -> str:
    """One JSON document as text (indented, sorted keys, Japanese as is), with every character that JSON
    leaves raw but a terminal would act on (DEL, C1, bidirectional controls, lone surrogates) escaped as
    `\\uXXXX`: the same document, safe to print. (JSON itself escapes the C0 controls.)"""
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    if not re.search(_UNSAFE_IN_JSON, text):
        return text
    return re.sub(_UNSAFE_IN_JSON, lambda match: f"\\u{ord(match[0]):04x}", text)
