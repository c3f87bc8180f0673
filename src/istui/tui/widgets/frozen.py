"""Rich renderables (tables, groups) drawn once into plain styled text.

Textual measures and draws a Rich table again on every layout pass (a `height: auto` widget is
measured by rendering it); a KPI report's tables are fixed once made, so they are drawn once at
the width they will be shown at and handed to `Static` as `Text`, which lays out cheaply.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


def frozen(renderable: RenderableType, width: int) -> Text:
    """`renderable` drawn at `width` cells (its natural width when narrower), as one `Text`."""
    console = Console(width=max(width, 20), color_system="truecolor", force_terminal=True, legacy_windows=False,
                      no_color=False, emoji=False, markup=False, highlight=False)
    lines = console.render_lines(renderable, console.options, pad=False, new_lines=False)
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for index, line in enumerate(lines):
        if index:
            text.append("\n")
        for segment in line:
            if not segment.control:
                text.append(segment.text, segment.style)
    text.rstrip()  # trailing blank lines
    return text


def widths(renderable: RenderableType, width: int) -> tuple[int, int]:
    """The width `renderable` takes when it has room, and the least it can be drawn at without cutting a cell of a
    table column that does not wrap (figures); text wraps to its longest word."""
    console = Console(width=max(width, 20), legacy_windows=False)
    return Measurement.get(console, console.options, renderable).maximum, _least(console, renderable)


def _least(console: Console, renderable: RenderableType) -> int:
    if isinstance(renderable, Group):
        return max((_least(console, part) for part in renderable.renderables), default=0)
    if isinstance(renderable, Table):
        _top, right, _bottom, left = renderable.padding
        total = 0
        for column in renderable.columns:
            sizes = [Measurement.get(console, console.options, cell) for cell in (column.header, *column.cells)]
            total += max((size.maximum if column.no_wrap else size.minimum) for size in sizes) + left + right
        return total
    return Measurement.get(console, console.options, renderable).minimum
