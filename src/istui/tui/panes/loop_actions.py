"""The handoff loop's keys on a pane's selected lead (Today, Leads): accept or return a handoff, rate it, set the
meeting, mark it held or a no-show, write or mail its calendar invite. Mixed in after `LeadActions`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from istui.domain.formatting import when
from istui.domain.handoffs import CALLED_OFF, called_off_last, handoff_of
from istui.domain.text import named
from istui.i18n import _
from istui.services import handoff_loop, meetings
from istui.store.workspace import Record
from istui.tui import keys
from istui.tui.panes.lead_actions import guarded
from istui.tui.screens.loop_forms import invite_form, mark_form, meeting_form, rate_form, reject_form


class LoopActions:
    """Needs what `LeadActions` gives: `selected_lead`, `_lead_form`, `_push_log_undo`, `_written`, `state`."""

    state: Any
    app: Any
    notify: Any

    def _refused(self, needs: str) -> bool:
        """Say at once (not after a form) that the selected lead has no handoff, or no meeting time, to act on."""
        lead = self.selected_lead()  # type: ignore[attr-defined]
        if lead is None:
            return True
        if needs == "handoff" and not handoff_of(lead):
            said = _("{company} has not been handed off.")
        elif not lead.get("meeting_at") and (needs == "meeting" or (needs == "invite" and called_off_last(lead) is None)):
            said = _("{company} has no meeting time yet: {key} sets it.")  # (an invite: unless one was called off)
        else:
            return False
        self.notify(said.format(company=named(lead.get("company", "")), key=keys.key("lead-meeting")),
                    severity="warning", markup=False)
        return True

    def _loop_write(self, lead: Record, what: str, logged: Any) -> Record:
        self._push_log_undo(what.format(company=named(lead["company"])), logged)  # type: ignore[attr-defined]
        return logged.lead

    def action_accept_handoff(self) -> None:
        """a: accept the selected handoff (it becomes field sales' to work)."""
        lead = self.selected_lead()  # type: ignore[attr-defined]
        if lead is None:
            return
        logged = guarded(self, lambda: handoff_loop.accept(self.state.ws, lead["id"]),
                         _("Accepted {company}.").format(company=named(lead["company"])))
        if logged:
            self._written(self._loop_write(lead, _("acceptance of {company}"), logged))  # type: ignore[attr-defined]

    def action_reject_handoff(self) -> None:
        """x: return the selected handoff to inside sales, with a reason."""
        ws = self.state.ws

        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            logged = handoff_loop.reject(ws, lead["id"], values["reason"], values["note"])
            meeting = handoff_loop.called_off_at(logged)
            if meeting:
                self.notify(_("Its meeting of {when} is called off; {key} sends those invited its cancellation.").format(
                    key=keys.key("lead-invite"), when=when(meeting, self.state.now)), timeout=8, markup=False)
            return self._loop_write(lead, _("return of {company}"), logged)

        if self._refused("handoff"):
            return
        self._lead_form(lambda lead: reject_form(lead, ws.settings.reject_reasons), write,  # type: ignore[attr-defined]
                        _("Returned to inside sales."))

    def action_rate_handoff(self) -> None:
        """f: rate the selected handoff and say what information was missing."""
        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            logged = handoff_loop.rate(self.state.ws, lead["id"], values["rating"], values["note"])
            return self._loop_write(lead, _("rating of {company}"), logged)

        if not self._refused("handoff"):
            self._lead_form(rate_form, write, _("Rated."))  # type: ignore[attr-defined]

    def action_mark_meeting(self) -> None:
        """w: mark the selected lead's meeting held or a no-show, or call it off (then `b` sends its cancellation)."""
        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            if values["status"] == CALLED_OFF:
                logged = meetings.call_off_meeting(self.state.ws, lead["id"], values["note"])
                self.notify(_("Meeting called off; {key} sends those invited its cancellation.").format(
                    key=keys.key("lead-invite")), timeout=8, markup=False)
            else:
                logged = meetings.mark_meeting(self.state.ws, lead["id"], values["status"], values["note"])
                self.notify(_("Meeting marked."), markup=False)
            return self._loop_write(lead, _("meeting mark of {company}"), logged)

        if not self._refused("meeting"):
            self._lead_form(lambda lead: mark_form(lead, self.state.now), write)  # type: ignore[attr-defined]

    def action_set_meeting(self) -> None:
        """t: set the selected lead's meeting: time, length, who attends, place."""
        ws = self.state.ws

        def write(lead: Record, values: dict[str, Any], form: Any) -> Record:
            logged = meetings.set_meeting(ws, lead["id"], values["at"], values["with"], values["minutes"], values["place"])
            return self._loop_write(lead, _("meeting of {company}"), logged)

        self._lead_form(lambda lead: meeting_form(lead, self.state.now, ws.settings.roster, ws.settings.work_hours[1]),  # type: ignore[attr-defined]
                        write, _("Meeting set."))

    def action_invite(self) -> None:
        """b: the selected lead's meeting invite, mailed to those attending or written to a file."""
        from istui.services.invites import deliver_invite
        from istui.services.mail import load_config

        ws = self.state.ws
        if self._refused("invite"):
            return
        can_mail = guarded(self, lambda: bool(load_config())) if _has_mail() else False

        def write(lead: Record, values: dict[str, Any], form: Any) -> None:
            cancel = not lead.get("meeting_at")  # (its meeting called off: `_refused` let nothing else through)
            mail = values["how"] == "mail"
            path = None if mail else Path(values["path"] or "meeting.ics").expanduser()
            invite = deliver_invite(ws, lead, path=path, mail=mail, cancel=cancel)
            if mail:
                said = _("Cancellation mailed to {people}.") if cancel else _("Invite mailed to {people}.")
                self.notify(said.format(people=", ".join(a for _n, a in invite.attendees)), markup=False)
            else:
                said = _("Cancellation written to {path}.") if cancel else _("Invite written to {path}.")
                self.notify(said.format(path=path), markup=False)
            if not cancel:
                self._written(ws.get_lead(lead["id"]))  # type: ignore[attr-defined]  (its invitees noted)

        self._lead_form(lambda lead: invite_form(lead, str(Path.home() / f"meeting-{lead['id'][:10]}.ics"),  # type: ignore[attr-defined]
                                                 bool(can_mail), cancel=not lead.get("meeting_at")), write)


def _has_mail() -> bool:
    from istui.store.settings import user_config

    return bool(user_config().get("mail"))
