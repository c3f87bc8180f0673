"""Readings (フリガナ) in romaji, so that a rep who types Latin letters finds 東洋 by its reading トウヨウ:
`touyou` (as typed on a keyboard), `toyo` (Hepburn without macrons: `tōyō` folds to it) and `tohyoh`
(the passport style: long o as `oh`, `m` before b/m/p).

Each kana's romaji comes from jaconv's table, read once at first use (jaconv is imported only then: quick
logging never needs it); the conversion itself is one `str.translate` and a few replacements, because
search keys are made for every lead (50,000 of them when the TUI starts) and jaconv's own conversion makes
a hundred passes over each string.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from istui.domain.patterns import lazy

# marks left by the table for what depends on the next or previous kana
_SMALL_Y, _SMALL_VOWEL, _SOKUON, _LONG = "\x01", "\x02", "\x03", "\x04"
_SMALL_YS = {"ゃ": _SMALL_Y + "a", "ゅ": _SMALL_Y + "u", "ょ": _SMALL_Y + "o"}
_SMALL_VOWELS = {"ぁ": _SMALL_VOWEL + "a", "ぃ": _SMALL_VOWEL + "i", "ぅ": _SMALL_VOWEL + "u", "ぇ": _SMALL_VOWEL + "e",
                 "ぉ": _SMALL_VOWEL + "o"}
_KANA = lazy("[\u3041-\u3096\u30a1-\u30fa\u30fc]")
_DOUBLED = lazy(_SOKUON + "([bcdfghjkmpqrstvwz])")
_STRETCHED = lazy("([aeiou])" + _LONG)
_NOT_LATIN = lazy("[^a-z0-9]+")  # `・`, spaces, kana without romaji: a query in letters skips them
_table: dict[int, str] | None = None


def _romaji_table() -> dict[int, str]:
    """Hiragana and katakana code point → romaji (jaconv's), with marks for small kana, っ and ー."""
    global _table
    if _table is None:
        import jaconv  # about 40 ms to import: only when a reading is first shown in romaji

        table: dict[int, str] = {}
        for code in range(0x3041, 0x3097):
            kana = chr(code)
            roman = _SMALL_YS.get(kana) or _SMALL_VOWELS.get(kana) or jaconv.kana2alphabet(kana)
            if kana == "っ":
                roman = _SOKUON
            if roman.isascii():
                table[code] = table[code + 0x60] = roman  # the katakana is 0x60 above its hiragana
        table[ord("ー")] = _LONG
        _table = table
    return _table


def _joined(marked: str) -> str:
    """Small kana joined to the kana before them: きゃ kya, しゃ sha, ちぇ che, ふぁ fa, てぃ ti, ゔぁ va, うぃ wi."""
    if _SMALL_Y in marked:
        for before, after in (("shi", "sh"), ("chi", "ch"), ("ji", "j"), ("i", "y")):
            marked = marked.replace(before + _SMALL_Y, after)
        marked = marked.replace(_SMALL_Y, "y")
    if _SMALL_VOWEL in marked:
        for before, after in (("shi", "sh"), ("chi", "ch"), ("ji", "j"), ("tsu", "ts"), ("fu", "f"), ("vu", "v"),
                              ("te", "t"), ("de", "d"), ("u", "w")):
            marked = marked.replace(before + _SMALL_VOWEL, after)
        marked = marked.replace(_SMALL_VOWEL, "")
    return marked


@lru_cache(maxsize=65536)
def romaji_forms(reading: str) -> tuple[str, ...]:
    """The ways `reading` (kana, any width) is written in Latin letters, lower case, without spaces: as
    typed (`touyou`, `maccha`, `chaahan`), Hepburn without macrons (`toyo`, `matcha`, `chahan`) and the
    passport style (`tohyoh`, `shimbashi`); () when the reading holds no kana."""
    text = reading if unicodedata.is_normalized("NFKC", reading) else unicodedata.normalize("NFKC", reading)  # ﾄｳﾖｳ
    if not _KANA.search(text):
        return ()
    marked = _joined(text.lower().translate(_romaji_table()))  # (each regex below only runs when it has work)
    if _SOKUON in marked:  # っ doubles the consonant after it
        marked = _DOUBLED.sub(_doubled, marked).replace(_SOKUON, "")
    typed = plain = marked
    if _LONG in marked:  # ー repeats the vowel before it as typed, and is left out in Hepburn
        typed = _STRETCHED.sub(_stretched, marked).replace(_LONG, "")
        plain = marked.replace(_LONG, "")
    plain = plain.replace("cch", "tch")
    hepburn = plain.replace("ou", "o").replace("oo", "o").replace("uu", "u")
    passport = plain.replace("ou", "oh").replace("oo", "oh").replace("uu", "u")
    passport = passport.replace("nb", "mb").replace("nm", "mm").replace("np", "mp")  # n before b/m/p is ん
    forms = (typed, hepburn, passport)
    return tuple(dict.fromkeys(form if form.isascii() and form.isalnum() else _NOT_LATIN.sub("", form) for form in forms))


def _doubled(match: re.Match[str]) -> str:
    return match[1] * 2


def _stretched(match: re.Match[str]) -> str:
    return match[1] * 2
