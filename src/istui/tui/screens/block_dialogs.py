"""The call block's dialogs: the talk-note picker and the summary when the block ends."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from istui.domain import labels
from istui.domain.text import terminal_safe
from istui.i18n import _
from istui.tui import keys
from istui.tui.screens.dialog import Dialog

Record = dict[str, Any]


class NotePicker(Dialog[str | None]):
    """Pick the talk note in use; its Markdown shows below the list."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="picker-close")]

    def __init__(self, notes: list[Record]) -> None:
        super().__init__()
        self.notes = notes

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="picker"):
            yield Static(Text(_("Notes for this lead — Enter marks the one you use")), classes="title")
            yield OptionList(*[Option(Text(terminal_safe(f"[{labels.note_kind(n.get('kind', ''))}] {n['title']}")), id=n["id"])
                               for n in self.notes])
            yield VerticalScroll(Static(id="picker-preview"), id="picker-body")

    def on_mount(self) -> None:
        if not self.notes:
            self.query_one("#picker-preview", Static).update(Text(_("No notes match this lead yet — notes tagged with its source or tags show here."), style="dim"))

    @on(OptionList.OptionHighlighted)
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        note = next(n for n in self.notes if n["id"] == event.option.id)
        self.query_one("#picker-preview", Static).update(Text(terminal_safe(note.get("body", ""), multiline=True)))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class BlockSummary(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close", id="summary-close")]

    def __init__(self, summary: str) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(Text(_("Call block finished")), classes="title")
            yield Static(Text(self.summary))
            yield Static(Text("\n" + _("{key} closes.").format(key=keys.keys("summary-close")), style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
