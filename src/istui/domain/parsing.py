"""Parsing and validating what reps type: WHEN (read in `domain.when`, its names re-exported here; phone
numbers: `domain.phones`), e-mail addresses, amounts, choices, and text (one-line and multi-line fields: control characters
refused, length bounded by `model.MAX_LENGTH`).

Every function raises `BadInput` with one sentence naming the field and what is accepted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from istui.domain import labels
from istui.domain.errors import BadInput
from istui.domain.model import DEFAULT_MAX_LENGTH, MAX_LENGTH, MAX_TAGS
from istui.domain.patterns import lazy
from istui.domain.text import drop_invisible, has_visible, unsafe_character
from istui.domain.when import DEFAULT_TIME as DEFAULT_TIME  # WHEN lives in domain.when; its names stay here too
from istui.domain.when import WHEN_HINT as WHEN_HINT
from istui.domain.when import parse_follow_up as parse_follow_up
from istui.domain.when import parse_time_of_day as parse_time_of_day
from istui.domain.when import parse_when as parse_when
from istui.i18n import _

# --- e-mail --------------------------------------------------------------------------------------

_EMAIL = lazy(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def normalize_email(text: str, field: str = "email") -> str:
    """Half-width, trimmed, domain lower-cased; raises BadInput unless it looks like name@domain.tld."""
    cleaned = unicodedata.normalize("NFKC", _checked(text, field, False)).strip()
    if not cleaned:
        return ""
    _bounded(cleaned, field, MAX_LENGTH["email"])
    if not _EMAIL.match(cleaned) or ".." in cleaned:
        raise BadInput(_("{field}: '{text}' is not an e-mail address; use name@example.co.jp.").format(
            field=labels.field(field), text=text.strip()))
    local, _at, domain = cleaned.rpartition("@")
    return f"{local}@{domain.lower()}"


# --- amounts -------------------------------------------------------------------------------------

_AMOUNT = lazy(r"^(\d+(?:\.\d+)?)(万|億|千|k|m)?$")
#: Japanese mixed units, largest first: `1億2000万`, `120万5000`, `120万5千` (whole numbers in each part).
_MIXED = lazy(r"^(?:(\d+)億)?(?:(\d+)万)?(?:(\d+)千)?(\d+)?$")
_GROUPED = lazy(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # commas only between groups of three
_MULTIPLIER = {None: 1, "千": 1_000, "k": 1_000, "万": 10_000, "m": 1_000_000, "億": 100_000_000}

#: The active ISO 4217 currency codes (funds included; precious metals, test and special codes left out).
#: ANG, SLL and ZWL are kept while their successors (XCG, SLE, ZWG) take over.
_ISO_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT
TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
ZWL"""
ISO_4217 = frozenset(_ISO_CODES.split())
#: ISO 4217 currencies whose amounts have no minor unit, three or four decimals; every other one has two.
_MINOR_DIGITS = {**dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                  "VND", "VUV", "XAF", "XOF", "XPF"), 0),
                 **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
                 **dict.fromkeys(("CLF", "UYW"), 4)}
_DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN")
#: Currency marks and words a typed amount may carry (after NFKC and lower-casing), with the currencies each can
#: mean; a longer mark comes before the shorter one inside it (`us$` before `$`, `dollars` before `dollar`).
_MARKS = (("us$", ("USD",)), ("dollars", _DOLLARS), ("dollar", _DOLLARS), ("ドル", _DOLLARS),
          ("euros", ("EUR",)), ("euro", ("EUR",)), ("ユーロ", ("EUR",)), ("円", ("JPY",)), ("yen", ("JPY",)),
          ("¥", ("JPY", "CNY")), ("元", ("CNY",)), ("€", ("EUR",)), ("£", ("GBP",)), ("₩", ("KRW",)), ("$", _DOLLARS))
_CODE = lazy(r"^([a-z]{3})\s*|\s*([a-z]{3})$")


def is_currency(code: str) -> bool:
    """Whether `code` is an active ISO 4217 currency code (upper case: JPY, USD)."""
    return code in ISO_4217


def minor_digits(currency: str) -> int:
    """Decimal places an amount in `currency` has (JPY 0, USD 2, KWD 3)."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


def _mixed_units(cleaned: str) -> int | None:
    """`1億2000万` → 120000000, `120万5000` and `120万5千` → 1205000: Japanese units largest first, each part
    below the next larger unit (`120万12000` is no amount); None when `cleaned` is not such a form."""
    match = _MIXED.match(cleaned)
    if not match or sum(part is not None for part in match.groups()) < 2:
        return None
    oku, man, sen, rest = (int(part) if part is not None else None for part in match.groups())
    if man is not None and oku is not None and man >= 10_000:
        return None
    if sen is not None and (oku is not None or man is not None) and sen >= 10:
        return None
    smallest = 1_000 if sen is not None else 10_000 if man is not None else 100_000_000
    if rest is not None and rest >= smallest:
        return None
    return (oku or 0) * 100_000_000 + (man or 0) * 10_000 + (sen or 0) * 1_000 + (rest or 0)


def parse_amount(text: str | int | float, field: str = "amount", currency: str | None = "JPY") -> int | float:
    """`1200000`, `1,200,000`, `¥1,200,000`, `120万`, `120万円`, `1.2億`, `1億2000万`, `120万5千`, `$99.99`,
    `5 dollars`, `US$5` → an amount in the workspace's `currency`, with at most its decimal places (whole yen;
    cents for USD). A mark of another currency (`$100` in a JPY workspace) is refused, never converted.
    `currency` None: a count of things (no mark, whole), and every refusal gives counts as examples, never amounts."""
    count = currency is None
    if isinstance(text, bool):
        raise BadInput((_("{field}: expected a count such as 60 or 1,200.") if count else
                        _("{field}: expected an amount such as 1200000, ¥1,200,000 or 120万.")).format(field=labels.field(field)))
    if isinstance(text, int | float):
        value = float(text)
    else:
        cleaned = unicodedata.normalize("NFKC", str(text)).strip().lower()
        marks = []
        for mark, meant in _MARKS:
            if mark in cleaned:
                marks.append((mark, meant))
                cleaned = cleaned.replace(mark, "")
        code = _CODE.search(cleaned)
        named = code and (code[1] or code[2]).upper()
        if named and is_currency(named) and any(c.isdigit() for c in cleaned):  # a code before or after: `USD 100`
            marks.append((code[0], (named,)))
            cleaned = cleaned[:code.start()] + cleaned[code.end():]
        if marks and currency is None:
            raise BadInput(_("{field}: '{text}' is a number of things, not an amount; leave out the currency.").format(
                field=labels.field(field), text=str(text).strip()))
        if any(currency.upper() not in meant for _mark, meant in marks):
            raise BadInput(_("{field}: '{text}' is written in another currency than {currency}; istui does not "
                             "convert, so write the amount in {currency}.").format(
                                 field=labels.field(field), text=str(text).strip(), currency=currency))
        cleaned = cleaned.replace(" ", "")
        if any("," in run and not _GROUPED.match(run) for run in re.findall(r"[\d.,]+", cleaned)):
            raise BadInput(_("{field}: '{text}' has a thousands separator in the wrong place; write 1,200 or 1200.").format(
                field=labels.field(field), text=str(text).strip()))  # `12,00`: a misplaced separator is never guessed at
        cleaned = cleaned.replace(",", "")
        match = _AMOUNT.match(cleaned)
        if not match and cleaned.startswith("-") and _AMOUNT.match(cleaned[1:]):
            raise BadInput((_("{field}: '{text}' is below zero; a count is 0 or more, e.g. 60.") if count else
                            _("{field}: '{text}' is below zero; an amount is 0 or more, e.g. 1200000 or 120万.")).format(
                field=labels.field(field), text=str(text).strip()))
        mixed = None if match else _mixed_units(cleaned)
        if not match and mixed is None:
            raise BadInput((_("{field}: '{text}' is not a count; use a whole number such as 60 or 1,200.") if count else
                            _("{field}: '{text}' is not an amount; use 1200000, 1,200,000, ¥1,200,000 or 120万.")).format(
                field=labels.field(field), text=str(text).strip()))
        value = float(mixed) if mixed is not None else float(match[1]) * _MULTIPLIER[match[2]]
    if value < 0 or value != value or value > 10**15:
        raise BadInput((_("{field}: '{text}' is out of range; counts are from 0 to 1,000,000,000,000,000.") if count else
                        _("{field}: '{text}' is out of range; amounts are from 0 to 1,000,000,000,000,000.")).format(
            field=labels.field(field), text=text))
    if count:
        if value != int(value):
            raise BadInput(_("{field}: '{text}' has a fraction; a count is a whole number, e.g. 60.").format(
                field=labels.field(field), text=str(text).strip()))
        return int(value)
    digits = minor_digits(currency)
    kept = round(value, digits)
    if abs(kept - value) > 1e-9 * max(1.0, value):
        raise BadInput((_("{field}: '{text}' has a fraction; {currency} amounts are whole numbers.") if digits == 0 else
                        _("{field}: '{text}' has more than {digits} decimal places, the most {currency} has.")).format(
                            field=labels.field(field), text=str(text).strip(), digits=digits, currency=currency))
    return int(kept) if kept == int(kept) else kept


# --- choices and lists ---------------------------------------------------------------------------

def parse_choice(value: str, choices: Iterable[str], field: str) -> str:
    """Exact (case-insensitive, `-` read as `_`) member of `choices`, or BadInput listing them."""
    options = list(choices)
    cleaned = unicodedata.normalize("NFKC", value).strip().lower().replace("-", "_")
    if cleaned in options:
        return cleaned
    raise BadInput(_("{field}: '{value}' is not one of {options}.").format(field=labels.field(field), value=value, options=", ".join(options)))


def parse_tags(values: Iterable[str]) -> list[str]:
    """Tags from repeated options or comma lists: trimmed, without '#', de-duplicated, order kept; each one
    line of plain text, at most MAX_LENGTH['tag'] characters, at most MAX_TAGS of them."""
    tags: list[str] = []
    limit = MAX_LENGTH["tag"]
    for value in values:
        for part in drop_invisible(_checked(value, "tags", multiline=False)).split(","):
            tag = " ".join(part.split()).lstrip("#").strip()
            if len(tag) > limit:
                raise BadInput(_("tags: a tag is {length} characters long; at most {limit} are accepted.").format(
                    length=f"{len(tag):,}", limit=limit))
            if tag and tag not in tags:
                tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise BadInput(_("tags: {count} tags; at most {limit} are accepted.").format(count=len(tags), limit=MAX_TAGS))
    return tags


# --- text: the one cleaning of typed and imported text ------------------------------------------------

_LINE_BREAKS = dict.fromkeys(map(ord, "\r\u2028\u2029"), "\n")  # (after CR LF became LF)


def require_text(value: str, field: str, max_length: int | None = None) -> str:
    """A one-line text field that must not be empty (see `optional_text`): a value with no visible character (only
    spaces, a zero-width space, a BOM) is empty too; the characters a real value holds are kept."""
    cleaned = optional_text(value, field, max_length)
    if not has_visible(cleaned):
        raise BadInput(_("{field} is required and cannot be empty.").format(field=labels.field(field)))
    return cleaned


def optional_text(value: str, field: str, max_length: int | None = None) -> str:
    """A one-line text field: control characters refused, line breaks and tabs folded to single spaces,
    zero-width spaces, word joiners and BOMs dropped (they only shift columns and hide a name from search),
    trimmed, at most `max_length` (default: the field's MAX_LENGTH) characters."""
    cleaned = " ".join(drop_invisible(_checked(value, field, multiline=False)).split())
    return _bounded(cleaned, field, max_length)


def multiline_text(value: str, field: str, max_length: int | None = None, *, strip: bool = True) -> str:
    """A multi-line text field (a memo, a note, a note's body): control characters refused except line
    breaks and tabs, which stay (CR LF, CR and the Unicode line separators become LF); trimmed unless
    `strip` is False."""
    cleaned = _checked(value, field, multiline=True).replace("\r\n", "\n").translate(_LINE_BREAKS)
    return _bounded(cleaned.strip() if strip else cleaned, field, max_length)


def check_text(value: str, field: str, multiline: bool = False) -> str:
    """`value` unchanged, or BadInput naming `field` when it holds a control character (one sentence, the
    character named by its code point, never shown)."""
    return _checked(value, field, multiline)


def _checked(value: str, field: str, multiline: bool) -> str:
    found = unsafe_character(value)
    if found is None:
        return value
    code = f"U+{ord(found):04X}"
    if "\ud800" <= found <= "\udfff":  # a byte that was not UTF-8 (argv, stdin and files are read as UTF-8)
        raise BadInput(_("{field} contains a byte that is not UTF-8 ({code}); type it in a UTF-8 terminal or save the "
                         "file as UTF-8.").format(field=labels.field(field), code=code))
    if multiline:
        raise BadInput(_("{field} contains a control character ({code}); only text, line breaks and tabs are "
                         "accepted.").format(field=labels.field(field), code=code))
    raise BadInput(_("{field} contains a control character ({code}); only plain text is accepted.").format(
        field=labels.field(field), code=code))


def _bounded(value: str, field: str, max_length: int | None) -> str:
    limit = max_length if max_length is not None else MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH)
    if len(value) > limit:
        raise BadInput(_("{field} is {length} characters long; at most {limit} are accepted.").format(
            field=labels.field(field), length=f"{len(value):,}", limit=f"{limit:,}"))
    return value


_REP = lazy(r"^[\w][\w.\-]{0,39}$")


def parse_rep(value: str, field: str = "rep") -> str:
    """A rep name is also a folder name: letters (any script), digits, '.', '-', '_'; at most 40."""
    cleaned = unicodedata.normalize("NFC", value.strip())
    if not _REP.match(cleaned) or cleaned in {".", ".."}:
        raise BadInput(_("{field}: '{value}' is not a usable rep name; use letters, digits, '.', '-' or '_' "
                         "(no spaces), e.g. alice or 山田.").format(field=labels.field(field), value=value))
    return cleaned


def parse_int(value: str, field: str, minimum: int = 0, maximum: int | None = None) -> int:
    try:
        number = int(unicodedata.normalize("NFKC", value).strip())
    except ValueError:
        raise BadInput(_("{field}: '{value}' is not a whole number.").format(field=labels.field(field), value=value)) from None
    if number < minimum:
        raise BadInput(_("{field}: {number} is too small; at least {minimum} is accepted.").format(
            field=labels.field(field), number=number, minimum=minimum))
    if maximum is not None and number > maximum:
        raise BadInput(_("{field}: {number} is too large; at most {maximum:,} is accepted.").format(
            field=labels.field(field), number=number, maximum=maximum))
    return number
