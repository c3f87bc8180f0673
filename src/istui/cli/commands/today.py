"""`istui today`: the day's queue."""

from __future__ import annotations

import argparse

from istui.cli import render
from istui.cli.context import open_workspace
from istui.cli.parser import json_option
from istui.cli.render import emit_json
from istui.i18n import _


def define(name: str, p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help=_("the whole team's queue, not only yours"))
    json_option(p)
    p.set_defaults(handler=run_today)


def run_today(args: argparse.Namespace) -> int:
    from istui.services.today import loop_clock, today_queue

    ws = open_workspace(args)
    queue = today_queue(ws.leads(), ws.now(), None if args.all else ws.rep, loop_clock(ws))
    if args.json:
        emit_json([{"reason": e["reason"], **e["lead"]} for e in queue])
        return 0
    render.print_today(ws, queue)
    return 0
