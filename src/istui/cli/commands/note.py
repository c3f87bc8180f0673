"""`istui note add|edit|list|show`: the team's talk scripts, objection answers, materials."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from istui.cli import render
from istui.cli.context import open_workspace, reply
from istui.cli.parser import actions, json_option
from istui.cli.render import emit_json
from istui.domain import labels
from istui.domain.errors import BadInput
from istui.i18n import _


def define(name: str, command: argparse.ArgumentParser) -> None:
    note = actions(command)
    p = note.add_parser("add", help=_("add a note"), epilog=_(
        "The body: --body TEXT, or --file PATH (- for standard input); with neither, text piped in is the body "
        "(`echo TEXT | istui note add --title T`). --body wins over piped text, which is then not read."))
    p.add_argument("--title", required=True)
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--kind", default="tip", help=_("script, objection, material, case or tip"))
    body = p.add_mutually_exclusive_group()
    body.add_argument("--file", metavar="PATH", help=_("Markdown body from a file, or - for standard input"))
    body.add_argument("--body", metavar="TEXT", help=_("the Markdown body as text"))
    p.add_argument("--pin", action="store_true")
    json_option(p)
    p.set_defaults(handler=run_add)
    p = note.add_parser("edit", help=_("change a note"))
    p.add_argument("id")
    p.add_argument("--title")
    p.add_argument("--tag", action="append", help=_("replaces the tags (repeat for more)"))
    p.add_argument("--kind")
    p.add_argument("--file", metavar="PATH")
    p.add_argument("--pin", action=argparse.BooleanOptionalAction, default=None)
    json_option(p)
    p.set_defaults(handler=run_edit)
    p = note.add_parser("list", help=_("list notes"))
    p.add_argument("--tag")
    p.add_argument("--kind")
    p.add_argument("--search", metavar="TEXT")
    json_option(p)
    p.set_defaults(handler=run_list)
    p = note.add_parser("show", help=_("show a note"))
    p.add_argument("id")
    json_option(p)
    p.set_defaults(handler=run_show)


def read_body(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).expanduser().read_text("utf-8")
    except FileNotFoundError:
        raise BadInput(_("file: {path} does not exist.").format(path=path)) from None
    except UnicodeDecodeError:
        raise BadInput(_("file: {path} is not UTF-8 text.").format(path=path)) from None


def piped_stdin() -> str | None:
    """Text piped or redirected into the command; None when standard input is a terminal (or absent)."""
    stdin = sys.stdin
    try:
        if stdin is None or stdin.isatty() or not stdin.readable():
            return None
        return stdin.read()
    except (OSError, ValueError):  # closed, or not a real stream
        return None
    except UnicodeDecodeError:
        raise BadInput(_("file: standard input is not UTF-8 text.")) from None


def given_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The note fields named on the command line (the service validates them)."""
    fields: dict[str, Any] = {}
    for name in ("title", "kind"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    if args.tag is not None:
        fields["tags"] = args.tag
    body = read_body(args.file)
    if body is None and getattr(args, "body", None) is not None:
        body = args.body
    elif body is None and getattr(args, "body", None) is None and args.handler is run_add:
        body = piped_stdin() or None  # `note add` with neither --body nor --file: what is piped in is the body
    if body is not None:
        fields["body"] = body
    if args.pin is not None:
        fields["pinned"] = args.pin
    return fields


def run_add(args: argparse.Namespace) -> int:
    from istui.services.notes import add_note

    ws = open_workspace(args)
    note = add_note(ws, given_fields(args))
    reply(args, note, _("Added note {id} {title}.").format(id=note["id"][:10], title=render.safe(note["title"])))
    return 0


def run_edit(args: argparse.Namespace) -> int:
    from istui.services.notes import edit_note

    ws = open_workspace(args)
    note = edit_note(ws, ws.resolve_note(args.id), given_fields(args))
    reply(args, note, _("Updated note {id} {title}.").format(id=note["id"][:10], title=render.safe(note["title"])))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from istui.services.notes import find_notes

    ws = open_workspace(args)
    every = ws.notes()
    notes = find_notes(every, args.search or "", args.tag, args.kind)
    if args.json:
        emit_json(notes)
        return 0
    if not notes:
        print(_("No notes match.") if every else _("No notes yet — `istui note add --title TITLE` adds one."))
        return 0
    rows = [[n["id"][:10], "★" if n.get("pinned") else "", labels.note_kind(n.get("kind", "")), n["title"],
             ", ".join(n.get("tags", []))] for n in notes]
    print(render.table([_("ID"), "", _("KIND"), _("TITLE"), _("TAGS")], rows))
    return 0


def run_show(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    note = ws.get_note(ws.resolve_note(args.id))
    if args.json:
        emit_json(note)
        return 0
    safe = render.safe
    print(f"{safe(note['title'])}  [{labels.note_kind(note.get('kind', ''))}]  "
          f"{', '.join(safe(tag) for tag in note.get('tags') or [])}")
    print(f"{safe(note['id'])} · " + _("updated {date} by {rep}").format(date=safe(note["updated_at"])[:10],
                                                                        rep=safe(note.get("updated_by"))) + "\n")
    print(safe(note.get("body", ""), multiline=True))  # the body's lines and tabs, nothing a terminal would run
    return 0
