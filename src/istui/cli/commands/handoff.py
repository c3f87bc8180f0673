"""`istui handoff`: hand a lead to field sales with a BANT sheet; `istui handoff show ID`: that sheet again."""

from __future__ import annotations

import argparse
import sys

from istui.cli.context import open_workspace
from istui.cli.parser import json_option
from istui.cli.render import emit_json
from istui.domain.errors import BadInput
from istui.i18n import N_, _

SHOW = "show"  # never a lead id: ids are Crockford base-32, which has no O


def define(name: str, p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="ID", help=_("the lead to hand off, or `show ID`: the handoff sheet of a lead handed "
                                             "off before, to read or copy again"))
    p.add_argument("shown", nargs="?", metavar="", help=argparse.SUPPRESS)
    p.add_argument("--to", default="", metavar="NAME", help=_("the field-sales person on the roster (`istui rep list`)"))
    for field, what in (("budget", N_("BANT: the budget (e.g. 300万円)")), ("authority", N_("BANT: who decides")),
                        ("need", N_("BANT: the need, in the customer's words")),
                        ("timeline", N_("BANT: when they want it")), ("note", N_("anything else field sales should know"))):
        p.add_argument(f"--{field}", default="", help=_(what))
    json_option(p)
    p.set_defaults(handler=run_handoff)


def run_handoff(args: argparse.Namespace) -> int:
    if args.id == SHOW:
        return run_show(args)
    if args.shown is not None:
        raise BadInput(_("handoff: one lead id, then its options (--to NAME …); `istui handoff show ID` shows a sheet."))
    from istui.services.handoff import handoff_sheet
    from istui.services.leads import hand_off

    ws = open_workspace(args)
    lead_id = ws.resolve_lead(args.id)
    bant = {k: getattr(args, k) for k in ("budget", "authority", "need", "timeline")}
    logged = hand_off(ws, lead_id, args.to, bant, args.note)
    sheet = handoff_sheet(logged.lead, ws.activities_of_lead(lead_id), ws.settings.currency)
    if args.json:
        emit_json({"lead": logged.lead, "activity": logged.activity, "sheet": sheet})
    else:
        sys.stdout.write(sheet)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """The handoff sheet of a lead handed off before, as it reads now (its activities since included)."""
    from istui.services.handoff import sheet_of

    if args.shown is None:
        raise BadInput(_("handoff show: name the lead, e.g. istui handoff show 01J8Q."))
    given = [f"--{name}" for name in ("to", "budget", "authority", "need", "timeline", "note") if getattr(args, name)]
    if given:
        raise BadInput(_("handoff show takes no {options}: those are for a new handoff (istui handoff ID --to NAME).").format(
            options=", ".join(given)))
    ws = open_workspace(args)
    lead = ws.get_lead(ws.resolve_lead(args.shown))
    sheet = sheet_of(ws, lead)
    if args.json:
        emit_json({"lead": lead, "handoff": lead["handoff"], "sheet": sheet})
    else:
        sys.stdout.write(sheet)
    return 0
