"""The handoff sheet: what field sales reads before the first meeting, as Markdown to paste."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from istui.domain.formatting import md_escape
from istui.domain.model import DEFAULT_SOURCES

BANT_LABELS = (("budget", "Budget (予算)"), ("authority", "Authority (決裁者)"), ("need", "Need (課題・ニーズ)"),
               ("timeline", "Timeline (導入時期)"))


def _md(text: Any) -> str:
    return md_escape(text) or "–"


def handoff_sheet(lead: Mapping[str, Any], activities: Iterable[Mapping[str, Any]], currency: str = "JPY") -> str:
    handoff = lead.get("handoff") or {}
    source = lead.get("source", "")
    lines = [
        f"# Handoff: {_md(lead['company'])}",
        "",
        f"Handed to **{_md(handoff.get('to'))}** by {_md(handoff.get('by'))} on {str(handoff.get('at', '–'))[:16].replace('T', ' ')}.",
        "",
        "## Lead",
        f"- Company: {_md(lead.get('company'))}",
        f"- Contact: {_md(lead.get('contact'))}" + (f" ({_md(lead.get('title'))})" if lead.get("title") else ""),
        f"- Phone: {_md(lead.get('phone'))}",
        f"- E-mail: {_md(lead.get('email'))}",
        f"- Source: {source} ({DEFAULT_SOURCES.get(source, source)}), motion {lead.get('motion', '–')}, temperature {lead.get('temp', '–')}",
        f"- Inside-sales owner: {_md(lead.get('owner'))}",
        f"- Lead id: `{lead['id']}`",
        "",
        "## BANT",
    ]
    lines += [f"- **{label}**: {_md(handoff.get(key))}" for key, label in BANT_LABELS]
    lines += ["", "## Notes", _md(handoff.get("note")) if handoff.get("note") else "–", "", "## Activity history"]
    history = list(activities)
    if not history:
        lines.append("No activity logged.")
    for activity in history:
        detail = activity.get("outcome") or ""
        if activity.get("amount"):
            detail += f" {activity['amount']:,} {currency}"
        note = f" — {_md(activity['note'])}" if activity.get("note") else ""
        lines.append(f"- {activity['at'][:16].replace('T', ' ')} {activity['kind']} {detail} ({_md(activity['rep'])}){note}")
    if lead.get("memo"):
        lines += ["", "## Memo", _md(lead["memo"])]
    return "\n".join(lines) + "\n"
