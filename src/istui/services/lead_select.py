"""Which leads a list names: the filters of `istui lead list`, which `campaign create` takes too (one home)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from istui.domain.model import Stage
from istui.store.workspace import Record, Workspace

FILTERS = ("stage", "source", "owner", "tag", "search", "due")


def matches(lead: Record, text: str) -> bool:
    """`text` is folded (`domain.text.fold`): widths, kana and company designators do not matter."""
    from istui.domain.text import lead_search_text

    if text in lead_search_text(lead, romaji=any("a" <= ch <= "z" for ch in text)):  # romaji only for letters
        return True
    digits = "".join(ch for ch in text if ch.isdigit())
    numbers = (str(lead.get("phone") or ""), str(lead.get("phone_e164") or ""))
    return len(digits) >= 4 and any(digits in "".join(ch for ch in number if ch.isdigit()) for number in numbers)


def clean_filters(ws: Workspace, filters: dict[str, Any]) -> dict[str, Any]:
    """The filters given, each checked (a stage, source or owner not known is refused in one sentence)."""
    from istui.domain.parsing import parse_choice
    from istui.domain.roster import require_member

    cleaned = {name: value for name, value in filters.items() if name in FILTERS and value}
    if "stage" in cleaned:
        cleaned["stage"] = parse_choice(cleaned["stage"], [s.value for s in Stage], "stage")
    if "source" in cleaned:
        cleaned["source"] = parse_choice(cleaned["source"], ws.settings.sources, "source")
    if "owner" in cleaned:  # a name not on the roster is refused, listing it (as `lead add --owner`)
        cleaned["owner"] = require_member(ws.settings.roster, cleaned["owner"], "owner")
    return cleaned


def select(leads: Iterable[Record], filters: dict[str, Any], now: datetime) -> list[Record]:
    """The leads that pass every filter (cleaned by `clean_filters`), newest first."""
    from istui.domain.queue import DUE_REASONS
    from istui.domain.text import fold
    from istui.services.today import today_queue

    stage, source, owner, tag = (filters.get(name) for name in ("stage", "source", "owner", "tag"))
    search = fold(filters["search"]) if filters.get("search") else ""
    selected = [
        lead for lead in leads
        if (not stage or lead["stage"] == stage)
        and (not source or lead["source"] == source)
        and (not owner or lead.get("owner") == owner)
        and (not tag or tag in lead.get("tags", []))
        and (not search or matches(lead, search))
    ]
    if filters.get("due"):
        due_ids = {e["lead"]["id"] for e in today_queue(selected, now) if e["reason"] in DUE_REASONS}
        selected = [lead for lead in selected if lead["id"] in due_ids]
    selected.sort(key=lambda lead: (lead["created_at"], lead["id"]), reverse=True)
    return selected
