"""What a rep does to leads: add, edit, move stage, log calls and e-mails, hand off to field sales.

Each operation validates everything before it writes anything, so bad input changes nothing.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, NamedTuple

from istui.domain import labels
from istui.domain.duplicates import DuplicateIndex, check_new_lead
from istui.domain.errors import BadInput
from istui.domain.model import OPEN_STAGES, ActivityKind, Stage
from istui.domain.outcomes import MEETING_BOOKED, CallOutcome, parse_call_outcome, parse_email_outcome
from istui.domain.parsing import multiline_text, optional_text, parse_amount, parse_choice, parse_int, parse_when
from istui.domain.roster import require_recipient
from istui.domain.validation import clean_lead_fields, new_lead_record
from istui.i18n import _
from istui.store.workspace import Record, Workspace, iso


def create_lead(ws: Workspace, fields: dict[str, Any], *, allow_duplicate: bool = False) -> Record:
    """Add a lead; its owner must be on the roster, and a lead with the phone or e-mail of an existing
    one raises DuplicateLead (naming it) unless `allow_duplicate`."""
    record = new_lead_record(fields, sources=ws.settings.sources, now=ws.now(), rep=ws.rep, roster=ws.settings.roster)
    with ws.lock.held():
        if not allow_duplicate and (record.get("email") or record.get("phone")):
            check_new_lead(DuplicateIndex(ws.leads()), record)
        return ws.add_lead(record)


def set_lead_fields(ws: Workspace, lead_id: str, fields: dict[str, Any]) -> Record:
    if "stage" in fields:
        raise BadInput(_("stage is changed with `istui lead stage ID STAGE`, which records the change."))
    if "id" in fields or "created_at" in fields:
        raise BadInput(_("id and created_at cannot be changed."))
    ws.get_lead(lead_id)  # NotFound before anything else
    changes = clean_lead_fields(fields, sources=ws.settings.sources, now=ws.now(), roster=ws.settings.roster)
    return ws.update_lead(lead_id, changes)


class Logged(NamedTuple):
    """The result of logging: the activity written, the lead afterwards, and the lead before (for undo)."""

    activity: Record
    lead: Record
    lead_changes: dict[str, Any]
    previous: Record | None = None


def log_activity(
    ws: Workspace,
    lead_id: str,
    kind: str,
    outcome: str,
    *,
    note: str = "",
    next_when: str | None = None,
    next_action: str | None = None,
    at: str | None = None,
    duration: str | int | None = None,
    script: str | None = None,
) -> Logged:
    """Log a call or e-mail outcome, and move the lead along: the first touch of a `new` lead makes it
    `working`, `meeting_booked` makes it `meeting`, `do_not_call` disqualifies it, `--next` sets the
    follow-up (any logged touch without one clears a follow-up that is now done)."""
    now = ws.now()
    if kind == ActivityKind.CALL:
        outcome = parse_call_outcome(outcome)
    else:
        outcome = parse_email_outcome(outcome)
    moment = parse_when(at, now, "at") if at else now
    if moment > now.replace(microsecond=0) and at:
        raise BadInput(_("at: '{at}' is in the future; --at says when the call or e-mail happened.").format(at=at))
    activity: Record = {"lead": lead_id, "kind": kind, "outcome": outcome, "at": iso(moment)}
    if note:
        activity["note"] = multiline_text(note, "note")
    if duration not in (None, ""):
        activity["duration"] = duration if isinstance(duration, int) else parse_int(str(duration), "duration")
    if script:
        activity["script"] = ws.resolve_note(script)
    changes: dict[str, Any] = {}
    if next_when:
        changes["next_at"] = iso(parse_when(next_when, now, "next"))
    if next_action is not None:
        changes["next_action"] = optional_text(next_action, "next_action")

    with ws.lock.held():
        lead = ws.get_lead(lead_id)
        if outcome == MEETING_BOOKED and lead["stage"] in (Stage.NEW, Stage.WORKING, Stage.NURTURING):
            changes["stage"] = Stage.MEETING.value
        elif outcome == CallOutcome.DO_NOT_CALL and lead["stage"] != Stage.DISQUALIFIED:
            changes["stage"] = Stage.DISQUALIFIED.value
            changes["next_at"] = None
        elif lead["stage"] == Stage.NEW:
            changes["stage"] = Stage.WORKING.value
        due = lead.get("next_at") and datetime.fromisoformat(lead["next_at"]) <= now
        if not next_when and due and "next_at" not in changes:
            changes["next_at"] = None  # the due follow-up was just done
        previous = lead
        with ws.transaction() if changes else contextlib.nullcontext():  # the activity and the lead, together
            written = ws.add_activity(activity)
            if changes:
                lead = ws.update_lead(lead_id, changes)
    return Logged(written, lead, changes, previous)


def change_stage(ws: Workspace, lead_id: str, stage: str, *, amount: str | None = None, note: str = "") -> Logged:
    """Move a lead to `stage`, recording a stage activity (won needs the order amount)."""
    stage = parse_choice(stage, [s.value for s in Stage], "stage")
    value = parse_amount(amount) if amount not in (None, "") else None
    if stage == Stage.WON and not value:  # none, or 0: an order of nothing would count as a win worth nothing
        raise BadInput(_("amount: moving a lead to won needs the order amount, e.g. --amount 1200000 or --amount 120万."))
    if value is not None and stage != Stage.WON:
        raise BadInput(_("amount: only a move to won records an order amount."))
    note = multiline_text(note, "note")
    with ws.transaction():  # the stage activity and the lead's stage land together or not at all
        lead = ws.get_lead(lead_id)
        if lead["stage"] == stage:
            raise BadInput(_("stage: the lead is already in stage {stage}.").format(stage=labels.stage(stage)))
        activity: Record = {"lead": lead_id, "kind": ActivityKind.STAGE.value, "outcome": stage,
                            "from_stage": lead["stage"], "at": iso(ws.now())}
        if value is not None:
            activity["amount"] = value
        if note:
            activity["note"] = note
        changes: dict[str, Any] = {"stage": stage}
        if value is not None:
            changes["amount"] = value
        if stage not in OPEN_STAGES:
            changes["next_at"] = None
        previous = lead
        written = ws.add_activity(activity)
        lead = ws.update_lead(lead_id, changes)
    return Logged(written, lead, changes, previous)


BANT_FIELDS = ("budget", "authority", "need", "timeline")


def hand_off(ws: Workspace, lead_id: str, to: str, bant: dict[str, str], note: str = "") -> Logged:
    """Hand a qualified lead to field sales: record BANT and notes, move it to `handed_off`."""
    to = optional_text(to, "to")
    if not to:
        raise BadInput(_("to: name the field-sales rep who takes the lead, e.g. --to sato."))
    if ws.settings.roster:  # a recipient from the roster, in field sales
        to = require_recipient(ws.settings.roster, to)
    clean = {key: multiline_text(bant.get(key) or "", key) for key in BANT_FIELDS}
    note = multiline_text(note, "note")
    with ws.transaction():  # the stage activity, the stage and the handoff sheet land together or not at all
        lead = ws.get_lead(lead_id)
        if lead["stage"] in (Stage.HANDED_OFF, Stage.WON, Stage.LOST):
            raise BadInput(_("stage: the lead is already {stage}; only an open lead can be handed off.").format(
                stage=labels.stage(lead["stage"])))
        handoff = {"to": to, "at": iso(ws.now()), "by": ws.rep, **clean, "note": note}
        logged = change_stage(ws, lead_id, Stage.HANDED_OFF.value, note=f"handed off to {to}")
        lead = ws.update_lead(lead_id, {"handoff": handoff})
    return Logged(logged.activity, lead, {"handoff": handoff, "stage": Stage.HANDED_OFF.value}, logged.previous)


def undo_log(ws: Workspace, logged: Logged) -> Record:
    """Take back a log: remove its activity and put back the lead fields it changed, each only while it
    still holds what the log wrote (a later change by anyone else stays); both together or neither."""
    with ws.transaction():
        ws.remove_activity(logged.activity)
        lead = ws.get_lead(logged.activity["lead"])
        if logged.previous is not None:
            restore = {key: logged.previous.get(key) for key in logged.lead_changes
                       if lead.get(key) == logged.lead.get(key)}
            if restore:
                lead = ws.update_lead(lead["id"], restore)
    return lead


def amend_log(ws: Workspace, logged: Logged, *, note: str = "", next_when: str = "", script: str | None = None) -> Logged:
    """Add the note, follow-up and talk script typed after a disposition key to the call just logged."""
    now = ws.now()
    activity_changes: dict[str, Any] = {}
    if note.strip():
        activity_changes["note"] = multiline_text(note, "note")
    if script:
        activity_changes["script"] = script
    lead_changes: dict[str, Any] = {}
    if next_when.strip():
        lead_changes["next_at"] = iso(parse_when(next_when, now, "next"))
    with ws.transaction():
        activity = ws.update_activity(logged.activity, activity_changes) if activity_changes else logged.activity
        lead = ws.update_lead(logged.lead["id"], lead_changes) if lead_changes else logged.lead
    return Logged(activity, lead, {**logged.lead_changes, **lead_changes}, logged.previous)


def undo_lead_edit(ws: Workspace, before: Record, after: Record) -> Record:
    """Take back an edit of lead fields: each field the edit changed gets its value before again, only while
    it still holds what the edit wrote (a later change by anyone else stays). Returns the lead afterwards."""
    with ws.transaction():
        lead = ws.get_lead(after["id"])
        edited = {key for key in set(before) | set(after) if before.get(key) != after.get(key)} - {"updated_at", "updated_by"}
        restore = {key: before.get(key) for key in edited if lead.get(key) == after.get(key)}
        return ws.update_lead(lead["id"], restore) if restore else lead
