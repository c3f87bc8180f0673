"""The Leads tab: filter-as-you-type, sortable virtual table, saved views, detail pane with timeline."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static, TextArea

from istui.domain import labels
from istui.domain.formatting import when
from istui.domain.model import TEMPERATURE_RANK, Motion, Stage, Temperature
from istui.domain.queue import DUE_REASONS, is_callable, is_new_inbound, is_open, queue_reason
from istui.domain.text import fold, lead_search_text, reading_key, terminal_safe
from istui.i18n import N_, _
from istui.tui import keys
from istui.tui.panes.lead_actions import LeadActions
from istui.tui.panes.loop_actions import LoopActions
from istui.tui.state import AppState
from istui.tui.widgets.cards import LeadDetail
from istui.tui.widgets.hint_input import HintInput
from istui.tui.widgets.vtable import Column, VirtualTable

Record = dict[str, Any]
STAGE_ORDER = {stage.value: index for index, stage in enumerate(Stage)}
SORTS = ("created", "company", "stage", "temp", "next", "owner")
SORT_NAMES = {"created": N_("created"), "company": N_("company"), "stage": N_("stage"), "temp": N_("temperature"),
              "next": N_("next follow-up"), "owner": N_("owner")}


def lead_cell(lead: Record, key: str, now: datetime) -> str:
    """A lead's value as a table shows it (stages, temperatures and sources named in the language in force)."""
    if key == "next":
        return when(lead.get("next_at"), now)
    value = str(lead.get(key) or "")
    if key == "stage":
        return labels.stage(value)
    if key == "temp":
        return labels.temperature(value)
    if key == "source":
        return labels.source(value)
    return value


def known_cells(state: AppState) -> dict[str, list[str]]:
    """Every value some lead columns can show (stages, temperatures, sources, the follow-up's forms), so that their
    width fits the widest before a row with it is drawn."""
    now = state.now
    moments = [now - timedelta(days=1), now, now + timedelta(days=1), now + timedelta(days=40), now + timedelta(days=400)]
    return {"stage": [labels.stage(stage.value) for stage in Stage],
            "temp": [labels.temperature(temp.value) for temp in Temperature],
            "source": [labels.source(source) for source in state.ws.settings.sources],
            "next": [when(moment.replace(hour=23, minute=59).isoformat(), now) for moment in moments]}


VIEWS = {
    "all": N_("all leads"),
    "hot": N_("hot leads"),
    "due": N_("overdue and due today"),
    "inbound": N_("new inbound, not yet contacted"),
    "bdr": N_("my BDR targets"),
    "meeting": N_("meeting stage"),
}
LEAD_COLUMNS = [  # narrow: Source (never cut) goes first, then Temp, Owner, Stage, Contact; Next and Phone are never cut
    Column("company", N_("Company"), 30, min=18), Column("contact", N_("Contact"), 16, min=12, drop=5),
    Column("phone", N_("Phone"), 18), Column("stage", N_("Stage"), 16, drop=4), Column("temp", N_("Temp"), 8, drop=2),
    Column("source", N_("Source"), 20, drop=1), Column("owner", N_("Owner"), 10, min=6, drop=3),
    Column("next", N_("Next"), 24),
]


def sort_records(rows: list[Record], key: str, reverse: bool) -> list[Record]:
    if key == "company":
        fn: Any = lambda r: reading_key(r.get("company", ""), r.get("company_kana"))  # noqa: E731
    elif key == "stage":
        fn = lambda r: STAGE_ORDER.get(r.get("stage", ""), 99)  # noqa: E731
    elif key == "temp":
        fn = lambda r: TEMPERATURE_RANK.get(r.get("temp", ""), 9)  # noqa: E731
    elif key == "next":
        fn = lambda r: r.get("next_at") or "9999"  # noqa: E731
    elif key == "owner":
        fn = lambda r: r.get("owner", "")  # noqa: E731
    else:
        fn = lambda r: (r.get("created_at", ""), r.get("id", ""))  # noqa: E731
    return sorted(rows, key=fn, reverse=reverse)


def in_view(lead: Record, view: str, rep: str, day: tuple[datetime, datetime], now: datetime) -> bool:
    """Whether `lead` is in a saved view; `day` is today's [start, end) (the domain's due and overdue, and
    meetings passed by `now`)."""
    if view == "hot":
        return lead.get("temp") == "hot" and is_callable(lead)
    if view == "due":
        return queue_reason(lead, *day, now) in DUE_REASONS
    if view == "inbound":
        return is_new_inbound(lead)
    if view == "bdr":
        return lead.get("motion") == Motion.BDR and lead.get("owner") == rep and is_callable(lead)
    if view == "meeting":
        return lead.get("stage") == Stage.MEETING
    return True


class LeadsPane(LoopActions, LeadActions, Vertical):
    """Everything about the Leads tab; the app feeds it `set_leads`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="leads-filter", priority=True),  # (see action_filter)
        Binding("escape", "leave_filter", "Back to the table", id="leads-filter-leave"),
        Binding("n", "new_lead", "New", id="lead-new"),
        Binding("e", "edit_lead", "Edit", id="lead-edit"),
        Binding("s", "stage_lead", "Stage", id="lead-stage"),
        Binding("h", "handoff_lead", "Handoff", id="lead-handoff"),
        Binding("v", "handoff_sheet", "Handoff sheet", id="lead-handoff-sheet"),
        Binding("l", "log_lead('call')", "Log call", id="lead-log-call"),
        Binding("m", "mail", "E-mail", id="lead-log-email"),
        Binding("d", "dial", "Dial", id="lead-dial"),
        Binding("delete", "delete_lead", "Delete", id="lead-delete"),
        Binding("c", "call_block", "Call block", id="lead-call-block"),
        Binding("o", "sort", "Sort", id="leads-sort"),
        Binding("i", "toggle_detail", "Details", id="lead-details"),
        Binding("t", "set_meeting", "Meeting", show=False, id="lead-meeting"),
        Binding("w", "mark_meeting", "Mark meeting", show=False, id="lead-meeting-mark"),
        Binding("b", "invite", "Invite", show=False, id="lead-invite"),
        Binding("a", "accept_handoff", "Accept", show=False, id="lead-accept"),
        Binding("x", "reject_handoff", "Return", show=False, id="lead-reject"),
        Binding("f", "rate_handoff", "Rate", show=False, id="lead-rate"),
        Binding("r", "reverse", "Reverse", show=False, id="leads-reverse"),
        Binding("A", "view('all')", "All", show=False, id="view-all"),
        Binding("H", "view('hot')", "Hot", show=False, id="view-hot"),
        Binding("D", "view('due')", "Due", show=False, id="view-due"),
        Binding("I", "view('inbound')", "Inbound", show=False, id="view-inbound"),
        Binding("B", "view('bdr')", "My BDR", show=False, id="view-bdr"),
        Binding("M", "view('meeting')", "Meeting", show=False, id="view-meeting"),
    ]
    def __init__(self, state: AppState) -> None:
        super().__init__(id="leads-pane")
        self.state = state
        self.all: list[Record] = []
        self.loaded = False  # the app has handed the leads over (`set_leads`)
        self.keys: dict[str, str] = {}
        self.sorted: list[Record] = []
        self.sorted_keys: list[str] = []
        self.view = "all"
        self.sort_key, self.sort_reverse = "created", True

    def compose(self) -> ComposeResult:
        named = {"key": keys.key("leads-filter"), "leave": keys.key("leads-filter-leave")}
        yield HintInput([_("{key} filter: company, contact, phone, e-mail, tags (カナ and ㈱ fold) · {leave} back to "
                           "the table").format(**named), _("{key} filter · {leave} back to the table").format(**named)],
                        id="lead-filter")
        with Horizontal(id="leads-body"):  # below 120 columns the detail goes below the table (istui.tcss)
            table = VirtualTable(LEAD_COLUMNS, self.cell, row_style=self.row_style, id="leads-table")
            table.sort_key, table.sort_reverse = None, True
            table.widen(known_cells(self.state))
            table.placeholder = _("Reading the leads…")
            yield table
            yield LeadDetail(self.state, "lead")
        yield Static(id="leads-status")

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#leads-table", VirtualTable)

    def cell(self, lead: Record, key: str) -> str:
        return lead_cell(lead, key, self.state.now)

    def row_style(self, lead: Record) -> str | None:
        if not is_open(lead):
            return "dim"
        next_at = lead.get("next_at")
        if next_at and next_at < self.state.today_start_iso:
            return "accent"
        return None

    # --- data ----------------------------------------------------------------------------------
    def set_leads(self, leads: list[Record], keys: dict[str, str] | None = None) -> None:
        """All leads, newest first, with their search keys (computed here when not given)."""
        self.all, self.loaded = leads, True
        self.keys = keys if keys is not None else {lead["id"]: lead_search_text(lead) for lead in leads}
        self._resort()

    def replace_lead(self, lead: Record) -> None:
        """One lead changed (or was added): put it where the table's sort puts it (never pinned to the top) and
        filter again; the cursor stays on the lead it was on."""
        self.keys[lead["id"]] = lead_search_text(lead)
        for rows in (self.all, self.sorted):
            index = next((i for i, row in enumerate(rows) if row["id"] == lead["id"]), None)
            if index is None:
                rows.insert(0, lead)  # the newest lead: first by creation, placed by the sort below otherwise
            else:
                rows[index] = lead
        if not (self.sort_key == "created" and self.sort_reverse):
            self.sorted = sort_records(self.sorted, self.sort_key, self.sort_reverse)  # sorted but one: a single pass
        self.sorted_keys = [self.keys.get(row["id"], "") for row in self.sorted]
        self._last_filter = None
        self.apply_filter()

    def _resort(self) -> None:
        if self.sort_key == "created" and self.sort_reverse:
            self.sorted = list(self.all)  # the app already hands leads over newest first
        else:
            self.sorted = sort_records(self.all, self.sort_key, self.sort_reverse)
        self.sorted_keys = [self.keys.get(row["id"], "") for row in self.sorted]
        self._last_filter = None
        self.apply_filter()

    def apply_filter(self) -> None:
        """Filter the sorted leads by view and text; keeps the cursor on the same lead when it can.

        Typing more of the same filter narrows the previous result instead of all 50,000 leads.
        """
        text = fold(self.query_one("#lead-filter", Input).value)
        rep, now, view = self.state.ws.rep, self.state.now, self.view
        last = getattr(self, "_last_filter", None)
        if last is not None and last[0] == view and last[1] and text.startswith(last[1]):
            leads, keys = last[2], last[3]
        else:
            leads, keys = self.sorted, self.sorted_keys
            if view != "all":
                start = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
                day = (start, start + timedelta(days=1))
                chosen = [in_view(lead, view, rep, day, now) for lead in leads]
                leads = [lead for lead, ok in zip(leads, chosen, strict=True) if ok]
                keys = [key for key, ok in zip(keys, chosen, strict=True) if ok]
        if text:  # no tuples: allocating 50,000 of them per keystroke wakes the garbage collector
            leads = [lead for lead, key in zip(leads, keys, strict=True) if text in key]
            keys = [key for key in keys if text in key]
        self._last_filter = (view, text, leads, keys)
        current = self.table.current
        self.table.sort_key = self.sort_key if self.sort_key != "created" else None
        self.table.sort_reverse = self.sort_reverse
        self.table.placeholder = self._why_empty(leads)
        self.table.set_rows(leads, keep=current)
        self.update_status()

    def _why_empty(self, rows: list[Record]) -> str:
        """What the table says on its first row when it has none ("" when it has rows, or no lead exists yet: the
        status line says how leads come in)."""
        typed = self.query_one("#lead-filter", Input).value.strip()
        if not self.loaded:
            return _("Reading the leads…")
        if rows or not self.all:
            return ""
        return _("No lead matches “{text}”.").format(text=terminal_safe(typed)) if typed else _("No lead in this view.")

    def update_status(self) -> None:
        rows = len(self.table.rows)
        text = self.query_one("#lead-filter", Input).value.strip()
        status = _("{rows} of {total} leads · view: {view} ({views}) · sort: {sort}").format(
            rows=f"{rows:,}", total=f"{len(self.all):,}", view=_(VIEWS[self.view]), sort=_(SORT_NAMES[self.sort_key]),
            views=" ".join(keys.key(f"view-{view}") for view in VIEWS))
        status += (" ▼" if self.sort_reverse else " ▲") + f" ({keys.key('leads-sort')}, {keys.key('leads-reverse')})"
        if text:  # first after the count: a narrow screen cuts the end of the line
            head, sep, rest = status.partition(" · ")
            status = f"{head} · " + _("filter: {text}").format(text=text) + sep + rest
        if not self.all:  # a new workspace: say how leads come in
            status = _("No leads yet — {key} adds one; `istui import leads FILE` brings in a CSV export.").format(
                key=keys.key("lead-new"))
        self.query_one("#leads-status", Static).update(Text(terminal_safe(status), no_wrap=True, overflow="ellipsis"))

    def show_detail(self, lead: Record | None) -> None:
        self.query_one(LeadDetail).show(lead)

    # --- events and actions --------------------------------------------------------------------
    @on(Input.Changed, "#lead-filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#lead-filter")
    def _filter_done(self) -> None:
        self.screen.set_focus(self.table)

    @on(VirtualTable.Highlighted, "#leads-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._pending_detail = event.record
        offered = bool(event.record and event.record.get("handoff"))
        if offered != getattr(self, "_sheet_offered", False):  # the handoff sheet's key shows for a lead handed off
            self._sheet_offered = offered
            self.refresh_bindings()
        self.set_timer(0.05, self._show_pending)  # a held arrow key does not load every timeline

    def _show_pending(self) -> None:
        record = getattr(self, "_pending_detail", None)
        current = self.table.current
        if record is current:
            self.show_detail(record)

    def show_lead(self, lead_id: str) -> None:
        """Select `lead_id` in the whole list (no filter, view all)."""
        self.query_one("#lead-filter", Input).value = ""
        self.action_view("all")
        self.table.cursor = next((i for i, row in enumerate(self.table.rows) if row["id"] == lead_id), 0)
        self.screen.set_focus(self.table)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """esc leaves the filter (only from inside it); the handoff sheet's key is for a lead handed off."""
        if action == "leave_filter":
            return self.screen.focused is self.query_one("#lead-filter", Input)
        if action == "handoff_sheet":
            lead = self.selected_lead()
            return bool(lead and lead.get("handoff"))
        return True

    def action_filter(self) -> None:
        """To the filter at once. A priority binding runs as the app reads the key, before the keys typed right
        after it are handed to the focused widget (a pane's own binding runs later, and they went to the table)."""
        if isinstance(self.screen.focused, Input | TextArea):
            raise SkipAction  # typed into the filter (or any input) as text
        self.screen.set_focus(self.query_one("#lead-filter", Input))

    def action_leave_filter(self) -> None:
        """Back to the table, the filter kept: the next key is a command again."""
        self.screen.set_focus(self.table)

    def action_sort(self) -> None:
        self.sort_key = SORTS[(SORTS.index(self.sort_key) + 1) % len(SORTS)]
        self.sort_reverse = self.sort_key == "created"
        self._resort()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resort()

    def action_view(self, view: str) -> None:
        self.view = view
        self.apply_filter()
        self.screen.set_focus(self.table)
