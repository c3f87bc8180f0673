"""The Today tab: the queue (overdue, due today, meetings passed, new inbound; hot first) and the door to the call
block."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from istui.domain import labels
from istui.domain.handoffs import TASK_REASONS
from istui.domain.queue import QUEUE_REASONS
from istui.i18n import N_, _
from istui.services.today import loop_clock, today_queue
from istui.tui import keys
from istui.tui.panes.lead_actions import LeadActions
from istui.tui.panes.leads import known_cells, lead_cell
from istui.tui.panes.loop_actions import LoopActions
from istui.tui.state import AppState
from istui.tui.widgets.cards import LeadDetail
from istui.tui.widgets.flow import fitting
from istui.tui.widgets.vtable import Column, VirtualTable

Record = dict[str, Any]
QUEUE_COLUMNS = [  # narrow: Source (never cut) goes first, then To do, Temp, Contact; Next and Phone are never cut
    Column("reason", N_("Why"), 18), Column("company", N_("Company"), 30, min=18),
    Column("contact", N_("Contact"), 16, min=12, drop=4), Column("phone", N_("Phone"), 18),
    Column("temp", N_("Temp"), 8, drop=3), Column("source", N_("Source"), 20, drop=1),
    Column("next", N_("Next"), 24), Column("next_action", N_("To do"), 28, min=10, drop=2),
]


class TodayPane(LoopActions, LeadActions, Vertical):
    """The day's queue; the app feeds it `show_queue` (computed off the UI thread) and `set_leads`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "call_block", "Call block", id="today-call-block"),
        Binding("l", "log_lead('call')", "Log call", id="today-log-call"),
        Binding("m", "mail", "E-mail", id="today-mail"),
        Binding("d", "dial", "Dial", id="today-dial"),
        Binding("e", "edit_lead", "Edit", id="today-edit"),
        Binding("A", "toggle_all", "Mine/team", id="today-all"),
        Binding("i", "toggle_detail", "Details", id="today-details"),
        Binding("a", "accept_handoff", "Accept", id="today-accept"),
        Binding("x", "reject_handoff", "Return", id="today-reject"),
        Binding("f", "rate_handoff", "Rate", show=False, id="today-rate"),
        Binding("t", "set_meeting", "Meeting", show=False, id="today-meeting"),
        Binding("w", "mark_meeting", "Mark meeting", id="today-meeting-mark"),
        Binding("b", "invite", "Invite", show=False, id="today-invite"),
    ]

    def __init__(self, state: AppState) -> None:
        super().__init__(id="today-pane")
        self.state = state
        self.everyone = False
        self.entries: list[Record] = []
        self._summary = ("", "")  # the counts line and the meetings-passed line, shown to fit (`_show_summary`)

    def call_queue(self) -> tuple[list[Record], int]:
        """A call block from Today works the queue, from the selected lead on."""
        callable_ = [entry for entry in self.entries if entry["reason"] in QUEUE_REASONS]  # (not the loop's tasks)
        if callable_:
            current = self.table.current
            start = next((i for i, e in enumerate(callable_) if current and e["id"] == current["id"]), 0)
            return callable_, start
        return super().call_queue()

    def compose(self) -> ComposeResult:
        yield Static(id="today-summary")
        with Horizontal(id="today-body"):  # below 120 columns the detail goes below the table (istui.tcss)
            table = VirtualTable(QUEUE_COLUMNS, self.cell, row_style=self.row_style, id="today-table")
            table.widen(known_cells(self.state))
            yield table
            yield LeadDetail(self.state, "today", limit=12)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#today-table", VirtualTable)

    def cell(self, row: Record, key: str) -> str:
        if key == "reason":
            return labels.reason(row["reason"])
        return lead_cell(row, key, self.state.now)

    def row_style(self, row: Record) -> str | None:
        return "accent" if row["reason"] in ("overdue", "handoff_overdue", "returned") else None

    def set_leads(self, leads: list[Record]) -> None:
        state = self.state
        self.show_queue(today_queue(leads, state.now, None if self.everyone else state.ws.rep, loop_clock(state.ws)))

    def show_queue(self, queue: list[dict[str, Any]]) -> None:
        """Entries of services.today.today_queue (computed off the UI thread by the app)."""
        state = self.state
        if self.everyone:  # the app computes the rep's own queue; the team's is computed here
            queue = today_queue(state.leads, state.now, None)
        self.entries = [{**entry["lead"], "reason": entry["reason"]} for entry in queue]
        current = self.table.current
        self.table.set_rows(self.entries, keep=current["id"] if current else None)
        counts = {r: sum(1 for e in self.entries if e["reason"] == r) for r in (*QUEUE_REASONS, *TASK_REASONS)}
        scope = _("team") if self.everyone else state.ws.rep
        line = _("Today's queue ({scope}): {overdue} overdue · {due} due today · {new} new inbound   —   "
                 "{key} starts a call block on the selected lead").format(scope=scope, overdue=counts["overdue"],
                                                                          due=counts["due"], new=counts["new"],
                                                                          key=keys.key("today-call-block"))
        passed = ""
        if counts["meeting_passed"]:  # a line of its own, only when there is one
            passed = "\n" + (_("{count} meeting(s) passed — hand off or log the result (Leads tab: {handoff} hands "
                                     "off, {stage} changes the stage; {edit} sets a new meeting time)").format(
                count=counts["meeting_passed"], handoff=keys.key("lead-handoff"), stage=keys.key("lead-stage"),
                edit=keys.key("lead-edit")))
        waiting = counts["handoff_overdue"] + counts["handoff_proposed"]
        if waiting or counts["meeting_unmarked"]:  # the handoff loop's tasks: a line of their own
            passed += "\n" + _("Handoffs to answer: {count} ({late} past the SLA) — {accept} accepts, {reject} returns · "
                                "meetings to mark: {meetings} — {mark}").format(
                count=waiting, late=counts["handoff_overdue"], accept=keys.key("today-accept"),
                reject=keys.key("today-reject"), meetings=counts["meeting_unmarked"], mark=keys.key("today-meeting-mark"))
        if counts["returned"]:
            passed += "\n" + _("{count} lead(s) returned by field sales — the reason is on the card").format(
                count=counts["returned"])
        self._summary = (line, passed)
        self._show_summary()

    def _show_summary(self) -> None:
        """The queue's counts and the call block's key on one line, or the key's hint whole on the next."""
        line, passed = self._summary
        summary = self.query_one("#today-summary", Static)
        width = summary.content_region.width or self.app.size.width - 2
        summary.update(Text(fitting([line, line.replace("   —   ", "\n", 1)], width) + passed))

    def on_resize(self) -> None:
        if self._summary[0]:
            self._show_summary()

    @on(VirtualTable.Highlighted, "#today-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.query_one(LeadDetail).show(event.record)

    def action_toggle_all(self) -> None:
        self.everyone = not self.everyone
        self.set_leads(self.state.leads)
