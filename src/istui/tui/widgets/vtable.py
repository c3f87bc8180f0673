"""A table that renders only its visible rows (Line API), so 50,000 leads scroll and filter fast.

Cells are plain strings drawn as segments: never parsed as markup, so a lead called
`[@click=app.quit]x[/]` shows exactly that, and made safe for the terminal (`domain.text.terminal_safe`),
so a control character in a file is drawn as `�`, never sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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

SAMPLE = 40  # rows measured from the top of a new set of rows, and as many spread over the rest


@dataclass(frozen=True, slots=True)
class Column:
    """A table column. Its width follows its content (the header and the rows drawn so far), up to `width`;
    when the table is too narrow it shrinks to `min` (None: never cut, like a follow-up time or a phone
    number), and columns with a `drop` rank are left out, lowest rank first, when even the minimums do not fit."""

    key: str
    label: str
    width: int  # the most it takes while other columns need the room (more when there is room to spare)
    right: bool = False
    min: int | None = None
    drop: int | None = None


def fit_columns(columns: Sequence[Column], content: Sequence[int], total: int) -> list[int]:
    """The width of each column in `total` cells (one-cell gaps between shown columns; 0: left out).

    `content` is each column's widest cell, header included. Nothing is cut while the room allows; then columns
    give up cells down to their minimum, those left out first (lowest `drop` rank) first; a column that cannot
    keep its minimum is left out (by `drop` rank); only when nothing more can go are columns cut below their
    minimum.
    """
    natural = [min(max(size, 1), column.width) for column, size in zip(columns, content, strict=True)]
    floor = [natural[i] if column.min is None else min(column.min, natural[i]) for i, column in enumerate(columns)]
    shown = list(range(len(columns)))

    def need(indexes: list[int], sizes: list[int]) -> int:
        return sum(sizes[i] for i in indexes) + max(len(indexes) - 1, 0)

    droppable = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop is not None)
    while need(shown, floor) > total and droppable:
        shown.remove(droppable.pop(0)[1])
    widths = [natural[i] if i in shown else 0 for i in range(len(columns))]
    excess = need(shown, widths) - total
    rank = [column.drop if column.drop is not None else len(columns) + 99 for column in columns]
    for limit in (floor, [1] * len(columns)):  # to the minimums first; below them only as a last resort
        while excess > 0:
            room = [i for i in shown if widths[i] > limit[i]]
            if not room:
                break
            first = min(rank[i] for i in room)  # the columns that would be left out first give up cells first
            widest = max((i for i in room if rank[i] == first), key=lambda i: (widths[i], -i))
            widths[widest] -= 1
            excess -= 1
    spare = -excess
    for i in shown:  # room to spare: columns capped by `width` show more of their content
        if spare <= 0:
            break
        grow = min(spare, max(content[i] - widths[i], 0))
        widths[i] += grow
        spare -= grow
    return widths


class VirtualTable(ScrollView, can_focus=True):
    """Rows are records (dicts); `cell(record, key)` turns a record into the text of one cell."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"vtable--header", "vtable--cursor", "vtable--dim", "vtable--accent"}
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; overflow-x: hidden; }  /* the columns always fit the width (fit_columns) */
    VirtualTable > .vtable--header { text-style: bold; background: $panel; color: $text; }
    VirtualTable > .vtable--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .vtable--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    VirtualTable > .vtable--dim { color: $text-muted; }
    VirtualTable > .vtable--accent { color: $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table-up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table-page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table-page-down"),
        Binding("home,g", "jump(0)", "First", show=False, id="table-first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="table-last"),
        Binding("enter", "select", "Open", show=False, id="table-open"),
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
        self._content = [0] * len(self.columns)  # the widest cell of each column drawn so far
        self.placeholder = ""  # said on the first row while there are none (e.g. that they are being read)

    # --- data ----------------------------------------------------------------------------------
    def set_rows(self, rows: list[dict[str, Any]], keep: dict[str, Any] | str | None = None) -> None:
        """Show `rows`; the cursor stays on `keep` (a record, or a record id) when it is still there."""
        self.rows = rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows) + 1)
        index = 0
        if isinstance(keep, dict):
            try:
                index = rows.index(keep)  # identity first: C speed over 50,000 rows
            except ValueError:
                keep = keep.get("id")
        if isinstance(keep, str):
            index = next((i for i, r in enumerate(rows) if r.get("id") == keep), 0)
        self.cursor = min(index, max(len(rows) - 1, 0))
        step = max(len(rows) // SAMPLE, 1)  # a sample of the rows, so widths do not have to move as one scrolls
        self.measure(map(self.texts, rows[:SAMPLE] + rows[SAMPLE::step][:SAMPLE]))
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

    def visible_rows(self) -> int:
        """Rows drawn below the header (a scrollbar's line is not a row)."""
        return max(self.scrollable_content_region.height - 1, 1)

    def scroll_to_cursor(self) -> None:
        visible = self.visible_rows()
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.visible_rows() - 1, 1))

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
    def header_labels(self) -> list[str]:
        labels = []
        for column in self.columns:
            arrow = ("▼" if self.sort_reverse else "▲") if column.key == self.sort_key else ""
            labels.append(_(column.label) + arrow)
        return labels

    def widths(self) -> list[int]:
        """Each column's width at the table's present size (0: left out), from the widest cell drawn so far."""
        return fit_columns(self.columns, self._content, self.scrollable_content_region.width)

    def texts(self, record: dict[str, Any]) -> list[str]:
        return [terminal_safe(self.cell(record, column.key)) for column in self.columns]

    def measure(self, lines: Iterable[list[str]]) -> None:
        """Widen the columns to the cells of `lines` (they never narrow again: widths do not jump back and forth)."""
        sizes = self._content
        for line in lines:
            sizes = [max(size, cell_len(text)) for size, text in zip(sizes, line, strict=True)]
        self._content = sizes

    def widen(self, cells: dict[str, Iterable[str]]) -> None:
        """Make room for values a column can show (by column key), before a row with them is drawn."""
        widest = [max(map(cell_len, cells.get(column.key, ())), default=0) for column in self.columns]
        self._content = [max(size, wide) for size, wide in zip(self._content, widest, strict=True)]

    def render_lines(self, crop: Any) -> list[Strip]:
        """Measure the rows about to be drawn first, so every line of one pass has the same column widths."""
        labels = self.header_labels()
        top = round(self.scroll_y)
        visible = range(top, min(top + self.visible_rows(), len(self.rows)))
        texts = {index: self.texts(self.rows[index]) for index in visible}
        self.measure([labels, *texts.values()])
        widths = self.widths()
        previous = getattr(self, "_drawing", None)
        if previous is None or previous[0] != labels or previous[2] != widths:
            self._set_dirty()  # every line again, not only the changed ones: the columns moved
        self._drawing = (labels, texts, widths)
        return super().render_lines(crop)

    def _line(self, texts: list[str], widths: list[int], style: Any) -> list[Segment]:
        segments = []
        for column, text, width in zip(self.columns, texts, widths, strict=True):
            if not width:
                continue
            if cell_len(text) > width:
                text = set_cell_size(text, max(width - 1, 0)) + "…"
            elif column.right:
                text = " " * (width - cell_len(text)) + text
            if segments:
                segments.append(Segment(" ", style))
            segments.append(Segment(set_cell_size(text, width), style))
        used, width = sum(segment.cell_length for segment in segments), self.scrollable_content_region.width
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return segments

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        drawing = getattr(self, "_drawing", None)
        labels, texts, widths = drawing if drawing is not None else (self.header_labels(), {}, self.widths())
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("vtable--header")
            return Strip(self._line(labels, widths, base + header), width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            if index == 0 and self.placeholder:
                dim = base + self.get_component_rich_style("vtable--dim")
                return Strip([Segment(f" {self.placeholder}", dim)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        record = self.rows[index]
        style = base
        extra = self.row_style(record) if self.row_style else None
        if extra:
            style = style + self.get_component_rich_style(f"vtable--{extra}")
        if index == self.cursor:
            style = style + self.get_component_rich_style("vtable--cursor")
        row = texts.get(index) or self.texts(record)
        return Strip(self._line(row, widths, style), width)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) + 1)
        self.scroll_to_cursor()  # a shorter table keeps the cursor's row in sight
