"""Parsing and validating what reps type: WHEN, phone numbers, e-mail addresses, amounts, choices, and
text (one-line and multi-line fields: control characters refused, length bounded by `model.MAX_LENGTH`).

Every function raises `BadInput` with one sentence naming the field and what is accepted.
python-dateutil's parser is imported only for free-form dates, so quick logging stays fast.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from istui.domain.errors import BadInput
from istui.domain.model import DEFAULT_MAX_LENGTH, MAX_LENGTH, MAX_TAGS
from istui.domain.text import unsafe_character
from istui.i18n import N_, _

DEFAULT_TIME = time(9, 0)

_WEEKDAYS = {
    "mon": 0, "monday": 0, "月": 0, "月曜": 0, "月曜日": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "火": 1, "火曜": 1, "火曜日": 1,
    "wed": 2, "wednesday": 2, "水": 2, "水曜": 2, "水曜日": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "木": 3, "木曜": 3, "木曜日": 3,
    "fri": 4, "friday": 4, "金": 4, "金曜": 4, "金曜日": 4,
    "sat": 5, "saturday": 5, "土": 5, "土曜": 5, "土曜日": 5,
    "sun": 6, "sunday": 6, "日": 6, "日曜": 6, "日曜日": 6,
}
_DAY_WORDS = {"today": 0, "今日": 0, "tomorrow": 1, "明日": 1, "yesterday": -1, "昨日": -1}
_RELATIVE = re.compile(r"^([+-])\s*(\d{1,4})\s*(m|min|mins|h|hr|hrs|d|day|days|w|wk|wks|week|weeks)$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_TIME_JA = re.compile(r"^(午前|午後)?(\d{1,2})時(?:(\d{1,2})分|半)?$")
_YEAR = re.compile(r"\d{4}")

WHEN_HINT = N_("try 'tomorrow 10am', '+3d', '+2h', 'mon', 'next tue 9:30', '2026-12-01' or '12/1 14:00'")


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())


def parse_time_of_day(text: str) -> time | None:
    """`15:00`, `10am`, `9:30pm`, `9時半` → a time; anything else → None."""
    match = _TIME.match(text)
    if match:
        hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
        if meridiem:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
    else:
        match = _TIME_JA.match(text)
        if not match:
            return None
        hour = int(match[2])
        minute = 30 if match[0].endswith("半") else int(match[3] or 0)
        if match[1] == "午後" and hour < 12:
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _at(day: date, clock: time | None, now: datetime) -> datetime:
    return datetime.combine(day, clock or DEFAULT_TIME, tzinfo=now.tzinfo)


def parse_when(text: str, now: datetime, field: str = "WHEN") -> datetime:
    """Read a WHEN expression relative to `now` (timezone-aware, in the workspace timezone).

    Date-only forms land at 09:00; `+3d`/`+2h` keep the time of day; weekday names mean the
    first such day after today (`next` is optional); a date without a year is put in the year
    nearest to today. A time outside the years istui stores (`domain.checks`), or one that cannot
    exist (an offset of +99:00), is bad input.
    """
    from istui.domain.checks import MAX_YEAR, MIN_YEAR

    try:
        moment = _parse_when(text, now, field)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, BadInput):
            raise
        raise BadInput(_("{field}: cannot read '{text}' as a date or time; {hint}.").format(
            field=field, text=text.strip(), hint=_(WHEN_HINT))) from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise BadInput(_("{field}: '{text}' is outside the years {first}–{last}.").format(
            field=field, text=text.strip(), first=MIN_YEAR, last=MAX_YEAR))
    return moment


def parse_follow_up(text: str, now: datetime, field: str = "next") -> datetime:
    """A follow-up WHEN (`--next`, `--meeting`, a form's follow-up field): like `parse_when`, but a moment
    in the past is refused with one sentence that shows the date read (a yearless date already past this
    year, `11/1` typed in December, suggests next year's)."""
    moment = parse_when(text, now, field)
    if moment >= now.replace(second=0, microsecond=0) - timedelta(minutes=1):
        return moment
    shown = moment.strftime("%Y-%m-%d %H:%M")
    cleaned = _clean(text)
    head = cleaned.split(" ")[0]
    yearless = (not _YEAR.search(cleaned) and not _RELATIVE.match(cleaned) and head not in _DAY_WORDS
                and head not in _WEEKDAYS and head != "next" and parse_time_of_day(cleaned) is None)
    if yearless:
        try:
            later = moment.replace(year=moment.year + 1)
        except ValueError:  # 29 February
            later = None
        if later is not None and later > now:
            raise BadInput(_("{field}: '{text}' reads as {moment}, which is in the past; for next year type {suggestion}.")
                           .format(field=field, text=text.strip(), moment=shown, suggestion=later.strftime("%Y-%m-%d %H:%M")))
    raise BadInput(_("{field}: '{text}' reads as {moment}, which is in the past; a follow-up needs a future time, "
                     "e.g. 'tomorrow 10am'.").format(field=field, text=text.strip(), moment=shown))


def _parse_when(text: str, now: datetime, field: str) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    cleaned = _clean(text)
    if not cleaned:
        raise BadInput(_("{field} is empty; {hint}.").format(field=field, hint=_(WHEN_HINT)))
    if cleaned == "now":
        return now.replace(microsecond=0)
    relative = _RELATIVE.match(cleaned)
    if relative:
        sign = 1 if relative[1] == "+" else -1
        unit = relative[3][0]
        return (now + sign * timedelta(seconds=int(relative[2]) * _UNIT_SECONDS[unit])).replace(microsecond=0)

    words = cleaned.split(" ")
    head, rest = words[0], " ".join(words[1:])
    if head == "next" and rest:
        head, _sep, rest = rest.partition(" ")
    day: date | None = None
    if head in _DAY_WORDS:
        day = now.date() + timedelta(days=_DAY_WORDS[head])
    elif head in _WEEKDAYS:
        ahead = (_WEEKDAYS[head] - now.weekday()) % 7 or 7
        day = now.date() + timedelta(days=ahead)
    if day is not None:
        if not rest:
            return _at(day, None, now)
        clock = parse_time_of_day(rest)
        if clock is None:
            raise BadInput(_("{field}: cannot read the time '{time}' in '{text}'; {hint}.").format(
                field=field, time=rest, text=text.strip(), hint=_(WHEN_HINT)))
        return _at(day, clock, now)

    clock = parse_time_of_day(cleaned)
    if clock is not None:  # a bare time means today
        return _at(now.date(), clock, now)
    if _TIME.match(cleaned) or _TIME_JA.match(cleaned):
        raise BadInput(_("{field}: '{text}' is not a time of day; {hint}.").format(field=field, text=text.strip(),
                                                                                    hint=_(WHEN_HINT)))
    return _parse_absolute(cleaned, text, now, field)


def _parse_absolute(cleaned: str, original: str, now: datetime, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(cleaned.upper().replace(" ", "T", 1) if "-" in cleaned else cleaned)
        has_time = ":" in cleaned or "t" in cleaned
    except ValueError:
        parsed = None
    if parsed is None:
        from dateutil import parser as dateutil_parser  # slow import: only for free-form dates

        default = datetime.combine(now.date(), DEFAULT_TIME)
        try:
            parsed = dateutil_parser.parse(cleaned, default=default, yearfirst=bool(_YEAR.match(cleaned)))
        except (ValueError, OverflowError, dateutil_parser.ParserError):
            raise BadInput(_("{field}: cannot read '{text}' as a date or time; {hint}.").format(
                field=field, text=original.strip(), hint=_(WHEN_HINT))) from None
        if not _YEAR.search(cleaned) and cleaned.count("/") < 2:
            parsed = _nearest_year(parsed, now)
        has_time = True
    if not has_time:
        parsed = datetime.combine(parsed.date(), DEFAULT_TIME)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=now.tzinfo)
    return parsed.astimezone(now.tzinfo)


def _nearest_year(parsed: datetime, now: datetime) -> datetime:
    """`1/5` typed in December means next January; `11/20` typed in January means last November."""
    naive_now = now.replace(tzinfo=None)
    best = parsed
    for year in (parsed.year - 1, parsed.year + 1):
        try:
            candidate = parsed.replace(year=year)
        except ValueError:  # 29 February
            continue
        if abs(candidate - naive_now) < abs(best - naive_now):
            best = candidate
    return best


# --- phone ---------------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−ーｰ－"), "-")
_PHONE_CHARS = re.compile(r"^\+?\(?[0-9][0-9 ()\-.]*$")


def normalize_phone(text: str, field: str = "phone") -> str:
    """Return the phone number as displayed: half-width digits, hyphens and spaces kept.

    Accepts Japanese domestic numbers (`03-1234-5678`, `090-1234-5678`, `0120-123-456`),
    international ones (`+81 3 1234 5678`) and full-width forms (`０３－１２３４－５６７８`).
    """
    cleaned = " ".join(unicodedata.normalize("NFKC", _checked(text, field, False)).translate(_DASHES).split())
    if not cleaned:
        return ""
    _bounded(cleaned, field, MAX_LENGTH["phone"])
    digits = re.sub(r"\D", "", cleaned)
    valid = bool(_PHONE_CHARS.match(cleaned))
    if valid and cleaned.startswith("+"):
        valid = 8 <= len(digits) <= 15
    elif valid:
        valid = digits.startswith("0") and 10 <= len(digits) <= 11
    if not valid:
        raise BadInput(_("{field}: '{text}' is not a phone number; use digits with optional hyphens, "
                         "e.g. 03-1234-5678, 090-1234-5678 or +81 3 1234 5678.").format(field=field, text=text.strip()))
    return cleaned


def phone_key(text: str) -> str:
    """Digits only, +81 folded to a leading 0: the same number typed two ways gives one key."""
    cleaned = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    digits = re.sub(r"\D", "", cleaned)
    if cleaned.startswith("+81"):
        digits = "0" + digits[2:].lstrip("0")
    return digits


# --- e-mail --------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def normalize_email(text: str, field: str = "email") -> str:
    """Half-width, trimmed, domain lower-cased; raises BadInput unless it looks like name@domain.tld."""
    cleaned = unicodedata.normalize("NFKC", _checked(text, field, False)).strip()
    if not cleaned:
        return ""
    _bounded(cleaned, field, MAX_LENGTH["email"])
    if not _EMAIL.match(cleaned) or ".." in cleaned:
        raise BadInput(_("{field}: '{text}' is not an e-mail address; use name@example.co.jp.").format(
            field=field, text=text.strip()))
    local, _at, domain = cleaned.rpartition("@")
    return f"{local}@{domain.lower()}"


# --- amounts -------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(万|億|千|k|m)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:万|億|千|k|m)?$")  # commas only between groups of three
_MULTIPLIER = {None: 1, "千": 1_000, "k": 1_000, "万": 10_000, "m": 1_000_000, "億": 100_000_000}


#: ISO 4217 currencies whose amounts have no minor unit, or three decimals; every other one has two.
_MINOR_DIGITS = {**dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                  "VND", "VUV", "XAF", "XOF", "XPF"), 0),
                 **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3)}
#: Currency marks a typed amount may carry (after NFKC and lower-casing), with the currencies each can mean.
_MARKS = (("円", ("JPY",)), ("yen", ("JPY",)), ("¥", ("JPY", "CNY")), ("元", ("CNY",)), ("€", ("EUR",)),
          ("£", ("GBP",)), ("₩", ("KRW",)), ("$", ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN")))
_CODE = re.compile(r"^([a-z]{3})\s*|\s*([a-z]{3})$")


def minor_digits(currency: str) -> int:
    """Decimal places an amount in `currency` has (JPY 0, USD 2, KWD 3)."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


def parse_amount(text: str | int | float, field: str = "amount", currency: str | None = "JPY") -> int | float:
    """`1200000`, `1,200,000`, `¥1,200,000`, `120万`, `120万円`, `1.2億`, `$99.99` → an amount in the workspace's
    `currency`, with at most its decimal places (whole yen; cents for USD). A mark of another currency (`$100`
    in a JPY workspace) is refused, never converted. `currency` None: a count of things (no mark, whole), and
    every refusal gives counts as examples, never amounts."""
    count = currency is None
    if isinstance(text, bool):
        raise BadInput((_("{field}: expected a count such as 60 or 1,200.") if count else
                        _("{field}: expected an amount such as 1200000, ¥1,200,000 or 120万.")).format(field=field))
    if isinstance(text, int | float):
        value = float(text)
    else:
        cleaned = unicodedata.normalize("NFKC", str(text)).strip().lower()
        marks = [(mark, meant) for mark, meant in _MARKS if mark in cleaned]
        for mark, _meant in marks:
            cleaned = cleaned.replace(mark, "")
        code = _CODE.search(cleaned)
        if code and any(c.isdigit() for c in cleaned):  # an ISO code before or after the number: `USD 100`
            marks.append((code[0], (code[0].strip().upper(),)))
            cleaned = cleaned[:code.start()] + cleaned[code.end():]
        if marks and currency is None:
            raise BadInput(_("{field}: '{text}' is a number of things, not an amount; leave out the currency.").format(
                field=field, text=str(text).strip()))
        if any(currency.upper() not in meant for _mark, meant in marks):
            raise BadInput(_("{field}: '{text}' is written in another currency than {currency}; istui does not "
                             "convert, so write the amount in {currency}.").format(
                                 field=field, text=str(text).strip(), currency=currency))
        cleaned = cleaned.replace(" ", "")
        if "," in cleaned and not _GROUPED.match(cleaned):  # `12,00`: a misplaced separator is never guessed at
            raise BadInput(_("{field}: '{text}' has a thousands separator in the wrong place; write 1,200 or 1200.").format(
                field=field, text=str(text).strip()))
        match = _AMOUNT.match(cleaned.replace(",", ""))
        if not match and cleaned.startswith("-") and _AMOUNT.match(cleaned[1:].replace(",", "")):
            raise BadInput((_("{field}: '{text}' is below zero; a count is 0 or more, e.g. 60.") if count else
                            _("{field}: '{text}' is below zero; an amount is 0 or more, e.g. 1200000 or 120万.")).format(
                field=field, text=str(text).strip()))
        if not match:
            raise BadInput((_("{field}: '{text}' is not a count; use a whole number such as 60 or 1,200.") if count else
                            _("{field}: '{text}' is not an amount; use 1200000, 1,200,000, ¥1,200,000 or 120万.")).format(
                field=field, text=str(text).strip()))
        value = float(match[1]) * _MULTIPLIER[match[2]]
    if value < 0 or value != value or value > 10**15:
        raise BadInput((_("{field}: '{text}' is out of range; counts are from 0 to 1,000,000,000,000,000.") if count else
                        _("{field}: '{text}' is out of range; amounts are from 0 to 1,000,000,000,000,000.")).format(
            field=field, text=text))
    if count:
        if value != int(value):
            raise BadInput(_("{field}: '{text}' has a fraction; a count is a whole number, e.g. 60.").format(
                field=field, text=str(text).strip()))
        return int(value)
    digits = minor_digits(currency)
    kept = round(value, digits)
    if abs(kept - value) > 1e-9 * max(1.0, value):
        raise BadInput((_("{field}: '{text}' has a fraction; {currency} amounts are whole numbers.") if digits == 0 else
                        _("{field}: '{text}' has more than {digits} decimal places, the most {currency} has.")).format(
                            field=field, text=str(text).strip(), digits=digits, currency=currency))
    return int(kept) if kept == int(kept) else kept


# --- choices and lists ---------------------------------------------------------------------------

def parse_choice(value: str, choices: Iterable[str], field: str) -> str:
    """Exact (case-insensitive, `-` read as `_`) member of `choices`, or BadInput listing them."""
    options = list(choices)
    cleaned = unicodedata.normalize("NFKC", value).strip().lower().replace("-", "_")
    if cleaned in options:
        return cleaned
    raise BadInput(_("{field}: '{value}' is not one of {options}.").format(field=field, value=value, options=", ".join(options)))


def parse_tags(values: Iterable[str]) -> list[str]:
    """Tags from repeated options or comma lists: trimmed, without '#', de-duplicated, order kept; each one
    line of plain text, at most MAX_LENGTH['tag'] characters, at most MAX_TAGS of them."""
    tags: list[str] = []
    limit = MAX_LENGTH["tag"]
    for value in values:
        for part in _checked(value, "tags", multiline=False).split(","):
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
    """A one-line text field that must not be empty (see `optional_text`)."""
    cleaned = optional_text(value, field, max_length)
    if not cleaned:
        raise BadInput(_("{field} is required and cannot be empty.").format(field=field))
    return cleaned


def optional_text(value: str, field: str, max_length: int | None = None) -> str:
    """A one-line text field: control characters refused, line breaks and tabs folded to single spaces,
    trimmed, at most `max_length` (default: the field's MAX_LENGTH) characters."""
    cleaned = " ".join(_checked(value, field, multiline=False).split())
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
                         "file as UTF-8.").format(field=field, code=code))
    if multiline:
        raise BadInput(_("{field} contains a control character ({code}); only text, line breaks and tabs are "
                         "accepted.").format(field=field, code=code))
    raise BadInput(_("{field} contains a control character ({code}); only plain text is accepted.").format(
        field=field, code=code))


def _bounded(value: str, field: str, max_length: int | None) -> str:
    limit = max_length if max_length is not None else MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH)
    if len(value) > limit:
        raise BadInput(_("{field} is {length} characters long; at most {limit} are accepted.").format(
            field=field, length=f"{len(value):,}", limit=f"{limit:,}"))
    return value


_REP = re.compile(r"^[\w][\w.\-]{0,39}$")


def parse_rep(value: str, field: str = "rep") -> str:
    """A rep name is also a folder name: letters (any script), digits, '.', '-', '_'; at most 40."""
    cleaned = unicodedata.normalize("NFC", value.strip())
    if not _REP.match(cleaned) or cleaned in {".", ".."}:
        raise BadInput(_("{field}: '{value}' is not a usable rep name; use letters, digits, '.', '-' or '_' "
                         "(no spaces), e.g. alice or 山田.").format(field=field, value=value))
    return cleaned


def parse_int(value: str, field: str, minimum: int = 0) -> int:
    try:
        number = int(unicodedata.normalize("NFKC", value).strip())
    except ValueError:
        raise BadInput(_("{field}: '{value}' is not a whole number.").format(field=field, value=value)) from None
    if number < minimum:
        raise BadInput(_("{field}: {number} is too small; at least {minimum} is accepted.").format(
            field=field, number=number, minimum=minimum))
    return number
