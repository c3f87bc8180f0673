"""The istui Textual app: header with today's progress, tabs Leads · Today · Notes · KPI, palette, themes.

The app talks to the workspace only through the store facade and the services (never TinyDB).
It polls the workspace's file signatures twice a second, so a call logged from the CLI in another
terminal shows up within a second; loading runs in worker threads.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane, TextArea

from istui.domain import labels
from istui.domain.errors import IstuiError
from istui.domain.formatting import long_date, percent
from istui.domain.metrics import STRIP_METRICS
from istui.i18n import N_, _
from istui.services.analytics import talk_note_usage
from istui.services.handoff import handoff_sheet
from istui.services.leads import change_stage, create_lead, hand_off, log_activity, set_lead_fields, undo_log
from istui.services.report import kpi_report
from istui.services.strip import today_strip
from istui.services.today import today_queue
from istui.store.settings import save_user_setting, user_config
from istui.store.workspace import Record, Workspace
from istui.tui.panes.kpi import KpiPane, Tables, draw_tables
from istui.tui.panes.leads import LeadsPane, search_key
from istui.tui.panes.notes import NotesPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen
from istui.tui.screens.forms import ConfirmScreen, SheetScreen
from istui.tui.screens.help import HelpScreen
from istui.tui.screens.record_forms import handoff_form, lead_form, log_form, note_form, stage_form
from istui.tui.syncing import SyncMixin, conflict_markdown, status_text
from istui.tui.themes import DEFAULT_THEME, load_themes

TABS = ("leads", "today", "notes", "kpi")
COHORT_FIELDS = ("created_at", "source", "owner", "motion", "company")  # what a KPI cohort depends on
_DAY = timedelta(days=1)
PALETTE_PLACEHOLDER = N_("Search for commands…")
TEXTUAL_COMMANDS = (  # Textual's own palette commands, by the texts Textual gives them
    N_("Quit"), N_("Quit the application as soon as possible"), N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"), N_("Minimize"),
    N_("Minimize the widget and restore to normal size"), N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
)
TAB_NAMES = {"leads": N_("Leads"), "today": N_("Today"), "notes": N_("Notes"), "kpi": N_("KPI")}


def literal_highlight(query: str, candidate: str, matcher: Any) -> Content:
    """Like Matcher.highlight, but the candidate is text, never markup (lead names are data)."""
    content = Content(candidate)
    _score, offsets = matcher.fuzzy_search.match(query, candidate)
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class IstuiCommands(Provider):
    """Every action of the app, plus "go to lead" by company or contact name."""

    def actions(self) -> list[tuple[str, Callable[[], Any], str]]:
        app: IstuiApp = self.app  # type: ignore[assignment]
        items: list[tuple[str, Callable[[], Any], str]] = [
            (_("New lead"), app.action_new_lead, _("Add a lead with the lead form")),
            (_("Log call on the selected lead"), partial(app.action_log_lead, "call"), _("Outcome, note and follow-up")),
            (_("Log e-mail on the selected lead"), partial(app.action_log_lead, "email"), _("Outcome, note and follow-up")),
            (_("Start call block"), app.action_call_block, _("Work the Today queue one key per outcome")),
            (_("Change stage of the selected lead"), app.action_stage_lead, _("won asks for the amount")),
            (_("Hand off the selected lead"), app.action_handoff_lead, _("BANT form and handoff sheet")),
            (_("New note"), app.action_new_note, _("Talk script, objection answer, material")),
            (_("Switch rep view: mine / team"), app.action_toggle_scope, _("Today queue and KPI scope")),
            (_("Open review (振り返り): this week"), partial(app.action_review, "week"), _("Markdown for the team meeting")),
            (_("Open review (振り返り): last week"), partial(app.action_review, "last_week"), _("Markdown for the team meeting")),
            (_("Open review (振り返り): this month"), partial(app.action_review, "month"), _("Markdown for the team meeting")),
            (_("Plan: revenue goal → KPIs"), app.action_plan, _("Orders, meetings and calls a goal takes")),
            (_("Sync with the team (git)"), app.action_sync, _("Commit, fetch, merge, push · key S")),
            (_("Show the last sync's conflicts"), app.action_sync_conflicts, _("Fields changed on both sides")),
            (_("Reload the workspace"), app.action_reload, _("Read every file again")),
            (_("Help: every key"), app.action_help, "?"),
        ]
        items += [(_("Go to tab: {name}").format(name=_(TAB_NAMES[name])), partial(app.action_tab, name),
                   _("key {key}").format(key=i + 1)) for i, name in enumerate(TABS)]
        items += [(_("Theme: {name}").format(name=name), partial(app.set_theme, name), _("switch and remember"))
                  for name in app.theme_names]
        return items

    async def discover(self) -> Hits:
        for name, callback, help_text in self.actions():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, literal_highlight(query, name, matcher), callback, text=name, help=help_text)
        app: IstuiApp = self.app  # type: ignore[assignment]
        if len(query) >= 2:
            found = 0
            for lead in app.leads:
                label = _("Go to lead: {name}").format(name=f"{lead['company']} {lead.get('contact', '')}".rstrip())
                score = matcher.match(label)
                if score > 0:
                    yield Hit(score * 0.9, literal_highlight(query, label, matcher), partial(app.go_to_lead, lead["id"]),
                              text=label, help=f"{lead.get('stage', '')} · {lead.get('source', '')}")
                    found += 1
                    if found >= 30:
                        break


class IstuiApp(SyncMixin, App[None]):
    TITLE = "istui"
    CSS = """
    #istui-header { height: 1; background: $primary; color: $background; padding: 0 1; }
    #istui-strip { height: 1; background: $panel; padding: 0 1; }
    TabbedContent { height: 1fr; }
    TabPane { padding: 0; }
    """
    COMMANDS = App.COMMANDS | {IstuiCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('leads')", "Leads", id="tab-leads"),
        Binding("2", "tab('today')", "Today", id="tab-today"),
        Binding("3", "tab('notes')", "Notes", id="tab-notes"),
        Binding("4", "tab('kpi')", "KPI", id="tab-kpi"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("ctrl+t", "next_theme", "Theme", show=False, id="theme-next"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="reload"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="undo"),
        Binding("S", "sync", "Sync", id="sync"),
        Binding("ctrl+p", "command_palette", "palette", show=False, priority=True, key_display="^p", id="palette"),
    ]

    def __init__(self, workspace: Workspace, *, watch_interval: float = 0.5, status_delay: float = 2.0) -> None:
        from istui.tui.localize import localize_bindings

        localize_bindings()  # before any widget copies its class's keys
        super().__init__()
        self.ws = workspace
        self.watch_interval = watch_interval
        self.status_delay = status_delay  # the first sync status waits for the first screen (git status takes CPU)
        self.leads: list[Record] = []
        self.leads_by_id: dict[str, Record] = {}
        self.now = workspace.now()
        self._fingerprint: tuple = ()
        # (period, rep, fingerprint, day) → the report and its drawn tables
        self._kpi_reports: dict[tuple, tuple[dict[str, Any], Tables]] = {}
        self._cohorts: dict[tuple, Any] = {}  # the KPI reports' lead cohorts: replaced when leads change
        self._previous_by_id: dict[str, Record] = {}
        self._undo: list[tuple[str, Callable[[], None]]] = []
        themes, self.theme_problems = load_themes()
        self.theme_names = [theme.name for theme in themes]
        for theme in themes:
            self.register_theme(theme)
        config = user_config()
        wanted = config.get("theme", DEFAULT_THEME)
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME
        sync_config = config.get("sync")
        every = sync_config.get("every_minutes") if isinstance(sync_config, dict) else None
        self.auto_sync_minutes = every if isinstance(every, int | float) and every > 0 else 0
        self.last_sync_report: dict[str, Any] | None = None
        keymap = config.get("keymap")
        if isinstance(keymap, dict):
            self.set_keymap({str(k): str(v) for k, v in keymap.items()})

    # --- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="istui-header")
        yield Static(id="istui-strip")
        with TabbedContent(initial="today", id="tabs"):
            with TabPane(f"1 {_(TAB_NAMES['leads'])}", id="leads"):
                yield LeadsPane()
            with TabPane(f"2 {_(TAB_NAMES['today'])}", id="today"):
                yield TodayPane()
            with TabPane(f"3 {_(TAB_NAMES['notes'])}", id="notes"):
                yield NotesPane()
            with TabPane(f"4 {_(TAB_NAMES['kpi'])}", id="kpi"):
                yield KpiPane()
        yield Footer()

    def on_mount(self) -> None:
        self.update_header()
        self.load_workspace()
        self.set_interval(self.watch_interval, self.check_for_changes)
        self.set_interval(30, self.tick)
        self.set_interval(60, self.auto_sync)
        self.set_interval(30, self.refresh_sync_status)
        if self.status_delay:
            self.set_timer(self.status_delay, self.refresh_sync_status)
        else:
            self.refresh_sync_status()
        for problem in self.theme_problems:
            self.notify(problem, title=_("Theme not loaded"), severity="warning", markup=False)

    @property
    def today_start_iso(self) -> str:
        return datetime.combine(self.now.date(), time(), tzinfo=self.ws.tz).isoformat(timespec="seconds")

    def tick(self) -> None:
        """Keep `now` fresh (the queue moves as follow-ups fall due)."""
        day = self.now.date()
        self.now = self.ws.now()
        if self.now.date() != day:
            self.refresh_all()
        self.update_header()

    def update_header(self, strip: dict[str, Any] | None = None) -> None:
        ws = self.ws
        header = (f"istui · {ws.settings.team} · {ws.rep} · {long_date(self.now.date())} · "
                  + _("workspace {name}").format(name=ws.root.name))
        synced = status_text(self.sync_status, self.syncing, ws.tz)
        if synced:
            header += f"   ⇅ {synced}"
        self.query_one("#istui-header", Static).update(Text(header))
        if strip is None:
            return
        metrics, targets = strip["metrics"], strip["targets"]
        parts = []
        for key in STRIP_METRICS:
            value, label = metrics[key], labels.metric(key)
            parts.append(f"{label} {value}/{targets[key]:g}" if key in targets else f"{label} {value}")
        parts.append(_("connect rate {rate}").format(rate=percent(metrics["connect_rate"])))
        text = _("Today: ") + " · ".join(parts)
        month = [f"{labels.metric(t['metric'])} {t['actual']:,.0f}/{t['target']:,.0f}"
                 + (f" {labels.pace(t['status'])} {abs(t['ahead']):,.0f}" if t.get("status") not in (None, "on_pace") else "")
                 + (_(" (need {rate}/day)").format(rate=f"{t['needed_per_day']:,.1f}")
                    if t.get("status") == "behind" and t.get("needed_per_day") else "") for t in strip.get("month", [])]
        if month:
            text += "   │   " + _("Month: ") + " · ".join(month)
        self.query_one("#istui-strip", Static).update(Text(text))

    # --- data ----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load")
    def load_workspace(self) -> None:
        """Read the workspace off the UI thread and show it in two steps: first today's queue and
        numbers (the screen the app opens on), then the sorted, searchable lead table.

        Records are the store's read-only dicts (no copies); only files that changed since the
        last load are parsed again, and search keys are recomputed only for changed leads.
        """
        try:
            fingerprint = self.ws.fingerprint()
            leads = list(self.ws.leads())
            queue = today_queue(leads, self.ws.now(), self.ws.rep)
            strip = today_strip(self.ws)
            self.call_from_thread(self._show_today, fingerprint, leads, queue, strip)
            leads.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
            old_keys, old_by_id = self.query_one(LeadsPane).keys, self._previous_by_id
            keys = {lead["id"]: old_keys[lead["id"]] if old_by_id.get(lead["id"]) is lead and lead["id"] in old_keys
                    else search_key(lead) for lead in leads}
        except IstuiError as exc:
            self.call_from_thread(self.notify, str(exc), title=_("Workspace problem"), severity="error", timeout=20,
                                  markup=False)
            return
        self.call_from_thread(self._show_leads, leads, keys)

    def _show_today(self, fingerprint: tuple, leads: list[Record], queue: list[dict[str, Any]],
                    strip: dict[str, Any]) -> None:
        self._fingerprint = fingerprint
        self._previous_by_id = self.leads_by_id
        self._cohorts = {}
        self.leads = leads
        self.leads_by_id = {lead["id"]: lead for lead in leads}
        self.query_one(TodayPane).show_queue(queue)
        self.update_header(strip)
        active = self.query_one(TabbedContent).active
        if active == "kpi":
            self.refresh_kpi()
        if active == "notes":
            self.load_notes()

    def _show_leads(self, leads: list[Record], keys: dict[str, str]) -> None:
        self.leads = leads  # the same records, now newest first
        self.query_one(LeadsPane).set_leads(leads, keys)
        gc.freeze()  # 50,000 long-lived records: keep the cyclic GC from walking them on every keystroke

    @work(thread=True, exclusive=True, group="notes")
    def load_notes(self) -> None:
        """Notes and how calls that used each ended (the last three months in a large workspace)."""
        try:
            notes = self.ws.notes()
            months = None if len(self.leads) < 5000 else [f"{d:%Y-%m}" for d in (
                self.now, self.now.replace(day=1) - _DAY, self.now.replace(day=1) - 40 * _DAY)]
            usage = talk_note_usage(self.ws.activities(months=months), self.ws.tz)
        except IstuiError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.call_from_thread(self.query_one(NotesPane).set_notes, notes, usage)

    def check_for_changes(self) -> None:
        """Reload when any workspace file changed on disk (another terminal, a sync, a teammate)."""
        if self.ws.lock.busy():
            return  # a write or a sync is under way: read when it has finished (next tick)
        try:
            fingerprint = self.ws.fingerprint()
        except OSError:
            return
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self.load_workspace()

    def refresh_all(self) -> None:
        self.load_workspace()

    def wrote(self) -> None:
        """This app just wrote: take the new file signatures as seen (no full reload) and refresh the strip."""
        self._fingerprint = self.ws.fingerprint()
        self.update_header(today_strip(self.ws))

    def lead_changed(self, lead: Record) -> None:
        """A lead was written by this app: show the new record at once, without reading the workspace again."""
        old = self.leads_by_id.get(lead["id"])
        if old is None or any(old.get(name) != lead.get(name) for name in COHORT_FIELDS):
            self._cohorts = {}
        if old is not None:
            self.leads[self.leads.index(old)] = lead
        else:
            self.leads.insert(0, lead)
        self.leads_by_id[lead["id"]] = lead
        self.query_one(LeadsPane).replace_lead(lead)
        self.query_one(TodayPane).set_leads(self.leads)
        self.wrote()

    def lead_removed(self, lead_id: str) -> None:
        old = self.leads_by_id.pop(lead_id, None)
        self._cohorts = {}
        if old is not None:
            self.leads.remove(old)
        self.query_one(LeadsPane).set_leads(self.leads, self.query_one(LeadsPane).keys)
        self.query_one(TodayPane).set_leads(self.leads)
        self.wrote()

    def refresh_kpi(self) -> None:
        """Show the KPI tab's period and scope: at once when nothing changed since that report was made
        (the key holds every file's signature), else computed (and its tables drawn) in a worker."""
        pane = self.query_one(KpiPane)
        key = (pane.period, pane.scope(), self._fingerprint, self.now.date())
        cached = self._kpi_reports.get(key)
        if cached is not None:
            pane.show(*cached)
        else:
            self._load_kpi(key, pane.widths())

    @work(thread=True, exclusive=True, group="kpi")
    def _load_kpi(self, key: tuple, widths: dict[str, int]) -> None:
        period, rep = key[:2]
        try:
            report = kpi_report(self.ws, period, rep, leads=self.leads, analytics=True, cohorts=self._cohorts)
        except IstuiError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        tables = draw_tables(report, self.ws.settings.currency, widths)
        self.call_from_thread(self._kpi_loaded, key, report, tables)

    def _kpi_loaded(self, key: tuple, report: dict[str, Any], tables: Tables) -> None:
        self._kpi_reports = {k: v for k, v in self._kpi_reports.items() if k[2:] == key[2:]}  # drop stale data
        self._kpi_reports[key] = (report, tables)
        pane = self.query_one(KpiPane)
        if (pane.period, pane.scope()) == key[:2]:  # the user may have moved on while it was computed
            pane.show(report, tables)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "kpi":
            self.refresh_kpi()
        elif event.pane.id == "notes":
            self.load_notes()
        target = {"leads": "#leads-table", "today": "#today-table", "notes": "#notes-table",
                  "kpi": "#kpi-scroll"}.get(event.pane.id or "")
        if target:  # focus stays inside the shown tab (a focused widget in a hidden tab would switch back)
            self.query_one(target).focus()

    # --- navigation ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Digits switch tabs and S syncs only outside text fields (inside them they are typed)."""
        return not (action in ("tab", "sync") and isinstance(self.focused, Input | TextArea))

    def action_tab(self, name: str) -> None:
        if self.screen is not self.screen_stack[0]:
            return
        self.query_one(TabbedContent).active = name

    def action_help(self) -> None:
        sections: list[tuple[str, list[BindingType]]] = [(N_("Everywhere"), [*list(self.BINDINGS), Binding("ctrl+p", "command_palette", _("Command palette: every action, go to lead, theme")), Binding("ctrl+q", "quit", _("Quit"))])]
        for title, pane in ((TAB_NAMES["leads"], LeadsPane), (TAB_NAMES["today"], TodayPane),
                            (TAB_NAMES["notes"], NotesPane), (TAB_NAMES["kpi"], KpiPane)):
            sections.append((title, list(pane.BINDINGS)))  # help_table translates the titles
        self.push_screen(HelpScreen(sections))

    def action_sync_conflicts(self) -> None:
        report = self.last_sync_report
        if not report or not report["conflicts"]:
            self.notify(_("The last sync in this session settled no conflicts."), markup=False)
            return
        self.push_screen(SheetScreen(_("Sync conflicts (esc closes)"), conflict_markdown(report)))

    def action_reload(self) -> None:
        self.load_workspace()
        self.notify(_("Reloaded the workspace."), markup=False)

    def action_review(self, period: str | None = None) -> None:
        """The review (振り返り) of the KPI tab's period and scope (or of `period`), as Markdown."""
        pane = self.query_one(KpiPane)
        self._load_review(period or ("week" if pane.period == "today" else pane.period), pane.scope())

    @work(thread=True, exclusive=True, group="review")
    def _load_review(self, period: str, rep: str | None) -> None:
        from istui.services.review import build_review, render_review

        try:
            report = kpi_report(self.ws, period, rep, leads=self.leads, analytics=True)
            team = kpi_report(self.ws, period, None, leads=self.leads, analytics=True) if rep else None
            markdown = render_review(build_review(report, team, self.ws.settings.currency), "md")
        except IstuiError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.call_from_thread(self.push_screen, SheetScreen(_("Review (振り返り) — c copies the Markdown"), markdown))

    def action_plan(self) -> None:
        """KGI → KPI: a revenue goal for the month, quarter or fiscal year, turned into daily numbers."""
        from istui.tui.screens.plan import PlanScreen, plan_form

        def chosen(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.push_screen(PlanScreen(values["revenue"], values["period"]))

        self.push_screen(plan_form(), chosen)

    def action_toggle_scope(self) -> None:
        self.query_one(TodayPane).action_toggle_all()
        self.query_one(KpiPane).action_toggle_team()

    def set_theme(self, name: str) -> None:
        self.theme = name
        save_user_setting("theme", name)
        self.notify(_("Theme: {name}").format(name=name), markup=False)

    def action_next_theme(self) -> None:
        names = self.theme_names
        current = names.index(self.theme) if self.theme in names else -1
        self.set_theme(names[(current + 1) % len(names)])

    def go_to_lead(self, lead_id: str) -> None:
        pane = self.query_one(LeadsPane)
        self.query_one(TabbedContent).active = "leads"
        pane.query_one("#lead-filter", Input).value = ""
        pane.action_view("all")
        index = next((i for i, row in enumerate(pane.table.rows) if row["id"] == lead_id), 0)
        pane.table.cursor = index
        pane.table.focus()

    # --- the selected lead ---------------------------------------------------------------------
    def selected_lead(self) -> Record | None:
        active = self.query_one(TabbedContent).active
        pane = self.query_one(TodayPane) if active == "today" else self.query_one(LeadsPane)
        lead = pane.table.current
        return self.leads_by_id.get(lead["id"], lead) if lead else None

    def _guarded(self, work_fn: Callable[[], Any], done: str | None = None) -> Any:
        """Run a write; a bad value or workspace problem becomes one notification, nothing else."""
        try:
            result = work_fn()
        except IstuiError as exc:
            self.notify(str(exc), severity="error", timeout=8, markup=False)
            return None
        if done:
            self.notify(done, markup=False)
        return result

    def action_new_lead(self) -> None:
        def saved(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            fields = {k: v for k, v in values.items()}
            raw = {name: self._raw(fields[name]) for name in fields}
            lead = self._guarded(lambda: create_lead(self.ws, {k: v for k, v in raw.items() if v not in ("", None, [])}),
                                 _("Lead added."))
            if lead:
                self.lead_changed(lead)
                self.go_to_lead(lead["id"])

        self.push_screen(lead_form(self.ws.settings.sources, self.now, rep=self.ws.rep), saved)

    @staticmethod
    def _raw(clean: dict[str, Any]) -> Any:
        """A form field's validated record fields, turned back into what create/set accept."""
        if "next_at" in clean:
            return clean["next_at"] or ""
        (value,) = clean.values()
        return value

    def _lead_form(self, make_form: Callable[[Record], Any],
                   write: Callable[[Record, dict[str, Any], Any], Record | None], done: str | None = None) -> None:
        """Open a form about the selected lead; `write` saves its values and returns the lead afterwards."""
        lead = self.selected_lead()
        if lead is None:
            return
        form = make_form(lead)

        def saved(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            updated = self._guarded(lambda: write(lead, values, form), done)
            if updated:
                self.lead_changed(updated)

        self.push_screen(form, saved)

    def action_edit_lead(self) -> None:
        def write(lead: Record, values: dict[str, Any], form: Any) -> Record | None:
            fields = {name: self._raw(values[name]) for name in form.changed()}
            return set_lead_fields(self.ws, lead["id"], fields) if fields else None

        self._lead_form(lambda lead: lead_form(self.ws.settings.sources, self.now, lead, rep=self.ws.rep), write,
                        _("Lead saved."))

    def action_stage_lead(self) -> None:
        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            amount = str(values["amount"]) if values["amount"] else None
            return change_stage(self.ws, lead["id"], values["stage"], amount=amount, note=values["note"]).lead

        self._lead_form(stage_form, write, _("Stage changed."))

    def action_handoff_lead(self) -> None:
        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            bant = {k: values[k] for k in ("budget", "authority", "need", "timeline")}
            handed = hand_off(self.ws, lead["id"], values["to"], bant, values["note"]).lead
            sheet = handoff_sheet(handed, self.ws.activities_of_lead(lead["id"]), self.ws.settings.currency)
            self.push_screen(SheetScreen(_("Handoff sheet — c copies it"), sheet))
            return handed

        self._lead_form(handoff_form, write)

    def action_log_lead(self, kind: str) -> None:
        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            logged = log_activity(self.ws, lead["id"], kind, values["outcome"], note=values["note"],
                                  next_when=values["next"] or None)
            self._undo.append((_("log of {outcome}").format(outcome=values["outcome"]), lambda: self.lead_changed(undo_log(self.ws, logged))))
            return logged.lead

        self._lead_form(lambda lead: log_form(self.now, kind), write, _("Logged a call.") if kind == "call"
                        else _("Logged an e-mail."))

    def action_delete_lead(self) -> None:
        lead = self.selected_lead()
        if lead is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            removed = self._guarded(lambda: self.ws.remove_lead(lead["id"]))
            if removed is None:
                return
            self._undo.append((_("delete of {company}").format(company=removed["company"]), lambda: self._restore(removed)))
            self.lead_removed(removed["id"])
            self.notify(_("Deleted {company}. ctrl+z undoes.").format(company=removed["company"]), markup=False)

        self.push_screen(ConfirmScreen(_("Delete the lead {company}? Its activities stay. (ctrl+z undoes)").format(
            company=lead["company"])), confirmed)

    def _restore(self, record: Record) -> None:
        self.ws.restore_lead(record)
        self.lead_changed(record)

    def action_undo(self) -> None:
        if not self._undo:
            self.notify(_("Nothing to undo."), markup=False)
            return
        what, undo = self._undo.pop()
        if self._guarded(lambda: undo() or True):
            self.notify(_("Undone: {what}.").format(what=what), markup=False)

    def action_call_block(self) -> None:
        today = self.query_one(TodayPane)
        active = self.query_one(TabbedContent).active
        if active == "today" and today.entries:
            queue, start = today.entries, today.table.cursor
        else:
            lead = self.selected_lead()
            if lead is None:
                self.notify(_("Select a lead first."), markup=False)
                return
            queue, start = [lead], 0
        self.push_screen(CallBlockScreen(list(queue), start))

    # --- notes ---------------------------------------------------------------------------------
    def _selected_note(self) -> Record | None:
        return self.query_one(NotesPane).table.current

    def action_new_note(self) -> None:
        self._edit_note(None)

    def action_edit_note(self) -> None:
        note = self._selected_note()
        if note is not None:
            self._edit_note(note)

    def _edit_note(self, note: Record | None) -> None:
        editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
        if editor and note is not None:
            self._edit_in_editor(note, editor)
            return

        def saved(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            record = dict(note or {"pinned": False})
            record.update(values)
            if self._guarded(lambda: self.ws.save_note(record), _("Note saved.")):
                self.wrote()
                self.load_notes()

        self.push_screen(note_form(note), saved)

    def _edit_in_editor(self, note: Record, editor: str) -> None:
        import shlex
        import subprocess
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as handle:
            handle.write(note.get("body", ""))
            path = handle.name
        try:
            with self.suspend():
                subprocess.run([*shlex.split(editor), path], check=False)
            with open(path, encoding="utf-8") as handle:
                body = handle.read()
        finally:
            os.unlink(path)
        if body != note.get("body", "") and self._guarded(lambda: self.ws.save_note({**note, "body": body}), _("Note saved.")):
            self.wrote()
            self.load_notes()

    def action_pin_note(self) -> None:
        note = self._selected_note()
        if note is not None and self._guarded(lambda: self.ws.save_note({**note, "pinned": not note.get("pinned")})):
            self.wrote()
            self.load_notes()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Theme":  # our own theme commands remember the choice
                yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=_(PALETTE_PLACEHOLDER), id="--command-palette"))


def run(workspace: Workspace) -> None:
    """Open the TUI on `workspace` (blocks until the rep quits)."""
    IstuiApp(workspace).run()

