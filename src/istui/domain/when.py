"""Reading WHEN: when a follow-up, a meeting or a call is, as a rep types it, in English or in Japanese.

English: `today 15:00`, `tomorrow 10am`, `yesterday 9:00`, `+3d`, `+2h`, `in 3 days`, `mon`, `next tue 9:30`,
`next week`, `eod`, `2026-12-01`, `12/1 14:00`, `11-30 09:00`, `Fri 2026-11-27 15:17`.
Japanese: `明日 10時`, `明日10:00`, `あした`, `明後日`, `あさって`, `来週月曜`, `来週`, `金 10:00`, `3日後`,
`2週間後`, `1ヶ月後`, `3時間後`, `12月5日 14時`, `2026年12月5日(土) 14:00`, `12/5(金)`, `午後3時`,
`午前10時半`, `10時30分`, `正午`, `明日の朝` / `夕方` / `夜`, `来月` (its first day), `来月15日`, `今日中` / `明日中` (by the
end of the working day), `午前中` (its start); `tomorrow afternoon`, `next month`;
full-width digits and spaces, `の` between the parts (`来週の月曜の10時`) and a closing `に`/`まで`/`頃`.

Every date the app shows (`domain.formatting`: both forms, both languages) reads back to itself. Date-only
forms land at 09:00; `+3d`, `in 3 days` and `3日後` keep the time of day; a weekday means the first such
day after today (`next`/`次の` optional); `来週`/`今週`/`再来週`/`先週` name a weekday of that week
(weeks start on Monday; `来週` alone is its Monday); a date without a year is put in the year nearest to
today; `今日中`/`eod` is the end of the working hours (`day_end`), or 23:59 once they are over.
python-dateutil's parser is imported only for free-form dates (`Dec 5`), so quick logging stays fast.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from istui.domain import labels
from istui.domain.errors import BadInput
from istui.domain.patterns import lazy
from istui.i18n import N_, _

DEFAULT_TIME = time(9, 0)
DAY_END = time(18, 0)  # the end of the working day when the caller does not give the workspace's
LAST_MINUTE = time(23, 59)

WHEN_HELP = N_("WHEN: 'today 15:00', 'tomorrow 10am', '+3d', '+2h', 'mon', 'next tue 9:30', '2026-12-01', '12/1 14:00'")
WHEN_HINT = N_("try 'tomorrow 10am', '+3d', '+2h', 'mon', 'next tue 9:30', '2026-12-01' or '12/1 14:00'")
WHEN_WORDS = N_("'eod' is today by the end of the working hours (23:59 once they are over), 'next week' next "
                "Monday, 'in 3 days' keeps the time of day; any date the app shows can be typed back.")

_WEEKDAYS = {
    "mon": 0, "monday": 0, "月": 0, "月曜": 0, "月曜日": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "火": 1, "火曜": 1, "火曜日": 1,
    "wed": 2, "wednesday": 2, "水": 2, "水曜": 2, "水曜日": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "木": 3, "木曜": 3, "木曜日": 3,
    "fri": 4, "friday": 4, "金": 4, "金曜": 4, "金曜日": 4,
    "sat": 5, "saturday": 5, "土": 5, "土曜": 5, "土曜日": 5,
    "sun": 6, "sunday": 6, "日": 6, "日曜": 6, "日曜日": 6,
}
_NEAR_DAYS = {"today": 0, "今日": 0, "本日": 0, "tomorrow": 1, "明日": 1, "yesterday": -1, "昨日": -1,
              "明後日": 2, "一昨日": -2, "明々後日": 3, "明明後日": 3}
_WEEKS = {"this week": 0, "next week": 1, "last week": -1, "今週": 0, "来週": 1, "再来週": 2, "先週": -1}
# readings typed in kana, and other spellings, as the words below
_SPELLINGS = {"きょう": "今日", "ほんじつ": "本日", "あした": "明日", "あす": "明日", "みょうにち": "明日", "きのう": "昨日",
              "しあさって": "明々後日", "あさって": "明後日", "みょうごにち": "明後日", "おととい": "一昨日", "おとつい": "一昨日",
              "さらいしゅう": "再来週", "らいしゅう": "来週", "こんしゅう": "今週", "せんしゅう": "先週", "ごぜん": "午前",
              "ごご": "午後", "しょうご": "正午", "げつよう": "月曜", "かよう": "火曜", "すいよう": "水曜", "もくよう": "木曜",
              "きんよう": "金曜", "どよう": "土曜", "にちよう": "日曜", "a.m.": "am", "p.m.": "pm", "end of day": "eod",
              "end of the day": "eod"}
_SPELLING = lazy("|".join(sorted(map(re.escape, _SPELLINGS), key=len, reverse=True)))
_CLOSING = lazy(r"(までに|まで|ごろ|頃|くらい|ぐらい|に)$")
_EN_WEEKDAY = "|".join(sorted((w for w in _WEEKDAYS if w.isascii()), key=len, reverse=True))
_WEEKDAY = rf"(?:(?:{_EN_WEEKDAY})(?![a-z])|[月火水木金土日](?:曜日|曜)?)"

_RELATIVE = lazy(r"^([+-])\s*(\d{1,4})\s*(m|min|mins|h|hr|hrs|d|day|days|w|wk|wks|week|weeks)$")
_IN = lazy(r"^in\s+(\d{1,4})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_JA_SPAN = lazy(r"^(\d{1,4})\s*(分|時間|日|週間|週|か月|ヶ月|ヵ月|カ月|ケ月|箇月)\s*(後|前)")
_JA_SPAN_SECONDS = {"分": 60, "時間": 3600, "日": 86400, "週間": 604800, "週": 604800}
_NEAR = lazy(r"^(?:(today|tomorrow|yesterday)(?![a-z])|(明々後日|明明後日|明後日|一昨日|今日|本日|明日|昨日))")
_MONTH_AHEAD = lazy(r"^(next month|来月|再来月)(?:\s*(\d{1,2})\s*日)?")
_WEEK = lazy(rf"^(this week|next week|last week|再来週|来週|今週|先週)\s*({_WEEKDAY})?")
_NEXT = lazy(rf"^(?:next|次の|次)\s*({_WEEKDAY})")
_ON_WEEKDAY = lazy(rf"^({_WEEKDAY})")
_DATE = lazy(r"^(?:(\d{4})\s*[-/年]\s*)?(\d{1,2})\s*[-/月]\s*(\d{1,2})(?!\d)\s*日?")
_NOTED_WEEKDAY = lazy(rf"^\(?\s*({_WEEKDAY})\s*\)?")
_ISO = lazy(r"^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$")
_YEAR = lazy(r"\d{4}")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY_MONTH = lazy(rf"^(?:(\d{{1,2}})\s+{_MONTH}|{_MONTH}\s+(\d{{1,2}})(?!\d))(?:,?\s+(\d{{4}}))?(?![\d:])")

_TIME = lazy(r"^(am|pm)?\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_TIME_JA = lazy(r"^(午前|午後)?\s*(\d{1,2})\s*(?:時\s*(?:(\d{1,2})\s*分?|(半))?|:(\d{2}))$")
_END_OF_DAY = ("中", "eod")
_MORNING = ("午前中",)


def _clean(text: str) -> str:
    """Widths folded (full-width digits, colons, spaces), lower case, single spaces, kana readings as the
    words the grammar knows, `の` and `、` read as spaces, a closing particle dropped."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())
    cleaned = _SPELLING.sub(lambda match: _SPELLINGS[match[0]], cleaned)
    cleaned = " ".join(cleaned.replace("の", " ").replace("、", " ").split())
    return _CLOSING.sub("", cleaned).strip()


_DAY_PARTS = {"正午": time(12, 0), "朝": DEFAULT_TIME, "昼": time(12, 0), "夕方": time(17, 0), "夜": time(19, 0),
              "morning": DEFAULT_TIME, "noon": time(12, 0), "afternoon": time(14, 0), "evening": time(17, 0)}


def parse_time_of_day(text: str) -> time | None:
    """`15:00`, `10am`, `9:30pm`, `9時半`, `午後3時`, `10時30分`, `正午` → a time; anything else → None.
    `午前`/`午後` take 0–11 (`午後15時` is read as 15:00; `午後12時`, said both ways, is not read)."""
    if text in _DAY_PARTS:
        return _DAY_PARTS[text]
    match = _TIME.match(text)
    if match:
        if match[1] and match[4]:
            return None
        hour, minute, meridiem = int(match[2]), int(match[3] or 0), match[1] or match[4]
        if meridiem:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
    else:
        match = _TIME_JA.match(text)
        if not match:
            return None
        hour = int(match[2])
        minute = 30 if match[4] else int(match[3] or match[5] or 0)
        if (match[1] == "午前" and hour > 11) or (match[1] == "午後" and hour == 12):
            return None
        if match[1] == "午後" and hour < 12:
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _at(day: date, clock: time | None, now: datetime) -> datetime:
    return datetime.combine(day, clock or DEFAULT_TIME, tzinfo=now.tzinfo)


def parse_when(text: str, now: datetime, field: str = "WHEN", *, day_end: time = DAY_END) -> datetime:
    """Read a WHEN expression relative to `now` (timezone-aware, in the workspace timezone); `day_end` is the
    end of the workspace's working hours (for `今日中`, `eod`). A time outside the years istui stores
    (`domain.checks`), or one that cannot exist (an offset of +99:00), is bad input."""
    return _read_checked(text, now, labels.field(field), day_end)[0]  # messages name the field as people read it


def parse_follow_up(text: str, now: datetime, field: str = "next", *, day_end: time = DAY_END) -> datetime:
    """A follow-up WHEN (`--next`, `--meeting`, a form's follow-up field): like `parse_when`, but a moment
    in the past is refused with one sentence that shows the date read (a yearless date already past this
    year, `11/1` typed in December, suggests next year's)."""
    from istui.domain.formatting import long_moment  # formatting imports parsing: read at use

    meeting = field == "meeting"
    field = labels.field(field)  # as messages name it
    moment, yearless = _read_checked(text, now, field, day_end)
    if moment > now:  # strictly ahead: `+0d`, this very minute, is no follow-up
        return moment
    if moment >= now.replace(second=0, microsecond=0):
        raise BadInput((_("{field}: '{text}' reads as {moment}, which is now; a meeting must lie ahead, e.g. 'tue 14:00'.")
                        if meeting else
                        _("{field}: '{text}' reads as {moment}, which is now; a follow-up must lie ahead, e.g. '+2h' or "
                          "'tomorrow 10am'.")).format(field=field, text=text.strip(), moment=long_moment(moment)))
    if yearless:
        try:
            later = moment.replace(year=moment.year + 1)
        except ValueError:  # 29 February
            later = None
        if later is not None and later > now:
            raise BadInput(_("{field}: '{text}' reads as {moment}, which is in the past; for next year type {suggestion}.")
                           .format(field=field, text=text.strip(), moment=long_moment(moment),
                                   suggestion=long_moment(later)))
    if meeting:
        raise BadInput(_("{field}: '{text}' reads as {moment}, which is in the past; a meeting needs a future time, "
                         "e.g. 'tue 14:00'.").format(field=field, text=text.strip(), moment=long_moment(moment)))
    raise BadInput(_("{field}: '{text}' reads as {moment}, which is in the past; a follow-up needs a future time, "
                     "e.g. 'tomorrow 10am'.").format(field=field, text=text.strip(), moment=long_moment(moment)))


def _read_checked(text: str, now: datetime, field: str, day_end: time) -> tuple[datetime, bool]:
    """The moment read and whether its year was guessed; every failure is one BadInput sentence."""
    from istui.domain.checks import MAX_YEAR, MIN_YEAR

    try:
        moment, yearless = _read(text, now, field, day_end)
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, BadInput):
            raise
        raise _unreadable(field, text) from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise BadInput(_("{field}: '{text}' is outside the years {first}–{last}.").format(
            field=field, text=text.strip(), first=MIN_YEAR, last=MAX_YEAR))
    return moment, yearless


def _unreadable(field: str, text: str) -> BadInput:
    return BadInput(_("{field}: cannot read '{text}' as a date or time; {hint}.").format(
        field=field, text=text.strip(), hint=_(WHEN_HINT)))


def _read(text: str, now: datetime, field: str, day_end: time) -> tuple[datetime, bool]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    cleaned = _clean(text)
    if not cleaned:
        raise BadInput(_("{field} is empty; {hint}.").format(field=field, hint=_(WHEN_HINT)))
    if cleaned in ("now", "今", "いま", "今すぐ"):
        return now.replace(microsecond=0), False
    span = _span(cleaned, now)
    if span is not None:
        return span.replace(microsecond=0), False
    if _ISO.match(cleaned):
        return _in_zone(datetime.fromisoformat(cleaned.upper()), now), False

    day, rest, yearless = _day(cleaned, text, now, field)
    if day is None:
        if cleaned in _END_OF_DAY or cleaned in _MORNING:
            return _clock_of(now.date(), cleaned, now, day_end), False
        clock = parse_time_of_day(cleaned)
        if clock is not None:  # a bare time means today
            return _at(now.date(), clock, now), False
        if _TIME.match(cleaned) or _TIME_JA.match(cleaned):
            raise BadInput(_("{field}: '{text}' is not a time of day; {hint}.").format(
                field=field, text=text.strip(), hint=_(WHEN_HINT)))
        return _free_form(cleaned, text, now, field)
    if not rest:
        return _at(day, None, now), yearless
    if rest in _END_OF_DAY or rest in _MORNING:
        return _clock_of(day, rest, now, day_end), yearless
    clock = parse_time_of_day(rest)
    if clock is None:
        if _DATE.match(cleaned):  # `12/1/2026`: a date written another way
            return _free_form(cleaned, text, now, field)
        raise BadInput(_("{field}: cannot read the time '{time}' in '{text}'; {hint}.").format(
            field=field, time=rest, text=text.strip(), hint=_(WHEN_HINT)))
    return _at(day, clock, now), yearless


def _clock_of(day: date, word: str, now: datetime, day_end: time) -> datetime:
    """`午前中`: the day's start (09:00); `中`/`eod`: the end of its working hours, or 23:59 once they are over."""
    if word in _MORNING:
        return _at(day, DEFAULT_TIME, now)
    moment = _at(day, day_end, now)
    return _at(day, LAST_MINUTE, now) if day == now.date() and moment <= now else moment


def _span(cleaned: str, now: datetime) -> datetime | None:
    """`+3d`, `-2h`, `in 3 days`, and alone `3日後`, `2週間後`, `1ヶ月後`, `3時間後`, `30分前`: exact offsets
    from now (the time of day kept)."""
    signed = _RELATIVE.match(cleaned)
    relative = signed or _IN.match(cleaned)
    if relative:
        sign, amount, unit = (relative[1], relative[2], relative[3]) if signed else ("+", *relative.groups())
        seconds = int(amount) * _UNIT_SECONDS[unit[0]]
        return now + (1 if sign == "+" else -1) * timedelta(seconds=seconds)
    match = _JA_SPAN.match(cleaned)
    if not match or match.end() != len(cleaned):
        return None
    return _shifted(now, int(match[1]) * (1 if match[3] == "後" else -1), match[2])


def _shifted(moment: datetime, amount: int, unit: str) -> datetime:
    if unit in _JA_SPAN_SECONDS:
        return moment + timedelta(seconds=amount * _JA_SPAN_SECONDS[unit])
    months = moment.year * 12 + moment.month - 1 + amount  # `1ヶ月後` of 31 January: the last day of February
    year, month = divmod(months, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return moment.replace(year=year, month=month + 1, day=min(moment.day, (following - timedelta(days=1)).day))


def _day(cleaned: str, text: str, now: datetime, field: str) -> tuple[date | None, str, bool]:
    """The day named at the start of `cleaned` (None: no day is), the rest (a time of day, or ''), and
    whether its year was guessed."""
    today = now.date()
    match = _NEAR.match(cleaned)
    if match:
        near, rest = today + timedelta(days=_NEAR_DAYS[match[1] or match[2]]), cleaned[match.end():].lstrip(", ")
        named, rest = _named_day(rest, now)  # `tomorrow, 4 Dec`, `明日 12月4日`: as the KPI tab names a day
        if named is not None and named != near:
            from istui.domain.formatting import long_date

            raise BadInput(_("{field}: '{text}' names {word}, but that date is {date}; check the date.").format(
                field=field, text=text.strip(), word=match[1] or match[2], date=long_date(named)))
        return near, rest, False
    match = _MONTH_AHEAD.match(cleaned)
    if match:  # `来月` alone is its first day, `来月15日` its 15th
        months = 2 if match[1] == "再来月" else 1
        first = _shifted(datetime.combine(today.replace(day=1), DEFAULT_TIME), months, "ヶ月").date()
        return first.replace(day=int(match[2] or 1)), cleaned[match.end():].strip(), False
    match = _WEEK.match(cleaned)
    if match:
        weeks = _WEEKS[match[1]]
        if match[2] is None and weeks < 1:  # `今週` alone names no day
            raise _unreadable(field, text)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
        return monday + timedelta(days=_WEEKDAYS[match[2]] if match[2] else 0), cleaned[match.end():].strip(), False
    match = _NEXT.match(cleaned) or _ON_WEEKDAY.match(cleaned)
    if match:
        rest = cleaned[match.end():].strip()
        if _DATE.match(rest):  # `Fri 2026-11-27 15:17`: the weekday notes the date that follows
            day, rest, yearless = _date(rest, now)
            _check_weekday(day, match[1], text, field)
            return day, rest, yearless
        ahead = (_WEEKDAYS[match[1]] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead), rest, False
    match = _JA_SPAN.match(cleaned)
    if match and match[2] not in ("分", "時間"):
        day = _shifted(now, int(match[1]) * (1 if match[3] == "後" else -1), match[2])
        return day.date(), cleaned[match.end():].strip(), False
    if _DATE.match(cleaned):
        day, rest, yearless = _date(cleaned, now)
        noted = _NOTED_WEEKDAY.match(rest)
        if noted:
            _check_weekday(day, noted[1], text, field)
            rest = rest[noted.end():].strip()
        return day, rest, yearless
    return None, cleaned, False


def _named_day(text: str, now: datetime) -> tuple[date | None, str]:
    """A date at the start of `text` (`12月4日`, `12/4`, `4 Dec`, `Dec 4 2027`) and the rest; None when none is."""
    if _DATE.match(text):
        day, rest, _yearless = _date(text, now)
        return day, rest
    match = _DAY_MONTH.match(text)
    if not match:
        return None, text
    month = _MONTHS.index(match[2] or match[3]) + 1
    day_of_month, rest = int(match[1] or match[4]), text[match.end():].strip()
    if match[5]:
        return date(int(match[5]), month, day_of_month), rest
    return _date(f"{month}/{day_of_month} {rest}".strip(), now)[:2]


def _date(cleaned: str, now: datetime) -> tuple[date, str, bool]:
    """`2026-12-01`, `12/1`, `2026/12/1`, `11-30`, `12月5日`, `2026年12月5日` at the start of `cleaned`: the
    day (a yearless one in the year nearest to today), the rest, and whether the year was guessed."""
    match = _DATE.match(cleaned)
    assert match is not None
    month, day_of_month = int(match[2]), int(match[3])
    rest = cleaned[match.end():].strip()
    if match[1]:
        return date(int(match[1]), month, day_of_month), rest, False
    today = now.date()
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day_of_month))
        except ValueError:  # 29 February of a common year, or no such day at all
            continue
    if not candidates:
        raise ValueError("no such day")
    return min(candidates, key=lambda day: abs(day - today)), rest, True


def _check_weekday(day: date, named: str, text: str, field: str) -> None:
    if _WEEKDAYS[named] != day.weekday():
        from istui.domain.formatting import long_date

        raise BadInput(_("{field}: '{text}' names {weekday}, but that date is {date}; check the date or the weekday.")
                       .format(field=field, text=text.strip(), weekday=named, date=long_date(day)))


def _in_zone(parsed: datetime, now: datetime) -> datetime:
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=now.tzinfo)
    return parsed.astimezone(now.tzinfo)


def _free_form(cleaned: str, original: str, now: datetime, field: str) -> tuple[datetime, bool]:
    """`Dec 5 14:00`, `5 December 2026`, `12/1/2026`: python-dateutil, a yearless date in the nearest year."""
    try:
        parsed = datetime.fromisoformat(cleaned.upper().replace(" ", "T", 1)) if "-" in cleaned else None
    except ValueError:
        parsed = None
    if parsed is not None:
        return _in_zone(parsed if ":" in cleaned else datetime.combine(parsed.date(), DEFAULT_TIME), now), False
    from dateutil import parser as dateutil_parser  # slow import: only for free-form dates

    default = datetime.combine(now.date(), DEFAULT_TIME)
    try:
        parsed = dateutil_parser.parse(cleaned, default=default, yearfirst=bool(_YEAR.match(cleaned)))
    except (ValueError, OverflowError, dateutil_parser.ParserError):
        raise _unreadable(field, original) from None
    yearless = not _YEAR.search(cleaned) and cleaned.count("/") < 2
    parsed = _in_zone(parsed, now)
    return (_nearest_year(parsed, now) if yearless else parsed), yearless


def _nearest_year(parsed: datetime, now: datetime) -> datetime:
    """`1/5` typed in December means next January; `11/20` typed in January means last November."""
    best = parsed
    for year in (parsed.year - 1, parsed.year + 1):
        try:
            candidate = parsed.replace(year=year)
        except ValueError:  # 29 February
            continue
        if abs(candidate - now) < abs(best - now):
            best = candidate
    return best
