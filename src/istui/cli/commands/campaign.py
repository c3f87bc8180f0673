"""`istui campaign create|send|list|show`: メルマガ from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from istui.cli.context import open_workspace
from istui.cli.parser import actions, json_option
from istui.cli.render import emit_json, safe, say, table
from istui.i18n import N_, _
from istui.services.outbox import exclusion_words

STATES = {"ready": N_("ready"), "sending": N_("sending"), "paused": N_("paused"), "sent": N_("sent")}


def define(command: argparse.ArgumentParser) -> None:
    campaign = actions(command)
    p = campaign.add_parser("create", help=_("a campaign of a template to the leads a list selects"),
                            epilog=_("The audience is fixed now; leads without an address, unsubscribed, hard-bounced, "
                                     "do-not-contact or with an address already in it are left out and reported."))
    p.add_argument("--name", required=True, help=_("the campaign's name, e.g. '12月メルマガ'"))
    p.add_argument("--template", "-t", required=True, metavar="NOTE_ID", help=_("the e-mail template"))
    p.add_argument("--stage", help=_("only leads at this stage"))
    p.add_argument("--source", help=_("only leads from this source"))
    p.add_argument("--owner", metavar="REP", help=_("only this rep's leads"))
    p.add_argument("--tag", help=_("only leads with this tag"))
    p.add_argument("--search", metavar="TEXT", help=_("company, contact, phone, e-mail, tags"))
    p.add_argument("--dry-run", action="store_true", help=_("show the audience and what is left out; save nothing"))
    json_option(p)
    p.set_defaults(handler=run_create)

    p = campaign.add_parser("send", help=_("send a campaign (again: resumes it, sending each recipient once)"))
    p.add_argument("id", help=_("campaign id (any unique prefix)"))
    p.add_argument("--rate", type=float, metavar="PER_MINUTE", help=_("at most this many mails a minute"))
    p.add_argument("--dry-run", action="store_true", help=_("say who would get it now; send nothing"))
    p.add_argument("--resend-uncertain", action="store_true",
                   help=_("send again the mails a stopped send left in the server's hands (they may have arrived)"))
    p.add_argument("--retry-refused", action="store_true",
                   help=_("try again the recipients refused before (an address corrected, a field filled in since)"))
    json_option(p)
    p.set_defaults(handler=run_send)

    p = campaign.add_parser("list", help=_("the campaigns and where each stands"))
    json_option(p)
    p.set_defaults(handler=run_list)

    p = campaign.add_parser("show", help=_("one campaign: its audience, what was left out, what was sent"))
    p.add_argument("id", help=_("campaign id (any unique prefix)"))
    json_option(p)
    p.set_defaults(handler=run_show)


def run_create(args: argparse.Namespace) -> int:
    from istui.services import campaigns

    ws = open_workspace(args)
    filters = {name: getattr(args, name) for name in ("stage", "source", "owner", "tag", "search")}
    record = campaigns.create(ws, args.name, args.template, filters, dry_run=args.dry_run)
    if args.json:
        emit_json(record)
        return 0
    what = _("Would create") if args.dry_run else _("Created")
    say(_("{what} campaign {id} “{name}”: {count} recipients.").format(
        what=what, id=record.get("id", "")[:10], name=record["name"], count=f"{len(record['audience']):,}").replace("  ", " "))
    if record["excluded"]:
        say(_("Left out: {reasons}.").format(reasons=exclusion_words(record["excluded"])))
    if not args.dry_run:
        say(_("Send it with `istui campaign send {id}`.").format(id=record["id"][:10]))
    return 0


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r{_('Sending')} {done:,}/{total:,} ▕{'█' * filled}{' ' * (width - filled)}▏ {100 * done // max(total, 1)} %")
    sys.stderr.flush()


def run_send(args: argparse.Namespace) -> int:
    from istui.services import campaigns

    ws = open_workspace(args)
    shown = sys.stderr.isatty() and not args.json
    try:
        result = campaigns.send(ws, args.id, rate=args.rate, dry_run=args.dry_run, resend_uncertain=args.resend_uncertain,
                                retry_refused=args.retry_refused,
                                progress=_progress if shown else None)
    finally:
        if shown:
            sys.stderr.write("\n")
    if args.json:
        emit_json({"campaign": result.campaign, "sent": result.sent, "before": result.before, "refused": result.refused,
                   "left_out": result.left_out, "uncertain": result.uncertain, "dry_run": args.dry_run})
        return 0
    name = result.campaign["name"]
    if result.uncertain:
        say(_("{count} mails were in the server's hands when a send stopped ({ids}): they may have arrived, so they are "
              "not sent again; `istui campaign send {id} --resend-uncertain` sends them.").format(
            count=len(result.uncertain), ids=", ".join(lead[:10] for lead in result.uncertain), id=result.campaign["id"][:10]))
    if args.dry_run:
        would = (len(result.campaign["audience"]) - result.before - sum(map(len, result.left_out.values()))
                 - len(result.refused) - len(result.uncertain))
        say(_("Dry run: {name} would go to {count} more recipients ({before} have it); nothing was sent.").format(
            name=name, count=f"{would:,}", before=f"{result.before:,}"))
    elif not result.sent and not result.refused:
        say(_("{name} has gone to every recipient it can ({before}); nothing more to send.").format(
            name=name, before=f"{result.before:,}"))
    else:
        say(_("Sent {name} to {count} recipients ({before} had it before).").format(
            name=name, count=f"{result.sent:,}", before=f"{result.before:,}"))
    if result.left_out:
        say(_("Left out since the campaign was made: {reasons}.").format(reasons=exclusion_words(result.left_out)))
    for lead_id, reason in list(result.refused.items())[:10]:
        say(_("Refused: {id}: {reason}").format(id=lead_id[:10], reason=reason), file=sys.stderr)
    if len(result.refused) > 10:
        say(_("… and {count} more refused (`istui campaign show {id} --json` lists them).").format(
            count=len(result.refused) - 10, id=result.campaign["id"][:10]), file=sys.stderr)
    return 0


def _row(ws: Any, campaign: dict[str, Any], sent: int) -> list[str]:
    from istui.domain.formatting import when

    return [campaign["id"][:10], safe(campaign["name"]), _(STATES.get(campaign["state"], campaign["state"])), f"{len(campaign['audience']):,}", f"{sent:,}",
            when(campaign["created_at"], ws.now())]


def run_list(args: argparse.Namespace) -> int:
    from istui.services import campaigns

    ws = open_workspace(args)
    found = campaigns.campaigns(ws)
    counts = {c["id"]: len(campaigns.sends(ws, c)) for c in found}
    if args.json:
        emit_json([{**c, "sent": counts[c["id"]]} for c in found])
        return 0
    if not found:
        say(_("No campaigns yet; `istui campaign create --name N --template NOTE_ID` makes one."))
        return 0
    say(table([_("id"), _("name"), _("state"), _("recipients"), _("sent"), _("created")],
              [_row(ws, c, counts[c["id"]]) for c in found], right=(3, 4)))
    return 0


def run_show(args: argparse.Namespace) -> int:
    import shutil
    from datetime import datetime

    from istui.services import campaigns
    from istui.services.mail_rows import mail_report
    from istui.services.mail_text import email_text

    ws = open_workspace(args)
    campaign = campaigns.get(ws, args.id)
    sent = campaigns.sends(ws, campaign)
    start = min([datetime.fromisoformat(a["at"]) for a in sent.values()], default=ws.now())
    report = mail_report(ws, start, max(ws.now(), start) + timedelta(seconds=1), campaign["rep"], campaign["id"])
    figures = report["totals"]
    if args.json:
        emit_json({**campaign, "sent": len(sent), "figures": figures, "links": report["links"], "best": report["best"]})
        return 0
    say(f"{safe(campaign['name'])} ({campaign['id'][:10]}) · {_(STATES.get(campaign['state'], campaign['state']))}")
    say(_("Template {template} · from {rep} · {count} recipients · {sent} sent").format(
        template=campaign["template"][:10], rep=campaign["rep"], count=f"{len(campaign['audience']):,}",
        sent=f"{len(sent):,}"))
    if campaign.get("excluded"):
        say(_("Left out: {reasons}.").format(reasons=exclusion_words(campaign["excluded"])))
    if campaign.get("paused"):
        say(_("Paused: {reason}").format(reason=campaign["paused"]))
    if campaign.get("refused"):
        say(_("Refused: {count}").format(count=len(campaign["refused"])))
    if sent:
        heading = "\n" + _("What followed the sends:")
        sys.stdout.write(email_text({**report, "scope": {"team": False, "rep": campaign["rep"]}, "campaigns": [],
                                     "templates": []}, shutil.get_terminal_size((120, 24)).columns, heading))
    return 0
