"""The istui Textual app: the header, the tabs Leads · Today · Notes · KPI, the palette and themes.

The app owns the shared state (`tui.state.AppState`) and hands it to every pane; panes and screens
tell it what they wrote with messages (`tui.messages`) and never import it. It reads the workspace in
workers (never on the UI thread) and polls the files' signatures twice a second, so a call logged
from the CLI in another terminal shows up within a second. A worker's failure is shown by one
handler (`on_worker_state_changed`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import events, on, work
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, TabbedContent, TabPane, TextArea
from textual.worker import Worker, WorkerState

from istui import locations
from istui.domain.errors import IstuiError
from istui.domain.text import lead_search_text, terminal_safe
from istui.i18n import N_, _
from istui.services.strip import today_strip
from istui.services.today import loop_clock, queue_leads, today_queue
from istui.store.settings import save_user_setting, user_config
from istui.store.workspace import Record, Workspace
from istui.tui import keys, sizes
from istui.tui.commands import PALETTE_PLACEHOLDER, TAB_NAMES, TABS, IstuiCommands, Palette
from istui.tui.messages import LeadRemoved, LeadWritten, ShowLead, Wrote
from istui.tui.panes.kpi import KpiPane
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.notes import NotesPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.help import HelpScreen
from istui.tui.state import AppState, not_undoable_label, undo_label
from istui.tui.syncing import SyncMixin
from istui.tui.themes import DEFAULT_THEME, load_themes
from istui.tui.wide_chars import apply as keep_wide_chars_whole
from istui.tui.widgets.footer import IstuiFooter
from istui.tui.widgets.header import IstuiHeader

keep_wide_chars_whole()

FOCUS_OF_TAB = {"leads": "#leads-table", "today": "#today-table", "notes": "#notes-table", "kpi": "#kpi-scroll"}


class Tabs(TabbedContent):
    """The app's tabs. Textual shows a tab again when a late message about it arrives (the row of tabs says a tab
    became active; a widget of a pane took focus); when keys switch tabs faster than those messages are
    handled (`4 1 3 2` at start), each late one showed its tab again, out of order: the last tab shown was not
    the one last asked for. A message about a tab that is no longer the active one, or a pane that no longer
    holds the focus, is dropped."""

    def _on_tabs_tab_activated(self, event: Any) -> None:  # (Textual then runs TabbedContent's, unless prevented)
        if self._is_associated_tabs(event.tabs) and event.tabs.active != event.tab.id:
            event.prevent_default()
            event.stop()

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.screen.focused
        if focused is not None and event.tab_pane not in focused.ancestors:
            event.prevent_default()
            event.stop()


_trim: Any = None  # glibc's malloc_trim, False where there is none


def give_back_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's `malloc_trim`, ~2 ms): the text of a reload
    and its parse are freed by Python, but glibc keeps the pages, so resident memory only ever rose to each
    past peak (a soak went over its 400 MB). Nothing happens where the C library is not glibc."""
    global _trim
    if _trim is None:
        try:
            import ctypes

            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)


class IstuiApp(SyncMixin, App[None]):
    TITLE = "istui"
    CSS_PATH = "istui.tcss"
    COMMANDS = App.COMMANDS | {IstuiCommands}
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = sizes.HORIZONTAL_BREAKPOINTS  # classes of every screen
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = sizes.VERTICAL_BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('leads')", "Leads", id="tab-leads", priority=True),
        Binding("2", "tab('today')", "Today", id="tab-today", priority=True),
        Binding("3", "tab('notes')", "Notes", id="tab-notes", priority=True),
        Binding("4", "tab('kpi')", "KPI", id="tab-kpi", priority=True),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("ctrl+t", "next_theme", "Theme", show=False, id="theme-next"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="reload"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="undo"),
        Binding("S", "sync", "Sync", id="sync"),
        Binding("ctrl+p", "command_palette", "palette", show=False, priority=True, key_display="^p", id="palette"),
    ]

    def __init__(self, workspace: Workspace, *, watch_interval: float = 0.5, status_delay: float = 2.0) -> None:
        from istui.store.sharing import keep_values_once
        from istui.tui.localize import localize_bindings
        from istui.tui.memory import one_malloc_arena

        one_malloc_arena()  # before the workers start
        keep_values_once()  # the app holds every lead for hours: each repeated value once
        localize_bindings()  # before any widget copies its class's keys
        super().__init__()
        self.state = AppState(workspace)
        self.watch_interval = watch_interval
        self.status_delay = status_delay  # the first sync status waits for the first screen (git status takes CPU)
        self._frozen_before = False  # gc.freeze() was called once (`_show_leads`)
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
        self._problems_shown: set[tuple[str, int | None, str]] = set()  # what reads left out, already said
        keymap = config.get("keymap")
        known, self.unknown_key_ids, self.refused_keys = keys.use_keymap(keymap if isinstance(keymap, dict) else None)
        if known:
            self.set_keymap(known)

    @property
    def ws(self) -> Workspace:
        return self.state.ws

    @property
    def leads(self) -> list[Record]:
        return self.state.leads

    @property
    def leads_by_id(self) -> dict[str, Record]:
        return self.state.leads_by_id

    # --- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield IstuiHeader(id="istui-top")
        with Tabs(initial="today", id="tabs"):
            with TabPane(f"1 {_(TAB_NAMES['leads'])}", id="leads"):
                yield LeadsPane(self.state)
            with TabPane(f"2 {_(TAB_NAMES['today'])}", id="today"):
                yield TodayPane(self.state)
            with TabPane(f"3 {_(TAB_NAMES['notes'])}", id="notes"):
                yield NotesPane(self.state)
            with TabPane(f"4 {_(TAB_NAMES['kpi'])}", id="kpi"):
                yield KpiPane(self.state)
        yield IstuiFooter(self.app.size.width)

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
        if self.unknown_key_ids:
            self.notify(keys.unknown_ids_text(self.unknown_key_ids), title=_("Key map"), severity="warning", timeout=30,
                        markup=False)
        if self.refused_keys:
            self.notify(keys.refused_text(self.refused_keys), title=_("Key map"), severity="warning", timeout=30,
                        markup=False)

    def tick(self) -> None:
        """Keep `now` fresh (the queue moves as follow-ups fall due)."""
        if self.state.tick():
            self.load_workspace()
        self.update_header()
        # Textual 8 caches `StylesCache.get_inner_outer` per widget's styles cache (an lru_cache on a method):
        # it keeps up to 1,024 removed widgets' rendered lines (a footer is recomposed at every focus change),
        # which a soak saw as steady growth. Emptied here; it is only two styles per colour pair.
        StylesCache.get_inner_outer.cache_clear()
        give_back_free_memory()

    def update_header(self, strip: dict[str, Any] | None = None) -> None:
        headers = self.screen_stack[0].query(IstuiHeader) if self.screen_stack else []
        header = next(iter(headers), None)
        if header is None or not header.is_mounted:
            return  # not composed yet, or the app is closing
        header.show_title(self.state, self.sync_status, self.syncing)
        if strip is not None:
            header.show_strip(strip)

    # --- text that reaches the terminal --------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Every toast (panes' and screens' too): messages quote record values and typed text, so no control
        character reaches the terminal (`domain.text.terminal_safe`)."""
        super().notify(terminal_safe(message, multiline=True), title=terminal_safe(title), severity=severity,
                       timeout=timeout, markup=markup)

    async def on_event(self, event: events.Event) -> None:
        """A paste (from a web page, a mail) arrives without its control characters: they are shown as `�`
        in the field and never drawn raw."""
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = terminal_safe(event.text, multiline=True)
        await super().on_event(event)

    # --- data ----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_workspace(self) -> None:
        """Read the workspace off the UI thread and show it in two steps: first today's queue and
        numbers (the screen the app opens on), then the sorted, searchable lead table.

        Records are the store's read-only dicts (no copies); only files that changed since the
        last load are parsed again, and search keys are recomputed only for changed leads.
        """
        ws = self.state.ws
        fingerprint = ws.fingerprint()
        strip = today_strip(ws)
        if not self.state.leads:  # the first load: the queue from the leads it can hold, read from a local cache
            first: list[dict[str, Any]] | None = None
            # a cache holding a value no lead file holds (it is local, not checked again): the full read shows it
            with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
                first = today_queue(queue_leads(ws), ws.now(), ws.rep, loop_clock(ws))
            if first is not None:
                self.call_from_thread(self._show_first_queue, first, strip)
        leads = list(ws.leads())
        queue = today_queue(leads, ws.now(), ws.rep, loop_clock(ws))
        ws.remember_checks()  # what was checked is kept at once (the next start skips it)
        self.call_from_thread(self._show_today, fingerprint, leads, queue, strip)
        leads.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
        old_keys, old_by_id = self.query_one(LeadsPane).keys, self.state.previous_by_id
        keys = {lead["id"]: old_keys[lead["id"]] if old_by_id.get(lead["id"]) is lead and lead["id"] in old_keys
                else lead_search_text(lead) for lead in leads}
        self.call_from_thread(self._show_leads, leads, keys)
        ws.notes(), ws.targets()  # small: read now, so that what they leave out is said with the rest
        ws.remember_checks()
        self.call_from_thread(self._show_read_problems, ws.read_problems())

    def _show_read_problems(self, problems: list[Any]) -> None:
        """Say once what the reads left out (lines that do not read, records with unusable values)."""
        seen = {(str(p.path), p.line, p.message) for p in problems}
        new = [p for p in problems if (str(p.path), p.line, p.message) not in self._problems_shown]
        self._problems_shown = seen
        lines = []
        for problem in new[:3]:
            where = locations.relative(self.state.ws.root, problem.path) + (f":{problem.line}" if problem.line else "")
            lines.append(f"{where}: {problem.message}")
        if len(new) > 3:
            lines.append(_("… and {count} more").format(count=len(new) - 3))
        if lines:
            lines.append(_("Left out of what is shown; `istui doctor` lists every problem and how to fix it."))
            self.notify("\n".join(lines), title=_("Workspace problem"), severity="warning", timeout=20, markup=False)

    def _show_first_queue(self, queue: list[dict[str, Any]], strip: dict[str, Any]) -> None:
        """Today's queue before every lead is read (the Today tab is what the app opens on)."""
        if not self.state.leads:
            self.query_one(TodayPane).show_queue(queue)
            self.update_header(strip)

    def _show_today(self, fingerprint: tuple, leads: list[Record], queue: list[dict[str, Any]],
                    strip: dict[str, Any]) -> None:
        self.state.set_leads(leads, fingerprint)
        self.query_one(TodayPane).show_queue(queue)
        self.update_header(strip)
        active = self.query_one(TabbedContent).active
        if active == "kpi":
            self.query_one(KpiPane).refresh_report()
        if active == "notes":
            self.query_one(NotesPane).load()

    def _show_leads(self, leads: list[Record], keys: dict[str, str]) -> None:
        self.state.leads = leads  # the same records, now newest first
        try:
            self.query_one(LeadsPane).set_leads(leads, keys)
        except NoMatches:  # the app closed while the worker read (its widgets are gone): nothing to show
            return
        # 50,000 long-lived records: keep the cyclic GC from walking them on every keystroke (a full collection
        # walks them all, ~100 ms). Once: frozen objects are never collected, and widgets frozen alive die later
        # (a footer recomposed at each focus change, closed screens); freezing again at each load kept those of
        # every load for good (a soak grew 2.6 MB per change from outside). Later loads replace only the records
        # of changed files, which the collector walks at little cost.
        if not self._frozen_before:
            gc.freeze()
            self._frozen_before = True
        give_back_free_memory()  # what reading the files took and no longer needs

    def check_for_changes(self) -> None:
        """Reload when any workspace file changed on disk (another terminal, a sync, a teammate)."""
        ws = self.state.ws
        if ws.lock.busy():
            return  # a write or a sync is under way: read when it has finished (next tick)
        try:
            fingerprint = ws.fingerprint()
        except OSError:
            return
        if fingerprint != self.state.fingerprint:
            self.state.fingerprint = fingerprint
            self.load_workspace()

    def show_notices(self) -> None:
        """What the workspace had to say while a worker read or wrote (an interrupted change it could not finish, a
        cache it cannot write), once, as it was said."""
        notices = self.state.ws.notices
        said, notices[:] = list(notices), []
        if said:
            self.notify("\n".join(said), title=_("Workspace"), severity="warning", timeout=20, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure is shown: a workspace problem as one notification (the app
        goes on); anything else is a bug, and ends the app with its traceback. After any of the app's workers (a
        pane's worker reports to its pane, which calls it itself), what the workspace noticed (`show_notices`)."""
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.show_notices()
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, IstuiError) and event.worker.group == "sync":
            self.sync_failed(str(error))
        elif isinstance(error, IstuiError):
            title = _("Workspace problem") if event.worker.group == "load" else None
            self.notify(str(error), title=title, severity="error", timeout=20, markup=False)
        elif error is not None:
            if event.worker.group == "sync":
                self.syncing = False
            try:  # Textual draws the traceback of the exception being handled: outside `except`, there was none
                raise error
            except Exception:
                self._handle_exception(error)

    # --- what panes and screens wrote ---------------------------------------------------------
    def wrote(self) -> None:
        """This app just wrote: take the new file signatures as seen (no full reload) and refresh the strip."""
        self.state.wrote()
        self.update_header(today_strip(self.state.ws))

    @on(Wrote)
    def _wrote(self) -> None:
        self.wrote()

    @on(LeadWritten)
    def _lead_written(self, message: LeadWritten) -> None:
        """Show the new record at once, without reading the workspace again."""
        self.state.lead_changed(message.lead)
        self.query_one(LeadsPane).replace_lead(message.lead)
        self.query_one(TodayPane).set_leads(self.state.leads)
        self.wrote()

    @on(LeadRemoved)
    def _lead_removed(self, message: LeadRemoved) -> None:
        self.state.lead_removed(message.lead_id)
        pane = self.query_one(LeadsPane)
        pane.set_leads(self.state.leads, pane.keys)
        self.query_one(TodayPane).set_leads(self.state.leads)
        self.wrote()

    @on(ShowLead)
    def _show_lead(self, message: ShowLead) -> None:
        self.go_to_lead(message.lead_id)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id != self.query_one(TabbedContent).active:
            # late: another tab was shown since (keys pressed at the very start). Acting on it took focus back to
            # this tab, which activated it again, and so on: a loop at 100 % of a core. The newer tab's event follows.
            return
        if event.pane.id == "kpi":
            self.query_one(KpiPane).refresh_report()
        elif event.pane.id == "notes":
            self.query_one(NotesPane).load()
        focused = self.screen_stack[0].focused
        if focused is None or event.pane not in focused.ancestors:  # a tab clicked: its table takes the keys
            self.focus_tab(event.pane.id or "")

    # --- navigation and actions ----------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Digits switch tabs and S syncs only outside text fields (inside them they are typed). The digits are
        priority bindings, run as the app reads each key, so that keys typed right behind one (`1 / a b c` in one
        burst) reach the new tab; on a screen above the tabs (the call block's outcome digits, a form) they pass."""
        if action == "tab" and self.screen is not self.screen_stack[0]:
            return False
        return not (action in ("tab", "sync") and isinstance(self.focused, Input | TextArea))

    def action_tab(self, name: str) -> None:
        if self.screen is not self.screen_stack[0]:
            return
        self.show_tab(name)

    def show_tab(self, name: str) -> None:
        """Show a tab and focus its table at once: a key pressed right after the switch reaches the new tab
        (never the hidden one's table, never nothing), and focus never stays in a hidden tab."""
        self.query_one(TabbedContent).active = name
        self.focus_tab(name)

    def focus_tab(self, name: str) -> None:
        target = FOCUS_OF_TAB.get(name)
        if target:
            self.screen_stack[0].set_focus(self.query_one(target))  # not .focus(): that waits for the queue

    def lead_pane(self) -> LeadsPane | TodayPane:
        """The pane whose selected lead the palette's lead actions work on."""
        return self.query_one(TodayPane) if self.query_one(TabbedContent).active == "today" else self.query_one(LeadsPane)

    def action_lead_action(self, name: str, *args: Any) -> None:
        """A lead action of the Leads or Today tab (the palette's), on the lead selected there."""
        getattr(self.lead_pane(), f"action_{name}")(*args)

    def action_new_note(self) -> None:
        self.query_one(NotesPane).action_new_note()

    def action_review(self, period: str | None = None) -> None:
        self.query_one(KpiPane).action_review(period)

    def action_plan(self) -> None:
        self.query_one(KpiPane).action_plan()

    def action_help(self) -> None:
        long_names = {"palette": _("Command palette: every action, go to lead, theme")}  # listed once, said in full
        everywhere: list[BindingType] = [
            dataclasses.replace(b, description=long_names[b.id]) if isinstance(b, Binding) and b.id in long_names else b
            for b in self.BINDINGS]
        everywhere.append(Binding("ctrl+q", "quit", _("Quit")))  # Textual's own: not remapped here
        sections: list[tuple[str, list[BindingType]]] = [(N_("Everywhere"), everywhere)]
        for name, pane in zip(TABS, (LeadsPane, TodayPane, NotesPane, KpiPane), strict=True):
            sections.append((TAB_NAMES[name], list(pane.BINDINGS)))  # help_table translates the titles
        from istui.tui.screens.forms import ConfirmScreen, FormScreen, SheetScreen
        from istui.tui.screens.plan import PlanScreen
        from istui.tui.widgets.vtable import VirtualTable

        sections += [(N_("Tables"), list(VirtualTable.BINDINGS)),
                     (N_("Forms"), [*FormScreen.BINDINGS, Binding("tab", "focus_next", _("next field"))]),
                     (N_("Questions"), list(ConfirmScreen.BINDINGS)), (N_("Sheets and the review"), list(SheetScreen.BINDINGS)),
                     (N_("Plan"), list(PlanScreen.BINDINGS))]
        self.push_screen(HelpScreen(sections))

    def action_reload(self) -> None:
        self.load_workspace()
        self.notify(_("Reloaded the workspace."), markup=False)

    def action_toggle_scope(self) -> None:
        self.query_one(TodayPane).action_toggle_all()
        self.query_one(KpiPane).action_toggle_team()

    def action_undo(self) -> None:
        latest = self.state.undo.pop()
        if latest is None:
            self.notify(_("Nothing to undo."), markup=False)
            return
        what, undo = latest
        if undo is None:
            self.notify(not_undoable_label(what, self.state.undo.latest), markup=False)
            return
        try:
            more = undo()
        except IstuiError as exc:
            self.notify(str(exc), severity="error", timeout=8, markup=False)
            return
        self.notify(undo_label(what, more if isinstance(more, str) else None), markup=False)

    def set_theme(self, name: str) -> None:
        self.theme = name
        save_user_setting("theme", name)
        self.notify(_("Theme: {name}").format(name=name), markup=False)

    def action_next_theme(self) -> None:
        names = self.theme_names
        current = names.index(self.theme) if self.theme in names else -1
        self.set_theme(names[(current + 1) % len(names)])

    def go_to_lead(self, lead_id: str) -> None:
        self.show_tab("leads")
        self.query_one(LeadsPane).show_lead(lead_id)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Theme":  # our own theme commands remember the choice
                yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette(placeholder=_(PALETTE_PLACEHOLDER), id="--command-palette"))
