"""How values read on screen, shared by the CLI and the TUI: times relative to today, money, rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

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


def through(text: str) -> str:
    """Where a like-for-like comparison stops: `2026-11-04` (a day's end) or `2026-11-04 17:00` (a moment)."""
    day, _sep, rest = text.partition("T")
    return f"{day} {rest[:5]}" if rest else day


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


def rounded(value: float | int, currency: str = "JPY", digits: int | None = None) -> int | float:
    """`value` rounded half away from zero to `currency`'s minor unit (whole yen, cents), or to `digits` places: a
    computed figure (an average, a pace) is shown as an amount the currency has, never `¥1,391,304.4`."""
    digits = minor_digits(currency) if digits is None else digits
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
