"""`istui handoff`: hand a lead to field sales with a BANT sheet."""

from __future__ import annotations

import argparse
import sys

from istui.cli.context import open_workspace
from istui.cli.parser import json_option
from istui.cli.render import emit_json


def define(name: str, p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("--to", required=True, metavar="NAME")
    for field in ("budget", "authority", "need", "timeline", "note"):
        p.add_argument(f"--{field}", default="")
    json_option(p)
    p.set_defaults(handler=run_handoff)


def run_handoff(args: argparse.Namespace) -> int:
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
