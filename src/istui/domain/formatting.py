"""How values read on screen, shared by the CLI and the TUI: times relative to today, money, rates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from istui.domain.parsing import minor_digits
from istui.domain.text import terminal_safe
from istui.i18n import _, language

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


def long_date(day: date) -> str:
    """`Fri 2026-11-27`, or `2026年11月27日(金)` in Japanese."""
    if language() == "ja":
        return f"{day.year}年{day.month}月{day.day}日({JA_WEEKDAYS[day.weekday()]})"
    return f"{day:%a %Y-%m-%d}"


def compact_yen(value: float | int) -> str:
    """Yen the way Japanese sales teams say them: 9,800円, 120万円, 1,234.5万円, 1.2億円."""
    sign, amount = ("-" if value < 0 else ""), abs(value)
    if amount >= 100_000_000:
        number, unit = amount / 100_000_000, "億円"
    elif amount >= 10_000:
        number, unit = amount / 10_000, "万円"
    else:
        return f"{sign}{int(amount):,}円"
    text = f"{number:,.1f}".rstrip("0").rstrip(".")
    return f"{sign}{text}{unit}"


def when(text: str | None, now: datetime) -> str:
    """A timestamp as a rep reads it: `today 15:00`, `tomorrow 10:00`, `11-30 09:00`, `2027-01-05`."""
    if not text:
        return ""
    moment = datetime.fromisoformat(text).astimezone(now.tzinfo)
    days = (moment.date() - now.date()).days
    clock = moment.strftime("%H:%M")
    if days == 0:
        return _("today {time}").format(time=clock)
    if days == 1:
        return _("tomorrow {time}").format(time=clock)
    if days == -1:
        return _("yesterday {time}").format(time=clock)
    ja = language() == "ja"
    if moment.year == now.year:
        return (f"{moment.month}/{moment.day} " if ja else moment.strftime("%m-%d ")) + clock
    return f"{moment.year}/{moment.month}/{moment.day}" if ja else moment.strftime("%Y-%m-%d")


def money(value: float | int | None, currency: str = "JPY") -> str:
    if value is None:
        return "–"
    if currency == "JPY" and _amount_style == "compact":
        return compact_yen(value)
    symbol = CURRENCY_SYMBOLS.get(currency)
    text = f"{int(value):,}" if value == int(value) else f"{value:,.{max(minor_digits(currency), 1)}f}"  # $99.99
    return f"{symbol}{text}" if symbol else f"{text} {terminal_safe(currency)}"


def short_money(value: float | int | None, currency: str = "JPY") -> str:
    """An amount in a few columns, for a narrow table cell: `¥2.2M`, `¥590K`, `¥9,800`; yen in Japanese (or with
    the compact amount style) as people say them: `220.9万円`."""
    if value is None:
        return "–"
    if currency == "JPY" and (_amount_style == "compact" or language() == "ja"):
        return compact_yen(value)
    symbol = CURRENCY_SYMBOLS.get(currency)
    sign, amount = ("-" if value < 0 else ""), abs(value)
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (10_000, "K")):
        if amount >= size:
            scaled = amount / (size if unit != "K" else 1_000)
            text = (f"{scaled:,.0f}" if scaled >= 100 else f"{scaled:,.1f}".rstrip("0").rstrip(".")) + unit
            break
    else:
        text = f"{int(amount):,}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {terminal_safe(currency)}"


def number(value: float | int | None) -> str:
    """`1,234`, `12.5` (one decimal only when there is a fraction), `–` for none."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


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
        return _("{name}, {months}").format(name=label, months=_months(start, last))
    return _days(start, last, today)


def _day(day: date, today: date) -> str:
    """`2 Dec` (`12月2日`), with the year when it is not this year's."""
    if language() == "ja":
        return (f"{day.year}年" if day.year != today.year else "") + f"{day.month}月{day.day}日"
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]}" + (f" {day.year}" if day.year != today.year else "")


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


def _months(first: date, last: date) -> str:
    """The months first..last with their year: `Oct – Dec 2026`, `Apr 2026 – Mar 2027`, `2026年4月〜2027年3月`."""
    if language() == "ja":
        return f"{first.year}年{first.month}月〜" + (f"{last.year}年" if last.year != first.year else "") + f"{last.month}月"
    if first.year == last.year:
        return f"{MONTH_NAMES[first.month - 1][:3]} – {MONTH_NAMES[last.month - 1][:3]} {last.year}"
    return f"{MONTH_NAMES[first.month - 1][:3]} {first.year} – {MONTH_NAMES[last.month - 1][:3]} {last.year}"


def report_period_words(report: Mapping[str, Any], today: date) -> str:
    """The period of a KPI report (its `period`: start, end, kind, label) in words (`period_words`)."""
    period = report["period"]
    return period_words(date.fromisoformat(period["start"][:10]), date.fromisoformat(period["end"][:10]),
                        period.get("kind"), period.get("label", ""), today)
