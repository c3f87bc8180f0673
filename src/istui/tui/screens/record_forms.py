"""The forms of the workspace's records, built on FormScreen with the domain's own validators. A form opens
with the record's values as a terminal may show them (`domain.text.terminal_safe`); only the fields a rep
changes are written."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from textual.suggester import SuggestFromList
from textual.widgets import Input, Select, TextArea

from istui.domain import labels
from istui.domain.formatting import when
from istui.domain.handoffs import DEFAULT_REQUIRED, SHEET_FIELDS, handoff_of, split_attendees
from istui.domain.model import Motion, NoteKind, Stage, Temperature
from istui.domain.outcomes import MEETING_BOOKED, parse_call_outcome
from istui.domain.parsing import multiline_text, parse_amount, parse_follow_up, require_text
from istui.domain.phones import example
from istui.domain.roster import display_name, require_recipient
from istui.domain.schedule import ASKS_FOR_WHEN
from istui.domain.text import named, terminal_safe
from istui.domain.validation import clean_lead_field, clean_note_field
from istui.domain.when import DAY_END
from istui.i18n import N_, _
from istui.tui import keys
from istui.tui.screens.forms import Field, FormScreen, select

Record = dict[str, Any]


def _lead_check(name: str, sources: list[str], now: datetime, shown: str | None = None,
                roster: dict[str, Any] | None = None, day_end: time = DAY_END, region: str = "JP"):
    """The domain's rule for one lead field; a follow-up typed in a form must lie ahead (`shown`: the value
    the form opened with, accepted as it is); an owner must be on the `roster`; `今日中` ends at `day_end`."""
    def check(value: Any) -> Any:
        return clean_lead_field(name, value or "", sources=sources, now=now, roster=roster, future_only=value != shown,
                                day_end=day_end, region=region)
    return check


def roster_options(roster: dict[str, Any] | None, roles: tuple[str, ...] = ("is", "field", "manager"),
                   keep: str = "") -> list[tuple[str, str]]:
    """(display (name), name) of the people on the roster with one of `roles`; `keep` (a lead's owner from
    before the roster) stays choosable."""
    names = [name for name, entry in (roster or {}).items() if entry.get("role") in roles]
    if keep and keep not in names:
        names.append(keep)
    return [(f"{display_name(roster, name)} ({name})", name) for name in sorted(names, key=str.casefold)]


def lead_form(sources: list[str], now: datetime, lead: Record | None = None, rep: str = "",
              roster: dict[str, Any] | None = None, day_end: time = DAY_END, region: str = "JP") -> FormScreen:
    """New lead (lead=None) or edit; dismisses with {field: {record fields}} of valid values. The owner is
    chosen from the roster (when the workspace has one); a phone number is read in the workspace's `region`."""
    lead = lead or {}
    source_options = labels.options(sources, labels.source_option)

    def text(name: str, label: str, value: str = "", placeholder: str = "") -> Field:
        return Field(name, label, Input(value=terminal_safe(value), placeholder=placeholder, id=f"field-{name}"),
                     _lead_check(name, sources, now, terminal_safe(value) if lead else None, day_end=day_end,
                                 region=region))

    next_text = when(lead.get("next_at"), now) if lead.get("next_at") else ""
    fields = [
        text("company", N_("Company *"), lead.get("company", ""), _("Acme Inc.")),
        text("company_kana", N_("Company reading (カナ)"), lead.get("company_kana", ""), "トウヨウショウジ"),
        text("contact", N_("Contact"), lead.get("contact", "")),
        text("contact_kana", N_("Contact reading (カナ)"), lead.get("contact_kana", ""), "ヤマダ タロウ"),
        text("title", N_("Job title"), lead.get("title", "")),
        text("phone", N_("Phone"), lead.get("phone", ""), example(region)),
        text("email", N_("E-mail"), lead.get("email", ""), "name@example.co.jp"),
        Field("source", N_("Source"), select(source_options, lead.get("source") or ("other" if "other" in sources else sources[0])),
              _lead_check("source", sources, now)),
        Field("motion", N_("Motion"), select(labels.options(Motion, labels.motion_option), lead.get("motion", "sdr")),
              _lead_check("motion", sources, now)),
        Field("temp", N_("Temperature"), select(labels.options(Temperature, labels.temperature), lead.get("temp", "warm")),
              _lead_check("temp", sources, now)),
        Field("owner", N_("Owner (rep)"), _with_id(select(roster_options(roster, keep=lead.get("owner", rep)),
                                                          lead.get("owner", rep)), "field-owner"),
              _lead_check("owner", sources, now, roster=roster)) if roster else text("owner", N_("Owner (rep)"), lead.get("owner", rep)),
        text("next", N_("Next follow-up (WHEN)"), next_text, _("tomorrow 10am, +3d, mon 9:30")),
        text("next_action", N_("Next action"), lead.get("next_action", "")),
        text("tags", N_("Tags (comma-separated)"), ", ".join(map(str, lead.get("tags") or []))),
        text("memo", N_("Memo"), lead.get("memo", "")),
    ]
    if lead:  # editing: the meeting's time, and the do-not-call mark (cleared here to call again)
        meeting_text = when(lead.get("meeting_at"), now) if lead.get("meeting_at") else ""
        fields += [
            text("meeting", N_("Meeting time (WHEN)"), meeting_text, _("tue 14:00")),
            Field("dnc", N_("Do not call"), _with_id(select([(_("no"), "false"), (_("yes: do not call"), "true")],
                                                            "true" if lead.get("dnc") else "false"), "field-dnc"),
                  _lead_check("dnc", sources, now)),
        ]
    title = _("Edit lead: {company}").format(company=named(lead["company"])) if lead.get("company") else _("New lead")
    return FormScreen(title, fields, hint=_("{save} saves · {cancel} cancels · Enter moves to the next field").format(
        save=keys.key("form-save"), cancel=keys.key("form-cancel")))


def stage_form(lead: Record, currency: str = "JPY") -> FormScreen:
    stages = labels.options((s.value for s in Stage if s.value != lead.get("stage")), labels.stage)

    def amount(value: str) -> int | None:
        return parse_amount(value, currency=currency) if value.strip() else None

    fields = [
        Field("stage", N_("New stage"), select(stages, None, allow_blank=True), lambda v: v),  # chosen, never assumed
        Field("amount", N_("Order amount (needed for won): 1200000, ¥1,200,000, 120万"), Input(id="field-amount"), amount),
        Field("note", N_("Note"), Input(id="field-note"), lambda v: multiline_text(v, "note")),
    ]
    return StageForm(_("Stage of {company}: now {stage}").format(company=named(lead.get("company", "")),
                                                                 stage=labels.stage(lead.get("stage", ""))), fields)


class StageForm(FormScreen):
    def validate(self) -> dict[str, Any] | None:
        values = super().validate()
        if values is not None and values["stage"] in (None, Select.NULL, ""):
            field = next(f for f in self.fields if f.name == "stage")
            self.show_error(field, _("stage: choose the new stage."))
            return None
        if values is not None and values["stage"] == Stage.WON and not values["amount"]:  # blank or 0
            field = next(f for f in self.fields if f.name == "amount")
            self.show_error(field, _("amount: moving a lead to won needs the order amount, e.g. 1200000 or 120万."))
            return None
        return values


def _with_id(widget: Any, widget_id: str) -> Any:
    widget.id = widget_id
    return widget


def handoff_form(lead: Record, roster: dict[str, Any] | None = None,
                 required: tuple[str, ...] | list[str] = DEFAULT_REQUIRED) -> FormScreen:
    """The handoff sheet: BANT and the other fields the workspace requires (`handoff_required`, marked *); the
    recipient is chosen from the roster's field-sales people (typed, with the roster's names suggested, when
    there are none). A lead handed off before opens with the last round's recipient and sheet, to improve on."""
    before = handoff_of(lead)
    earlier = {name: str(before.get(name) or "") for name in ("to", *SHEET_FIELDS)}
    field_sales = roster_options(roster, ("field",))
    if field_sales:
        to = Field("to", N_("Field-sales rep *"), _with_id(select(field_sales, earlier["to"] or None, allow_blank=True),
                                                           "field-to"),
                   lambda v: require_recipient(roster, v) if v else require_text("", "to"))  # none chosen: required
    else:
        to = Field("to", N_("Field-sales rep *"), Input(earlier["to"], id="field-to",
                                                        suggester=SuggestFromList(sorted(roster or {}))),
                   lambda v: require_recipient(roster, v) if roster else require_text(v, "to"))
    fields = [to]
    for name in dict.fromkeys([*DEFAULT_REQUIRED, *required]):
        label = _(SHEET_FIELDS[name]) + (" *" if name in required else "")
        fields.append(Field(name, label, Input(earlier[name], id=f"field-{name}"),
                            lambda v, k=name: require_text(v, k) if k in required else multiline_text(v, k)))
    fields.append(Field("note", N_("Notes for field sales"), TextArea(id="field-handoff-note"),
                        lambda v: multiline_text(v, "note")))
    return FormScreen(_("Hand off {company} to field sales").format(company=named(lead.get("company", ""))), fields,
                      submit_label=N_("Hand off"))


def log_form(now: datetime, kind: str = "call", company: str = "") -> FormScreen:
    """Log a call or e-mail to `company`: outcome, note, follow-up (a future WHEN; a callback needs one) and the
    meeting's time and who attends (with meeting_booked)."""
    outcomes = (labels.options(labels.CALL_OUTCOME_VALUES, labels.call_outcome_option) if kind == "call"
                else labels.options(labels.EMAIL_OUTCOME_VALUES, labels.email_outcome))

    def when_check(field: str):
        def check(value: str) -> str:
            if value.strip():
                parse_follow_up(value, now, field)
            return value
        return check

    def meeting_check(value: str) -> str:  # `tue 14:00 @kimura`: the time is checked, the names when it is logged
        when_check("meeting")(split_attendees(value)[0])
        return value

    fields = [
        Field("outcome", N_("Call outcome") if kind == "call" else N_("E-mail outcome"), select(outcomes, outcomes[0][1]),
              parse_call_outcome if kind == "call" else (lambda v: v)),
        Field("note", N_("Note"), Input(id="field-note"), lambda v: multiline_text(v, "note")),
        Field("next", N_("Next follow-up (WHEN, empty: the retry schedule)"),
              Input(id="field-next", placeholder=_("tomorrow 10am")), when_check("next")),
    ]
    fields.append(Field("meeting", N_("Meeting time (WHEN and @who attends, with meeting_booked)"),
                        Input(id="field-meeting", placeholder=_("tue 14:00 @kimura")),
                        meeting_check))
    title = (_("Log a call: {company}") if kind == "call" else _("Log an e-mail: {company}")).format(company=company)
    return LogForm(title, fields, submit_label=N_("Log"))


class LogForm(FormScreen):
    def validate(self) -> dict[str, Any] | None:
        values = super().validate()
        if values is None:
            return None
        field = {f.name: f for f in self.fields}
        if values["outcome"] == ASKS_FOR_WHEN and not values["next"].strip():
            self.show_error(field["next"], _("next: a callback needs the time they asked for, e.g. tomorrow 15:00."))
            return None
        if values.get("meeting", "").strip() and values["outcome"] != MEETING_BOOKED:
            self.show_error(field["meeting"], _("meeting: a meeting time goes with the outcome meeting_booked."))
            return None
        return values


def note_form(note: Record | None = None) -> FormScreen:
    """New note (note=None) or edit; each field checked by the domain's note rules."""
    note = note or {}

    def check(name: str):
        return lambda value: clean_note_field(name, value)

    body = TextArea(terminal_safe(note.get("body", ""), multiline=True), id="field-body", language="markdown",
                    soft_wrap=True)
    fields = [
        Field("title", N_("Title *"), Input(terminal_safe(note.get("title", "")), id="field-title"), check("title")),
        Field("kind", N_("Kind"), select(labels.options(NoteKind, labels.note_kind), note.get("kind", "tip")), check("kind")),
        Field("tags", N_("Tags (comma-separated; a lead source such as web_inquiry links it to those leads)"),
              Input(terminal_safe(", ".join(map(str, note.get("tags") or []))), id="field-tags"), check("tags")),
        Field("body", N_("Body (Markdown)"), body, check("body")),
        Field("subject", N_("Subject (e-mail templates; merge fields such as {{ lead.company }} allowed)"),
              Input(terminal_safe(note.get("subject") or ""), id="field-subject"), check("subject")),
    ]
    return FormScreen(_("Edit note") if note.get("id") else _("New note"), fields)
