"""Lines of `a · b · c` items that wrap between items, never inside one (the header's strip, the call block's
counts)."""

from __future__ import annotations

from rich.cells import cell_len

SECTION_GAP = "   │   "


def flow(sections: list[tuple[str, list[str]]], width: int) -> str:
    """Each section is a heading and its items. The sections share a line when they fit in `width` cells;
    else each starts a line, its items wrapped between items onto lines indented by two."""
    lines: list[str] = []
    line = ""
    for heading, items in sections:
        whole = heading + " · ".join(items)
        if line and cell_len(line + SECTION_GAP + whole) <= width:
            line += SECTION_GAP + whole
            continue
        if line:
            lines.append(line)
        line = heading
        for index, item in enumerate(items):
            if index and cell_len(line + " · " + item) > width:
                lines.append(line + " ·")
                line = "  " + item
            else:
                line += (" · " if index else "") + item
    lines.append(line)
    return "\n".join(lines)


def fitting(choices: list[str], width: int) -> str:
    """The first (longest) of `choices` that fits in `width` cells, else the last (the shortest)."""
    return next((choice for choice in choices if cell_len(choice) <= width), choices[-1])
