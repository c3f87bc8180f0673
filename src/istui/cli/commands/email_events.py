"""`istui import email-events FILE`: opens, clicks, bounces and unsubscribes from the mail service's export."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from istui.cli.context import open_workspace, read_input
from istui.cli.parser import json_option
from istui.cli.render import emit_json, say
from istui.i18n import N_, _

FORMAT_NAMES = {"sendgrid": "SendGrid", "mailchimp": "Mailchimp", "hubspot": "HubSpot", "generic": N_("generic")}
SHOWN = 10  # unmatched addresses and unread rows listed in text (all of them in JSON)


def define(imports: argparse._SubParsersAction) -> None:
    p = imports.add_parser("email-events", help=_("import e-mail opens, clicks, bounces and unsubscribes from a mail service"),
                           epilog=_("Formats: SendGrid event exports (CSV or JSON), Mailchimp campaign activity, HubSpot "
                                    "e-mail events, and generic or Japanese CSVs (メールアドレス, 開封日時, クリック日時, URL, 状態)."))
    p.add_argument("file")
    p.add_argument("--format", default="auto", help=_("auto, sendgrid, mailchimp, hubspot or generic"))
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=field",
                   help=_("map a column: email, time, event, url, event_id, message_id, campaign, machine, open_time, click_time"))
    p.add_argument("--dry-run", action="store_true", help=_("report what a real run adds; write nothing"))
    json_option(p)
    p.set_defaults(handler=run_events)


def run_events(args: argparse.Namespace) -> int:
    from istui.services import email_events

    ws = open_workspace(args)
    raw = read_input(args.file)
    with ws.lock.held():
        planned = email_events.plan(ws, raw, args.format.lower(), args.map)
        if not args.dry_run:
            email_events.apply(ws, planned)
    outcomes = Counter(a["outcome"] for a in planned.activities)
    statuses = Counter(change["email_status"] for change in planned.lead_changes.values())
    report = {"file": str(args.file), "format": planned.format, "dry_run": args.dry_run,
              "added": dict(outcomes), "machine_opens": sum(1 for a in planned.activities if a.get("machine")),
              "hard_bounces": sum(1 for a in planned.activities if a.get("hard")),
              "spam_reports": sum(1 for a in planned.activities if a.get("spam")),
              "opted_out": statuses.get("opted_out", 0), "addresses_flagged": statuses.get("bounced", 0),
              "already_imported": planned.duplicates, "not_recorded": planned.skipped,
              "unmatched": planned.unmatched, "problems": [{"row": row, "reason": why} for row, why in planned.problems]}
    if args.json:
        emit_json(report)
        return 0
    say_report(report, len(planned.activities))
    return 0


def say_report(report: dict, added: int) -> None:
    what = _("Would import") if report["dry_run"] else _("Imported")
    kinds = _(", ").join(f"{_(name)} {count:,}" for name, count in sorted(report["added"].items()))
    say(_("{what} {count} e-mail events from a {format} export{kinds}.").format(
        what=what, count=f"{added:,}", format=_(FORMAT_NAMES.get(report["format"], report["format"])),
        kinds=f" ({kinds})" if kinds else ""))
    if report["machine_opens"]:
        say(_("Machine opens (Apple Mail Privacy Protection: kept, and no open unless the reader also clicked): "
              "{count}.").format(count=f"{report['machine_opens']:,}"))
    if report["opted_out"] or report["addresses_flagged"]:
        say(_("Opted out: {opted} leads; hard-bounced addresses flagged: {flagged}.").format(
            opted=report["opted_out"], flagged=report["addresses_flagged"]))
    if report["already_imported"]:
        say(_("Already imported or sent by istui: {count}.").format(count=f"{report['already_imported']:,}"))
    if report["not_recorded"]:
        say(_("Not recorded ({names}): delivered is counted as sent minus bounces.").format(
            names=_(", ").join(f"{name} {count:,}" for name, count in report["not_recorded"].items())))
    unmatched = report["unmatched"]
    if unmatched:
        listed = _(", ").join(list(unmatched)[:SHOWN]) + (" …" if len(unmatched) > SHOWN else "")
        say(_("No lead has these addresses ({count}): {addresses}").format(count=len(unmatched), addresses=listed))
    for problem in report["problems"][:SHOWN]:
        say(_("Row {row} not read: {reason}.").format(row=problem["row"], reason=problem["reason"]), file=sys.stderr)
    if len(report["problems"]) > SHOWN:
        say(_("… and {count} more rows not read (--json lists them).").format(count=len(report["problems"]) - SHOWN),
            file=sys.stderr)
