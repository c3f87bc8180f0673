"""The handoff sheet: what field sales reads before the first meeting, as Markdown to paste."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from istui.domain import labels
from istui.domain.errors import NotFound
from istui.domain.formatting import long_when, md_escape
from istui.domain.handoffs import DEFAULT_REQUIRED, SHEET_FIELDS
from istui.domain.model import DEFAULT_SOURCES
from istui.domain.text import terminal_safe
from istui.i18n import _, language
from istui.store.workspace import Workspace


def _md(text: Any, multiline: bool = False) -> str:
    return md_escape(text, multiline) or "–"


def handoff_sheet(lead: Mapping[str, Any], activities: Iterable[Mapping[str, Any]], currency: str = "JPY") -> str:
    """The sheet in the language in force; every value from the records is escaped (data, not Markdown) and
    the sheet holds no control character (it is printed, shown and copied to the clipboard)."""
    handoff = lead.get("handoff") or {}
    source = lead.get("source", "")
    source_text = _md(DEFAULT_SOURCES.get(source, source) if language() == "ja"
                      else f"{source} ({DEFAULT_SOURCES.get(source, source)})")
    lines = [
        "# " + _("Handoff: {company}").format(company=_md(lead["company"])),
        "",
        _("Handed to **{to}** by {by} on {at}.").format(to=_md(handoff.get("to")), by=_md(handoff.get("by")),
                                                        at=long_when(handoff.get("at"))),
        "",
        "## " + _("Lead"),
        f"- {_('Company')}: {_md(lead.get('company'))}" + (f" ({_md(lead['company_kana'])})" if lead.get("company_kana") else ""),
        f"- {_('Contact')}: {_md(lead.get('contact'))}" + (f" ({_md(lead.get('title'))})" if lead.get("title") else ""),
        f"- {_('Phone')}: {_md(lead.get('phone'))}",
        f"- {_('E-mail')}: {_md(lead.get('email'))}",
        "- " + _("Source: {source}, motion {motion}, temperature {temp}").format(
            source=source_text, motion=labels.motion(lead.get("motion", "–")), temp=labels.temperature(lead.get("temp", "–"))),
        f"- {_('Inside-sales owner')}: {_md(lead.get('owner'))}",
        f"- {_('Lead id')}: `{lead['id']}`",
        "",
        "## BANT",
    ]
    lines += [f"- **{_(label)}**: {_md(handoff.get(key))}" for key, label in SHEET_FIELDS.items()
              if key in DEFAULT_REQUIRED or handoff.get(key)]
    lines += ["", "## " + _("Notes for field sales"), _md(handoff.get("note"), multiline=True), "", "## " + _("Activity history")]
    history = list(activities)
    if not history:
        lines.append(_("No activity logged."))
    for activity in history:
        detail = labels.outcome(activity)
        if activity.get("amount"):
            detail += f" {activity['amount']:,} {currency}"
        note = f" — {_md(activity['note'])}" if activity.get("note") else ""
        kind = labels.activity_kind(activity["kind"])
        lines.append(f"- {long_when(activity['at'])} {kind} {detail} ({_md(activity['rep'])}){note}")
    if lead.get("memo"):
        lines += ["", "## " + _("Memo"), _md(lead["memo"], multiline=True)]
    return terminal_safe("\n".join(lines), multiline=True) + "\n"  # ids and times too: nothing a terminal runs


def sheet_of(ws: Workspace, lead: Mapping[str, Any]) -> str:
    """The handoff sheet of a lead handed off before, as it reads now (activities logged since included);
    a lead that was never handed off is one sentence."""
    if not isinstance(lead.get("handoff"), dict) or not lead["handoff"]:
        raise NotFound(_("{company} ({id}) has not been handed off, so it has no handoff sheet.").format(
            company=terminal_safe(lead.get("company", "")), id=lead["id"][:10]))
    return handoff_sheet(lead, ws.activities_of_lead(lead["id"]), ws.settings.currency)
