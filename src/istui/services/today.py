"""Today's queue: overdue follow-ups, then those due today, then booked meetings whose time has passed (hand
off or log the result), then new inbound leads (speed to lead), then worked leads left without a next step
(never lost); do-not-call leads never."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from istui.domain.model import TEMPERATURE_RANK
from istui.domain.queue import QUEUE_REASONS, queue_reason


def today_queue(leads: Iterable[Mapping[str, Any]], now: datetime, rep: str | None = None) -> list[dict[str, Any]]:
    """Queue entries `{"reason", "lead"}` best first; `rep` keeps that rep's and unowned leads."""
    day_start = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    day_end = day_start + timedelta(days=1)
    entries = []
    for lead in leads:
        if rep is not None and lead.get("owner") not in (rep, "", None):
            continue
        reason = queue_reason(lead, day_start, day_end, now)
        if reason:
            entries.append({"reason": reason, "lead": lead})

    def order(entry: dict[str, Any]) -> tuple:
        lead = entry["lead"]
        temp = TEMPERATURE_RANK.get(lead.get("temp"), 1)
        if entry["reason"] == "new":  # the freshest inbound lead converts best: newest first
            return (QUEUE_REASONS.index("new"), temp, -datetime.fromisoformat(lead["created_at"]).timestamp(), lead["id"])
        if entry["reason"] == "no_next_step":  # worked, then left without a follow-up: oldest touch first
            touched = datetime.fromisoformat(lead.get("updated_at") or lead["created_at"])
            return (QUEUE_REASONS.index("no_next_step"), temp, touched.timestamp(), lead["id"])
        moment = lead["meeting_at"] if entry["reason"] == "meeting_passed" else lead["next_at"]  # the earliest first
        return (QUEUE_REASONS.index(entry["reason"]), temp, datetime.fromisoformat(moment).timestamp(), lead["id"])

    return sorted(entries, key=order)
