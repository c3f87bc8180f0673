"""`istui sync` and git's merge driver."""

from __future__ import annotations

import argparse
import sys

from istui.cli.context import open_workspace, reply
from istui.cli.parser import json_option


def define(name: str, p: argparse.ArgumentParser) -> None:
    if name == "sync":
        p.description = ("Commit your work (the message says what: calls, leads, notes), fetch the team's, merge "
                         "record by record, push. Field conflicts are settled (the newer edit wins) and reported; "
                         "the other value is kept in .istui/conflicts.jsonl.")
        json_option(p)
        p.set_defaults(handler=run_sync)
    else:
        p.description = "git's merge driver for workspace files (registered by istui itself; not for direct use)."
        for part in ("base", "ours", "theirs", "path"):
            p.add_argument(part, help={"base": "%%O", "ours": "%%A (the result is written here)", "theirs": "%%B",
                                       "path": "%%P"}[part])
        p.set_defaults(handler=run_merge_driver)


def run_sync(args: argparse.Namespace) -> int:
    from istui.services.sync import sync

    ws = open_workspace(args)
    from istui.cli.render import say

    progress = None if args.json or not sys.stderr.isatty() else (lambda text: say(text, file=sys.stderr))
    report = sync(ws, progress)
    reply(args, report, report["message"])
    return 0


def run_merge_driver(args: argparse.Namespace) -> int:
    from istui.store.merge import driver

    return driver(args.base, args.ours, args.theirs, args.path)
