"""`istui log call|email`: the quick path (imports only what logging needs)."""

from __future__ import annotations

import argparse

from istui.cli import render
from istui.cli.context import open_workspace
from istui.cli.parser import actions, json_option, when_help
from istui.cli.render import emit_json
from istui.domain import labels
from istui.domain.formatting import when
from istui.domain.outcomes import call_outcomes_help, email_outcomes_help
from istui.domain.queue import parked as parked_reason
from istui.i18n import _, language


def define(name: str, command: argparse.ArgumentParser) -> None:
    log = actions(command, "KIND")
    for kind, outcomes in (("call", call_outcomes_help()), ("email", email_outcomes_help())):
        p = log.add_parser(kind, help=_("log a call outcome") if kind == "call" else _("log an e-mail outcome"),
                           epilog=_("Outcomes: {outcomes}.").format(outcomes=outcomes) + " " + when_help())
        p.add_argument("id", help=_("lead id (any unique prefix)"))
        p.add_argument("--outcome", "-o", required=True, help=_("what happened: a name or a digit (below)"))
        p.add_argument("--note", default="", help=_("a note, kept with the record"))
        p.add_argument("--next", metavar="WHEN", help=_("next follow-up"))
        p.add_argument("--next-action", metavar="TEXT", help=_("what to do at the next follow-up"))
        p.add_argument("--at", metavar="WHEN", help=_("when it happened (default: now)"))
        if kind == "call":
            p.add_argument("--duration", metavar="SECS", help=_("how long the call took, in seconds"))
            p.add_argument("--script", metavar="NOTE_ID", help=_("the talk script used"))
            p.add_argument("--force", action="store_true", help=_("log a call to a do-not-call lead"))
        p.add_argument("--meeting", metavar="WHEN", help=_("the meeting's time (with meeting_booked)"))
        p.add_argument("--with", dest="meeting_with", metavar="NAME", action="append",
                       help=_("who attends the meeting besides you, from the roster (repeatable)"))
        p.add_argument("--minutes", dest="meeting_minutes", metavar="N", help=_("how long the meeting lasts"))
        p.add_argument("--place", dest="meeting_place", metavar="TEXT", default="",
                       help=_("where the meeting is: an address or an online meeting's URL"))
        json_option(p)
        p.set_defaults(handler=run_log, kind=kind)


def run_log(args: argparse.Namespace) -> int:
    from istui.services.leads import log_activity

    ws = open_workspace(args)
    logged = log_activity(
        ws, ws.resolve_lead(args.id), args.kind, args.outcome, note=args.note, next_when=args.next,
        next_action=args.next_action, at=args.at, duration=getattr(args, "duration", None),
        script=getattr(args, "script", None), meeting=args.meeting, meeting_with=args.meeting_with,
        meeting_minutes=args.meeting_minutes, meeting_place=args.meeting_place, force=getattr(args, "force", False),
    )
    parked = parked_reason(logged.lead, ws.now())
    if args.json:
        emit_json({"activity": logged.activity, "lead": logged.lead, "parked": parked,
                   "rule": logged.decision.rule if logged.decision else None})
        return 0
    outcome = logged.activity["outcome"]
    if language() == "ja":
        outcome = labels.outcome(logged.activity)
    parts = [(_("Logged call {outcome} for {company}") if args.kind == "call" else _("Logged e-mail {outcome} for {company}"))
             .format(outcome=outcome, company=render.safe(logged.lead["company"]))]
    if "stage" in logged.lead_changes:
        parts.append(_("stage → {stage}").format(stage=labels.stage(logged.lead["stage"])))
    if logged.lead.get("next_at") and ("next_at" in logged.lead_changes or logged.decision is not None):
        parts.append(_("next {when}").format(when=when(logged.lead["next_at"], ws.now())))
        if logged.decision is not None and logged.decision.rule == "max_attempts":
            parts[-1] += " " + _("(retry schedule: {count} calls without a connect)").format(
                count=ws.settings.schedule.get("max_attempts"))
        elif logged.decision is not None and logged.decision.rule == "kept":
            parts[-1] += " " + _("(the follow-up already set is kept)")
        elif logged.decision is not None:
            parts[-1] += " " + _("(retry schedule)")
    if parked == "meeting_time_not_set":
        parts.append(_("meeting time not set: `istui meeting {id} --at WHEN --with NAME` sets it").format(
            id=logged.lead["id"][:10]))
    elif parked == "meeting_set":
        parts.append(_("meeting {when}").format(when=when(logged.lead["meeting_at"], ws.now())))
    elif parked == "wrong_number":
        parts.append(_("phone flagged as a wrong number; the lead waits until `istui lead set {id} phone=…` changes it")
                     .format(id=logged.lead["id"]))
    elif logged.lead_changes.get("dnc"):
        parts.append(_("marked do-not-call"))
    elif parked == "do_not_call" and logged.decision is not None:  # a typed follow-up is reported above
        parts.append(_("do-not-call: the retry schedule set no follow-up"))
    if logged.lead_changes.get("phone_status", "") is None:
        parts.append(_("someone answered, so the wrong-number flag is cleared"))
    print(_("; ").join(parts).rstrip(".") + _("."))
    return 0
