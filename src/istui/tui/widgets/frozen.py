"""Rich renderables (tables, groups) drawn once into plain styled text.

Textual measures and draws a Rich table again on every layout pass (a `height: auto` widget is
measured by rendering it); a KPI report's tables are fixed once made, so they are drawn once at
the width they will be shown at and handed to `Static` as `Text`, which lays out cheaply.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
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
