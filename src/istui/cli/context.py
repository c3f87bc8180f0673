"""What every command needs before it runs: the clock, the workspace folder, the rep, the open workspace,
and the reply (text for a person, or one JSON document)."""

from __future__ import annotations

import argparse
import os
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from istui import locations
from istui.cli.render import emit_json, say
from istui.domain.errors import BadInput, WorkspaceError
from istui.domain.parsing import parse_rep
from istui.domain.roster import require_member
from istui.i18n import _
from istui.store import settings as settings_store
from istui.store.workspace import Workspace, system_clock


def clock(tz: tzinfo) -> datetime:
    """Now, or the fixed moment in ISTUI_NOW (ISO 8601), which tests and demos use."""
    fixed = os.environ.get("ISTUI_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    return system_clock(tz)


def workspace_path(args: argparse.Namespace) -> Path:
    given = args.workspace or os.environ.get("ISTUI_WORKSPACE")
    return Path(given).expanduser() if given else settings_store.current_workspace()


def _git_user() -> str | None:
    import subprocess

    try:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    name = "-".join(result.stdout.split()).lower()
    return name or None


def resolve_rep(args: argparse.Namespace, root: Path | None) -> str:
    """--rep, then ISTUI_REP, then this clone's setting, then `git config user.name`, then the login name."""
    given = args.rep or os.environ.get("ISTUI_REP")
    if given:
        return parse_rep(given)
    if root is not None:
        local = settings_store.local_settings(root).get("rep")
        if local:
            return parse_rep(local)
    import getpass

    candidate = _git_user() or getpass.getuser()
    try:
        return parse_rep(candidate)
    except BadInput:
        return "me"


def open_workspace(args: argparse.Namespace) -> Workspace:
    root = workspace_path(args)
    if not (root / locations.SETTINGS_FILE).exists():
        raise WorkspaceError(_("No istui workspace at {root}; create one with `istui init` (or try `istui demo`), "
                               "or point to one with --workspace PATH.").format(root=root))
    ws = Workspace.open(root, resolve_rep(args, root), clock=clock)
    OPENED.append(ws)
    if not getattr(args, "any_rep", False):  # `istui rep` lets someone not yet on the roster add themselves
        ws.rep = require_member(ws.settings.roster, ws.rep, "rep")
    return ws


#: Workspaces this command opened: after it ran, what their reads left out is reported (`report_read_problems`).
OPENED: list[Workspace] = []


def report_read_problems(limit: int = 3) -> None:
    """On stderr: the lines and records the command's reads left out (DESIGN.md 8: reported, never fatal)
    and what a crash recovery could not finish."""
    import sys

    from istui.cli.render import safe

    while OPENED:
        ws = OPENED.pop()
        ws.remember_checks()
        for notice in ws.notices:
            print(_("istui: warning: {notice}").format(notice=safe(notice)), file=sys.stderr)
        problems = ws.read_problems()
        for problem in problems[:limit]:
            where = locations.relative(ws.root, problem.path) + (f" line {problem.line}" if problem.line else "")
            print(_("istui: warning: {where}: {message}; left out (run `istui doctor`).").format(
                where=safe(where), message=safe(problem.message)), file=sys.stderr)
        if len(problems) > limit:
            print(_("istui: warning: … and {count} more; `istui doctor` lists them all.").format(count=len(problems) - limit),
                  file=sys.stderr)


def reply(args: argparse.Namespace, document: Any, text: str) -> None:
    """Print the JSON document with --json, else the sentence for a person (made safe for the terminal)."""
    if args.json:
        emit_json(document)
    else:
        say(text)


def report_rep(args: argparse.Namespace, ws: Workspace, rep: str | None) -> str | None:
    """The scope of a report: None for `--team`, the rep named, else the rep working."""
    if args.team:
        return None
    if not rep:
        return ws.rep
    from istui.domain.roster import require_member
    return require_member(ws.settings.roster, rep)  # a name not on the roster would report on nobody


def read_input(name: str) -> bytes:
    """The bytes of a file an import reads (`-`: standard input); one sentence when it is missing or a folder."""
    import sys

    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).expanduser().read_bytes()
    except FileNotFoundError:
        raise BadInput(_("file: {path} does not exist.").format(path=name)) from None
    except IsADirectoryError:
        raise BadInput(_("file: {path} is a folder, not a CSV file.").format(path=name)) from None
