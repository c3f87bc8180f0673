"""Every dialog (forms, confirmations, sheets, help, plan, the call block's pickers) is a `Dialog`: a modal
screen with its own footer, which lists the dialog's keys (ctrl+s Save, esc Cancel) — the screen underneath
would list its own, which do nothing while the dialog is open."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from istui.tui.widgets.footer import IstuiFooter

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    def on_mount(self) -> None:
        """Runs before a subclass's own `on_mount` (Textual calls each class's handler)."""
        self.mount(IstuiFooter(self.app.size.width))
