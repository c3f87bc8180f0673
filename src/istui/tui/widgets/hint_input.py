"""A filter or search box whose hint (placeholder) is the longest of its wordings that fits the box: on a
narrow screen the short one, which still names the key that leaves the box."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

from istui.tui.widgets.flow import fitting


class HintInput(Input):
    def __init__(self, hints: list[str], **kwargs: Any) -> None:
        super().__init__(placeholder=hints[0], **kwargs)
        self.hints = hints

    def on_resize(self, event: events.Resize) -> None:
        self.placeholder = fitting(self.hints, self.content_region.width - 1)  # the cursor's cell
