"""The command palette (ctrl+p): every action of the app by name, and "go to lead" by company or contact."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.widgets.option_list import Option

from istui.domain import labels
from istui.domain.text import terminal_safe
from istui.i18n import N_, _
from istui.tui import keys

if TYPE_CHECKING:
    from istui.tui.app import IstuiApp

PALETTE_PLACEHOLDER = N_("Search for commands…")
TEXTUAL_COMMANDS = (  # Textual's own palette commands, by the texts Textual gives them
    N_("Quit"), N_("Quit the application as soon as possible"), N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"), N_("Minimize"),
    N_("Minimize the widget and restore to normal size"), N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
)
NO_MATCHES = N_("No matches found")
TABS = ("leads", "today", "notes", "kpi")
TAB_NAMES = {"leads": N_("Leads"), "today": N_("Today"), "notes": N_("Notes"), "kpi": N_("KPI")}


class Palette(CommandPalette):
    """Textual's command palette, saying "No matches found" in the language in force (Textual writes it in
    English inside this method; the rest is Textual's own)."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(_(NO_MATCHES), style="not bold")), disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:  # discovery mode: no commands to discover is nothing to point out
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def literal_highlight(query: str, candidate: str, matcher: Any) -> Content:
    """Like Matcher.highlight, but the candidate is text, never markup (lead names are data), and holds no
    control character (`terminal_safe`, which keeps the length, so the match offsets stay right)."""
    content = Content(candidate)
    _score, offsets = matcher.fuzzy_search.match(query, candidate)
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class IstuiCommands(Provider):
    """Every action of the app, plus "go to lead" by company or contact name."""

    @property
    def istui(self) -> IstuiApp:
        return self.app  # type: ignore[return-value]

    def actions(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.istui
        items: list[tuple[str, Callable[[], Any], str]] = [
            (_("New lead"), partial(app.action_lead_action, 'new_lead'), _("Add a lead with the lead form")),
            (_("Log call on the selected lead"), partial(app.action_lead_action, 'log_lead', 'call'),
             _("Outcome, note and follow-up")),
            (_("Log e-mail on the selected lead"), partial(app.action_lead_action, 'log_lead', 'email'),
             _("Outcome, note and follow-up")),
            (_("Start call block"), partial(app.action_lead_action, 'call_block'), _("Work the Today queue one key per outcome")),
            (_("Change stage of the selected lead"), partial(app.action_lead_action, 'stage_lead'), _("won asks for the amount")),
            (_("Hand off the selected lead"), partial(app.action_lead_action, 'handoff_lead'), _("BANT form and handoff sheet")),
            (_("Show the handoff sheet of the selected lead again"), partial(app.action_lead_action, 'handoff_sheet'),
             _("to read or copy it after the handoff · key {key}").format(key=keys.key("lead-handoff-sheet"))),
            (_("Campaign (メルマガ) to the leads shown"), partial(app.action_lead_action, 'campaign_from_view'),
             _("The Leads tab's filter and view as the audience; a template")),
            (_("New note"), partial(app.action_new_note), _("Talk script, objection answer, material")),
            (_("Switch rep view: mine / team"), partial(app.action_toggle_scope), _("Today queue and KPI scope")),
            (_("Open review: this week"), partial(app.action_review, 'week'), _("Markdown for the team meeting")),
            (_("Open review: last week"), partial(app.action_review, 'last_week'), _("Markdown for the team meeting")),
            (_("Open review: this month"), partial(app.action_review, 'month'), _("Markdown for the team meeting")),
            (_("Plan: revenue goal → KPIs"), partial(app.action_plan), _("Orders, meetings and calls a goal takes")),
            (_("Sync with the team (git)"), partial(app.action_sync),
             _("Commit, fetch, merge, push · key {key}").format(key=keys.key("sync"))),
            (_("Show the last sync's conflicts"), partial(app.action_sync_conflicts), _("Fields changed on both sides")),
            (_("Reload the workspace"), partial(app.action_reload), _("Read every file again")),
            (_("Help: every key"), partial(app.action_help), keys.key("help")),
        ]
        items += [(_("Go to tab: {name}").format(name=_(TAB_NAMES[name])), partial(app.action_tab, name),
                   _("key {key}").format(key=keys.key(f"tab-{name}"))) for name in TABS]
        items += [(_("Theme: {name}").format(name=terminal_safe(name)), partial(app.set_theme, name), _("switch and remember"))
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
        if len(query) >= 2:
            found = 0
            for lead in self.istui.state.leads:
                label = terminal_safe(_("Go to lead: {name}").format(name=f"{lead['company']} {lead.get('contact', '')}".rstrip()))
                score = matcher.match(label)
                if score > 0:
                    yield Hit(score * 0.9, literal_highlight(query, label, matcher), partial(self.istui.go_to_lead, lead["id"]),
                              text=label, help=f"{labels.stage(lead.get('stage', ''))} · {labels.source(lead.get('source', ''))}")
                    found += 1
                    if found >= 30:
                        break
