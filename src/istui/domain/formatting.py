"""How values read on screen, shared by the CLI and the TUI: times relative to today, money, rates."""

from __future__ import annotations

from datetime import datetime

CURRENCY_SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€"}


def when(text: str | None, now: datetime) -> str:
    """A timestamp as a rep reads it: `today 15:00`, `tomorrow 10:00`, `11-30 09:00`, `2027-01-05`."""
    if not text:
        return ""
    moment = datetime.fromisoformat(text).astimezone(now.tzinfo)
    days = (moment.date() - now.date()).days
    clock = moment.strftime("%H:%M")
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    if days == -1:
        return f"yesterday {clock}"
    if moment.year == now.year:
        return moment.strftime("%m-%d ") + clock
    return moment.strftime("%Y-%m-%d")


def money(value: float | int | None, currency: str = "JPY") -> str:
    if value is None:
        return "–"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{int(value):,}" if symbol else f"{int(value):,} {currency}"


def percent(value: float | None) -> str:
    """A rate, or '–' when it is undefined (a zero denominator)."""
    return "–" if value is None else f"{value * 100:.1f}%"


def md_escape(text: object) -> str:
    """User text kept literal inside Markdown: no headings, emphasis, links, tables or HTML sneak in."""
    value = str(text or "").replace("\\", "\\\\")
    for ch in "*_`[]<>|#":
        value = value.replace(ch, "\\" + ch)
    return value
