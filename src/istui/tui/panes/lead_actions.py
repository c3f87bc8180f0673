"""What a rep does to the selected lead, from the Leads or the Today tab: new, edit, stage, handoff,
log a call or e-mail, delete (with undo), start a call block. A pane with a lead table mixes this in;
results go to the app as messages (`tui.messages`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from istui.domain import labels
from istui.domain.duplicates import DuplicateLead
from istui.domain.errors import IstuiError
from istui.domain.handoffs import split_attendees
from istui.domain.text import named
from istui.i18n import _
from istui.services.handoff import handoff_sheet, sheet_of
from istui.services.handoff_loop import hand_off
from istui.services.leads import (
    Logged,
    change_stage,
    create_lead,
    log_activity,
    set_lead_fields,
    undo_lead_edit,
    undo_log,
)
from istui.store.workspace import Record
from istui.tui import keys
from istui.tui.dial import dial_lead
from istui.tui.messages import LeadRemoved, LeadWritten, ShowLead
from istui.tui.screens.forms import ConfirmScreen, SheetScreen
from istui.tui.screens.record_forms import handoff_form, lead_form, log_form, stage_form
from istui.tui.state import AppState, changed_since_label, error_text
from istui.tui.widgets.cards import LeadDetail
from istui.tui.widgets.vtable import VirtualTable


def raw_value(clean: dict[str, Any]) -> Any:
    """A lead form field's validated record fields, turned back into what create/set accept."""
    if "next_at" in clean:
        return clean["next_at"] or ""
    if "meeting_at" in clean:
        return clean["meeting_at"] or ""
    if "phone" in clean:  # (with its E.164 form and extension, made again from it)
        return clean["phone"]
    (value,) = clean.values()
    return value


def guarded(widget: Any, work: Callable[[], Any], done: str | None = None) -> Any:
    """Run a write; a bad value or a workspace problem becomes one notification, nothing else (a duplicate
    lead is raised, for the form to ask)."""
    try:
        result = work()
    except DuplicateLead:
        raise
    except IstuiError as exc:
        widget.notify(error_text(exc), severity="error", timeout=8, markup=False)
        return None
    if done:
        widget.notify(done, markup=False)
    return result


def handoff_sheet_screen(sheet: str) -> SheetScreen:
    return SheetScreen(_("Handoff sheet — {key} copies it").format(key=keys.key("sheet-copy")), sheet)


class LeadActions:
    """The actions on a pane's selected lead (`table.current`); mixed into a widget (it posts, notifies
    and pushes screens as that widget)."""

    state: AppState
    app: Any
    post_message: Callable[..., Any]
    notify: Callable[..., Any]
    query_one: Callable[..., Any]

    @property
    def table(self) -> VirtualTable:
        raise NotImplementedError

    def selected_lead(self) -> Record | None:
        lead = self.table.current
        return self.state.lead(lead["id"], lead) if lead else None

    def call_queue(self) -> tuple[list[Record], int]:
        """The leads a call block started here works through, and where it starts."""
        lead = self.selected_lead()
        return ([lead], 0) if lead and not lead.get("dnc") else ([], 0)

    def _written(self, lead: Record) -> None:
        self.post_message(LeadWritten(lead))

    def action_toggle_detail(self) -> None:
        """i: hide or show the lead card and timeline (beside the table, or below it under 120 columns)."""
        detail = self.query_one(LeadDetail)
        detail.display = not detail.display

    def _removed(self, lead: Record) -> None:
        self.post_message(LeadRemoved(lead["id"]))

    def _push_log_undo(self, what: str, logged: Logged) -> None:
        """A logged change (a call, a stage, a handoff) goes on the app's undo history."""
        ws = self.state.ws
        def undo() -> str | None:
            undone = undo_log(ws, logged)
            self._written(undone.lead)
            return None if undone.restored else changed_since_label()

        self.state.undo.push(what, undo)

    def action_dial(self) -> None:
        """d: dial the selected lead (or copy its number when no dial command is set)."""
        lead = self.selected_lead()
        if lead is not None:
            dial_lead(self.app, self.state, self.state.lead(lead["id"], lead))

    # --- forms -----------------------------------------------------------------------------------
    def action_new_lead(self) -> None:
        state = self.state
        form = lead_form(state.ws.settings.sources, state.now, rep=state.ws.rep, roster=state.ws.settings.roster,
                         day_end=state.ws.settings.work_hours[1], region=state.ws.settings.phone_region)

        def added(lead: Record) -> None:
            self.notify(_("Lead added."), markup=False)
            self.state.undo.push(_("new lead {company}").format(company=named(lead["company"])),
                                 lambda: self._removed(state.ws.remove_lead(lead["id"])))
            self._written(lead)
            self.post_message(ShowLead(lead["id"]))

        def save(values: dict[str, Any]) -> bool:
            raw = {name: raw_value(values[name]) for name in values}
            fields = {k: v for k, v in raw.items() if v not in ("", None, [])}
            try:
                lead = guarded(self, lambda: create_lead(state.ws, fields))
            except DuplicateLead as exc:  # the same phone or e-mail as a lead on file: add it only when confirmed
                what = _("e-mail address") if exc.by == "email" else _("phone number")
                question = _("Lead {id} ({company}) already has this {what}. Add the new lead anyway?").format(
                    id=exc.lead_id[:10], company=exc.company, what=what)

                def answered(yes: bool | None) -> None:  # No: back to the form, everything typed still there
                    if not yes:
                        return
                    lead = guarded(self, lambda: create_lead(state.ws, fields, allow_duplicate=True))
                    if lead:
                        self.app.call_later(form.dismiss, values)  # once the question has closed
                        added(lead)

                self.app.push_screen(ConfirmScreen(question), answered)
                return False
            if lead is None:
                return False  # refused (it said why): the form stays, with what was typed
            added(lead)
            return True

        form.on_save = save
        self.app.push_screen(form)

    def _lead_form(self, make_form: Callable[[Record], Any],
                   write: Callable[[Record, dict[str, Any], Any], Record | None], done: str | None = None,
                   warn: Callable[[Record], str] | None = None) -> None:
        """Open a form about the selected lead; `write` saves its values and returns the lead afterwards (a
        refused save keeps the form open); `warn` says what to know about the lead as the form opens."""
        lead = self.selected_lead()
        if lead is None:
            return
        warning = warn(lead) if warn else ""
        form = make_form(lead)

        def save(values: dict[str, Any]) -> bool:
            try:
                updated = write(lead, values, form)
            except IstuiError as exc:  # refused: the form stays open with everything typed
                self.notify(error_text(exc), severity="error", timeout=8, markup=False)
                return False
            if done:
                self.notify(done, markup=False)
            if updated:
                self._written(updated)
            return True

        form.on_save = save
        self.app.push_screen(form)
        if warning:
            self.notify(warning, severity="warning", timeout=8, markup=False)

    def action_edit_lead(self) -> None:
        state = self.state

        def write(lead: Record, values: dict[str, Any], form: Any) -> Record | None:
            fields = {name: raw_value(values[name]) for name in form.changed()}
            if not fields:
                return None
            after = set_lead_fields(state.ws, lead["id"], fields, seen=lead)  # another terminal's edit is never lost
            self.state.undo.push(_("edit of {company}").format(company=named(lead["company"])),
                                 lambda: self._written(undo_lead_edit(state.ws, lead, after)))
            return after

        self._lead_form(lambda lead: lead_form(state.ws.settings.sources, state.now, lead, rep=state.ws.rep,
                                                  roster=state.ws.settings.roster, day_end=state.ws.settings.work_hours[1],
                                                  region=state.ws.settings.phone_region),
                        write,
                        _("Lead saved."))

    def action_stage_lead(self) -> None:
        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            amount = str(values["amount"]) if values["amount"] else None
            logged = change_stage(self.state.ws, lead["id"], values["stage"], amount=amount, note=values["note"])
            self._push_log_undo(_("stage change of {company}").format(company=named(lead["company"])), logged)
            return logged.lead

        self._lead_form(lambda lead: stage_form(lead, self.state.ws.settings.currency), write, _("Stage changed."))

    def action_handoff_lead(self) -> None:
        ws = self.state.ws

        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            logged = hand_off(ws, lead["id"], values["to"], values, values["note"])
            self._push_log_undo(_("handoff of {company}").format(company=named(lead["company"])), logged)
            handed = logged.lead
            sheet = handoff_sheet(handed, ws.activities_of_lead(lead["id"]), ws.settings.currency)
            self.app.call_later(self.app.push_screen, handoff_sheet_screen(sheet))
            return handed

        self._lead_form(lambda lead: handoff_form(lead, ws.settings.roster, ws.settings.handoff_required), write)

    def action_handoff_sheet(self) -> None:
        """The handoff sheet of the selected lead, handed off before, shown (and copied) again."""
        lead = self.selected_lead()
        if lead is None:
            return
        sheet = guarded(self, lambda: sheet_of(self.state.ws, lead))
        if sheet:
            self.app.push_screen(handoff_sheet_screen(sheet))

    def action_log_lead(self, kind: str) -> None:
        ws = self.state.ws

        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            meeting, attending = split_attendees(values.get("meeting") or "")
            logged = log_activity(ws, lead["id"], kind, values["outcome"], note=values["note"],
                                  next_when=values["next"] or None, meeting=meeting or None, meeting_with=attending)
            self._push_log_undo(_("log of {outcome}").format(outcome=labels.outcome(logged.activity)), logged)
            return logged.lead

        def warn(lead: Record) -> str:
            if not lead.get("dnc"):
                return ""
            return _("{company} is marked do-not-call: an e-mail sets no follow-up.").format(company=named(lead.get("company", "")))

        lead = self.selected_lead()
        if kind == "call" and lead is not None and lead.get("dnc"):  # refused at once: no form to fill in for nothing
            self.notify(_("{company} is marked do-not-call: a call log is refused; clear the do-not-call mark in the "
                          "edit form ({key}) first.").format(company=named(lead.get("company", "")), key=keys.key("lead-edit")),
                        severity="error", timeout=8, markup=False)
            return
        self._lead_form(lambda lead: log_form(self.state.now, kind, named(lead.get("company", ""))), write,
                        _("Logged a call.") if kind == "call"
                        else _("Logged an e-mail."), warn)

    def action_mail(self) -> None:
        """m: an e-mail from a template (`tui.screens.mail`), or the log form for one sent elsewhere."""
        from istui.tui.screens.mail import open_mail

        lead = self.selected_lead()
        if lead is not None:
            open_mail(self, self.state, lead, lambda: self.action_log_lead("email"), lambda logged: self._written(logged.lead))

    def action_campaign_from_view(self) -> None:
        """A campaign (メルマガ) of the leads this table shows now (its filter and saved view)."""
        from istui.services import campaigns
        from istui.tui.screens.mail import campaign_form, left_out_words

        ws, shown = self.state.ws, list(self.table.rows)
        templates = sorted((n for n in ws.notes() if n.get("kind") == "template"), key=lambda n: n.get("title", ""))
        if not templates or not shown:
            self.notify(_("A campaign needs an e-mail template (a note of kind template) and leads in the view."),
                        severity="warning", markup=False)
            return
        form = campaign_form(templates, len(shown))

        def save(values: dict[str, Any]) -> bool:
            try:
                made = campaigns.create(ws, values["name"], values["template"], {}, leads=shown)
            except IstuiError as exc:
                self.notify(error_text(exc), severity="error", timeout=10, markup=False)
                return False
            self.notify(_("Created campaign {id} “{name}”: {count} recipients{left}; `istui campaign send {id}` sends "
                          "it.").format(id=made["id"][:10], name=made["name"], count=f"{len(made['audience']):,}",
                                        left=left_out_words(made["excluded"])), timeout=12, markup=False)
            return True

        form.on_save = save
        self.app.push_screen(form)

    def action_delete_lead(self) -> None:
        lead = self.selected_lead()
        if lead is None:
            return
        ws = self.state.ws

        def restore(record: Record) -> None:
            ws.restore_lead(record)
            self._written(record)

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            removed = guarded(self, lambda: ws.remove_lead(lead["id"]))
            if removed is None:
                return
            self.state.undo.push(_("delete of {company}").format(company=named(removed["company"])), lambda: restore(removed))
            self.post_message(LeadRemoved(removed["id"]))
            self.notify(_("Deleted {company}. {key} undoes.").format(company=named(removed["company"]), key=keys.key("undo")),
                        markup=False)

        self.app.push_screen(ConfirmScreen(_("Delete the lead {company}? Its activities stay. ({key} undoes)").format(
            company=named(lead["company"]), key=keys.key("undo"))), confirmed)

    def action_call_block(self) -> None:
        from istui.tui.screens.callblock import CallBlockScreen

        queue, start = self.call_queue()
        if not queue:
            lead = self.selected_lead()
            if lead and lead.get("dnc"):
                self.notify(_("{company} is marked do-not-call; a call block leaves it out.").format(
                    company=named(lead.get("company", ""))), severity="warning", markup=False)
                return
            self.notify(_("Select a lead first."), markup=False)
            return
        self.app.push_screen(CallBlockScreen(self.state, list(queue), start))
