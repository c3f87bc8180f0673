"""The handoff loop (DESIGN.md sections 3–5): inside sales hands a lead off with its sheet; field sales accepts it
or returns it with a reason, and rates it. Each answer is an activity of the one who gives it (kind `handoff`) and
the lead's `handoff` record (`domain.handoffs`), written together or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from istui.domain import handoffs as ho
from istui.domain import labels
from istui.domain.errors import BadInput
from istui.domain.model import ActivityKind, Stage
from istui.domain.parsing import multiline_text, optional_text, parse_choice
from istui.domain.roster import display_name, require_recipient
from istui.domain.text import terminal_safe
from istui.i18n import _
from istui.services.leads import Logged, change_stage
from istui.services.today import loop_clock
from istui.store.workspace import Record, Workspace, iso


def hand_off(ws: Workspace, lead_id: str, to: str, sheet: dict[str, str], note: str = "") -> Logged:
    """Hand a qualified lead to field sales: record its sheet (the workspace's `handoff_required` fields must be
    filled in), move it to `handed_off` as a proposed handoff. A lead returned before may be handed off again:
    the earlier round moves to `handoff_history` and the new one counts as another handoff."""
    to = optional_text(to, "to")
    if not to:
        raise BadInput(_("to: name the field-sales rep who takes the lead, e.g. --to sato."))
    if ws.settings.roster:  # a recipient from the roster, in field sales
        to = require_recipient(ws.settings.roster, to)
    clean = {key: multiline_text(sheet.get(key) or "", key) for key in ho.SHEET_FIELDS if sheet.get(key)}
    missing = ho.missing_fields(clean, ws.settings.handoff_required)
    note = multiline_text(note, "note")
    with ws.transaction():  # the stage activity, the stage and the handoff sheet land together or not at all
        lead = ws.get_lead(lead_id)
        if lead["stage"] in (Stage.HANDED_OFF, Stage.WON, Stage.LOST):
            raise BadInput(_("stage: the lead is already {stage}; only an open lead can be handed off.").format(
                stage=labels.stage(lead["stage"])))
        if missing:
            raise BadInput(_("handoff: the sheet needs {fields} (the workspace's handoff_required setting), e.g. "
                             "--{first} '…'.").format(fields=", ".join(_(ho.SHEET_FIELDS[m]) for m in missing),
                                                      first=missing[0].replace("_", "-")))
        earlier = ho.rounds(lead)
        handoff = {"to": to, "at": iso(ws.now()), "by": ws.rep, **clean, "note": note, "status": ho.PROPOSED,
                   "round": len(earlier) + 1}
        logged = change_stage(ws, lead_id, Stage.HANDED_OFF.value, to=to)
        changes: dict[str, Any] = {"handoff": handoff, "next_action": ""}  # (a return's "returned by …" is done)
        if earlier:
            changes["handoff_history"] = earlier
        lead = ws.update_lead(lead_id, changes)
    return Logged(logged.activity, lead, {**changes, "stage": Stage.HANDED_OFF.value}, logged.previous)


def _answerable(ws: Workspace, lead: Record, what: str) -> dict[str, Any]:
    """The lead's handoff, when `ws.rep` may answer it: it is proposed, and they are its recipient or a manager."""
    handoff = _handed(lead, what)
    if not ho.waiting(lead):
        state = ho.status(lead)
        raise BadInput(_("handoff: {company} was already {status}; only a proposed handoff is accepted or returned.").format(
            company=terminal_safe(lead.get("company", "")),
            status=_(ho.STATUS_LABELS[state]) if state in ho.STATUS_LABELS and state != ho.PROPOSED else labels.stage(lead["stage"])))
    _refuse_others(ws, lead, handoff)
    return dict(handoff)


def _handed(lead: Record, what: str) -> dict[str, Any]:
    """The lead's handoff; one sentence when it was never handed off (nothing to `what`)."""
    handoff = ho.handoff_of(lead)
    if not handoff:
        raise BadInput(_("{company} ({id}) has not been handed off, so there is nothing to {what}.").format(
            company=terminal_safe(lead.get("company", "")), id=lead["id"][:10], what=what))
    return handoff


def _refuse_others(ws: Workspace, lead: Record, handoff: Record) -> None:
    """Only the field rep a lead was handed to (or a manager) answers or rates its handoff."""
    roster = ws.settings.roster or {}
    if handoff.get("to") != ws.rep and roster.get(ws.rep, {}).get("role") != "manager":
        raise BadInput(_("handoff: {company} was handed to {to}; only {to} (or a manager) answers it, and you are {rep}.")
                       .format(company=terminal_safe(lead.get("company", "")), to=handoff.get("to"), rep=ws.rep))


def accept(ws: Workspace, lead_id: str, note: str = "") -> Logged:
    """Field sales takes the lead (an SAL): the handoff becomes accepted."""
    note = multiline_text(note, "note")
    with ws.transaction():
        lead = ws.get_lead(lead_id)
        handoff = _answerable(ws, lead, _("accept"))
        now = iso(ws.now())
        handoff.update(status=ho.ACCEPTED, decided_at=now, decided_by=ws.rep, decision_note=note)
        activity = _answer_activity(lead_id, handoff, "accepted", now, note)
        written = ws.add_activity(activity)
        after = ws.update_lead(lead_id, {"handoff": handoff})
    return Logged(written, after, {"handoff": handoff}, lead)


def reject(ws: Workspace, lead_id: str, reason: str, note: str = "") -> Logged:
    """Field sales returns the lead with a reason code: it goes back to its inside-sales owner in stage nurturing,
    due now, its next action saying why; a meeting not yet marked is called off (`domain.handoffs.called_off`)."""
    code = ho.parse_reason(reason, ws.settings.reject_reasons)
    note = multiline_text(note, "note")
    with ws.transaction():
        lead = ws.get_lead(lead_id)
        handoff = _answerable(ws, lead, _("return"))
        now = iso(ws.now())
        handoff.update(status=ho.REJECTED, decided_at=now, decided_by=ws.rep, reason=code, decision_note=note)
        activity = _answer_activity(lead_id, handoff, "rejected", now, note)
        activity.update(reason=code, from_stage=lead["stage"])
        why = _("returned by {who}: {reason}").format(who=display_name(ws.settings.roster, ws.rep),
                                                      reason=ho.reason_label(code))
        changes: dict[str, Any] = {"handoff": handoff, "stage": Stage.NURTURING.value, "next_at": now,
                                   "next_action": optional_text(why[:200], "next_action")}
        if not lead.get("owner"):
            changes["owner"] = handoff.get("by") or ""
        changes.update(ho.called_off(lead, now, ws.rep))
        written = ws.add_activity(activity)
        after = ws.update_lead(lead_id, changes)
    return Logged(written, after, changes, lead)


def called_off_at(logged: Logged) -> str | None:
    """The time of the meeting a return called off (None: it called off none)."""
    before = logged.previous or {}
    return before.get("meeting_at") if before.get("meeting_at") and not logged.lead.get("meeting_at") else None


def rate(ws: Workspace, lead_id: str, rating: str | int, note: str = "") -> Logged:
    """Field sales rates the lead's latest handoff (1–5) and says what information was missing."""
    value = ho.parse_rating(rating)
    note = multiline_text(note, "note")
    with ws.transaction():
        lead = ws.get_lead(lead_id)
        handoff = _handed(lead, _("rate"))
        _refuse_others(ws, lead, handoff)
        handoff = dict(handoff)
        now = iso(ws.now())
        handoff.update(rating=value, feedback=note, rated_at=now, rated_by=ws.rep)
        activity = _answer_activity(lead_id, handoff, "rated", now, note)
        activity["rating"] = value
        written = ws.add_activity(activity)
        after = ws.update_lead(lead_id, {"handoff": handoff})
    return Logged(written, after, {"handoff": handoff}, lead)


def _answer_activity(lead_id: str, handoff: Record, outcome: str, at: str, note: str) -> dict[str, Any]:
    activity: dict[str, Any] = {"lead": lead_id, "kind": ActivityKind.HANDOFF.value, "outcome": outcome, "at": at,
                                "of": handoff.get("by") or ""}
    if note:
        activity["note"] = note
    return activity


def handoff_rows(ws: Workspace, leads: Iterable[Record], *, mine: bool = False, state: str = "") -> list[dict[str, Any]]:
    """The handoffs of the leads (latest round of each), proposed ones past their SLA first: for `istui handoff list`."""
    if state:
        state = parse_choice("rejected" if state.strip().casefold() == "returned" else state, ho.STATUSES, "status")
    sla_due, now = loop_clock(ws), ws.now()
    rows = []
    for lead in leads:
        status = ho.status(lead)
        handoff = ho.handoff_of(lead) or None
        if status is None or handoff is None or (state and status != state):
            continue
        if mine and ws.rep not in (handoff.get("to"), handoff.get("by")):
            continue
        due = sla_due(handoff)
        rows.append({"id": lead["id"], "company": lead.get("company", ""), "source": lead.get("source"),
                     "status": status, "to": handoff.get("to"), "by": handoff.get("by"), "at": handoff.get("at"),
                     "round": handoff.get("round") or 1, "sla_due": due.isoformat() if due else None,
                     "overdue": ho.overdue(lead, due, now),
                     "reason": handoff.get("reason"), "decided_at": handoff.get("decided_at"),
                     "rating": handoff.get("rating"), "stage": lead.get("stage")})
    order = {ho.PROPOSED: 0, ho.ACCEPTED: 1, ho.REJECTED: 2}
    return sorted(rows, key=lambda r: (not r["overdue"], order[r["status"]], r["at"] or ""))
