"""`istui meeting ID --at WHEN [--with NAME]… [--minutes N] [--place T] [--ics FILE] [--send]`: set a lead's meeting
and send its calendar invite; `istui meeting ID --cancel [--ics FILE | --send]`: call it off and tell those invited;
`istui meeting held|noshow ID`: mark it afterwards (DESIGN.md section 5)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from istui.cli import render
from istui.cli.context import open_workspace
from istui.cli.parser import json_option, when_help
from istui.cli.render import emit_json
from istui.domain.errors import BadInput, IstuiError, WorkspaceError
from istui.i18n import _
from istui.services.export import check_export_path

if TYPE_CHECKING:
    from istui.store.workspace import Workspace

MARKS = {"held": "held", "noshow": "no_show", "no_show": "no_show"}  # never a lead id (ULIDs start with a digit)


def define(name: str, p: argparse.ArgumentParser) -> None:
    p.epilog = when_help()
    p.add_argument("id", metavar="ID", help=_("the lead; or held ID, noshow ID: mark its meeting afterwards"))
    p.add_argument("marked", nargs="?", metavar="", help=argparse.SUPPRESS)
    p.add_argument("--at", metavar="WHEN", help=_("the meeting's time"))
    p.add_argument("--with", dest="meeting_with", metavar="NAME", action="append", default=[],
                   help=_("who attends besides you, from the roster (repeatable): the field rep"))
    p.add_argument("--minutes", metavar="N", help=_("how long it lasts (default 60)"))
    p.add_argument("--place", metavar="TEXT", help=_("where: an address or the online meeting's URL"))
    p.add_argument("--ics", metavar="FILE", help=_("write the calendar invite (iCalendar) to FILE"))
    p.add_argument("--send", action="store_true", help=_("mail the invite to those attending ([mail] of your config)"))
    p.add_argument("--contact", action="store_true", help=_("invite the lead's contact too"))
    p.add_argument("--cancel", action="store_true",
                   help=_("call the meeting off; with --ics FILE or --send, its cancellation for those invited"))
    p.add_argument("--note", default="", help=_("held, noshow: a note"))
    json_option(p)
    p.set_defaults(handler=run_meeting)


def run_meeting(args: argparse.Namespace) -> int:
    if args.id in MARKS:
        return _mark(args, MARKS[args.id])
    if args.marked is not None:
        raise BadInput(_("meeting: one lead id, then its options; `istui meeting held ID` marks a meeting held."))
    from istui.domain.formatting import when
    from istui.services.meetings import set_meeting

    ws = open_workspace(args)
    lead_id = ws.resolve_lead(args.id)
    if args.ics:  # checked before anything is written
        check_export_path(Path(args.ics).expanduser(), ws.root)
    changing = bool(args.at or args.meeting_with or args.minutes or args.place is not None)
    if args.cancel:
        return _cancel(args, ws, lead_id, changing)
    if args.ics or args.send:  # who the invite goes to, and the transport, too: a refusal leaves the meeting as it was
        from istui.services.invites import invite_people
        from istui.services.meetings import meeting_plan

        lead = ws.get_lead(lead_id)
        planned = meeting_plan(ws, lead, args.at, args.meeting_with, args.minutes, args.place) if changing else {}
        invite_people(ws, {**lead, **planned}, contact=args.contact)
        if args.send:
            from istui.services.mail import load_config

            load_config()
    lead = set_meeting(ws, lead_id, args.at, args.meeting_with, args.minutes, args.place).lead if changing \
        else ws.get_lead(lead_id)
    document: dict = {"lead": lead}
    lines = []
    if changing:
        lines.append(_("Meeting with {company}: {when}.").format(company=render.safe(lead["company"]),
                                                                when=when(lead["meeting_at"], ws.now())))
    if args.ics or args.send:
        document["invite"] = _deliver(args, ws, lead, lines)
    elif not changing:
        raise BadInput(_("meeting: say what to do: --at WHEN sets the time, --ics FILE or --send the invite."))
    if args.json:
        emit_json(document)
    else:
        render.say("\n".join(lines))
    return 0


def _cancel(args: argparse.Namespace, ws: Workspace, lead_id: str, changing: bool) -> int:
    """`meeting ID --cancel [--ics FILE | --send]`: call the meeting off (unless a return already did) and make or
    mail its cancellation; who it goes to and the transport are checked before anything is written."""
    from istui.domain import handoffs as ho
    from istui.domain.formatting import when
    from istui.services.invites import cancelled_view, invite_people
    from istui.services.meetings import call_off_meeting

    if changing:
        raise BadInput(_("meeting --cancel takes no --at, --with, --minutes or --place."))
    lead = ws.get_lead(lead_id)
    telling = bool(args.ics or args.send)
    calling_off = bool(lead.get("meeting_at"))  # (one already marked: call_off_meeting says so)
    if not calling_off and not telling:
        found = ho.called_off_last(lead)
        raise BadInput(_("meeting: the meeting of {when} is already called off; --ics FILE or --send tells those invited.")
                       .format(when=when(found[1]["at"], ws.now())) if found else
                       _("meeting: {company} has no meeting to call off.").format(company=render.safe(lead["company"])))
    if telling:  # who the cancellation goes to, as build_invite works it out (cancelled_view: BadInput, none called off)
        view = lead if calling_off else cancelled_view(lead)
        invite_people(ws, view, contact=args.contact, also=ho.invited(ho.meeting_of(view)))
        if args.send:
            from istui.services.mail import load_config

            load_config()
    lines, document = [], {}
    if calling_off:
        logged = call_off_meeting(ws, lead_id, args.note)
        lead = logged.lead
        document["activity"] = logged.activity
        lines.append(_("Called off the meeting with {company} of {when}.").format(
            company=render.safe(lead["company"]), when=when(logged.previous["meeting_at"], ws.now())))
    document["lead"] = lead
    if telling:
        try:
            document["invite"] = _deliver(args, ws, lead, lines, cancel=True)
        except (IstuiError, OSError) as exc:
            if not calling_off:
                raise
            reason = str(exc) if isinstance(exc, IstuiError) else f"{exc.strerror}: {exc.filename}"
            raise WorkspaceError(_("The meeting is called off, but its cancellation was not made ({reason}); make it "
                                   "with `istui meeting {id} --cancel --send` (or --ics FILE).").format(
                reason=reason.rstrip("."), id=lead_id[:10])) from None
    else:
        lines.append(_("Tell those invited: `istui meeting {id} --cancel --send` (or --ics FILE).").format(id=lead_id[:10]))
    if args.json:
        emit_json(document)
    else:
        render.say("\n".join(lines))
    return 0


def _deliver(args: argparse.Namespace, ws: Workspace, lead: dict, lines: list[str], cancel: bool = False) -> dict:
    """Write (--ics) and/or mail (--send) the meeting's invite or, `cancel`, its cancellation; what was done is added
    to `lines`; returns the invite as `--json` shows it."""
    from istui.services.invites import deliver_invite

    invite = deliver_invite(ws, lead, path=Path(args.ics).expanduser() if args.ics else None, mail=args.send,
                            contact=args.contact, cancel=cancel)
    if args.ics:
        said = _("Cancellation written to {path}.") if cancel else _("Invite written to {path}.")
        lines.append(said.format(path=args.ics))
    if args.send:
        said = _("Cancellation mailed to {people}.") if cancel else _("Invite mailed to {people}.")
        lines.append(said.format(people=", ".join(a for _n, a in invite.attendees)))
    return {"attendees": [a for _n, a in invite.attendees], "ics": invite.ics.decode("utf-8")}


def _mark(args: argparse.Namespace, outcome: str) -> int:
    from istui.domain.handoffs import MEETING_LABELS
    from istui.services.meetings import mark_meeting

    if args.marked is None:
        raise BadInput(_("meeting {action}: name the lead, e.g. istui meeting {action} 01J8Q.").format(action=args.id))
    extra = [name for name in ("at", "minutes", "place", "ics") if getattr(args, name)] + (
        ["with"] if args.meeting_with else []) + (["send"] if args.send else []) + (["cancel"] if args.cancel else [])
    if extra:
        raise BadInput(_("meeting {action} takes no --{option}.").format(action=args.id, option=extra[0]))
    ws = open_workspace(args)
    logged = mark_meeting(ws, ws.resolve_lead(args.marked), outcome, args.note)
    if args.json:
        emit_json({"lead": logged.lead, "activity": logged.activity})
    else:
        print(_("Marked the meeting with {company}: {status}.").format(company=render.safe(logged.lead["company"]),
                                                                      status=_(MEETING_LABELS[outcome])))
    return 0
