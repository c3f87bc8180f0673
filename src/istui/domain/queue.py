"""Why a lead needs a rep today: the one definition of "open", "overdue", "due" and "new inbound",
used by today's queue, the Leads tab's views and `lead list --due`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from istui.domain.model import OPEN_STAGES, Motion, Stage

#: Why a lead is in today's queue, in the queue's order.
QUEUE_REASONS = ("overdue", "due", "new")


def is_open(lead: Mapping[str, Any]) -> bool:
    """Still worked by inside sales (can be queued for a call)."""
    return lead.get("stage") in OPEN_STAGES


def is_new_inbound(lead: Mapping[str, Any]) -> bool:
    """An inbound (SDR) lead nobody has contacted yet: speed to lead puts it at the top of the day."""
    return lead.get("stage") == Stage.NEW and lead.get("motion") == Motion.SDR


def queue_reason(lead: Mapping[str, Any], day_start: datetime, day_end: datetime) -> str | None:
    """Why a lead is in the queue of the day [day_start, day_end): its follow-up is overdue (before the
    day) or due (within it), or it is new inbound with no follow-up set; else None."""
    if not is_open(lead):
        return None
    next_at = lead.get("next_at")
    if next_at:
        moment = datetime.fromisoformat(next_at)
        if moment < day_start:
            return "overdue"
        if moment < day_end:
            return "due"
        return None
    return "new" if is_new_inbound(lead) else None
