"""Why a lead needs a rep today: the one definition of "open", "overdue", "due", "meeting passed", "new
inbound" and "parked", used by today's queue, the Leads tab's views and `lead list --due`.

The queue never loses a lead (DESIGN.md section 4): an open lead has a follow-up, or is parked for a
stated reason (`parking_reason`); a booked meeting whose time has passed comes back to the queue (hand off
or log the result); an open lead with neither (data from before the retry schedule) is queued as "no next
step" rather than lost."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from istui.domain.model import OPEN_STAGES, Motion, Stage
from istui.i18n import _

#: Why a lead is in today's queue, in the queue's order.
QUEUE_REASONS = ("returned", "set_meeting", "overdue", "due", "meeting_passed", "new", "no_next_step")
#: The reasons that need the rep to act today (`lead list --due`, the Leads tab's due view).
DUE_REASONS = ("returned", "set_meeting", "overdue", "due", "meeting_passed")
#: Why an open lead waits without a follow-up (`parking_reason`).
PARKING_REASONS = ("do_not_call", "wrong_number", "meeting_time_not_set", "meeting_set")


def is_open(lead: Mapping[str, Any]) -> bool:
    """Still worked by inside sales (can be queued for a call)."""
    return lead.get("stage") in OPEN_STAGES


def is_callable(lead: Mapping[str, Any]) -> bool:
    """Open and not marked do-not-call: may be in a call list."""
    return is_open(lead) and not lead.get("dnc")


def parking_reason(lead: Mapping[str, Any], now: datetime) -> str | None:
    """Why an open lead needs no follow-up (one of PARKING_REASONS), or None: it is marked do-not-call,
    its phone is flagged as a wrong number (until the phone is changed), or it has a meeting booked that is
    still ahead of `now` or whose time is not set yet. A meeting that has passed parks nothing
    (`meeting_passed`)."""
    if lead.get("dnc"):
        return "do_not_call"
    if lead.get("phone_status") == "wrong_number":
        return "wrong_number"
    if lead.get("stage") == Stage.MEETING:
        if not lead.get("meeting_at"):
            return "meeting_time_not_set"
        return "meeting_set" if datetime.fromisoformat(lead["meeting_at"]) > now else None
    return None


def parked(lead: Mapping[str, Any], now: datetime) -> str | None:
    """Why a lead waits without a follow-up (`parking_reason`), as a record's `parked` field shows it; None
    for a closed lead."""
    return parking_reason(lead, now) if is_open(lead) else None


def meeting_passed(lead: Mapping[str, Any], now: datetime) -> bool:
    """An open lead in stage meeting whose meeting time has come (at or before `now`) with no follow-up set
    after it: the rep hands it off or logs the result (a new time, a follow-up, another stage)."""
    if not is_open(lead) or lead.get("stage") != Stage.MEETING or not lead.get("meeting_at"):
        return False
    meeting = datetime.fromisoformat(lead["meeting_at"])
    if meeting > now:
        return False
    next_at = lead.get("next_at")
    return not next_at or datetime.fromisoformat(next_at) <= meeting


def flag_notes(lead: Mapping[str, Any], now: datetime, *, dnc_how: str, meeting_how: str) -> list[str]:
    """The lines a lead's card shows about its flags and why it waits (empty: none): do-not-call, a phone
    flagged as a wrong number, an open lead parked without its meeting time, a meeting that has passed.
    `dnc_how` and `meeting_how`: how this interface clears the mark and sets the meeting time."""
    notes = []
    if lead.get("dnc"):
        notes.append(_("Do not call — {how}").format(how=dnc_how))
    if lead.get("phone_status") == "wrong_number":
        notes.append(_("Phone flagged as a wrong number — change the phone to call again"))
    if parked(lead, now) == "meeting_time_not_set":
        notes.append(_("Parked: meeting time not set — set it with {how}").format(how=meeting_how))
    elif meeting_passed(lead, now) and parking_reason(lead, now) is None:
        notes.append(_("Meeting passed — hand off or log the result"))
    return notes


def shows_next(lead: Mapping[str, Any], now: datetime) -> bool:
    """Whether a card shows the lead's follow-up: not while its phone is flagged, it waits for its meeting's
    time, or its meeting has passed (a follow-up left from before would read as due)."""
    if not lead.get("next_at") or lead.get("phone_status") == "wrong_number":
        return False
    return not (parked(lead, now) == "meeting_time_not_set" or meeting_passed(lead, now))


def has_next_step(lead: Mapping[str, Any], now: datetime) -> bool:
    """The queue's invariant for one lead: closed, or a follow-up in the future, or parked for a reason,
    or new and never worked (a meeting that has passed has none: it is queued, `meeting_passed`)."""
    if not is_open(lead) or parking_reason(lead, now):
        return True
    next_at = lead.get("next_at")
    if next_at:
        return datetime.fromisoformat(next_at) > now
    return lead.get("stage") == Stage.NEW


def returned(lead: Mapping[str, Any]) -> bool:
    """Field sales returned the lead and nobody has set its next step since (its follow-up is still the return)."""
    handoff = lead.get("handoff")
    return (isinstance(handoff, dict) and handoff.get("status") == "rejected" and is_open(lead)
            and bool(lead.get("next_at")) and lead.get("next_at") == handoff.get("decided_at"))


def is_new_inbound(lead: Mapping[str, Any]) -> bool:
    """An inbound (SDR) lead nobody has contacted yet: speed to lead puts it at the top of the day."""
    return lead.get("stage") == Stage.NEW and lead.get("motion") == Motion.SDR and not lead.get("dnc")


def queue_reason(lead: Mapping[str, Any], day_start: datetime, day_end: datetime, now: datetime) -> str | None:
    """Why a lead is in the queue of the day [day_start, day_end) at `now`: its meeting has passed
    (`meeting_passed`), field sales returned it (`returned`), its follow-up is overdue (before the day) or due (within it), or it is new inbound
    with no follow-up set, or it was worked and has neither a follow-up nor a parking reason
    (`no_next_step`); else None. Do-not-call leads are never queued."""
    if not is_callable(lead):
        return None
    parking = parking_reason(lead, now)  # (read once: this runs for every lead of the queue)
    if meeting_passed(lead, now) and parking is None:
        return "meeting_passed"
    if parking == "meeting_time_not_set":
        return "set_meeting"  # a meeting booked without its time: setting it is the next action
    next_at = lead.get("next_at")
    if next_at:
        moment = datetime.fromisoformat(next_at)
        if returned(lead) and moment < day_end:
            return "returned"
        if moment < day_start:
            return "overdue"
        if moment < day_end:
            return "due"
        return None
    if is_new_inbound(lead):
        return "new"
    if lead.get("stage") == Stage.NEW or parking:
        return None
    return "no_next_step"
