"""`istui sync`, `istui remote` (show or set the team's git remote) and git's merge driver."""

from __future__ import annotations

import argparse
import sys

from istui.cli.context import open_workspace, reply
from istui.cli.parser import json_option
from istui.domain.errors import BadInput
from istui.i18n import _


def define(name: str, p: argparse.ArgumentParser) -> None:
    if name == "sync":
        p.description = _("Commit your work (the message says what: calls, leads, notes), fetch the team's, merge "
                          "record by record, push. Field conflicts are settled (the newer edit wins) and reported; "
                          "the other value is kept in .istui/conflicts.jsonl and told to the rep whose value lost.")
        p.add_argument("--allow-deletions", action="store_true",
                       help=_("commit even when more than a few records or whole data files were deleted"))
        json_option(p)
        p.set_defaults(handler=run_sync)
    elif name == "remote":
        p.description = "Show the git remote this workspace syncs with, or set it: istui remote set URL."
        p.add_argument("action", nargs="?", choices=("set",), help=_("set: change the remote to URL"))
        p.add_argument("url", nargs="?", metavar="URL", help=_("the team's git repository"))
        json_option(p)
        p.set_defaults(handler=run_remote)
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
    report = sync(ws, progress, allow_deletions=args.allow_deletions)
    reply(args, report, report["message"])
    return 0


def run_remote(args: argparse.Namespace) -> int:
    """`istui remote` shows the remote; `istui remote set URL` sets it (as `istui init --remote URL` does for
    an existing workspace)."""
    from istui.cli.commands.workspace import set_remote
    from istui.services.sync import remote_url

    if args.action == "set":
        if not args.url:
            raise BadInput(_("remote set: give the URL of the team's git repository, e.g. `istui remote set "
                             "git@example.com:team/sales.git`."))
        root = open_workspace(args).root
        args.remote = args.url
        return set_remote(args, root)
    if args.url:
        raise BadInput(_("remote: to change the remote, run `istui remote set {url}`.").format(url=args.url))
    ws = open_workspace(args)
    url = remote_url(ws.root)
    reply(args, {"workspace": str(ws.root), "remote": url},
          url or _("No remote is set; set one with `istui remote set URL` (the team's git repository)."))
    return 0


def run_merge_driver(args: argparse.Namespace) -> int:
    from istui.store.merge import driver

    return driver(args.base, args.ours, args.theirs, args.path)
