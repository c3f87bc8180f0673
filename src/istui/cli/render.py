"""Plain-text rendering for the terminal: width-aware tables (Japanese is two columns wide), numbers, rates."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

from istui.domain.formatting import money, percent, when

__all__ = ["money", "percent", "when"]


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` terminal columns, marking the cut with '…'."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(0, columns - width(text))
    return gap + text if right else text + gap


def safe(text: Any) -> str:
    """Control characters never reach the terminal (no escape sequences from imported data)."""
    return "".join(ch if unicodedata.category(ch) != "Cc" else " " for ch in str(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = (), max_width: int | None = None) -> str:
    """Columns sized to their content; the widest columns shrink to fit the terminal."""
    cells = [[safe(c) for c in row] for row in rows]
    sizes = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    import shutil

    limit = max_width or shutil.get_terminal_size((120, 24)).columns
    while sum(sizes) + 2 * (len(sizes) - 1) > limit and max(sizes) > 8:
        sizes[sizes.index(max(sizes))] -= 1
    lines = ["  ".join(pad(h, sizes[i], i in right) for i, h in enumerate(headers)).rstrip()]
    for row in cells:
        lines.append("  ".join(pad(clip(c, sizes[i]), sizes[i], i in right) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
