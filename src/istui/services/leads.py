"""What a rep does to leads: add, edit, move stage, log calls and e-mails, hand off to field sales.

Each operation validates everything before it writes anything, so bad input changes nothing.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, NamedTuple

from istui.domain import labels
from istui.domain.checks import MAX_CALL_SECONDS
from istui.domain.errors import BadInput
from istui.domain.handoffs import MAX_MEETING_MINUTES, meeting_changes, meeting_of
from istui.domain.model import OPEN_STAGES, ActivityKind, Stage
from istui.domain.outcomes import (
    BOUNCED_ADDRESS,
    CALL_OUTCOMES,
    EMAIL_STATUS_BY_OUTCOME,
    MEETING_BOOKED,
    OPTED_OUT,
    REACHED_OUTCOMES,
    CallOutcome,
    parse_call_outcome,
    parse_email_outcome,
)
from istui.domain.parsing import (
    multiline_text,
    optional_text,
    parse_amount,
    parse_choice,
    parse_follow_up,
    parse_int,
    parse_when,
)
from istui.domain.roster import require_member
from istui.domain.schedule import (
    ASKS_FOR_WHEN,
    WRONG_NUMBER,
    Decision,
    attempts_without_connect,
    decide,
    describe,
)
from istui.domain.text import named
from istui.domain.validation import clean_lead_fields, new_lead_record
from istui.i18n import N_, _
from istui.store.workspace import Record, Workspace, iso


def create_lead(ws: Workspace, fields: dict[str, Any], *, allow_duplicate: bool = False) -> Record:
    """Add a lead; its owner must be on the roster, and a lead with the phone or e-mail of an existing
    one raises DuplicateLead (naming it) unless `allow_duplicate`."""
    record = new_lead_record(fields, sources=ws.settings.sources, now=ws.now(), rep=ws.rep, roster=ws.settings.roster,
                             currency=ws.settings.currency, day_end=ws.settings.work_hours[1],
                             region=ws.settings.phone_region)
    with ws.lock.held():
        if not allow_duplicate and (record.get("email") or record.get("phone")):
            from istui.domain.duplicates import DuplicateIndex, check_new_lead  # (phones: not for a quick log)

            check_new_lead(DuplicateIndex(ws.leads(), ws.settings.phone_region), record)
        return ws.add_lead(record)


def refuse_flagged_phone(lead: Record, phone_changes: bool = False) -> None:
    """One sentence when a follow-up is typed for a lead whose phone is flagged as a wrong number (it stays
    parked, so the follow-up would never come up): the phone is changed first."""
    if lead.get("phone_status") == WRONG_NUMBER and not phone_changes:
        raise BadInput(_("next: the phone of {company} is flagged as a wrong number, so a follow-up would never come "
                         "up; change the phone first (`istui lead set ID phone=NUMBER`).").format(
                             company=lead.get("company", "")))


def refuse_closed(lead: Record, stage: str | None = None) -> None:
    """One sentence when a follow-up is typed for a closed lead (`stage`: the one it has after this change;
    default its own): no queue shows a closed lead, so the follow-up would never come up."""
    stage = stage or lead.get("stage", "")
    if stage not in OPEN_STAGES:
        raise BadInput(_("next: {company} is {stage}, and a closed lead takes no follow-up; reopen it first with "
                         "`istui lead stage ID working`.").format(company=lead.get("company", ""), stage=labels.stage(stage)))


class DoNotCall(BadInput):
    """A call log or follow-up refused because the lead is marked do-not-call (the TUI says it its own way)."""

    def __init__(self, message: str, company: str, what: str) -> None:
        super().__init__(message)
        self.company, self.what = company, what


def refuse_dnc(lead: Record, what: str) -> None:
    """One sentence when `lead` is marked do-not-call (`what`: the call or the follow-up refused)."""
    if lead.get("dnc"):
        company = lead.get("company", "")
        raise DoNotCall(_("{company} is marked do-not-call, so {what} is refused; --force overrides, "
                          "`istui lead set ID dnc=false` clears the mark.").format(company=company, what=_(what)),
                        company, what)


def set_lead_fields(ws: Workspace, lead_id: str, fields: dict[str, Any], *, force: bool = False,
                    allow_duplicate: bool = False, seen: Record | None = None) -> Record:
    """Change editable fields (a typed follow-up must lie ahead; a do-not-call lead takes none unless
    `force`); a new phone number clears a wrong-number flag, marking do-not-call clears the follow-up. A new
    e-mail or phone of another lead raises DuplicateLead (as `create_lead` does) unless `allow_duplicate`.
    `seen`: the lead as the editor saw it when the edit began (a form opened minutes ago); a field changed
    meanwhile (another terminal, a teammate's sync) and changed again here is refused, never silently lost."""
    if "stage" in fields:
        raise BadInput(_("stage is changed with `istui lead stage ID STAGE`, which records the change."))
    if "id" in fields or "created_at" in fields:
        raise BadInput(_("id and created_at cannot be changed."))
    lead = ws.get_lead(lead_id)  # NotFound before anything else
    changes = clean_lead_fields(fields, sources=ws.settings.sources, now=ws.now(), roster=ws.settings.roster,
                                future_only=True, currency=ws.settings.currency, day_end=ws.settings.work_hours[1],
                                region=ws.settings.phone_region)
    if seen is not None:
        refuse_lost_update(lead, seen, changes)
    new_keys = {name: changes[name] for name in ("email", "phone") if changes.get(name) and changes[name] != lead.get(name)}
    if new_keys and not allow_duplicate:
        if "phone" in new_keys:
            new_keys.update(phone_e164=changes.get("phone_e164"), phone_ext=changes.get("phone_ext"))
        from istui.domain.duplicates import DuplicateIndex, check_new_lead

        check_new_lead(DuplicateIndex((other for other in ws.leads() if other["id"] != lead["id"]),
                                      ws.settings.phone_region), new_keys)
    if changes.get("next_at") and not force and changes.get("dnc") is not False:
        refuse_dnc({**lead, **changes}, N_("a follow-up"))
    if changes.get("next_at"):
        refuse_closed(lead)
        refuse_flagged_phone(lead, "phone" in changes and changes["phone"] != lead.get("phone"))
    if changes.get("dnc"):
        changes["next_at"] = None
    if "phone" in changes and changes["phone"] != lead.get("phone") and lead.get("phone_status"):
        changes["phone_status"] = None  # the new number is called: back in the queue, due now
        if not changes.get("next_at") and not lead.get("next_at") and not lead.get("dnc"):
            changes["next_at"] = iso(ws.now())
    if "email" in changes and changes["email"] != lead.get("email") and lead.get("email_status") == BOUNCED_ADDRESS:
        changes["email_status"] = None  # a new address: mail may go to it (an opt-out is the person's, and stays)
    return ws.update_lead(lead_id, changes)


def refuse_lost_update(lead: Record, seen: Record, changes: dict[str, Any]) -> None:
    """BadInput when a field this edit changes was changed by someone else since the edit began (`seen`)."""
    meanwhile = [name for name in changes if lead.get(name) != seen.get(name) and changes[name] != lead.get(name)]
    if meanwhile:
        raise BadInput(_("{company} changed since you opened it ({fields}: now {values}); close the form and open it "
                         "again to see that change, then make yours.").format(
            company=named(lead.get("company", "")),
            fields=_(", ").join(labels.field(labels.FIELD_OF_KEY.get(name, name)) for name in meanwhile),
            values=_(", ").join(_shown(lead.get(name)) for name in meanwhile)))


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "–"
    return named(", ".join(map(str, value)) if isinstance(value, list) else value)


KEPT = "kept"  # the rule of a decision that keeps the lead's follow-up as it is


def _held(lead: Record, outcome: str, decision: Decision, after_the_fact: bool, now: datetime) -> Decision:
    """The schedule's decision, held back where the lead says otherwise: a do-not-call lead takes no follow-up
    from the schedule; a lead whose phone is flagged stays parked after a call that reached nobody; a mail, or a
    call logged after the fact (`--at`), keeps a follow-up the lead already has ahead."""
    if lead.get("dnc") and decision.next_at is not None:
        return decision._replace(next_at=None, rule="dnc")
    if lead.get("phone_status") == WRONG_NUMBER and outcome not in REACHED_OUTCOMES:
        return decision._replace(next_at=None, stage=None, rule="phone")
    ahead = lead.get("next_at") and datetime.fromisoformat(lead["next_at"]) > now
    if after_the_fact and ahead and decision.ask is None and decision.next_at is not None:
        return decision._replace(next_at=datetime.fromisoformat(lead["next_at"]), rule=KEPT)
    return decision


class Logged(NamedTuple):
    """The result of logging: the activity written, the lead afterwards, and the lead before (for undo)."""

    activity: Record
    lead: Record
    lead_changes: dict[str, Any]
    previous: Record | None = None
    decision: Decision | None = None  # what the retry schedule decided (None: a typed WHEN did)


def schedule_rules(ws: Workspace) -> tuple[dict[str, Any], Any, Any]:
    """The retry schedule, the working hours and the working-day calendar (read once for many decisions)."""
    from istui.services.calendar import work_calendar

    return ws.settings.schedule, ws.settings.work_hours, work_calendar(ws)


def _schedule(ws: Workspace, lead: Record, kind: str, outcome: str, moment: datetime,
              history: list[Record] | None = None, calls: int | None = None,
              rules: tuple[dict[str, Any], Any, Any] | None = None) -> Decision:
    """The retry schedule's decision for this lead (`calls`: its calls in a row without a connect, else
    counted from `history`, its activities, read when not given; `rules`: `schedule_rules`, read when not given)."""
    schedule, hours, calendar = rules or schedule_rules(ws)
    attempts = 0
    if kind == ActivityKind.CALL and outcome not in REACHED_OUTCOMES:
        attempts = (calls_without_connect(ws, lead, history) if calls is None else calls) + 1
    decision = decide(outcome, moment, schedule, hours, calendar.is_working_day, attempts=attempts,
                      email=kind == ActivityKind.EMAIL)
    now = ws.now()
    if decision.next_at is not None and decision.next_at <= now:  # logged after the fact: from now on
        decision = decide(outcome, now, schedule, hours, calendar.is_working_day, attempts=attempts,
                          email=kind == ActivityKind.EMAIL)
    return decision


def calls_without_connect(ws: Workspace, lead: Record, history: list[Record] | None = None) -> int:
    """The lead's calls in a row that reached nobody: kept on the lead (`call_attempts`, so logging reads no
    history), counted from its activities for a lead logged before istui kept it."""
    stored = lead.get("call_attempts")
    if isinstance(stored, int) and not isinstance(stored, bool) and stored >= 0:
        return stored
    history = ws.activities_of_lead(lead["id"]) if history is None else history
    calls = [a.get("outcome") if isinstance(a.get("outcome"), str) else "" for a in history
             if a.get("kind") == ActivityKind.CALL]  # a hand-edited record may lack its outcome
    return attempts_without_connect(calls)


def schedule_preview(ws: Workspace, lead: Record, history: list[Record]) -> dict[str, str]:
    """For each call outcome, what the retry schedule would do after it now (`retry today 14:30`)."""
    now = ws.now()
    return {info.outcome.value: describe(_schedule(ws, lead, ActivityKind.CALL, info.outcome.value, now, history), now)
            for info in CALL_OUTCOMES}


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
    meeting: str | None = None,
    meeting_with: list[str] | None = None,
    meeting_minutes: str | int | None = None,
    meeting_place: str = "",
    force: bool = False,
    ask_later: bool = False,
    history: list[Record] | None = None,
    extra: Record | None = None,
) -> Logged:
    """Log a call or e-mail outcome and move the lead along, so the queue never loses it (DESIGN.md
    section 4): the first touch of a `new` lead makes it `working`; `--next` sets the follow-up, else the
    workspace's retry schedule does (`domain.schedule`); `meeting_booked` makes it `meeting` (with the
    meeting's time from `meeting`), `not_interested` or too many calls without a connect `nurturing`,
    `wrong_number` flags the phone, `do_not_call` marks the lead do-not-call and disqualifies it.
    A call to a do-not-call lead, or a follow-up for one, is refused unless `force`. A `callback` needs
    its WHEN, unless `ask_later` (the call block asks for it after the call is written). `history`: the lead's
    activities as the caller just read them (the call block's, whose keys preview the schedule from it), used
    only for a lead that does not keep its count of calls without a connect. An unsubscribe opts the lead's
    address out of mail, a bounce flags it (`email_status`). `extra`: more fields of the activity (a mail sent by
    istui: its template, Message-ID and address)."""
    now = ws.now()
    call = kind == ActivityKind.CALL
    outcome = parse_call_outcome(outcome) if call else parse_email_outcome(outcome)
    moment = parse_when(at, now, "at") if at else now
    if moment > now.replace(microsecond=0) and at:
        raise BadInput(_("at: '{at}' is in the future; --at says when the call or e-mail happened.").format(at=at))
    activity: Record = {"lead": lead_id, "kind": kind, "outcome": outcome, "at": iso(moment), **(extra or {})}
    if note:
        activity["note"] = multiline_text(note, "note")
    if duration not in (None, ""):
        activity["duration"] = parse_int(str(duration), "duration", 0, MAX_CALL_SECONDS)  # (a day at most)
    if script:
        activity["script"] = ws.resolve_note(script)
    day_end = ws.settings.work_hours[1]  # `今日中`, `eod`
    typed_next = parse_follow_up(next_when, now, "next", day_end=day_end) if next_when else None
    if (meeting or meeting_with or meeting_minutes or meeting_place) and outcome != MEETING_BOOKED:
        raise BadInput(_("meeting: --meeting, --with, --minutes and --place go with the outcome meeting_booked."))
    meeting_at = parse_follow_up(meeting, now, "meeting", day_end=day_end) if meeting else None
    attendees = meeting_people(ws, meeting_with or [])
    minutes = parse_int(str(meeting_minutes), "minutes", 5, MAX_MEETING_MINUTES) if meeting_minutes else None
    place = optional_text(meeting_place or "", "place", 2000)
    if outcome == CallOutcome.DO_NOT_CALL and typed_next is not None:
        raise BadInput(_("next: a do-not-call lead takes no follow-up; leave out --next."))
    if outcome == ASKS_FOR_WHEN and call and typed_next is None and not ask_later:
        raise BadInput(_("next: a callback needs the time they asked for, e.g. --next 'tomorrow 15:00'."))
    changes: dict[str, Any] = {}
    if next_action is not None:
        changes["next_action"] = optional_text(next_action, "next_action")
    if attendees:  # who attends the meeting booked, on the activity that booked it
        activity["with"] = attendees

    with ws.lock.held():
        lead = ws.get_lead(lead_id)
        if not force and (call or typed_next is not None):
            refuse_dnc(lead, N_("a call log") if call else N_("a follow-up"))
        calls = calls_without_connect(ws, lead, history) if call else 0  # read once (none when the lead keeps it)
        decision = outcome_changes(ws, lead, kind, outcome, moment, changes, calls=calls,
                                   after_the_fact=kind == ActivityKind.EMAIL or bool(at), typed_next=typed_next)
        if outcome == MEETING_BOOKED:  # the meeting is a record on the lead (without its time: setting it is due)
            changes.update(meeting_changes(lead, iso(meeting_at) if meeting_at else None, ws.rep, attendees, minutes,
                                           place))
        changes = {key: value for key, value in changes.items() if lead.get(key) != value}
        previous = lead
        with ws.transaction() if changes else contextlib.nullcontext():  # the activity and the lead, together
            written = ws.add_activity(activity)
            if changes:
                lead = ws.update_lead(lead_id, changes)
    return Logged(written, lead, changes, previous, None if typed_next is not None else decision)


def meeting_people(ws: Workspace, names: list[str]) -> list[str]:
    """Who attends a meeting besides its booker: people on the roster (any role), each once."""
    return list(dict.fromkeys(require_member(ws.settings.roster, name, "with") for name in names if name.strip()))


def outcome_changes(ws: Workspace, lead: Record, kind: str, outcome: str, moment: datetime, changes: dict[str, Any], *,
                    calls: int, after_the_fact: bool, typed_next: datetime | None = None,
                    rules: tuple[dict[str, Any], Any, Any] | None = None) -> Decision:
    """What a logged outcome does to its lead (DESIGN.md section 4), added to `changes`: its stage, the follow-up
    (the typed `typed_next`, else the retry schedule's, from now for a call logged after the fact), its calls without
    a connect (`calls` before this one), the flags of its phone and address. Returns the schedule's decision."""
    now = ws.now()
    call = kind == ActivityKind.CALL
    if typed_next is None:
        decision = _held(lead, outcome, _schedule(ws, lead, kind, outcome, moment, calls=calls, rules=rules),
                         after_the_fact, now)
    else:  # the typed WHEN decides the follow-up: only the outcome's stage and flags count (quick: no calendar)
        decision = decide(outcome, moment, {}, ws.settings.work_hours, lambda day: day.weekday() < 5,
                          email=kind == ActivityKind.EMAIL)
    if call:
        changes["call_attempts"] = 0 if outcome in REACHED_OUTCOMES else calls + 1
    stage = lead["stage"]
    if outcome == MEETING_BOOKED and stage in (Stage.NEW, Stage.WORKING, Stage.NURTURING):
        changes["stage"] = Stage.MEETING.value
    elif outcome == CallOutcome.DO_NOT_CALL and stage != Stage.DISQUALIFIED:
        changes["stage"] = Stage.DISQUALIFIED.value
    elif decision.stage and stage in (Stage.NEW, Stage.WORKING):
        changes["stage"] = decision.stage
    elif stage == Stage.NEW:
        changes["stage"] = Stage.WORKING.value
    changes.update(decision.fields or {})
    flag = None if call else EMAIL_STATUS_BY_OUTCOME.get(outcome)
    if flag and lead.get("email_status") != OPTED_OUT:  # an opt-out stays whatever happens to the address
        changes["email_status"] = flag
    if lead.get("phone_status") == WRONG_NUMBER and outcome in REACHED_OUTCOMES:
        changes["phone_status"] = None  # someone answered: the number works after all
    if typed_next is not None:
        refuse_closed(lead, changes.get("stage", stage))
        refuse_flagged_phone({**lead, **changes})
    if changes.get("stage", stage) in OPEN_STAGES:
        if typed_next is not None:
            changes["next_at"] = iso(typed_next)
        elif decision.rule != KEPT:
            changes["next_at"] = iso(decision.next_at) if decision.next_at else None
    if outcome == CallOutcome.DO_NOT_CALL:
        changes["next_at"] = None
    return decision


def change_stage(ws: Workspace, lead_id: str, stage: str, *, amount: str | None = None, note: str = "",
                 to: str = "") -> Logged:
    """Move a lead to `stage`, recording a stage activity (won needs the order amount; a handoff names the
    recipient `to`: stored as a name, shown in the reader's language by `labels.outcome`)."""
    stage = parse_choice(stage, [s.value for s in Stage], "stage")
    value = parse_amount(amount, currency=ws.settings.currency) if amount not in (None, "") else None
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
        if to:
            activity["to"] = to
        changes: dict[str, Any] = {"stage": stage}
        if value is not None:
            changes["amount"] = value
        if stage not in OPEN_STAGES:
            changes["next_at"] = None
        previous = lead
        written = ws.add_activity(activity)
        lead = ws.update_lead(lead_id, changes)
    return Logged(written, lead, changes, previous)


class Undone(NamedTuple):
    """What taking back a log did: the lead afterwards, and whether its fields were put back (False: the lead was
    changed since the log, so only the activity was removed)."""

    lead: Record
    restored: bool


def undo_log(ws: Workspace, logged: Logged) -> Undone:
    """Take back a log: remove its activity and, while the lead is still as the log left it, put back the lead
    fields it changed; a lead changed since (by a later log, an edit, another writer) stays as it is. A lead
    with calls or e-mails left never goes back to `new`. Both together or neither."""
    with ws.transaction():
        ws.remove_activity(logged.activity)
        lead = ws.get_lead(logged.activity["lead"])
        if logged.previous is None or not logged.lead_changes:
            return Undone(lead, True)
        if lead != logged.lead:
            if logged.activity.get("kind") == ActivityKind.CALL and "call_attempts" in lead:
                left = [a for a in ws.activities_of_lead(lead["id"]) if a.get("id") != logged.activity["id"]]
                count = calls_without_connect(ws, {"id": lead["id"]}, left)  # from the history left, the truth
                if lead.get("call_attempts") != count:
                    lead = ws.update_lead(lead["id"], {"call_attempts": count})
            return Undone(lead, False)
        restore = {key: logged.previous.get(key) for key in logged.lead_changes}
        if restore.get("stage") == Stage.NEW and any(
                a.get("kind") in (ActivityKind.CALL, ActivityKind.EMAIL) and a.get("id") != logged.activity["id"]
                for a in ws.activities_of_lead(lead["id"])):
            restore["stage"] = Stage.WORKING.value
        lead = ws.update_lead(lead["id"], restore)
    return Undone(lead, True)


def amend_log(ws: Workspace, logged: Logged, *, note: str = "", next_when: str = "", script: str | None = None,
              meeting: str = "", meeting_with: list[str] | None = None, force: bool = False) -> Logged:
    """Add the note, follow-up, meeting time and talk script typed after a disposition key to the call just
    logged (a follow-up must lie ahead, and a do-not-call lead takes none unless `force`)."""
    now = ws.now()
    activity_changes: dict[str, Any] = {}
    if note.strip():
        activity_changes["note"] = multiline_text(note, "note")
    if script:
        activity_changes["script"] = script
    lead_changes: dict[str, Any] = {}
    if next_when.strip():
        lead_changes["next_at"] = iso(parse_follow_up(next_when, now, "next", day_end=ws.settings.work_hours[1]))
        if not force:
            refuse_dnc(logged.lead, N_("a follow-up"))
        refuse_closed(logged.lead)
        refuse_flagged_phone(logged.lead)
    if meeting.strip():  # the meeting's time (and who attends) typed after the call that booked it
        booked = meeting_of(logged.lead)
        lead_changes.update(meeting_changes(
            logged.lead, iso(parse_follow_up(meeting, now, "meeting", day_end=ws.settings.work_hours[1])),
            booked.get("by") or ws.rep, meeting_people(ws, meeting_with or []) or list(booked.get("with") or []),
            booked.get("minutes"), str(booked.get("place") or "")))
    with ws.transaction():
        activity = ws.update_activity(logged.activity, activity_changes) if activity_changes else logged.activity
        lead = ws.update_lead(logged.lead["id"], lead_changes) if lead_changes else logged.lead
    decision = None if "next_at" in lead_changes else logged.decision
    return Logged(activity, lead, {**logged.lead_changes, **lead_changes}, logged.previous, decision)


def undo_lead_edit(ws: Workspace, before: Record, after: Record) -> Record:
    """Take back an edit of lead fields: each field the edit changed gets its value before again, only while
    it still holds what the edit wrote (a later change by anyone else stays). Returns the lead afterwards."""
    with ws.transaction():
        lead = ws.get_lead(after["id"])
        edited = {key for key in set(before) | set(after) if before.get(key) != after.get(key)} - {"updated_at", "updated_by"}
        restore = {key: before.get(key) for key in edited if lead.get(key) == after.get(key)}
        return ws.update_lead(lead["id"], restore) if restore else lead
