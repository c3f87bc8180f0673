"""Width-aware plain-text tables (Japanese is two columns wide): the CLI's and the e-mail view's (one home)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from istui.domain.text import cell_width, clip, terminal_safe


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(0, columns - cell_width(text))
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = (), max_width: int = 120,
          shrink_first: Sequence[int] = ()) -> str:
    """Columns sized to their content; to fit `max_width`, the columns `shrink_first` (a bar, a long label) give up
    their room first (down to 4 columns), then the widest columns shrink. Cells are made safe for the terminal."""
    cells = [[terminal_safe(c) for c in row] for row in rows]
    sizes = [max([cell_width(h)] + [cell_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def over() -> bool:
        return sum(sizes) + 2 * (len(sizes) - 1) > max_width

    for index in shrink_first:
        while over() and sizes[index] > 4:
            sizes[index] -= 1
    while over() and max(sizes) > 8:
        sizes[sizes.index(max(sizes))] -= 1
    lines = ["  ".join(pad(h, sizes[i], i in right) for i, h in enumerate(headers)).rstrip()]
    for row in cells:
        lines.append("  ".join(pad(clip(c, sizes[i]), sizes[i], i in right) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)
