"""The Notes tab: talk scripts, objection answers, materials; search, Markdown view, how calls using each ended."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Markdown, Static

from istui.domain import labels
from istui.domain.formatting import percent
from istui.domain.text import fold
from istui.i18n import N_, _
from istui.tui.widgets.vtable import Column, VirtualTable

if TYPE_CHECKING:
    from istui.tui.app import IstuiApp

Record = dict[str, Any]
NOTE_COLUMNS = [Column("pin", N_("★"), 1), Column("kind", N_("Kind"), 9), Column("title", N_("Title"), 34),
                Column("used", N_("Used"), 5, right=True), Column("rate", N_("Mtg%"), 6, right=True),
                Column("tags", N_("Tags"), 20)]


class NotesPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="notes-search"),
        Binding("n", "app.new_note", "New", id="note-new"),
        Binding("e", "app.edit_note", "Edit", id="note-edit"),
        Binding("p", "app.pin_note", "Pin", id="note-pin"),
    ]
    DEFAULT_CSS = """
    NotesPane #note-search { dock: top; height: 3; }
    NotesPane #notes-table { width: 2fr; }
    NotesPane #note-view { width: 3fr; border-left: solid $panel; padding: 0 1; }
    NotesPane #note-meta { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="notes-pane")
        self.notes: list[Record] = []
        self.usage: dict[str, dict[str, Any]] = {}

    @property
    def istui(self) -> IstuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_("/ search titles, bodies and tags"), id="note-search")
        with Horizontal():
            yield VirtualTable(NOTE_COLUMNS, self.cell, id="notes-table")
            with VerticalScroll(id="note-view"):
                yield Static(id="note-meta")
                yield Markdown(id="note-body", open_links=False)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#notes-table", VirtualTable)

    def cell(self, note: Record, key: str) -> str:
        usage = self.usage.get(note["id"], {})
        if key == "pin":
            return "★" if note.get("pinned") else ""
        if key == "used":
            return str(usage.get("calls", 0))
        if key == "rate":
            return percent(usage.get("meeting_rate")) if usage else ""
        if key == "tags":
            return ", ".join(note.get("tags") or [])
        if key == "kind":
            return labels.note_kind(note.get("kind", ""))
        return str(note.get(key) or "")

    def set_notes(self, notes: list[Record], usage: dict[str, dict[str, Any]]) -> None:
        self.notes = sorted(notes, key=lambda n: (not n.get("pinned"), n.get("kind", ""), n["title"].casefold()))
        self.usage = usage
        self.apply_search()

    def apply_search(self) -> None:
        text = fold(self.query_one("#note-search", Input).value)
        rows = [n for n in self.notes
                if not text or text in fold(f"{n['title']} {n.get('body', '')} {' '.join(n.get('tags') or [])}")]
        current = self.table.current
        self.table.set_rows(rows, keep=current["id"] if current else None)
        if not rows:
            self.show(None)

    def show(self, note: Record | None) -> None:
        meta = self.query_one("#note-meta", Static)
        body = self.query_one("#note-body", Markdown)
        if note is None:
            meta.update(Text(_("No note selected.") if self.notes else _("No notes yet: n adds one.")))
            body.update("")
            return
        usage = self.usage.get(note["id"])
        line = Text(note["title"] + "\n", style="bold")
        line.append(f"{labels.note_kind(note.get('kind', ''))} · {', '.join(note.get('tags') or [])} · "
                    + _("updated {date} by {rep}").format(date=note["updated_at"][:10], rep=note.get("updated_by", "")) + "\n")
        if usage:
            line.append(_("Used in {calls} calls · meetings booked {meetings} ({rate})").format(
                calls=usage["calls"], meetings=usage["meetings"], rate=percent(usage["meeting_rate"])) + "\n")
        else:
            line.append(_("Not used in a logged call yet.") + "\n")
        meta.update(line)
        body.update(note.get("body", ""))

    @on(Input.Changed, "#note-search")
    def _search(self) -> None:
        self.apply_search()

    @on(Input.Submitted, "#note-search")
    def _done(self) -> None:
        self.table.focus()

    @on(VirtualTable.Highlighted, "#notes-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.show(event.record)

    def action_search(self) -> None:
        self.query_one("#note-search", Input).focus()
