"""A lead's meeting (DESIGN.md section 5, `istui meeting`): set its time, length, attendees and place; mark it held
or a no-show afterwards. Each is an activity of the one who does it (kind `meeting`) and the lead's meeting record
(`domain.handoffs`), written together or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from istui.domain import handoffs as ho
from istui.domain.errors import BadInput
from istui.domain.formatting import long_when, when
from istui.domain.model import ActivityKind, Stage
from istui.domain.parsing import multiline_text, optional_text, parse_int, parse_when
from istui.domain.text import terminal_safe
from istui.i18n import _
from istui.services.leads import Logged, meeting_people
from istui.store.workspace import Record, Workspace, iso


def set_meeting(ws: Workspace, lead_id: str, at: str, with_: list[str] | None = None, minutes: str | int | None = None,
                place: str | None = None) -> Logged:
    """Set (or move) the lead's meeting (`meeting_plan`): a meeting activity, and the lead's fields."""
    with ws.transaction():
        lead = ws.get_lead(lead_id)
        changes = meeting_plan(ws, lead, at, with_, minutes, place)
        activity: dict[str, Any] = {"lead": lead_id, "kind": ActivityKind.MEETING.value, "outcome": "set",
                                    "at": iso(ws.now()), "note": long_when(changes["meeting_at"])}
        if changes["meeting"]["with"]:
            activity["with"] = changes["meeting"]["with"]
        written = ws.add_activity(activity)
        after = ws.update_lead(lead_id, changes)
    return Logged(written, after, changes, lead)



def meeting_plan(ws: Workspace, lead: Record, at: str, with_: list[str] | None = None, minutes: str | int | None = None,
                 place: str | None = None) -> dict[str, Any]:
    """The lead fields setting (or moving) its meeting writes, worked out without writing (what `set_meeting`
    writes, and what an invite is checked against before it): what is not given is kept from the meeting already
    set; a lead still being worked moves to stage meeting, as a booked meeting does. BadInput, one sentence."""
    now = ws.now()
    moment = parse_when(at, now, "at", day_end=ws.settings.work_hours[1]) if at else None  # (one held may be recorded)
    people = meeting_people(ws, with_ or [])
    length = parse_int(str(minutes), "minutes", 5, ho.MAX_MEETING_MINUTES) if minutes not in (None, "") else None
    where = optional_text(place, "place", 2000) if place is not None else None
    if lead.get("stage") in (Stage.WON, Stage.LOST, Stage.DISQUALIFIED):
        raise BadInput(_("meeting: {company} is {stage}; a closed lead takes no meeting.").format(
            company=terminal_safe(lead.get("company", "")), stage=lead["stage"]))
    old = ho.meeting_of(lead)
    if moment is None and not lead.get("meeting_at"):
        raise BadInput(_("at: give the meeting's time, e.g. --at 'tomorrow 14:00'."))
    same = not old.get("status")  # a meeting not marked yet is moved; one marked is followed by a new one
    changes = ho.meeting_changes(
        lead, iso(moment) if moment else lead["meeting_at"], old.get("by") or ws.rep if same else ws.rep,
        people or (list(old.get("with") or []) if same else []),
        length if length is not None else (old.get("minutes") if same else None),
        where if where is not None else (old.get("place") or "" if same else ""))
    if not same and moment is None:
        raise BadInput(_("at: the meeting was already marked; give the next meeting's time with --at."))
    if same and isinstance(old.get("invited"), str):  # a moved meeting is the same event: its invitees stay
        changes["meeting"]["invited"] = old["invited"]
    if lead["stage"] in (Stage.NEW, Stage.WORKING, Stage.NURTURING):
        changes["stage"] = Stage.MEETING.value
    return changes

def mark_meeting(ws: Workspace, lead_id: str, outcome: str, note: str = "") -> Logged:
    """Mark the lead's meeting held or a no-show, once its time has come."""
    if outcome not in ho.MEETING_STATUSES:
        raise BadInput(_("meeting: '{value}' is not one of {options}.").format(
            value=outcome, options=", ".join(ho.MEETING_STATUSES)))
    note = multiline_text(note, "note")
    now = ws.now()
    with ws.transaction():
        lead = ws.get_lead(lead_id)
        called_off = ho.called_off_last(lead)
        if called_off:
            raise BadInput(_("meeting: the meeting of {when} was called off; set the next one with `istui meeting {id} "
                             "--at WHEN`.").format(when=when(called_off[1]["at"], now), id=lead["id"][:10]))
        if not lead.get("meeting_at"):
            raise BadInput(_("meeting: {company} has no meeting time set; set it with `istui meeting {id} --at WHEN`.")
                           .format(company=terminal_safe(lead.get("company", "")), id=lead["id"][:10]))
        if datetime.fromisoformat(lead["meeting_at"]) > now:
            raise BadInput(_("meeting: the meeting is {when}, still ahead; mark it once it has taken place.").format(
                when=when(lead["meeting_at"], now)))
        meeting = dict(lead["meeting"]) if isinstance(lead.get("meeting"), dict) else {"by": lead.get("owner") or ""}
        if meeting.get("status") == outcome:  # (marked the other way, it is corrected)
            raise BadInput(_("meeting: it is already marked {status} (by {who}); nothing to change.").format(
                status=_(ho.MEETING_LABELS[outcome]), who=terminal_safe(str(meeting.get("marked_by") or "?"))))
        meeting.update(status=outcome, marked_at=iso(now), marked_by=ws.rep)
        activity: dict[str, Any] = {"lead": lead_id, "kind": ActivityKind.MEETING.value, "outcome": outcome,
                                    "at": iso(now), "of": meeting.get("by") or ""}
        if note:
            activity["note"] = note
        written = ws.add_activity(activity)
        after = ws.update_lead(lead_id, {"meeting": meeting})
    return Logged(written, after, {"meeting": meeting}, lead)


def call_off_meeting(ws: Workspace, lead_id: str, note: str = "") -> Logged:
    """Call off the lead's meeting before it is marked: it moves to `meeting_history` as called off (counted neither
    held nor a no-show, `domain.handoffs.called_off`), with a meeting activity `called_off`. BadInput, one
    sentence, when the lead has no meeting to call off."""
    note = multiline_text(note, "note")
    now = iso(ws.now())
    with ws.transaction():
        lead = ws.get_lead(lead_id)
        changes = ho.called_off(lead, now, ws.rep)
        if not changes:
            status = ho.meeting_status(lead)
            raise BadInput(_("meeting: the meeting with {company} is already marked {status}; nothing to call off.").format(
                company=terminal_safe(lead.get("company", "")), status=_(ho.MEETING_LABELS[status]))
                if status in ho.MEETING_LABELS else
                _("meeting: {company} has no meeting to call off.").format(company=terminal_safe(lead.get("company", ""))))
        activity: dict[str, Any] = {"lead": lead_id, "kind": ActivityKind.MEETING.value, "outcome": ho.CALLED_OFF,
                                    "at": now, "of": ho.meeting_of(lead).get("by") or ""}
        if note:
            activity["note"] = note
        written = ws.add_activity(activity)
        after = ws.update_lead(lead_id, changes)
    return Logged(written, after, changes, lead)


def note_invited(ws: Workspace, lead_id: str, addresses: list[str]) -> Record:
    """Remember who the lead's meeting invite went to (the meeting's `invited`: addresses, comma-separated), so that
    its cancellation reaches everyone invited, also those a later move left out."""
    with ws.transaction():
        lead = ws.get_lead(lead_id)
        meeting = ho.meeting_of(lead)
        if not lead.get("meeting_at") or not meeting:
            return lead
        known = ho.invited(meeting)
        every = known + [address for address in addresses if address not in known]
        if every == known:
            return lead
        return ws.update_lead(lead_id, {"meeting": {**meeting, "invited": ", ".join(every)}})
