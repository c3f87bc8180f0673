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
from istui.domain.formatting import when
from istui.i18n import _


def define(name: str, command: argparse.ArgumentParser) -> None:
    note = actions(command)
    p = note.add_parser("add", help=_("add a note"), epilog=_(
        "The body: --body TEXT, or --file PATH (- for standard input); with neither, text piped in is the body "
        "(`echo TEXT | istui note add --title T`). A body given two ways (--body and piped text) is refused."))
    p.add_argument("--title", required=True, help=_("the note's title (required)"))
    p.add_argument("--tag", action="append", default=[], help=_("a tag (repeat for more)"))
    p.add_argument("--kind", default="tip", help=_("script, objection, material, case, tip or template (an e-mail "
                                                   "template: --subject and a body with merge fields)"))
    p.add_argument("--subject", help=_("an e-mail template's subject line (merge fields allowed)"))
    body = p.add_mutually_exclusive_group()
    body.add_argument("--file", metavar="PATH", help=_("Markdown body from a file, or - for standard input"))
    body.add_argument("--body", metavar="TEXT", help=_("the Markdown body as text"))
    p.add_argument("--pin", action="store_true", help=_("keep it at the top of the Notes tab"))
    json_option(p)
    p.set_defaults(handler=run_add)
    p = note.add_parser("edit", help=_("change a note"), epilog=_(
        "A new body: --body TEXT, or --file PATH (- for standard input); with neither, text piped in is the new "
        "body (`echo TEXT | istui note edit ID`). A body given two ways is refused."))
    p.add_argument("id")
    p.add_argument("--title")
    p.add_argument("--tag", action="append", help=_("replaces the tags (repeat for more)"))
    p.add_argument("--kind")
    p.add_argument("--subject", help=_("an e-mail template's subject line (merge fields allowed)"))
    body = p.add_mutually_exclusive_group()
    body.add_argument("--file", metavar="PATH", help=_("Markdown body from a file, or - for standard input"))
    body.add_argument("--body", metavar="TEXT", help=_("the Markdown body as text"))
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


def stdin_waiting() -> bool:
    """Whether text piped or redirected in is already waiting on standard input, looked at without reading it
    (a script's input stays for the script) and without waiting for a writer that has not written: to refuse a
    body given two ways. A terminal, or a system without FIONREAD (Windows), has none."""
    stdin = sys.stdin
    try:
        if stdin is None or stdin.isatty() or not stdin.readable():
            return False
        try:
            descriptor = stdin.fileno()
        except (OSError, ValueError):
            return bool(stdin.read().strip())  # a stream in memory: all there is, is there
        import fcntl
        import struct
        import termios

        return struct.unpack("i", fcntl.ioctl(descriptor, termios.FIONREAD, b"\0\0\0\0"))[0] > 0
    except (ImportError, OSError, ValueError):  # closed, or no such question on this system
        return False


def given_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The note fields named on the command line (the service validates them). The body: --body, --file, or
    with neither, text piped in; --body or a --file PATH with text piped in as well is refused."""
    fields: dict[str, Any] = {}
    for name in ("title", "kind", "subject"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    if args.tag is not None:
        fields["tags"] = args.tag
    if args.file is None and args.body is None:
        piped = piped_stdin()
        body = piped if piped and piped.strip() else None  # an empty line piped in changes nothing
    else:
        if args.file != "-" and stdin_waiting():
            raise BadInput(_("body: the body is given both as {option} and as text piped in; give it one way.").format(
                option="--body" if args.body is not None else "--file"))
        body = read_body(args.file) if args.file is not None else args.body
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
    note_id = ws.resolve_note(args.id)
    fields = given_fields(args)
    if not fields:
        raise BadInput(_("Nothing to change: give --title, --body, --file, --tag, --kind, --subject or --pin, or pipe "
                         "in a new body."))
    note = edit_note(ws, note_id, fields)
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
    if note.get("subject"):
        print(_("Subject: {subject}").format(subject=safe(note["subject"])))
    print(f"{safe(note['id'])} · " + _("updated {date} by {rep}").format(date=when(note["updated_at"], ws.now(), day_only=True),
                                                                        rep=safe(note.get("updated_by"))) + "\n")
    print(safe(note.get("body", ""), multiline=True))  # the body's lines and tabs, nothing a terminal would run
    return 0
