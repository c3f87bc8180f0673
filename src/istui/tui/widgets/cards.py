"""Read-only views of records (rich Text: user data is always plain text, never markup, and never a control
character: `domain.text.terminal_safe`) and the detail pane."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from istui.domain import labels
from istui.domain.formatting import money, short_moment, when
from istui.domain.handoffs import card_rows
from istui.domain.model import DEFAULT_SOURCES
from istui.domain.phones import local_time
from istui.domain.queue import flag_notes, shows_next
from istui.domain.text import NAME_IN_TEXT, clip, terminal_safe
from istui.i18n import N_, _, language
from istui.tui import keys
from istui.tui.state import AppState

Record = Mapping[str, Any]


def state_card(lead: Record | None, state: AppState) -> Text:
    """`lead_card` as the app shows it: the workspace's currency and calling hours, the handoff's SLA end."""
    settings = state.ws.settings
    return lead_card(lead, state.now, settings.currency, settings.work_hours, state.answer_by(lead))


def lead_card(lead: Record | None, now: datetime, currency: str = "JPY",
              hours: tuple[time, time] | None = None, sla_due: datetime | None = None) -> Text:
    """The lead card of the detail pane and the call block; with the workspace's calling `hours`, the clock where
    the lead's number rings when that is another time zone (and a warning outside those hours there); with
    `sla_due`, by when field sales should answer its handoff."""
    if lead is None:
        return Text(_("No lead selected."), style="dim")
    safe = terminal_safe
    text = Text()
    text.append(clip(safe(lead.get("company", "")), 2 * NAME_IN_TEXT), style="bold")  # the phone stays in sight
    text.append(f"  [{labels.stage(lead.get('stage', ''))}]", style="italic")
    text.append("\n")
    if lead.get("company_kana"):
        text.append(f"{safe(lead['company_kana'])}\n", style="dim")
    edit_key = keys.key("lead-edit")
    for line in flag_notes(lead, now, dnc_how=_("clear the mark in the edit form ({key}) to call again").format(key=edit_key),
                           meeting_how=_("the meeting form ({key})").format(key=keys.key("lead-meeting"))):
        text.append("! " + safe(line) + "\n", style="bold red")
    there = local_time(str(lead.get("phone_e164") or ""), now, getattr(now.tzinfo, "key", ""), hours) if hours else None
    clock_there = f"{labels.weekday(list(labels.WEEKDAYS)[there.at.weekday()])} {there.at:%H:%M}" if there is not None else ""
    if there is not None and there.outside_hours:
        text.append("! " + _("{time} there: outside calling hours").format(time=clock_there) + "\n",
                    style="bold red")
    rows = [
        (N_("Contact"), " ".join(v for v in (lead.get("contact", ""), f"〔{lead['contact_kana']}〕" if lead.get("contact_kana")
                                          else "", f"({lead['title']})" if lead.get("title") else "") if v)),
        (N_("Phone"), lead.get("phone", "")),
        (N_("Local"), f"{clock_there} ({there.zone})" if there is not None else ""),  # (the clock where it rings)
        (N_("E-mail"), lead.get("email", "")),
        (N_("Source"), labels.source(lead.get("source", "")) if language() == "ja" else
         f"{safe(lead.get('source', ''))} ({DEFAULT_SOURCES.get(lead.get('source', ''), '')})"),
        (N_("Motion"), f"{labels.motion(lead.get('motion', ''))} · {labels.temperature(lead.get('temp', ''))}"),
        (N_("Owner"), lead.get("owner", "")),
        (N_("Next"), " ".join(v for v in (when(lead.get("next_at"), now), lead.get("next_action", "")) if v)
         if shows_next(lead, now) else ""),
        (N_("Tags"), ", ".join(map(safe, lead.get("tags") or []))),
        (N_("Amount"), money(lead.get("amount"), currency) if lead.get("amount") else ""),
        (N_("Memo"), lead.get("memo", "")),
        *card_rows(lead, now, sla_due),  # the meeting and the handoff
        (N_("Id"), lead.get("id", "")),
    ]
    for label, value in rows:
        if value:
            text.append(set_cell_size(_(label), 8) + " ", style="dim")
            lines = safe(value, multiline=True).split("\n")  # a memo's lines, indented under the first
            text.append("\n".join(safe(line) if not i else " " * 9 + safe(line) for i, line in enumerate(lines)) + "\n")
    return text


def timeline(activities: Iterable[Record], now: datetime, limit: int = 40) -> Text:
    """Newest first: when (the short form, in `now`'s timezone), kind, outcome, who, note."""
    items = list(activities)[-limit:][::-1]
    text = Text()
    if not items:
        text.append(_("No activity yet."), style="dim")
        return text
    shown = [short_moment(datetime.fromisoformat(activity["at"]), now) for activity in items]
    kind_cells = max(cell_len(labels.activity_kind(activity["kind"])) for activity in items)  # (`handoff`, 引き渡し)
    column = max(map(cell_len, shown))  # `yesterday 15:05` and `11-26 15:05` line up
    for activity, at in zip(items, shown, strict=True):
        text.append(set_cell_size(at, column) + " ", style="dim")
        text.append(set_cell_size(labels.activity_kind(activity["kind"]), kind_cells) + " ", style="bold")
        text.append(labels.outcome(activity))
        if activity.get("amount"):
            text.append(f" {int(activity['amount']):,}")
        text.append(f"  {terminal_safe(activity.get('rep', ''))}", style="dim")
        if activity.get("note"):
            note = terminal_safe(activity["note"], multiline=True).replace("\t", " ").replace("\n", "\n    ")
            text.append(f"\n    {note}", style="italic")
        text.append("\n")
    return text


class LeadDetail(VerticalScroll):
    """The detail pane beside a lead table: the card at once, then the activity timeline (newest first),
    read in a worker (never on the UI thread)."""

    DEFAULT_CSS = """
    LeadDetail { width: 46; border-left: solid $panel; padding: 0 1; }
    LeadDetail .timeline { padding-top: 1; }
    """

    def __init__(self, state: AppState, prefix: str, limit: int = 40) -> None:
        super().__init__(id=f"{prefix}-detail")
        self.state, self.prefix, self.limit = state, prefix, limit
        self.shown_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id=f"{self.prefix}-card")
        yield Static(id=f"{self.prefix}-timeline", classes="timeline")

    def show(self, lead: Record | None) -> None:
        state = self.state
        self.query_one(f"#{self.prefix}-card", Static).update(state_card(lead, state))
        self.shown_id = lead["id"] if lead else None
        if lead is None:
            self._show_timeline(None, [])
        else:
            self._load_timeline(lead["id"])

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def _load_timeline(self, lead_id: str) -> None:
        history = self.state.ws.activities_of_lead(lead_id)
        self.app.call_from_thread(self._show_timeline, lead_id, history)

    def _show_timeline(self, lead_id: str | None, history: list[Record]) -> None:
        if lead_id == self.shown_id:  # the cursor may have moved on meanwhile
            self.query_one(f"#{self.prefix}-timeline", Static).update(timeline(history, self.state.now, self.limit))
