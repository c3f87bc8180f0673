"""A table that renders only its visible rows (Line API), so 50,000 leads scroll and filter fast.

Cells are plain strings drawn as segments: never parsed as markup, so a lead called
`[@click=app.quit]x[/]` shows exactly that, and made safe for the terminal (`domain.text.terminal_safe`),
so a control character in a file is drawn as `�`, never sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from istui.domain.text import terminal_safe
from istui.i18n import _


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int  # preferred width in cells; the last column takes what is left
    right: bool = False


class VirtualTable(ScrollView, can_focus=True):
    """Rows are records (dicts); `cell(record, key)` turns a record into the text of one cell."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"vtable--header", "vtable--cursor", "vtable--dim", "vtable--accent"}
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; }
    VirtualTable > .vtable--header { text-style: bold; background: $panel; color: $text; }
    VirtualTable > .vtable--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .vtable--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    VirtualTable > .vtable--dim { color: $text-muted; }
    VirtualTable > .vtable--accent { color: $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to `record` (None: the table is empty)."""

        def __init__(self, table: VirtualTable, record: dict[str, Any] | None) -> None:
            super().__init__()
            self.table, self.record = table, record

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Message):
        """Enter on `record`."""

        def __init__(self, table: VirtualTable, record: dict[str, Any]) -> None:
            super().__init__()
            self.table, self.record = table, record

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(self, columns: Sequence[Column], cell: Callable[[dict[str, Any], str], str], *,
                 row_style: Callable[[dict[str, Any]], str | None] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.cell = cell
        self.row_style = row_style
        self.rows: list[dict[str, Any]] = []
        self.sort_key: str | None = None
        self.sort_reverse = False

    # --- data ----------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict[str, Any]], keep: dict[str, Any] | str | None = None) -> None:
        """Show `rows`; the cursor stays on `keep` (a record, or a record id) when it is still there."""
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        index = 0
        if isinstance(keep, dict):
            try:
                index = rows.index(keep)  # identity first: C speed over 50,000 rows
            except ValueError:
                keep = keep.get("id")
        if isinstance(keep, str):
            index = next((i for i, r in enumerate(rows) if r.get("id") == keep), 0)
        self.cursor = min(index, max(len(rows) - 1, 0))
        self.scroll_to_cursor()
        self.refresh()

    @property
    def current(self) -> dict[str, Any] | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    # --- cursor --------------------------------------------------------------------------------
    def watch_cursor(self, value: int) -> None:
        self.scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 2, 1))

    def action_jump(self, where: int) -> None:
        if self.rows:
            self.cursor = 0 if where == 0 else len(self.rows) - 1

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: Any) -> None:
        row = round(self.scroll_y) + event.y - 1
        if 0 <= row < len(self.rows):
            self.cursor = row

    # --- rendering -----------------------------------------------------------------------------
    def _widths(self, total: int) -> list[int]:
        widths = [c.width for c in self.columns]
        gaps = len(widths) - 1
        room = total - gaps - sum(widths[:-1])
        if room < 6:  # too narrow: shrink the widest columns first
            while sum(widths[:-1]) + gaps + 6 > total and max(widths[:-1], default=0) > 4:
                widest = widths.index(max(widths[:-1]))
                widths[widest] -= 1
            room = max(total - gaps - sum(widths[:-1]), 1)
        widths[-1] = room
        return widths

    def _line(self, texts: list[str], widths: list[int], style: Any) -> list[Segment]:
        segments = []
        for index, (text, width) in enumerate(zip(texts, widths, strict=True)):
            if cell_len(text) > width:
                text = set_cell_size(text, max(width - 1, 0)) + "…"
            elif self.columns[index].right:
                text = " " * (width - cell_len(text)) + text
            segments.append(Segment(set_cell_size(text, width), style))
            if index < len(texts) - 1:
                segments.append(Segment(" ", style))
        return segments

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        widths = self._widths(width)
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("vtable--header")
            labels = []
            for column in self.columns:
                arrow = ("▼" if self.sort_reverse else "▲") if column.key == self.sort_key else ""
                labels.append(_(column.label) + arrow)
            return Strip(self._line(labels, widths, base + header), width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        record = self.rows[index]
        style = base
        extra = self.row_style(record) if self.row_style else None
        if extra:
            style = style + self.get_component_rich_style(f"vtable--{extra}")
        if index == self.cursor:
            style = style + self.get_component_rich_style("vtable--cursor")
        texts = [terminal_safe(self.cell(record, column.key)) for column in self.columns]  # visible rows only
        return Strip(self._line(texts, widths, style), width)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
