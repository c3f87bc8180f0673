"""The handoff loop with field sales (DESIGN.md sections 3–5), pure: a handoff's rounds and status, its SLA,
the reasons field sales returns a lead for, the handoff sheet's fields, a lead's meeting and who attends it,
and the tasks the loop puts in someone's Today.

A lead's `handoff` is its latest round: the sheet (`to`, `at`, `by`, the sheet fields, `note`), then
`status` (proposed → accepted | rejected), `decided_at`, `decided_by`, `reason` (a code of the workspace's
list), `decision_note`, and the field rep's `rating` (1–5) and `feedback`. A lead handed off again keeps its
earlier rounds in `handoff_history` (oldest first), so every round is counted. A handoff written before the
loop existed has no status: it reads as proposed while the lead is handed off, and as undecided otherwise.

A lead's meeting is `meeting_at` and `meeting` ({minutes, with: roster names, place, by: who booked it,
status: held | no_show, marked_at, marked_by}); a meeting replaced by a new one after it was marked moves to
`meeting_history`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from istui.domain.errors import BadInput
from istui.i18n import N_, _

Record = Mapping[str, Any]

PROPOSED, ACCEPTED, REJECTED = "proposed", "accepted", "rejected"
STATUSES = (PROPOSED, ACCEPTED, REJECTED)
STATUS_LABELS = {PROPOSED: N_("proposed"), ACCEPTED: N_("accepted"), REJECTED: N_("returned")}
#: Why field sales returns a lead (the default list; the workspace's `reject_reasons` setting may differ).
DEFAULT_REJECT_REASONS = ("no_budget", "no_authority", "no_need", "bad_timing", "wrong_contact", "duplicate",
                          "not_qualified", "other")
REASON_LABELS = {"no_budget": N_("no budget"), "no_authority": N_("no authority"), "no_need": N_("no need"),
                 "bad_timing": N_("bad timing"), "wrong_contact": N_("wrong contact"), "duplicate": N_("duplicate"),
                 "not_qualified": N_("not qualified"), "other": N_("other")}
#: The handoff sheet's fields besides the note, and what the sheet calls them; BANT is required by default.
SHEET_FIELDS = {"budget": N_("Budget"), "authority": N_("Authority"), "need": N_("Need"), "timeline": N_("Timeline"),
                "decision_date": N_("Decision date"), "budget_range": N_("Budget range"),
                "competitors": N_("Competitors"), "current_tool": N_("Current tool")}
DEFAULT_REQUIRED = ("budget", "authority", "need", "timeline")
DEFAULT_SLA_HOURS = 24
HELD, NO_SHOW, CALLED_OFF = "held", "no_show", "called_off"
MEETING_STATUSES = (HELD, NO_SHOW)  # (what a meeting can be marked; one called off by a return is neither)
MEETING_LABELS = {HELD: N_("held"), NO_SHOW: N_("no-show"), CALLED_OFF: N_("called off")}
RATINGS = range(1, 6)
MAX_MEETING_MINUTES = 24 * 60

#: Why a lead is in someone's Today because of the loop, in the order Today lists them: handoffs waiting
#: past their SLA, handoffs waiting, meetings past their time and not marked, meetings of the day.
TASK_REASONS = ("handoff_overdue", "handoff_proposed", "meeting_unmarked", "meeting_today")


def handoff_of(lead: Record) -> dict[str, Any]:
    """The lead's latest handoff round ({} when it has none, or a value that is no object)."""
    handoff = lead.get("handoff")
    return handoff if isinstance(handoff, dict) else {}


def meeting_of(lead: Record) -> dict[str, Any]:
    """The lead's meeting record ({} when it has none, or a value that is no object)."""
    meeting = lead.get("meeting")
    return meeting if isinstance(meeting, dict) else {}


def status(lead: Record) -> str | None:
    """The status of the lead's latest handoff (None: never handed off, or handed off before the loop and no
    longer in stage handed_off)."""
    handoff = lead.get("handoff")
    if not isinstance(handoff, dict) or not handoff:
        return None
    known = handoff.get("status")
    if known in STATUSES:
        return known
    return PROPOSED if lead.get("stage") == "handed_off" else None


def waiting(lead: Record) -> bool:
    """Whether the lead's handoff waits for field sales' answer: proposed, and the lead still handed off (one
    closed or moved on without an answer waits no longer)."""
    return status(lead) == PROPOSED and lead.get("stage") == "handed_off"


def overdue(lead: Record, due: datetime | None, now: datetime) -> bool:
    """Whether the lead's handoff is waiting past its SLA (`due`: when the SLA ends)."""
    return waiting(lead) and due is not None and due <= now


def rounds(lead: Record) -> list[Record]:
    """Every handoff round of the lead, oldest first (the latest is `lead["handoff"]`)."""
    history = [r for r in lead.get("handoff_history") or () if isinstance(r, dict)]
    handoff = lead.get("handoff")
    if isinstance(handoff, dict) and handoff:
        history.append({**handoff, "status": status(lead)})
    return history


def parse_reason(text: str, reasons: Iterable[str]) -> str:
    """A rejection reason code of the workspace's list; BadInput listing the codes otherwise."""
    reasons = list(reasons)
    code = (text or "").strip().casefold().replace("-", "_").replace(" ", "_")
    if code not in reasons:
        raise BadInput(_("reason: '{value}' is not one of {options}.").format(value=text, options=", ".join(reasons)))
    return code


def parse_rating(text: str | int) -> int:
    try:
        rating = int(str(text).strip())
    except ValueError:
        rating = 0
    if rating not in RATINGS:
        raise BadInput(_("rating: '{value}' is not a whole number from 1 to 5.").format(value=text))
    return rating


def missing_fields(sheet: Mapping[str, Any], required: Iterable[str]) -> list[str]:
    """The required sheet fields left empty, in the order required."""
    return [name for name in required if not str(sheet.get(name) or "").strip()]


def sla_due(handoff: Record, add_hours: Callable[[datetime, int], datetime], hours: int) -> datetime | None:
    """When field sales should have decided on the handoff: `hours` working hours after it was proposed."""
    try:
        proposed = datetime.fromisoformat(str(handoff.get("at")))
    except ValueError:
        return None
    return add_hours(proposed, hours)


def attendees(lead: Record) -> list[str]:
    """Who attends the lead's meeting: the rep who booked it and those booked with it (roster names)."""
    meeting = meeting_of(lead)
    people = [meeting.get("by"), *(meeting.get("with") or [])]
    return list(dict.fromkeys(p for p in people if isinstance(p, str) and p))


def invited(meeting: Record) -> list[str]:
    """The addresses a meeting's invite went to (kept as one text: a list would be a value older istui cannot read)."""
    text = meeting.get("invited")
    return [part.strip() for part in text.split(",") if part.strip()] if isinstance(text, str) else []


def meeting_status(lead: Record) -> str | None:
    meeting = lead.get("meeting")
    return meeting.get("status") if isinstance(meeting, dict) else None


def task_reason(lead: Record, rep: str, now: datetime, day_end: datetime, due: datetime | None) -> str | None:
    """Why the loop puts the lead in `rep`'s Today (one of TASK_REASONS), or None. `due`: its handoff's SLA."""
    handoff = handoff_of(lead)
    if waiting(lead) and handoff.get("to") == rep:
        return "handoff_overdue" if overdue(lead, due, now) else "handoff_proposed"
    if not lead.get("meeting_at") or lead.get("stage") in ("won", "lost", "disqualified"):
        return None
    people = attendees(lead)
    if rep not in people and handoff.get("to") != rep:
        return None
    moment = datetime.fromisoformat(lead["meeting_at"])
    if moment <= now and meeting_status(lead) is None and (lead.get("stage") == "handed_off" or lead.get("owner") != rep):
        return "meeting_unmarked"  # those who attended say whether it took place (its owner's queue: meeting_passed)
    if now.replace(hour=0, minute=0, second=0, microsecond=0) <= moment < day_end and meeting_status(lead) is None:
        return "meeting_today"
    return None


def involves(lead: Record, rep: str | None) -> bool:
    """Whether the loop can ever put the lead in `rep`'s Today (what a cache of such leads keeps)."""
    if rep is None:
        return False
    handoff = handoff_of(lead)
    return handoff.get("to") == rep or (bool(lead.get("meeting_at")) and rep in attendees(lead))


def reason_label(code: str | None) -> str:
    return _(REASON_LABELS[code]) if code in REASON_LABELS else str(code or "–")


def meeting_changes(lead: Record, at: str | None, by: str, with_: list[str], minutes: int | None,
                    place: str) -> dict[str, Any]:
    """The lead fields a meeting booked or set writes: its time and record; a meeting already marked held or a
    no-show moves to `meeting_history` first (it is counted still)."""
    changes: dict[str, Any] = {"meeting_at": at, "meeting": {"by": by, "with": list(with_), "minutes": minutes,
                                                             "place": place, "status": None}}
    old = lead.get("meeting")
    if lead.get("meeting_at") and isinstance(old, dict) and old.get("status"):
        history = [m for m in lead.get("meeting_history") or () if isinstance(m, dict)]
        changes["meeting_history"] = [*history, {**old, "at": lead["meeting_at"]}]
    return changes


def called_off(lead: Record, at: str, by: str) -> dict[str, Any]:
    """The lead fields a return writes when the lead's meeting has not been marked: the meeting moves to
    `meeting_history` as called off (never counted as held or a no-show) and the lead has no meeting time."""
    if not lead.get("meeting_at") or meeting_status(lead) is not None:
        return {}
    history = [m for m in lead.get("meeting_history") or () if isinstance(m, dict)]
    entry = {**meeting_of(lead), "at": lead["meeting_at"], "status": CALLED_OFF, "marked_at": at, "marked_by": by}
    return {"meeting_at": None, "meeting": None, "meeting_history": [*history, entry]}


def called_off_last(lead: Record) -> tuple[int, Record] | None:
    """The meeting called off last, when the lead has had none since: its place in `meeting_history` (the number
    its invite was made with, so a cancellation names the same event) and its record; None otherwise."""
    history = lead.get("meeting_history")
    if lead.get("meeting_at") or not isinstance(history, list) or not history:
        return None
    entry = history[-1]
    if isinstance(entry, dict) and entry.get("status") == CALLED_OFF and isinstance(entry.get("at"), str):
        return len(history) - 1, entry
    return None


def as_current(lead: Record, index: int, entry: Record) -> Record:
    """The lead as it was while the meeting `entry` (at `index` of its history) was its meeting."""
    meeting = {key: value for key, value in entry.items() if key not in ("at", "status", "marked_at", "marked_by")}
    return {**lead, "meeting_at": entry["at"], "meeting": {**meeting, "status": None},
            "meeting_history": lead["meeting_history"][:index]}


def in_words(field: str, value: Any) -> str | None:
    """A lead's handoff or meeting as a sync conflict names it — its status, who answered, why it came back — or
    None for any other field."""
    if field == "handoff" and isinstance(value, dict):
        state = value.get("status") if value.get("status") in STATUSES else PROPOSED
        text = _(STATUS_LABELS[state]) + (f" ({reason_label(value.get('reason'))})" if state == REJECTED else "")
        who = value.get("to") if state == PROPOSED else value.get("decided_by")
        return text + (f" — {who}" if isinstance(who, str) and who else "")
    if field == "meeting" and isinstance(value, dict):
        text = _(MEETING_LABELS[value["status"]]) if value.get("status") in MEETING_LABELS else _("unmarked")
        at = value.get("at")  # (the meeting's time, when the conflict recorded it)
        return f"{text} {at[5:16].replace('T', ' ')}" if isinstance(at, str) and len(at) >= 16 else text
    if field == "meeting" and value is None:
        return _("no meeting (none set, or called off)")
    return None


def meetings(lead: Record) -> list[Record]:
    """Every meeting of the lead with its time: earlier ones marked, then the current one."""
    found = [m for m in lead.get("meeting_history") or () if isinstance(m, dict) and m.get("at")]
    if lead.get("meeting_at"):
        current = meeting_of(lead)
        found.append({**current, "at": lead["meeting_at"]})
    return found


def split_attendees(text: str) -> tuple[str, list[str]]:
    """`tue 14:00 @kimura @mori` → ("tue 14:00", ["kimura", "mori"]): a meeting's WHEN with the roster names of
    those attending, each written after an @ (the call block's one field)."""
    words = text.split()
    return " ".join(w for w in words if not w.startswith("@")), [w[1:] for w in words if w.startswith("@") and w[1:]]


def card_rows(lead: Record, now: datetime, sla_due: datetime | None = None) -> list[tuple[str, str]]:
    """The lines a lead's card shows about its meeting and its handoff (label marked for translation, value):
    when and how long, who attends, where, held or no-show; to whom, its status, by when field sales should answer
    (`sla_due`, while it waits), why it came back, the rating."""
    from istui.domain.formatting import when

    rows: list[tuple[str, str]] = []
    meeting = meeting_of(lead)
    if lead.get("meeting_at"):
        parts = [when(lead["meeting_at"], now)]
        if type(meeting.get("minutes")) is int:
            parts.append(_("{minutes} min").format(minutes=meeting["minutes"]))
        if meeting.get("status") in MEETING_LABELS:
            parts.append(_(MEETING_LABELS[meeting["status"]]))
        rows.append((N_("Meeting time"), " · ".join(parts)))
        people = attendees(lead)
        if people:
            rows.append((N_("With"), ", ".join(people)))
        if meeting.get("place"):
            rows.append((N_("Place"), str(meeting["place"])))
    handoff = handoff_of(lead)
    if handoff:
        state = status(lead)
        text = _("to {name} on {date}").format(name=handoff.get("to", ""), date=when(handoff.get("at"), now))
        if state:
            text += f" · {_(STATUS_LABELS[state])}"
        if type(handoff.get("round")) is int and handoff["round"] > 1:
            text += " · " + _("handoff #{count}").format(count=handoff["round"])
        rows.append((N_("Handoff"), text))
        if waiting(lead) and sla_due is not None:
            rows.append((N_("Reply by"), when(sla_due.isoformat(), now) + (
                " · " + _("past the SLA") if overdue(lead, sla_due, now) else "")))
        if state == REJECTED:
            why = reason_label(handoff.get("reason"))
            rows.append((N_("Returned"), why + (f" — {handoff['decision_note']}" if handoff.get("decision_note") else "")))
        if type(handoff.get("rating")) is int:
            rows.append((N_("Rating"), f"{handoff['rating']}/5" + (f" — {handoff['feedback']}" if handoff.get("feedback") else "")))
    return rows
