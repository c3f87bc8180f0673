"""`istui mail send`: one template to one lead through the person's own mail transport; `istui campaign`:
メルマガ to many leads (create, send, list, show)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from istui.cli.context import open_workspace
from istui.cli.parser import actions, json_option
from istui.cli.render import emit_json, safe, say
from istui.i18n import _


def define(name: str, command: argparse.ArgumentParser) -> None:
    if name == "mail":
        send = actions(command).add_parser("send", help=_("send an e-mail template to one lead"),
                                           epilog=_("The transport is yours: the [mail] table of your user config "
                                                    "(SMTP or a sendmail command); the README shows how."))
        send.add_argument("id", help=_("lead id (any unique prefix)"))
        send.add_argument("--template", "-t", required=True, metavar="NOTE_ID", help=_("the e-mail template (a note of kind template)"))
        send.add_argument("--subject", metavar="S", help=_("a subject of your own instead of the template's"))
        send.add_argument("--edit", action="store_true", help=_("edit the mail in $EDITOR before it goes"))
        send.add_argument("--dry-run", action="store_true", help=_("show the mail; send and log nothing"))
        json_option(send)
        send.set_defaults(handler=run_send)
    else:
        from istui.cli.commands.campaign import define as define_campaign

        define_campaign(command)


def message_document(sent: Any) -> dict[str, Any]:
    message = sent.message()
    return {"from": str(message["From"]), "to": str(message["To"]), "subject": str(message["Subject"]),
            "date": str(message["Date"]), "message_id": str(message["Message-ID"]),
            "list_unsubscribe": message["List-Unsubscribe"] and str(message["List-Unsubscribe"]),
            "body": message.get_content().replace("\r\n", "\n")}


def run_send(args: argparse.Namespace) -> int:
    from istui.services import outbox

    ws = open_workspace(args)
    lead_id = ws.resolve_lead(args.id)
    subject, body = args.subject, None
    if args.edit:
        who = outbox.sender(ws, transport=not args.dry_run)
        draft = outbox.compose(ws, ws.get_lead(lead_id), outbox.template_of(ws, args.template), who)
        subject, body = outbox.edit_in_editor(ws.root, subject or draft.subject, draft.body)
    message, logged = outbox.send_one(ws, lead_id, args.template, subject=subject, body=body, dry_run=args.dry_run)
    if args.json:
        emit_json({"message": message_document(message), "sent": logged is not None,
                   "activity": logged and logged.activity, "lead": logged.lead if logged else ws.get_lead(lead_id)})
    elif logged is None:
        sys.stdout.write(safe(outbox.readable(message), multiline=True))
        say(_("(dry run: nothing was sent or logged)"))
    else:
        shown = message.message()
        say(_("Sent “{subject}” to {to}; logged as e-mail sent ({id}).").format(
            subject=shown["Subject"], to=shown["To"], id=message.msgid))
    return 0
