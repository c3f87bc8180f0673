"""`istui lead add|list|show|set|stage`."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from istui.cli import render
from istui.cli.context import open_workspace, reply
from istui.cli.parser import actions, json_option, when_help
from istui.cli.render import emit_json
from istui.domain import labels
from istui.domain.errors import BadInput
from istui.domain.formatting import money, short_moment, when
from istui.domain.handoffs import card_rows
from istui.domain.model import EDITABLE_LEAD_FIELDS, Stage
from istui.domain.queue import flag_notes, parked, shows_next
from istui.i18n import N_, _
from istui.store.workspace import Record

#: `lead add` options that are lead fields of the same name
OPTION_FIELDS = ("contact", "title", "phone", "email", "source", "owner", "memo", "motion", "temp", "next",
                 "company_kana", "contact_kana")


def define(name: str, command: argparse.ArgumentParser) -> None:
    lead = actions(command)
    p = lead.add_parser("add", help=_("add a lead"), epilog=when_help())
    p.add_argument("--company", required=True, help=_("the company's name (required)"))
    p.add_argument("--company-kana", metavar="READING", help=_("reading of the company (会社名カナ), for sorting"))
    p.add_argument("--contact-kana", metavar="READING", help=_("reading of the contact's name (担当者カナ)"))
    for field, what in (("contact", N_("the customer's person")), ("title", N_("their job title")),
                        ("phone", N_("phone number (Japanese or +country)")), ("email", N_("e-mail address")),
                        ("source", N_("where the lead came from: web_inquiry, download, webinar, seminar, trade_show, "
                                      "referral, partner, outbound_list or other")),
                        ("owner", N_("the rep who works it (default: you)")), ("memo", N_("a memo kept with the lead"))):
        p.add_argument(f"--{field}", help=_(what))
    p.add_argument("--motion", help=_("sdr or bdr"))
    p.add_argument("--temp", help=_("hot, warm or cold"))
    p.add_argument("--next", metavar="WHEN", help=_("next follow-up"))
    p.add_argument("--next-action", metavar="TEXT", help=_("what to do next"))
    p.add_argument("--tag", action="append", default=[], help=_("a tag (repeat for more)"))
    p.add_argument("--allow-duplicate", action="store_true",
                   help=_("add it although a lead with the same phone or e-mail exists"))
    json_option(p)
    p.set_defaults(handler=run_add)

    p = lead.add_parser("list", help=_("list leads"))
    p.add_argument("--stage", help=_("only leads at this stage"))
    p.add_argument("--source", help=_("only leads from this source"))
    p.add_argument("--owner", metavar="REP", help=_("only this rep's leads"))
    p.add_argument("--tag", help=_("only leads with this tag"))
    p.add_argument("--due", action="store_true",
                   help=_("only leads with a follow-up due today or overdue") + _(", or a meeting whose time has passed"))
    p.add_argument("--search", metavar="TEXT", help=_("company, contact, phone, e-mail, tags"))
    p.add_argument("--limit", type=int, default=0, help=_("at most N leads (text output; 0 = all)"))
    json_option(p)
    p.set_defaults(handler=run_list)

    p = lead.add_parser("show", help=_("a lead's card and activity history"))
    p.add_argument("id")
    json_option(p)
    p.set_defaults(handler=run_show)

    p = lead.add_parser("set", help=_("change fields: FIELD=VALUE ..."),
                        epilog=_("Fields: {names}.").format(names=" ".join(EDITABLE_LEAD_FIELDS)) + " " + when_help())
    p.add_argument("id")
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    p.add_argument("--force", action="store_true", help=_("set a follow-up on a do-not-call lead"))
    p.add_argument("--allow-duplicate", action="store_true",
                   help=_("change it although another lead has the same phone or e-mail"))
    json_option(p)
    p.set_defaults(handler=run_set)

    p = lead.add_parser("stage", help=_("move a lead to a stage"), epilog=_("Stages: {names}.").format(names=" ".join(s.value for s in Stage)))
    p.add_argument("id")
    p.add_argument("stage")
    p.add_argument("--amount", help=_("order amount (won): 1200000, ¥1,200,000, 120万"))
    p.add_argument("--note", default="", help=_("why the stage changed (kept with the change)"))
    json_option(p)
    p.set_defaults(handler=run_stage)


def run_add(args: argparse.Namespace) -> int:
    from istui.services.leads import create_lead

    ws = open_workspace(args)
    fields: dict[str, Any] = {"company": args.company}
    for field in OPTION_FIELDS:
        value = getattr(args, field, None)
        if value is not None:
            fields[field] = value
    if args.next_action is not None:
        fields["next_action"] = args.next_action
    if args.tag:
        fields["tags"] = args.tag
    lead = create_lead(ws, fields, allow_duplicate=args.allow_duplicate)
    reply(args, lead, _("Added lead {id} {company} ({source}, {motion}).").format(
        id=lead["id"][:10], company=render.safe(lead["company"]), source=labels.source(lead["source"]), motion=labels.motion(lead["motion"])))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from istui.services.lead_select import FILTERS, clean_filters, select

    ws = open_workspace(args)
    now = ws.now()
    selected = select(ws.leads(), clean_filters(ws, {name: getattr(args, name) for name in FILTERS}), now)
    if args.json:
        emit_json([with_parked(lead, now) for lead in selected])
        return 0
    if not selected:
        print(_("No leads match."))
        return 0
    shown = selected[: args.limit] if args.limit > 0 else selected
    render.print_leads(ws, shown, now)
    if len(shown) < len(selected):
        print(_("… {more} more (of {total}).").format(more=f"{len(selected) - len(shown):,}", total=f"{len(selected):,}"))
    return 0


def with_parked(lead: Record, now: datetime) -> dict[str, Any]:
    """A lead as `lead list|show --json` print it: its fields and `parked`, why it waits without a follow-up
    (`domain.queue.parked`: do_not_call, wrong_number, meeting_time_not_set, meeting_set) or null."""
    return {**lead, "parked": parked(lead, now)}


def run_show(args: argparse.Namespace) -> int:
    from istui.services.today import answer_by

    ws = open_workspace(args)
    lead = ws.get_lead(ws.resolve_lead(args.id))
    activities = ws.activities_of_lead(lead["id"])
    now = ws.now()
    if args.json:
        emit_json({**with_parked(lead, now), "activities": activities})
        return 0
    safe = render.safe
    print(f"{safe(lead['company'])}  [{labels.stage(lead['stage'])}]  {safe(lead['id'])}")
    for line in flag_notes(lead, now, dnc_how=_("`istui lead set {id} dnc=false` clears the mark").format(id=lead["id"]),
                           meeting_how=f"`istui meeting {lead['id'][:10]} --at WHEN --with NAME`"):
        print("  ! " + safe(line))

    rows: list[tuple[str, str]] = []

    def row(label: str, value: str) -> None:
        rows.append((_(label), value))

    shown = {"source": labels.source, "temp": labels.temperature, "motion": labels.motion}
    for label, key in ((N_("Reading"), "company_kana"), (N_("Contact"), "contact"), (N_("Contact reading"), "contact_kana"),
                       (N_("Job title"), "title"), (N_("Phone"), "phone"), (N_("E-mail"), "email"), (N_("Source"), "source"),
                       (N_("Motion"), "motion"), (N_("Temp"), "temp"), (N_("Owner"), "owner")):
        if lead.get(key):
            row(label, safe(shown[key](lead[key]) if key in shown else lead[key]))
    if lead.get("tags"):
        row(N_("Tags"), ", ".join(safe(tag) for tag in lead["tags"]))
    if shows_next(lead, now):
        row(N_("Next"), f"{when(lead['next_at'], now)} {safe(lead.get('next_action', ''))}")
    if lead.get("amount"):
        row(N_("Amount"), money(lead["amount"], ws.settings.currency))
    if lead.get("memo"):
        row(N_("Memo"), lead["memo"])
    for label, value in card_rows(lead, now, answer_by(ws, lead)):  # the meeting and the handoff
        row(label, value)
    column = max((render.width(label) for label, _value in rows), default=0)  # cells, not characters: 担当者 is 6
    for label, value in rows:  # the lines of a multi-line value (a memo) indented under the first
        lines = safe(value, multiline=True).split("\n")
        print(f"  {render.pad(label, column)}  " + f"\n  {' ' * column}  ".join(safe(line) for line in lines))
    print("\n" + _("Activity ({count})").format(count=len(activities)))
    shown = activities[-30:]
    times = [short_moment(datetime.fromisoformat(activity["at"]), now) for activity in shown]
    column = max(map(render.width, times), default=0)  # `yesterday 15:05` and `11-26 15:05` line up
    for activity, at in zip(shown, times, strict=True):
        extra = f" {money(activity['amount'], ws.settings.currency)}" if activity.get("amount") else ""
        note = f" — {safe(activity['note'])}" if activity.get("note") else ""
        kind = labels.activity_kind(activity["kind"])
        print(f"  {render.pad(at, column)}  {render.pad(kind, 6)} {render.pad(labels.outcome(activity), 22)} "
              f"{safe(activity['rep'])}{extra}{note}")
    if not activities:
        print("  " + _("none yet"))
    return 0


def run_set(args: argparse.Namespace) -> int:
    from istui.services.leads import set_lead_fields

    ws = open_workspace(args)
    lead_id = ws.resolve_lead(args.id)
    fields: dict[str, Any] = {}
    for assignment in args.assignments:
        field, sep, value = assignment.partition("=")
        if not sep or not field.strip():
            raise BadInput(_("'{text}' should look like FIELD=VALUE, e.g. temp=hot or next='tomorrow 10am'.").format(
                text=assignment))
        name = field.strip().lower().replace("-", "_")
        fields[labels.FIELD_OF_KEY.get(name, name)] = value
    lead = set_lead_fields(ws, lead_id, fields, force=args.force, allow_duplicate=args.allow_duplicate)
    if args.json:
        emit_json(lead)
    else:
        print(_("Updated {company}: {fields}.").format(company=render.safe(lead["company"]), fields=_(", ").join(map(labels.field, fields))))
    return 0


def run_stage(args: argparse.Namespace) -> int:
    from istui.services.leads import change_stage

    ws = open_workspace(args)
    logged = change_stage(ws, ws.resolve_lead(args.id), args.stage, amount=args.amount, note=args.note)
    if args.json:
        emit_json({"activity": logged.activity, "lead": logged.lead})
    else:
        amount = f" ({money(logged.lead['amount'], ws.settings.currency)})" if logged.activity.get("amount") else ""
        print(f"{render.safe(logged.lead['company'])}: {labels.stage(logged.activity['from_stage'])} → "
              f"{labels.stage(logged.lead['stage'])}{amount}" + _("."))
    return 0
