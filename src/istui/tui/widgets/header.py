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


def title_line(state: AppState, sync_status: dict[str, Any] | None, syncing: bool) -> str:
    ws = state.ws
    line = (f"istui · {ws.settings.team} · {ws.rep} · {long_date(state.now.date())} · "
            + _("workspace {name}").format(name=ws.root.name))
    synced = status_text(sync_status, syncing, state.now)
    return terminal_safe(line + (f"   ⇅ {synced}" if synced else ""))  # the team's name comes from a file


def strip_line(strip: dict[str, Any]) -> str:
    """`Today: calls 23/60 · connects 5 · meetings 1/3 · connect rate 21.7%   │   Month: …`."""
    metrics, targets = strip["metrics"], strip["targets"]
    parts = []
    for key in STRIP_METRICS:
        value, label = metrics[key], labels.metric(key)
        parts.append(f"{label} {value}/{targets[key]:g}" if key in targets else f"{label} {value}")
    parts.append(_("connect rate {rate}").format(rate=percent(metrics["connect_rate"])))
    text = _("Today: ") + " · ".join(parts)
    month = [f"{labels.metric(t['metric'])} {t['actual']:,.0f}/{t['target']:,.0f}"
             + (f" {labels.pace_gap(t['status'], t['ahead'])}" if t.get("status") not in (None, "on_pace") else "")
             + (_(" (need {rate}/day)").format(rate=f"{t['needed_per_day']:,.1f}")
                if t.get("status") == "behind" and t.get("needed_per_day") else "") for t in strip.get("month", [])]
    if month:
        text += "   │   " + _("Month: ") + " · ".join(month)
    return text


class IstuiHeader(Vertical):
    """Two lines above the tabs (user text in them is data, never markup)."""

    def compose(self) -> ComposeResult:
        yield Static(id="istui-header")
        yield Static(id="istui-strip")

    def show_title(self, state: AppState, sync_status: dict[str, Any] | None, syncing: bool) -> None:
        self.query_one("#istui-header", Static).update(Text(title_line(state, sync_status, syncing)))

    def show_strip(self, strip: dict[str, Any]) -> None:
        self.query_one("#istui-strip", Static).update(Text(strip_line(strip)))
