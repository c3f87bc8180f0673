"""`istui` alone, `istui init`, `istui demo`, `istui doctor`: the workspace itself."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from istui import locations
from istui.cli import render
from istui.cli.context import clock, open_workspace, resolve_rep, workspace_path
from istui.cli.parser import json_option
from istui.cli.render import emit_json
from istui.domain.errors import BadInput, WorkspaceError
from istui.domain.formatting import long_moment
from istui.domain.parsing import parse_rep, require_text
from istui.i18n import _, language
from istui.store import settings as settings_store
from istui.store.workspace import Workspace


def define(name: str, p: argparse.ArgumentParser) -> None:
    if name == "init":
        p.add_argument("path", nargs="?", help=_("folder (default: the per-user workspace)"))
        p.add_argument("--rep", dest="init_rep", metavar="NAME", help=_("your rep name in this workspace"))
        p.add_argument("--remote", metavar="URL", help=_("git remote the team shares"))
        p.add_argument("--team", help=_("team name"))
        p.add_argument("--timezone", help=_("IANA timezone, e.g. Asia/Tokyo (default: this machine's)"))
        p.set_defaults(handler=run_init)
    elif name == "demo":
        p.add_argument("path", nargs="?", help=_("folder (default: the per-user demo workspace)"))
        p.add_argument("--no-open", action="store_true", help=_("only build it"))
        p.add_argument("--scale", choices=("small", "team", "team-year"), default="small",
                       help=_("small: 4 reps, 600 leads, 2 months; team: 8 reps, 2,000 leads; team-year: 20 reps, 50,000 leads, a year, "
                            "1,000,000 activities"))
        p.add_argument("--seed", type=int, default=7, help=_("random seed (same seed, same data)"))
        p.add_argument("--force", action="store_true", help=_("replace an existing demo workspace with a new one"))
        p.set_defaults(handler=run_demo)
    else:  # doctor
        p.epilog = _("Exit status: 0 when every file is fine or with warnings only, 1 with errors.")
        p.set_defaults(handler=run_doctor)
    json_option(p)


# --- home -----------------------------------------------------------------------------------------

def run_home(args: argparse.Namespace) -> int:
    """`istui` alone: the TUI in a terminal; today's queue and KPIs as text when output is piped."""
    return open_home(open_workspace(args))


def open_home(ws: Workspace) -> int:
    """The TUI (its exit status: non-zero after a crash), or the text home when not in a terminal."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from istui.tui import run

        return run(ws)
    print_home(ws)
    return 0


def print_home(ws: Workspace) -> None:
    from istui.services.report import kpi_report
    from istui.services.today import loop_clock, today_queue

    now = ws.now()
    print(f"istui · {render.safe(ws.settings.team)} · {ws.rep} · {long_moment(now)}  "
          f"({render.safe(ws.root)})\n")
    render.print_today(ws, today_queue(ws.leads(), now, ws.rep, loop_clock(ws)), limit=15)
    print()
    render.print_kpi_report(ws, kpi_report(ws, "today", ws.rep))


# --- init -----------------------------------------------------------------------------------------

def run_init(args: argparse.Namespace) -> int:
    root = Path(args.path).expanduser() if args.path else (Path(args.workspace).expanduser() if args.workspace
                                                           else locations.default_workspace())
    if (root / locations.SETTINGS_FILE).exists() and args.remote:
        return set_remote(args, root)
    rep = parse_rep(args.init_rep or args.rep or os.environ.get("ISTUI_REP") or resolve_rep(args, None))
    team = require_text(args.team, "team") if args.team is not None else _("My team")
    settings = settings_store.Settings(team=team, timezone=args.timezone or local_timezone())
    ws = Workspace.create(root, rep, settings, remote=args.remote, clock=clock)
    settings_store.set_current_workspace(ws.root)
    if args.json:
        emit_json({"workspace": str(ws.root), "rep": rep, "timezone": settings.timezone,
                   "holiday_country": settings.holiday_country, "remote": args.remote})
    else:
        calendar = (_("the holiday calendar of {country}").format(country=settings.holiday_country)
                    if settings.holiday_country else _("no public holiday calendar"))
        render.say(_("Created an istui workspace at {root} for rep {rep} (timezone {tz}, {holidays}).").format(
            root=ws.root, rep=rep, tz=settings.timezone, holidays=calendar))
        print(_("istui commands now use it. Next: `istui lead add --company ...` or `istui import leads FILE.csv`."))
        if not args.timezone and is_utc(settings.timezone):  # a server or container: say what was chosen
            render.say(_("This machine's timezone is UTC (or unknown), so the workspace counts days in UTC with {holidays}; "
                         "change them with `istui settings timezone=Asia/Tokyo holiday_country=JP`.").format(
                holidays=calendar))
    return 0


def set_remote(args: argparse.Namespace, root: Path) -> int:
    """`istui init --remote URL` on an existing workspace: set (or replace) its git remote."""
    from istui.store.gitrepo import Git, ensure_merge_driver, git_dir

    git = Git(root.resolve())
    if git_dir(git.root) is None:
        git.run("init", "-q")
    ensure_merge_driver(git.root)
    names = git.out("remote").split()
    previous = git.out("remote", "get-url", "origin") if "origin" in names else None
    git.run("remote", "set-url" if previous else "add", "origin", args.remote)
    if args.json:
        emit_json({"workspace": str(git.root), "remote": args.remote, "previous": previous})
    else:
        render.say(_("The workspace {root} now syncs with {remote}").format(root=git.root, remote=args.remote) +
              (_(" (was {previous}).").format(previous=previous) if previous and previous != args.remote else _(".")) + " "
              + _("Run `istui sync`."))
    return 0


def is_utc(name: str) -> bool:
    """Whether a timezone name is UTC under one of its aliases (Etc/UTC, Etc/UCT, Zulu, GMT, …)."""
    return name.removeprefix("Etc/") in ("UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich")


def local_timezone() -> str:
    """This machine's IANA timezone name, or UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.readlink("/etc/localtime")
            name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        except OSError:
            name = ""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
        return name
    except (ValueError, KeyError, Exception):
        return "UTC"


# --- demo -----------------------------------------------------------------------------------------

def run_demo(args: argparse.Namespace) -> int:
    """Build a demo workspace and open it. The default demo, when it exists, is opened again as it is
    (work done in it stays); only --force replaces a demo, and nothing replaces another workspace."""
    import shutil
    import time

    from istui.services.demo import build_demo, demo_reps

    root = Path(args.path).expanduser().resolve() if args.path else locations.default_demo_workspace()
    if (root / locations.SETTINGS_FILE).exists():
        existing = settings_store.load_settings(root)
        if not existing.demo or (args.path and not args.force):
            raise BadInput(_("{root} already holds a workspace; choose another folder (or --force to replace a demo "
                             "workspace).").format(root=root))
        if not args.force:
            return reopen_demo(args, root)
        print(_("Replacing the demo workspace at {root}: its leads, activities, notes and git history are deleted.").format(
            root=root), file=sys.stderr, flush=True)
        shutil.rmtree(root)
    elif root.exists() and any(root.iterdir()):
        raise BadInput(_("{root} exists and is not empty; choose a new or empty folder.").format(root=root))
    lang = language()  # --lang, the config or the locale: `LANG=ja_JP.UTF-8 istui demo` builds a Japanese team
    reps = demo_reps(args.scale, lang)
    settings = settings_store.Settings(team=_("Demo inside-sales team"), timezone="Asia/Tokyo", demo=True)
    started = time.monotonic()
    if not args.json:
        render.say(_("Building a {scale} demo workspace at {root} …").format(scale=args.scale, root=root), file=sys.stderr)
    ws = Workspace.create(root, reps[0], settings, clock=clock)
    counts = build_demo(ws, args.scale, args.seed, lang)
    from istui.services.today import queue_leads

    queue_leads(ws)  # kept for the quick first screen: a new user's first open need not read every lead first
    elapsed = time.monotonic() - started
    switched = make_demo_current(root)
    if args.json:
        emit_json({"workspace": str(root), "rep": reps[0], "built": True, "seconds": round(elapsed, 1), **counts,
                   "current": switched})
        return 0
    print(_("Built in {seconds} s: {reps} reps, {leads} leads, {activities} activities, {notes} notes, {targets} targets.")
          .format(seconds=f"{elapsed:.1f}", reps=counts["reps"], leads=f"{counts['leads']:,}",
                  activities=f"{counts['activities']:,}", notes=counts["notes"], targets=counts["targets"]), file=sys.stderr)
    say_which_is_current(root, reps[0], switched)
    if not args.no_open:
        return open_home(Workspace.open(root, reps[0], clock=clock))
    return 0


def reopen_demo(args: argparse.Namespace, root: Path) -> int:
    """`istui demo` when the default demo exists: open it as it is (--no-open: only say it is there)."""
    rep = settings_store.local_settings(root).get("rep")
    switched = make_demo_current(root)
    if args.json:
        emit_json({"workspace": str(root), "rep": rep, "built": False, "current": switched})
        return 0
    if args.no_open:
        print(_("Your demo workspace at {root} already exists and stays as it is; `istui demo --force` builds a new one.")
              .format(root=root), file=sys.stderr)
        say_which_is_current(root, rep, switched)
        return 0
    print(_("Opening your existing demo workspace at {root}; `istui demo --force` builds a new one.").format(root=root),
          file=sys.stderr, flush=True)
    return open_home(Workspace.open(root, clock=clock))


def make_demo_current(root: Path) -> bool:
    """Make the demo the workspace istui commands use, unless the user's own workspace is; True when it is now."""
    configured = settings_store.user_config().get("workspace")
    switched = not configured or not Path(configured).exists() or is_demo(Path(configured)) or Path(configured) == root
    if switched:
        settings_store.set_current_workspace(root)
    return switched


def say_which_is_current(root: Path, rep: str | None, switched: bool) -> None:
    """Whether istui commands now use this demo, or the user's own workspace stays the default."""
    if switched:
        print(_("istui now uses this demo workspace; you are rep '{rep}'. Try `istui today`, `istui lead list`, "
                "`istui kpi --team --period month`.").format(rep=rep) + "\n", file=sys.stderr)
    else:
        print(_("Your own workspace stays the default; use this one with --workspace {root} "
                "(or export ISTUI_WORKSPACE={root}).").format(root=root) + "\n", file=sys.stderr)


def is_demo(root: Path) -> bool:
    try:
        return settings_store.load_settings(root).demo
    except WorkspaceError:
        return False


# --- doctor ---------------------------------------------------------------------------------------

def run_doctor(args: argparse.Namespace) -> int:
    from istui.store.doctor import check_workspace

    root = workspace_path(args)
    problems = check_workspace(root.expanduser().resolve())
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        emit_json({"workspace": str(root), "ok": not errors, "problems": [p.to_json() for p in problems]})
    else:
        for problem in problems:
            render.say(problem)  # problems quote what a file holds
        render.say(f"{root}: " + (_("all files are fine.") if not problems else _("{errors} error(s), {warnings} warning(s).").format(
            errors=len(errors), warnings=len(problems) - len(errors))))
    return 1 if errors else 0  # warnings alone: 0
