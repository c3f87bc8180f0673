"""The footer of every screen: compact (less space between keys) on narrow screens, and only the keys that fit
whole beside the palette key (Textual draws the others under it, cutting wide characters)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from istui.tui.sizes import NARROW_BELOW


class IstuiFooter(Footer):
    fitted = False  # the keys that do not fit are hidden (until the next compose or resize)

    def __init__(self, width: int, **kwargs: Any) -> None:
        super().__init__(compact=width < NARROW_BELOW, **kwargs)  # set before the first layout: keys dock right

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield self._unbound(widget)
        self.fitted = False
        self.call_after_refresh(self.fit_keys)
        self.set_timer(0.05, self.fit_keys)  # again, for a screen under a modal one (it is not refreshed)

    def _unbound(self, widget: Widget) -> Widget:
        """Textual binds each key's `compact` to the footer's with `data_bind`, a watcher on the footer that is
        never removed: the footer is composed again at every focus or tab change, and a day's work left thousands
        of dead watchers scanned at each key and kept in memory (a soak test found it). The footer sets its keys'
        `compact` itself instead (`watch_compact`)."""
        if isinstance(widget, FooterKey) and widget._reactive_connect:
            widget._reactive_connect = None
            widget.set_reactive(FooterKey.compact, self.compact)
            widget.set_class(self.compact, "-compact", update=False)
        return widget

    def watch_compact(self, compact: bool) -> None:
        for key in self.query(FooterKey):
            if not key.has_class("-command-palette"):
                key.compact = compact

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < NARROW_BELOW
        for child in self.children:
            child.display = True
        self.fitted = False
        self.call_after_refresh(self.fit_keys)  # once laid out with every key

    def fit_keys(self) -> None:
        """Hide the keys from the first that does not fit whole left of the docked palette key (`?` lists all);
        once per layout with every key shown (a hidden key has no place to measure)."""
        children = list(self.children)
        if self.fitted or not children or not all(child.region.width for child in children):
            return
        docked = [child for child in children if child.styles.dock == "right"]
        room = self.region.right - sum(child.outer_size.width for child in docked)
        full = False
        for child in children:
            if child in docked:
                continue
            full = full or child.region.right + child.styles.margin.right > room
            child.display = not full
        self.fitted = True
