"""How values read on screen, shared by the CLI, the TUI and the sheets: dates and times (one short and one
long form per language), money, rates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from istui.domain.parsing import minor_digits
from istui.domain.patterns import lazy
from istui.domain.text import terminal_safe
from istui.i18n import N_, _, language

CURRENCY_SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€"}
AMOUNT_STYLES = ("full", "compact")
JA_WEEKDAYS = "月火水木金土日"
_amount_style = "full"


def set_amount_style(style: str) -> None:
    """`full` (¥1,200,000) or `compact` (120万円, 1.2億円); from the user config's `amounts`."""
    global _amount_style
    if style not in AMOUNT_STYLES:
        raise ValueError(f"amounts must be one of {', '.join(AMOUNT_STYLES)}")
    _amount_style = style


def through(text: str) -> str:
    """Where a like-for-like comparison stops, in the long form: a day (`Wed 2026-11-04`, the day's end) or a
    moment (`Wed 2026-11-04 17:00`)."""
    return long_moment(datetime.fromisoformat(text)) if "T" in text else long_date(date.fromisoformat(text))


def compact_yen(value: float | int) -> str:
    """Yen the way Japanese sales teams say them: 9,800円, 120万円, 1,234.5万円, 1.2億円."""
    sign, amount = ("-" if value < 0 else ""), abs(rounded(value))
    if amount >= 100_000_000:
        number, unit = amount / 100_000_000, "億円"
    elif amount >= 10_000:
        number, unit = amount / 10_000, "万円"
    else:
        return f"{sign}{int(amount):,}円"
    text = f"{number:,.1f}".rstrip("0").rstrip(".")
    return f"{sign}{text}{unit}"


# --- dates and times: one short and one long form per language ---------------------------------------
# Every form reads back through `domain.when.parse_when` to the same minute (or, day-only, the same day):
# a rep can type back whatever the app shows. Stored data and machine output stay ISO 8601.

EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not %a: that follows the C library's locale
YEARLESS_DAYS = 180  # a date this close to today is shown without its year (read back, it lands in the nearest year)
_NEAR_DAYS = (N_("yesterday"), N_("today"), N_("tomorrow"))
_NEAR_MOMENTS = (N_("yesterday {time}"), N_("today {time}"), N_("tomorrow {time}"))


def long_date(day: date) -> str:
    """`Fri 2026-11-27`, or `2026年11月27日(金)` in Japanese: the header, sheets, confirmations."""
    if language() == "ja":
        return f"{day.year}年{day.month}月{day.day}日({JA_WEEKDAYS[day.weekday()]})"
    return f"{EN_WEEKDAYS[day.weekday()]} {day:%Y-%m-%d}"


def long_moment(moment: datetime) -> str:
    """`Fri 2026-11-27 15:17`, or `2026年11月27日(金) 15:17` (in the moment's own timezone)."""
    return f"{long_date(moment.date())} {moment:%H:%M}"


def short_day(day: date, today: date, relative: bool = True) -> str:
    """A day in a few columns: `today`, `tomorrow`, `yesterday` (unless not `relative`: a chart's axis),
    `11-23` within half a year of today, `2027-06-05` beyond; in Japanese `今日`, `明日`, `昨日`, `11/23`,
    `2027/6/5`."""
    days = (day - today).days
    if relative and -1 <= days <= 1:
        return _(_NEAR_DAYS[days + 1])
    ja = language() == "ja"
    if abs(days) <= YEARLESS_DAYS:
        return f"{day.month}/{day.day}" if ja else f"{day:%m-%d}"
    return f"{day.year}/{day.month}/{day.day}" if ja else f"{day:%Y-%m-%d}"


def short_moment(moment: datetime, now: datetime) -> str:
    """A moment in a few columns, in `now`'s timezone: `today 15:00`, `tomorrow 10:00`, `11-30 09:00`,
    `2027-06-05 14:00`; in Japanese `今日 15:00`, `明日 10:00`, `11/30 09:00`, `2027/6/5 14:00`."""
    local = moment.astimezone(now.tzinfo)
    clock, days = f"{local:%H:%M}", (local.date() - now.date()).days
    if -1 <= days <= 1:
        return _(_NEAR_MOMENTS[days + 1]).format(time=clock)
    return f"{short_day(local.date(), now.date())} {clock}"


def when(text: str | None, now: datetime, day_only: bool = False) -> str:
    """A stored timestamp (ISO 8601) in the short form (`short_moment`, or `short_day` of its day in `now`'s
    timezone); '' for none (a value that does not read, from a hand-edited file, is shown as it is, made safe)."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
        return short_day(moment.astimezone(now.tzinfo).date(), now.date()) if day_only else short_moment(moment, now)
    except (TypeError, ValueError, OverflowError):
        return terminal_safe(text)


def long_when(text: str | None, tz: tzinfo | None = None) -> str:
    """A stored timestamp (ISO 8601) in the long form (`long_moment`), in `tz` or its own offset; '–' for none."""
    if not text:
        return "–"
    try:
        moment = datetime.fromisoformat(text)
        return long_moment(moment.astimezone(tz) if tz is not None else moment)
    except (TypeError, ValueError, OverflowError):
        return terminal_safe(text)


def rounded(value: float | int, currency: str = "JPY", digits: int | None = None) -> int | float:
    """`value` rounded half away from zero to `currency`'s minor unit (whole yen, cents), or to `digits` places: a
    computed figure (an average, a pace) is shown as an amount the currency has, never `¥1,391,304.4`."""
    digits = minor_digits(currency) if digits is None else digits
    if not abs(value) < 1e15:  # past a float's cents (and infinities, NaN): as it is, never a decimal error
        return int(value) if math.isfinite(value) else value
    from decimal import ROUND_HALF_UP, Decimal  # (not imported by every command: only amounts need it)

    kept = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return int(kept) if kept == kept.to_integral_value() else float(kept)


def money(value: float | int | None, currency: str = "JPY") -> str:
    """An amount as people read it: `¥1,200,000`, `$99.99`, `$100`, `1,000 CHF`; rounded to the currency's
    minor unit (`rounded`); yen as `120万円` with the compact amount style."""
    if value is None:
        return "–"
    if currency == "JPY" and _amount_style == "compact":
        return compact_yen(value)
    symbol = CURRENCY_SYMBOLS.get(currency)
    kept = rounded(value, currency)
    text = f"{kept:,}" if isinstance(kept, int) else f"{kept:,.{minor_digits(currency)}f}"  # $99.99, $99.90
    return f"{symbol}{text}" if symbol else f"{text} {terminal_safe(currency)}"


def short_money(value: float | int | None, currency: str = "JPY") -> str:
    """An amount in a few columns, for a narrow table cell: `¥2.2M`, `¥590K`, `¥9,800`; yen in Japanese (or with
    the compact amount style) as people say them: `220.9万円`."""
    if value is None:
        return "–"
    if currency == "JPY" and (_amount_style == "compact" or language() == "ja"):
        return compact_yen(value)
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign, amount = ("-" if value < 0 else ""), abs(rounded(value, currency))
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (10_000, "K")):
        if amount >= size:
            scaled = amount / (size if unit != "K" else 1_000)
            text = (f"{scaled:,.0f}" if scaled >= 100 else f"{scaled:,.1f}".rstrip("0").rstrip(".")) + unit
            break
    else:
        text = f"{int(rounded(amount, digits=0)):,}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {terminal_safe(currency)}"


def number(value: float | int | None) -> str:
    """`1,234`, `12.5` (one decimal only when there is a fraction), `–` for none."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def per_day(value: float | int | None) -> str:
    """A figure per working day, every one alike in a column: one decimal (`88.0`, `3,425.0`), two under one
    (`0.50`, `0.04`: 0.04 a day short is nearly one a month), `–` for none."""
    if value is None:
        return "–"
    return f"{value:,.2f}" if abs(value) < 1 else f"{value:,.1f}"


def duration(seconds: float | int | None) -> str:
    """A talk time as hours, minutes and seconds: `0:02:05`, `1:02:03`, `125:00:00` (never `2:05`, which reads as
    hours or minutes alike); `–` for none."""
    if seconds is None:
        return "–"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}"


def talk_detail(metrics: Mapping[str, Any]) -> str:
    """What the talk time line of a KPI report says beside the total: conversations and the average per connect."""
    return _("conversations {conversations} (≥ 1 min) · average per connect {average}").format(
        conversations=number(metrics["conversations"]), average=duration(metrics["avg_talk_seconds"]))


def percent(value: float | None) -> str:
    """A rate, or '–' when it is undefined (a zero denominator)."""
    return "–" if value is None else f"{value * 100:.1f}%"


def md_escape(text: object, multiline: bool = False) -> str:
    """User text kept literal inside Markdown: no headings, emphasis, links, tables or HTML sneak in, and no
    control character (`terminal_safe`; line breaks kept only when `multiline`)."""
    value = terminal_safe(text or "", multiline).replace("\\", "\\\\")
    for ch in "*_`[]<>|#":
        value = value.replace(ch, "\\" + ch)
    return value


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def period_words(start: date, end: date, kind: str | None, label: str, today: date) -> str:
    """A report's period [start, end) as a person says it: `today, 2 Dec`, `this week, 30 Nov – 6 Dec`,
    `December 2026`, `FY2026 Q3, Oct – Dec 2026`, `1 – 15 Nov` (`今日 12月2日`, `今週 11月30日〜12月6日`,
    `2026年12月` in Japanese). The year is said when it is not this year's."""
    last = end - timedelta(days=1)
    if kind == "day":
        for offset, name in ((0, _("today, {day}")), (1, _("yesterday, {day}"))):
            if start == today - timedelta(days=offset):
                return name.format(day=_day(start, today))
        return _day(start, today)
    if kind == "week":
        if start <= today < end:
            return _("this week, {days}").format(days=_days(start, last, today))
        if start <= today - timedelta(days=7) < end:
            return _("last week, {days}").format(days=_days(start, last, today))
        return _days(start, last, today)
    if kind == "month":
        return f"{start.year}年{start.month}月" if language() == "ja" else f"{MONTH_NAMES[start.month - 1]} {start.year}"
    if kind in ("quarter", "fiscal_year"):
        return _("{name}, {months}").format(name=_fiscal_name(label), months=months_words(start, last))
    return _days(start, last, today)


_FISCAL = lazy(r"^FY(\d{4})(?: Q([1-4]))?$")


def _fiscal_name(label: str) -> str:
    """`FY2026 Q3` as Japanese teams say it (`2026年度 第3四半期`); in English, as it is."""
    match = _FISCAL.match(label)
    if language() != "ja" or not match:
        return label
    return f"{match[1]}年度" + (f" 第{match[2]}四半期" if match[2] else "")


def _day(day: date, today: date) -> str:
    """`2 Dec` (`12月2日`), with the year when it is more than half a year from today (as `short_day`: typed
    back, a yearless day lands in the nearest year)."""
    yearless = abs((day - today).days) <= YEARLESS_DAYS
    if language() == "ja":
        return ("" if yearless else f"{day.year}年") + f"{day.month}月{day.day}日"
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]}" + ("" if yearless else f" {day.year}")


def _days(first: date, last: date, today: date) -> str:
    """The days first..last (both included): `23 – 29 Nov`, `30 Nov – 6 Dec`, `11月30日〜12月6日`."""
    if first == last:
        return _day(first, today)
    if language() == "ja":
        if first.year != last.year:
            return f"{_day(first, date(1, 1, 1))}〜{_day(last, date(1, 1, 1))}"
        return f"{_day(first, today)}〜{last.month}月{last.day}日"
    if first.year != last.year:
        return f"{_day(first, date(1, 1, 1))} – {_day(last, date(1, 1, 1))}"
    year = f" {last.year}" if last.year != today.year else ""
    if first.month == last.month:
        return f"{first.day} – {last.day} {MONTH_NAMES[last.month - 1][:3]}{year}"
    return f"{_day(first, last)} – {_day(last, last)}{year}"


def months_words(first: date, last: date) -> str:
    """The months first..last with their year: `Oct – Dec 2026`, `Apr 2026 – Mar 2027`, `2026年4月〜2027年3月`."""
    if language() == "ja":
        return f"{first.year}年{first.month}月〜" + (f"{last.year}年" if last.year != first.year else "") + f"{last.month}月"
    if first.year == last.year:
        return f"{MONTH_NAMES[first.month - 1][:3]} – {MONTH_NAMES[last.month - 1][:3]} {last.year}"
    return f"{MONTH_NAMES[first.month - 1][:3]} {first.year} – {MONTH_NAMES[last.month - 1][:3]} {last.year}"


def previous_period_words(report: Mapping[str, Any]) -> str:
    """The period a KPI report compares with, in words as seen from the report's own period (`last week, 23 – 29
    Nov`, `October 2026`); its label (`week of 2026-11-23`, the JSON's) when the report does not carry it."""
    previous = report["previous"]
    if "period" not in previous:
        return previous["label"]
    return report_period_words(previous, date.fromisoformat(report["period"]["start"][:10]))


def report_period_words(report: Mapping[str, Any], today: date) -> str:
    """The period of a KPI report (its `period`: start, end, kind, label) in words (`period_words`)."""
    period = report["period"]
    return period_words(date.fromisoformat(period["start"][:10]), date.fromisoformat(period["end"][:10]),
                        period.get("kind"), period.get("label", ""), today)
