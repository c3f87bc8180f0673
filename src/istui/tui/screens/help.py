"""`?`: every key of every tab and of the call block, generated from the bindings themselves."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from istui.domain.outcomes import CALL_OUTCOMES
from istui.domain.text import terminal_safe
from istui.i18n import _, language
from istui.tui.sizes import NARROW_BELOW


def binding_rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding):
            keys = binding.key_display or binding.key.replace("slash", "/").replace("question_mark", "?")
            rows.append((terminal_safe(keys), terminal_safe(binding.description or binding.action)))  # keys: user config
    return rows


def help_table(sections: list[tuple[str, list[BindingType]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", min_width=14)
    table.add_column()
    for title, bindings in sections:
        table.add_row(Text(_(title), style="bold underline"), "")
        for keys, description in binding_rows(bindings):
            table.add_row(Text(keys), Text(description))
        table.add_row("", "")
    table.add_row(Text(_("Call block"), style="bold underline"), "")
    for info in CALL_OUTCOMES:
        table.add_row(Text(info.key), Text(info.ja if language() == "ja" else f"{info.outcome.value} · {info.ja}"))
    table.add_row(Text("Enter"), Text(_("save the note and follow-up, next lead")))
    table.add_row(Text("ctrl+z (u) / s / k / esc"), Text(_("undo last log (u outside a field) / skip / notes for this lead / end block")))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close", id="help-close")]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Static(Text(_("istui keys (esc closes) — remap them in ~/.config/istui/config.toml [keymap]")),
                         classes="title")
            yield Static(Text(_("Below {columns} columns the lead details are below the table; i hides or shows them.")
                              .format(columns=NARROW_BELOW), style="dim"), classes="hint")
            yield Static(help_table(self.sections))

    def action_close(self) -> None:
        self.dismiss(None)
