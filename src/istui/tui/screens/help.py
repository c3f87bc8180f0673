"""`?`: every key of every tab and of the call block, generated from the bindings themselves: the key in
force (after the user's `[keymap]`), the binding's id (what `[keymap]` takes) and what it does."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from istui.domain.outcomes import CALL_OUTCOMES
from istui.domain.text import terminal_safe
from istui.domain.when import WHEN_HELP, WHEN_WORDS
from istui.i18n import N_, _, language
from istui.tui import keys
from istui.tui.screens.dialog import Dialog
from istui.tui.sizes import NARROW_BELOW


def binding_rows(bindings: list[BindingType]) -> list[tuple[str, str, str]]:
    """(keys in force, binding id, description) of each binding."""
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding):
            shown = keys.keys(binding.id) if binding.id else binding.key_display or " / ".join(
                keys.shown(part) for part in binding.key.split(","))
            rows.append((terminal_safe(shown), binding.id or "–", terminal_safe(binding.description or binding.action)))
    return rows  # keys: user config, hence terminal_safe


def call_block_rows() -> list[tuple[str, str, str]]:
    """The call block's keys: one per outcome (named from the domain's table), then the others."""
    from istui.tui.screens.callblock import CallBlockScreen

    rows = []
    for info in CALL_OUTCOMES:
        binding_id = f"call-outcome-{info.key}"
        rows.append((keys.keys(binding_id), binding_id,
                     info.ja if language() == "ja" else f"{info.outcome.value} · {info.ja}"))
    others = [b for b in CallBlockScreen.BINDINGS if isinstance(b, Binding) and not (b.id or "").startswith("call-outcome-")]
    return rows + binding_rows(others)


def help_table(sections: list[tuple[str, list[BindingType]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", min_width=12)
    table.add_column(style="dim")
    table.add_column()
    for title, rows in [*((title, binding_rows(bindings)) for title, bindings in sections),
                        (N_("Call block"), call_block_rows())]:
        table.add_row(Text(_(title), style="bold underline"), Text(_("id for [keymap]"), style="italic"), "")
        for shown, binding_id, description in rows:
            table.add_row(Text(shown), Text(binding_id), Text(description))
        table.add_row("", "", "")
    return table


def when_help_text() -> Text:
    """What a follow-up or meeting field reads (the WHEN forms, `今日中` and the like in Japanese)."""
    text = Text(_("Dates and times (WHEN)") + "\n", style="bold underline")
    text.append(_(WHEN_HELP) + "\n" + _(WHEN_WORDS))
    return text


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close", id="help-close")]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Static(Text(_("istui keys ({key} closes) — remap one by its id in ~/.config/istui/config.toml, e.g. "
                                "[keymap] today-call-block = \"ctrl+b\"").format(key=keys.key("help-close"))),
                         classes="title")
            yield Static(Text(_("Below {columns} columns the lead details are below the table; i hides or shows them.")
                              .format(columns=NARROW_BELOW) + "\n" + _("Keys without an id (–) are Textual's own and keep "
                                                                      "their key."), style="dim"), classes="hint")
            yield Static(help_table(self.sections))
            yield Static(when_help_text(), classes="when-help")

    def action_close(self) -> None:
        self.dismiss(None)
