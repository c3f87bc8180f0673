"""The header: the workspace, the rep, the date and the sync status on one line, and a live strip of
today's progress against the rep's targets (and the month's pace) below it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from istui.domain import labels
from istui.domain.formatting import long_date, percent
from istui.domain.metrics import STRIP_METRICS
from istui.domain.text import terminal_safe
from istui.i18n import _
from istui.tui.state import AppState
from istui.tui.syncing import status_text
from istui.tui.widgets.flow import fitting, flow


def title_line(state: AppState, sync_status: dict[str, Any] | None, syncing: bool, width: int = 10_000) -> str:
    """`istui · team · rep · date · workspace name   ⇅ sync state`; where that is too wide, the workspace's name
    goes first, then the team's and the app's: the sync state stays in sight."""
    ws = state.ws
    parts = ["istui", terminal_safe(ws.settings.team), terminal_safe(ws.rep), long_date(state.now.date()),
             terminal_safe(_("workspace {name}").format(name=ws.root.name))]  # names come from files
    synced = status_text(sync_status, syncing, state.now)
    tail = f"   ⇅ {synced}" if synced else ""
    return fitting([" · ".join(shown) + tail for shown in (parts, parts[:4], parts[2:4])], width)


def strip_sections(strip: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Today's progress and the month's pace: each a heading and its items."""
    metrics, targets = strip["metrics"], strip["targets"]
    parts = []
    for key in STRIP_METRICS:
        value, label = metrics[key], labels.metric(key)
        parts.append(f"{label} {value}/{targets[key]:g}" if key in targets else f"{label} {value}")
    parts.append(_("connect rate {rate}").format(rate=percent(metrics["connect_rate"])))
    sections = [(_("Today: "), parts)]
    month = [f"{labels.metric(t['metric'])} {t['actual']:,.0f}/{t['target']:,.0f}"
             + (f" {labels.pace_gap(t['status'], t['ahead'])}" if t.get("status") not in (None, "on_pace") else "")
             + (_(" (need {rate}/day)").format(rate=f"{t['needed_per_day']:,.1f}")
                if t.get("status") == "behind" and t.get("needed_per_day") else "") for t in strip.get("month", [])]
    if month:
        sections.append((_("Month: "), month))
    return sections


def strip_line(strip: dict[str, Any], width: int = 10_000) -> str:
    """`Today: calls 23/60 · connects 5 · meetings 1/3 · connect rate 21.7%   │   Month: …`, on as many lines
    as `width` cells need."""
    return flow(strip_sections(strip), width)


class IstuiHeader(Vertical):
    """Two lines above the tabs, the strip on more when the screen is narrow (user text in them is data, never
    markup)."""

    strip: dict[str, Any] | None = None
    title_args: tuple[AppState, dict[str, Any] | None, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="istui-header")
        yield Static(id="istui-strip")

    def show_title(self, state: AppState, sync_status: dict[str, Any] | None, syncing: bool) -> None:
        self.title_args = (state, sync_status, syncing)  # shown again to fit after a resize
        # a query, not query_one: a sync that ends while the app closes finds the header gone, and shows nothing
        for header in self.query("#istui-header").results(Static):
            width = header.content_region.width or self.app.size.width - 2
            header.update(Text(title_line(state, sync_status, syncing, width), no_wrap=True, overflow="ellipsis"))

    def show_strip(self, strip: dict[str, Any]) -> None:
        self.strip = strip
        width = self.query_one("#istui-strip", Static).content_region.width or self.app.size.width - 2
        self.query_one("#istui-strip", Static).update(Text(strip_line(strip, width)))

    def on_resize(self) -> None:
        self.call_after_refresh(self._again)

    def _again(self) -> None:
        """The title and strip as last shown, fitted to the new width (read when it runs: newer ones may have come
        since the resize)."""
        if self.title_args is not None:
            self.show_title(*self.title_args)
        if self.strip is not None:
            self.show_strip(self.strip)
