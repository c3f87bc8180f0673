"""The handoff loop's forms: return a handoff with a reason, rate it, mark a meeting held or a no-show, set a
meeting's time, attendees and place, and write or mail its calendar invite."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.suggester import SuggestFromList
from textual.widgets import Input, Select

from istui.domain import handoffs as ho
from istui.domain.errors import BadInput
from istui.domain.formatting import when
from istui.domain.parsing import multiline_text, parse_int, parse_when
from istui.domain.roster import display_name, require_member
from istui.domain.text import named
from istui.i18n import N_, _
from istui.tui.screens.forms import Field, FormScreen, select

Record = dict[str, Any]


def _chosen(value: Any, field: str, what: str) -> str:
    if value in (None, Select.NULL, ""):
        raise BadInput(_("{field}: choose {what}.").format(field=field, what=what))
    return str(value)


def _note(label: str = N_("Note")) -> Field:
    return Field("note", label, Input(id="field-note"), lambda v: multiline_text(v, "note"))


def reject_form(lead: Record, reasons: list[str]) -> FormScreen:
    options = [(ho.reason_label(code), code) for code in reasons]
    fields = [Field("reason", N_("Why it goes back *"), select(options, None, allow_blank=True),
                    lambda v: _chosen(v, "reason", _("a reason"))), _note(N_("Note for inside sales"))]
    return FormScreen(_("Return {company} to inside sales").format(company=named(lead.get("company", ""))), fields,
                      submit_label=N_("Return"))


def rate_form(lead: Record) -> FormScreen:
    options = [(f"{n} {'★' * n}", str(n)) for n in ho.RATINGS]
    fields = [Field("rating", N_("How good was the handoff? *"), select(options, None, allow_blank=True),
                    lambda v: _chosen(v, "rating", _("a rating from 1 to 5"))),
              _note(N_("What information was missing"))]
    return FormScreen(_("Rate the handoff of {company}").format(company=named(lead.get("company", ""))), fields,
                      submit_label=N_("Rate"))


def mark_form(lead: Record, now: datetime) -> FormScreen:
    """Held or a no-show (once its time has come), or called off (before it is marked, at any time)."""
    options = [(_(ho.MEETING_LABELS[status]), status) for status in (*ho.MEETING_STATUSES, ho.CALLED_OFF)]
    fields = [Field("status", N_("The meeting"), select(options, ho.HELD),
                    lambda v: _chosen(v, "meeting", _("held, no-show or called off"))), _note()]
    return FormScreen(_("Meeting with {company}, {when}").format(company=named(lead.get("company", "")),
                                                                 when=when(lead.get("meeting_at"), now)), fields,
                      submit_label=N_("Mark"))


def meeting_form(lead: Record, now: datetime, roster: dict[str, Any] | None, day_end: Any) -> FormScreen:
    """The meeting's time (a WHEN), length, attendees (roster names, comma-separated) and place or URL."""
    meeting = ho.meeting_of(lead)
    field_sales = sorted(name for name, entry in (roster or {}).items() if entry.get("role") == "field")

    def at(value: str) -> str:
        if not value.strip() and not lead.get("meeting_at"):
            raise BadInput(_("at: give the meeting's time, e.g. tomorrow 14:00."))
        if value.strip():
            parse_when(value, now, "at", day_end=day_end)
        return value.strip()

    def people(value: str) -> list[str]:
        return [require_member(roster, name.strip(), "with") for name in value.split(",") if name.strip()]

    def minutes(value: str) -> int | None:
        return parse_int(value, "minutes", 5, ho.MAX_MEETING_MINUTES) if value.strip() else None

    shown = ", ".join(str(name) for name in meeting.get("with") or [])
    hint = ", ".join(f"{name} ({display_name(roster, name)})" for name in field_sales)
    fields = [
        Field("at", N_("When (e.g. tomorrow 14:00, 12/10 10:00)"), Input(when(lead.get("meeting_at"), now)
              if lead.get("meeting_at") else "", id="field-at"), at),
        Field("minutes", N_("Minutes"), Input(str(meeting.get("minutes") or ""), id="field-minutes"), minutes),
        Field("with", _("Who attends (roster names, comma-separated): {names}").format(names=hint or "–"),
              Input(shown, id="field-with", suggester=SuggestFromList(field_sales)), people),
        Field("place", N_("Place or online URL"), Input(str(meeting.get("place") or ""), id="field-place"),
              lambda v: multiline_text(v, "place")),
    ]
    return FormScreen(_("Meeting with {company}").format(company=named(lead.get("company", ""))), fields)


def invite_form(lead: Record, default_path: str, can_mail: bool, cancel: bool = False) -> FormScreen:
    """How to send the meeting's invite (or, `cancel`, the cancellation of the meeting called off): mail or a file."""
    options = [(_("write the file"), "file")] + ([(_("mail it to those attending"), "mail")] if can_mail else [])
    fields = [Field("how", N_("Cancellation") if cancel else N_("Invite"), select(options, "mail" if can_mail else "file"),
                    lambda v: _chosen(v, "how", "")),
              Field("path", N_("File (when written)"), Input(default_path, id="field-path"), lambda v: v.strip())]
    title = _("Cancellation of the meeting with {company}") if cancel else _("Calendar invite for the meeting with {company}")
    return FormScreen(title.format(company=named(lead.get("company", ""))), fields,
                      submit_label=N_("Send") if cancel else N_("Invite"))
