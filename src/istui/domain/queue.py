"""Why a lead needs a rep today: the one definition of "open", "overdue", "due", "new inbound" and
"parked", used by today's queue, the Leads tab's views and `lead list --due`.

The queue never loses a lead (DESIGN.md section 4): an open lead has a follow-up, or is parked for a
stated reason (`parking_reason`); an open lead with neither (data from before the retry schedule) is
queued as "no next step" rather than lost."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from istui.domain.model import OPEN_STAGES, Motion, Stage
from istui.i18n import _

#: Why a lead is in today's queue, in the queue's order.
QUEUE_REASONS = ("overdue", "due", "new", "no_next_step")
#: Why an open lead waits without a follow-up (`parking_reason`).
PARKING_REASONS = ("do_not_call", "wrong_number", "meeting_time_not_set", "meeting_set")


def is_open(lead: Mapping[str, Any]) -> bool:
    """Still worked by inside sales (can be queued for a call)."""
    return lead.get("stage") in OPEN_STAGES


def is_callable(lead: Mapping[str, Any]) -> bool:
    """Open and not marked do-not-call: may be in a call list."""
    return is_open(lead) and not lead.get("dnc")


def parking_reason(lead: Mapping[str, Any]) -> str | None:
    """Why an open lead needs no follow-up (one of PARKING_REASONS), or None: it is marked do-not-call,
    its phone is flagged as a wrong number (until the phone is changed), or it has a meeting booked (with
    or without the meeting's time)."""
    if lead.get("dnc"):
        return "do_not_call"
    if lead.get("phone_status") == "wrong_number":
        return "wrong_number"
    if lead.get("stage") == Stage.MEETING:
        return "meeting_set" if lead.get("meeting_at") else "meeting_time_not_set"
    return None


def flag_notes(lead: Mapping[str, Any], *, dnc_how: str, meeting_how: str) -> list[str]:
    """The lines a lead's card shows about its flags and why it waits (empty: none): do-not-call, a phone
    flagged as a wrong number, an open lead parked without its meeting time. `dnc_how` and `meeting_how`:
    how this interface clears the mark and sets the meeting time."""
    notes = []
    if lead.get("dnc"):
        notes.append(_("Do not call — {how}").format(how=dnc_how))
    if lead.get("phone_status") == "wrong_number":
        notes.append(_("Phone flagged as a wrong number — change the phone to call again"))
    if is_open(lead) and parking_reason(lead) == "meeting_time_not_set":
        notes.append(_("Parked: meeting time not set — set it with {how}").format(how=meeting_how))
    return notes


def shows_next(lead: Mapping[str, Any]) -> bool:
    """Whether a card shows the lead's follow-up: not while its phone is flagged or it waits for its meeting's
    time (a follow-up left from before would read as due)."""
    if not lead.get("next_at") or lead.get("phone_status") == "wrong_number":
        return False
    return not (is_open(lead) and parking_reason(lead) == "meeting_time_not_set")


def has_next_step(lead: Mapping[str, Any], now: datetime) -> bool:
    """The queue's invariant for one lead: closed, or a follow-up in the future, or parked for a reason,
    or new and never worked."""
    if not is_open(lead) or parking_reason(lead):
        return True
    next_at = lead.get("next_at")
    if next_at:
        return datetime.fromisoformat(next_at) > now
    return lead.get("stage") == Stage.NEW


def is_new_inbound(lead: Mapping[str, Any]) -> bool:
    """An inbound (SDR) lead nobody has contacted yet: speed to lead puts it at the top of the day."""
    return lead.get("stage") == Stage.NEW and lead.get("motion") == Motion.SDR and not lead.get("dnc")


def queue_reason(lead: Mapping[str, Any], day_start: datetime, day_end: datetime) -> str | None:
    """Why a lead is in the queue of the day [day_start, day_end): its follow-up is overdue (before the
    day) or due (within it), or it is new inbound with no follow-up set, or it was worked and has neither
    a follow-up nor a parking reason (`no_next_step`); else None. Do-not-call leads are never queued."""
    if not is_callable(lead):
        return None
    next_at = lead.get("next_at")
    if next_at:
        moment = datetime.fromisoformat(next_at)
        if moment < day_start:
            return "overdue"
        if moment < day_end:
            return "due"
        return None
    if is_new_inbound(lead):
        return "new"
    if lead.get("stage") == Stage.NEW or parking_reason(lead):
        return None
    return "no_next_step"
