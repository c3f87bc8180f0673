"""The footer of every screen: compact (less space between keys) below 120 columns, so more keys show."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

NARROW = 120  # columns; the width class -narrow of istui.tcss


class IstuiFooter(Footer):
    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < NARROW
