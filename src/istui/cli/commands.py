"""Command handlers: parse arguments into service calls, print text or one JSON document.

Heavy modules are imported inside the handlers that need them, so `istui log call` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from istui import locations
from istui.cli import render
from istui.cli.render import emit_json
from istui.domain import labels
from istui.domain.errors import BadInput, WorkspaceError
from istui.domain.formatting import long_date
from istui.domain.parsing import parse_rep
from istui.i18n import N_, _, language
from istui.store import settings as settings_store
from istui.store.workspace import Record, Workspace, system_clock

# --- context -------------------------------------------------------------------------------------

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
    if not (root / settings_store.SETTINGS_FILE).exists():
        raise WorkspaceError(_("No istui workspace at {root}; create one with `istui init` (or try `istui demo`), "
                               "or point to one with --workspace PATH.").format(root=root))
    return Workspace.open(root, resolve_rep(args, root), clock=clock)


def reply(args: argparse.Namespace, document: Any, text: str) -> None:
    """Print the JSON document with --json, else the sentence for a person."""
    if args.json:
        emit_json(document)
    else:
        print(text)


def _lead_text(fields: dict[str, Any], args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        value = getattr(args, name.replace("-", "_"), None)
        if value is not None:
            fields[name] = value
    return fields


# --- home, init, demo ----------------------------------------------------------------------------

def cmd_home(args: argparse.Namespace) -> int:
    """`istui` alone: the TUI in a terminal; today's queue and KPIs as text when output is piped."""
    ws = open_workspace(args)
    _open(ws)
    return 0


def _open(ws: Workspace) -> None:
    if sys.stdin.isatty() and sys.stdout.isatty():
        from istui.tui import run

        run(ws)
    else:
        _print_home(ws)


def _print_home(ws: Workspace) -> None:
    now = ws.now()
    print(f"istui · {ws.settings.team} · {ws.rep} · {long_date(now.date())} {now:%H:%M}  ({ws.root})\n")
    _print_today(ws, _queue(ws, everyone=False), limit=15)
    print()
    _print_kpi(ws, "today", ws.rep)


def cmd_init(args: argparse.Namespace) -> int:
    root = Path(args.path).expanduser() if args.path else (Path(args.workspace).expanduser() if args.workspace else locations.default_workspace())
    if (root / settings_store.SETTINGS_FILE).exists() and args.remote:
        return _set_remote(args, root)
    rep = parse_rep(args.init_rep or args.rep or os.environ.get("ISTUI_REP") or resolve_rep(args, None))
    settings = settings_store.Settings(team=args.team or _("My team"), timezone=args.timezone or _local_timezone())
    ws = Workspace.create(root, rep, settings, remote=args.remote, clock=clock)
    settings_store.set_current_workspace(ws.root)
    if args.json:
        emit_json({"workspace": str(ws.root), "rep": rep, "timezone": settings.timezone, "remote": args.remote})
    else:
        print(_("Created an istui workspace at {root} for rep {rep} (timezone {tz}).").format(
            root=ws.root, rep=rep, tz=settings.timezone))
        print(_("istui commands now use it. Next: `istui lead add --company ...` or `istui import leads FILE.csv`."))
    return 0


def _set_remote(args: argparse.Namespace, root: Path) -> int:
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
        print(_("The workspace {root} now syncs with {remote}").format(root=git.root, remote=args.remote) +
              (_(" (was {previous}).").format(previous=previous) if previous and previous != args.remote else _(".")) + " "
              + _("Run `istui sync`."))
    return 0


def _local_timezone() -> str:
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


def cmd_demo(args: argparse.Namespace) -> int:
    import shutil
    import time

    from istui.services.demo import build_demo, demo_reps

    root = Path(args.path).expanduser().resolve() if args.path else locations.default_demo_workspace()
    if (root / settings_store.SETTINGS_FILE).exists():
        existing = settings_store.load_settings(root)
        if not (existing.demo and (args.force or not args.path)):
            raise BadInput(_("{root} already holds a workspace; choose another folder (or --force to replace a demo "
                             "workspace).").format(root=root))
        shutil.rmtree(root)
    elif root.exists() and any(root.iterdir()):
        raise BadInput(_("{root} exists and is not empty; choose a new or empty folder.").format(root=root))
    lang = language()  # --lang, the config or the locale: `LANG=ja_JP.UTF-8 istui demo` builds a Japanese team
    reps = demo_reps(args.scale, lang)
    settings = settings_store.Settings(team=_("Demo inside-sales team"), timezone="Asia/Tokyo", demo=True)
    started = time.monotonic()
    if not args.json:
        print(_("Building a {scale} demo workspace at {root} …").format(scale=args.scale, root=root), file=sys.stderr,
              flush=True)
    ws = Workspace.create(root, reps[0], settings, clock=clock)
    counts = build_demo(ws, args.scale, args.seed, lang)
    elapsed = time.monotonic() - started
    configured = settings_store.user_config().get("workspace")
    switched = not configured or not Path(configured).exists() or _is_demo(Path(configured)) or Path(configured) == root
    if switched:
        settings_store.set_current_workspace(root)
    if args.json:
        emit_json({"workspace": str(root), "rep": reps[0], "seconds": round(elapsed, 1), **counts,
                   "current": switched})
        return 0
    print(_("Built in {seconds} s: {reps} reps, {leads} leads, {activities} activities, {notes} notes, {targets} targets.")
          .format(seconds=f"{elapsed:.1f}", reps=counts["reps"], leads=f"{counts['leads']:,}",
                  activities=f"{counts['activities']:,}", notes=counts["notes"], targets=counts["targets"]), file=sys.stderr)
    if switched:
        print(_("istui now uses this demo workspace; you are rep '{rep}'. Try `istui today`, `istui lead list`, "
                "`istui kpi --team --period month`.").format(rep=reps[0]) + "\n", file=sys.stderr)
    else:
        print(_("Your own workspace stays the default; use this one with --workspace {root} "
                "(or export ISTUI_WORKSPACE={root}).").format(root=root) + "\n", file=sys.stderr)
    if not args.no_open:
        _open(Workspace.open(root, reps[0], clock=clock))
    return 0


def _is_demo(root: Path) -> bool:
    try:
        return settings_store.load_settings(root).demo
    except WorkspaceError:
        return False


# --- leads ---------------------------------------------------------------------------------------

LEAD_OPTION_FIELDS = ("contact", "title", "phone", "email", "source", "owner", "memo", "motion", "temp", "next",
                      "company_kana", "contact_kana")


def cmd_lead_add(args: argparse.Namespace) -> int:
    from istui.services.leads import create_lead

    ws = open_workspace(args)
    fields = _lead_text({"company": args.company}, args, LEAD_OPTION_FIELDS)
    if args.next_action is not None:
        fields["next_action"] = args.next_action
    if args.tag:
        fields["tags"] = args.tag
    lead = create_lead(ws, fields)
    reply(args, lead, _("Added lead {id} {company} ({source}, {motion}).").format(
        id=lead["id"][:10], company=render.safe(lead["company"]), source=labels.source(lead["source"]), motion=lead["motion"]))
    return 0


def _matches(lead: Record, text: str) -> bool:
    """`text` is folded (`domain.text.fold`): widths, kana and company designators do not matter."""
    from istui.domain.text import lead_search_text

    if text in lead_search_text(lead):
        return True
    digits = "".join(ch for ch in text if ch.isdigit())
    return len(digits) >= 4 and digits in "".join(ch for ch in lead.get("phone", "") if ch.isdigit())


def cmd_lead_list(args: argparse.Namespace) -> int:
    from istui.domain.model import Stage
    from istui.domain.parsing import parse_choice
    from istui.services.today import today_queue

    ws = open_workspace(args)
    if args.stage:
        args.stage = parse_choice(args.stage, [s.value for s in Stage], "stage")
    if args.source:
        args.source = parse_choice(args.source, ws.settings.sources, "source")
    leads = ws.leads()
    from istui.domain.text import fold

    search = fold(args.search) if args.search else ""
    selected = [
        lead for lead in leads
        if (not args.stage or lead["stage"] == args.stage)
        and (not args.source or lead["source"] == args.source)
        and (not args.owner or lead.get("owner") == args.owner)
        and (not args.tag or args.tag in lead.get("tags", []))
        and (not search or _matches(lead, search))
    ]
    now = ws.now()
    if args.due:
        due_ids = {e["lead"]["id"] for e in today_queue(selected, now) if e["reason"] in ("overdue", "due")}
        selected = [lead for lead in selected if lead["id"] in due_ids]
    selected.sort(key=lambda lead: (lead["created_at"], lead["id"]), reverse=True)
    if args.json:
        emit_json(selected)
        return 0
    if not selected:
        print(_("No leads match."))
        return 0
    shown = selected[: args.limit] if args.limit > 0 else selected
    _print_leads(ws, shown, now)
    if len(shown) < len(selected):
        print(_("… {more} more (of {total}).").format(more=f"{len(selected) - len(shown):,}", total=f"{len(selected):,}"))
    return 0


def _short_ids(ws: Workspace, ids: list[str]) -> dict[str, str]:
    from istui.domain.ids import short_ids

    every = ws.lead_ids()
    shorts = short_ids(every)
    return {i: shorts.get(i, i) for i in ids}


def _print_leads(ws: Workspace, leads: list[Record], now: datetime, reasons: dict[str, str] | None = None) -> None:
    shorts = _short_ids(ws, [lead["id"] for lead in leads])
    headers = [_(h) for h in (N_("ID"), N_("COMPANY"), N_("CONTACT"), N_("PHONE"), N_("STAGE"), N_("TEMP"), N_("SOURCE"),
                              N_("OWNER"), N_("NEXT"))]
    rows = []
    for lead in leads:
        row = [shorts[lead["id"]], lead["company"], lead.get("contact", ""), lead.get("phone", ""), labels.stage(lead["stage"]),
               labels.temperature(lead.get("temp", "")), labels.source(lead["source"]), lead.get("owner", ""),
               render.when(lead.get("next_at"), now)]
        if reasons is not None:
            row.insert(0, labels.reason(reasons[lead["id"]]))
        rows.append(row)
    if reasons is not None:
        headers.insert(0, _("WHY"))
    print(render.table(headers, rows))


def cmd_lead_show(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    lead = ws.get_lead(ws.resolve_lead(args.id))
    activities = ws.activities_of_lead(lead["id"])
    if args.json:
        emit_json({**lead, "activities": activities})
        return 0
    now = ws.now()
    safe = render.safe
    print(f"{safe(lead['company'])}  [{labels.stage(lead['stage'])}]  {lead['id']}")

    def row(label: str, value: str) -> None:
        print(f"  {render.pad(_(label), 10)} {value}")

    for label, key in ((N_("Reading"), "company_kana"), (N_("Contact"), "contact"), (N_("Contact reading"), "contact_kana"),
                       (N_("Title"), "title"), (N_("Phone"), "phone"), (N_("E-mail"), "email"), (N_("Source"), "source"),
                       (N_("Motion"), "motion"), (N_("Temp"), "temp"), (N_("Owner"), "owner")):
        if lead.get(key):
            value = labels.source(lead[key]) if key == "source" else labels.temperature(lead[key]) if key == "temp" else lead[key]
            row(label, safe(value))
    if lead.get("tags"):
        row(N_("Tags"), safe(", ".join(lead["tags"])))
    if lead.get("next_at"):
        row(N_("Next"), f"{render.when(lead['next_at'], now)} {safe(lead.get('next_action', ''))}")
    if lead.get("amount"):
        row(N_("Amount"), render.money(lead["amount"], ws.settings.currency))
    if lead.get("memo"):
        row(N_("Memo"), safe(lead["memo"]))
    if lead.get("handoff"):
        handoff = lead["handoff"]
        row(N_("Handoff"), _("to {name} on {date}").format(name=safe(handoff.get("to")), date=handoff.get("at", "")[:10]))
    print("\n" + _("Activity ({count})").format(count=len(activities)))
    for activity in activities[-30:]:
        extra = f" {render.money(activity['amount'], ws.settings.currency)}" if activity.get("amount") else ""
        note = f" — {safe(activity['note'])}" if activity.get("note") else ""
        at = datetime.fromisoformat(activity["at"]).astimezone(ws.tz)
        kind = labels.activity_kind(activity["kind"])
        print(f"  {at:%Y-%m-%d %H:%M}  {render.pad(kind, 6)} {render.pad(labels.outcome(activity), 22)} "
              f"{safe(activity['rep'])}{extra}{note}")
    if not activities:
        print("  " + _("none yet"))
    return 0


def cmd_lead_set(args: argparse.Namespace) -> int:
    from istui.services.leads import set_lead_fields

    ws = open_workspace(args)
    lead_id = ws.resolve_lead(args.id)
    fields: dict[str, Any] = {}
    for assignment in args.assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise BadInput(_("'{text}' should look like FIELD=VALUE, e.g. temp=hot or next='tomorrow 10am'.").format(
                text=assignment))
        fields[name.strip().lower().replace("-", "_")] = value
    lead = set_lead_fields(ws, lead_id, fields)
    if args.json:
        emit_json(lead)
    else:
        print(_("Updated {company}: {fields}.").format(company=render.safe(lead["company"]), fields=", ".join(fields)))
    return 0


def cmd_lead_stage(args: argparse.Namespace) -> int:
    from istui.services.leads import change_stage

    ws = open_workspace(args)
    logged = change_stage(ws, ws.resolve_lead(args.id), args.stage, amount=args.amount, note=args.note)
    if args.json:
        emit_json({"activity": logged.activity, "lead": logged.lead})
    else:
        amount = f" ({render.money(logged.lead['amount'], ws.settings.currency)})" if logged.activity.get("amount") else ""
        print(f"{render.safe(logged.lead['company'])}: {labels.stage(logged.activity['from_stage'])} → "
              f"{labels.stage(logged.lead['stage'])}{amount}" + _("."))
    return 0


# --- logging -------------------------------------------------------------------------------------

def cmd_log(args: argparse.Namespace) -> int:
    from istui.services.leads import log_activity

    ws = open_workspace(args)
    logged = log_activity(
        ws, ws.resolve_lead(args.id), args.kind, args.outcome, note=args.note, next_when=args.next,
        next_action=args.next_action, at=args.at, duration=getattr(args, "duration", None),
        script=getattr(args, "script", None),
    )
    if args.json:
        emit_json({"activity": logged.activity, "lead": logged.lead})
        return 0
    outcome = logged.activity["outcome"]
    if language() == "ja":
        outcome = labels.outcome(logged.activity)
    parts = [(_("Logged call {outcome} for {company}") if args.kind == "call" else _("Logged e-mail {outcome} for {company}"))
             .format(outcome=outcome, company=render.safe(logged.lead["company"]))]
    if "stage" in logged.lead_changes:
        parts.append(_("stage → {stage}").format(stage=labels.stage(logged.lead["stage"])))
    if logged.lead.get("next_at") and "next_at" in logged.lead_changes:
        parts.append(_("next {when}").format(when=render.when(logged.lead["next_at"], ws.now())))
    print(_("; ").join(parts).rstrip(".") + _("."))
    return 0


# --- today ---------------------------------------------------------------------------------------

def _queue(ws: Workspace, everyone: bool) -> list[dict[str, Any]]:
    from istui.services.today import today_queue

    return today_queue(ws.leads(), ws.now(), None if everyone else ws.rep)


def cmd_today(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    queue = _queue(ws, args.all)
    if args.json:
        emit_json([{"reason": e["reason"], **e["lead"]} for e in queue])
        return 0
    _print_today(ws, queue)
    return 0


def _print_today(ws: Workspace, queue: list[dict[str, Any]], limit: int = 0) -> None:
    counts = {reason: sum(1 for e in queue if e["reason"] == reason) for reason in ("overdue", "due", "new")}
    print(_("Today's queue: {overdue} overdue · {due} due today · {new} new inbound").format(**counts))
    if not queue:
        print(_("Nothing due. Add follow-ups with `istui log call ID -o OUTCOME --next WHEN`."))
        return
    shown = queue[:limit] if limit else queue
    _print_leads(ws, [e["lead"] for e in shown], ws.now(), reasons={e["lead"]["id"]: e["reason"] for e in shown})
    if len(shown) < len(queue):
        print(_("… {more} more: `istui today`.").format(more=len(queue) - len(shown)))


# --- notes ---------------------------------------------------------------------------------------

def _read_body(path: str | None) -> str | None:
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


def _note_fields(args: argparse.Namespace, record: Record) -> Record:
    from istui.domain.model import NoteKind
    from istui.domain.parsing import optional_text, parse_choice, parse_tags, require_text

    if args.title is not None:
        record["title"] = require_text(args.title, "title")
    if args.kind is not None:
        record["kind"] = parse_choice(args.kind, [k.value for k in NoteKind], "kind")
    if args.tag is not None:
        record["tags"] = parse_tags(args.tag)
    body = _read_body(args.file)
    if body is not None:
        if len(body) > 100_000:
            raise BadInput(_("body is longer than 100,000 characters; split the note."))
        record["body"] = body
    if args.pin is not None:
        record["pinned"] = bool(args.pin)
    optional_text(record.get("title", ""), "title")
    return record


def cmd_note_add(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    record = _note_fields(args, {"title": "", "kind": "tip", "tags": [], "body": "", "pinned": False})
    note = ws.save_note(record)
    if args.json:
        emit_json(note)
    else:
        print(_("Added note {id} {title}.").format(id=note["id"][:10], title=render.safe(note["title"])))
    return 0


def cmd_note_edit(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    with ws.lock.held():
        record = _note_fields(args, ws.get_note(ws.resolve_note(args.id)))
        note = ws.save_note(record)
    reply(args, note, _("Updated note {id} {title}.").format(id=note["id"][:10], title=render.safe(note["title"])))
    return 0


def cmd_note_list(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    from istui.domain.text import fold

    search = fold(args.search or "")
    notes = [
        n for n in ws.notes()
        if (not args.tag or args.tag in n.get("tags", []))
        and (not args.kind or n.get("kind") == args.kind)
        and (not search or search in fold(f"{n['title']} {n.get('body', '')} {' '.join(n.get('tags', []))}"))
    ]
    notes.sort(key=lambda n: (not n.get("pinned"), n["title"].casefold()))
    if args.json:
        emit_json(notes)
        return 0
    if not notes:
        print(_("No notes match."))
        return 0
    rows = [[n["id"][:10], "★" if n.get("pinned") else "", labels.note_kind(n.get("kind", "")), n["title"],
             ", ".join(n.get("tags", []))] for n in notes]
    print(render.table([_("ID"), "", _("KIND"), _("TITLE"), _("TAGS")], rows))
    return 0


def cmd_note_show(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    note = ws.get_note(ws.resolve_note(args.id))
    if args.json:
        emit_json(note)
        return 0
    print(f"{render.safe(note['title'])}  [{labels.note_kind(note.get('kind', ''))}]  "
          f"{', '.join(note.get('tags', []))}")
    print(f"{note['id']} · " + _("updated {date} by {rep}").format(date=note["updated_at"][:10], rep=note["updated_by"]) + "\n")
    print("".join(ch if ch == "\n" or ch == "\t" else render.safe(ch) for ch in note.get("body", "")))
    return 0


# --- targets and KPIs ----------------------------------------------------------------------------

def cmd_target_set(args: argparse.Namespace) -> int:
    from istui.domain.metrics import TARGET_METRICS
    from istui.domain.model import Motion, PeriodKind
    from istui.domain.parsing import parse_amount, parse_choice
    from istui.services.targets import set_target

    ws = open_workspace(args)
    metric = parse_choice(args.metric, TARGET_METRICS, "metric")
    per = parse_choice(args.per, [k.value for k in PeriodKind], "per")
    value = parse_amount(args.value, "value")
    if value <= 0:
        raise BadInput(_("value: a target must be greater than zero."))
    rep = None if args.team else parse_rep(args.target_rep) if args.target_rep else ws.rep
    motion = parse_choice(args.motion, [m.value for m in Motion], "motion") if args.motion else None
    target = set_target(ws, metric, per, value, rep, motion)
    if args.json:
        emit_json(target)
    else:
        print(_("Target: {metric} {value} per {per} for {scope}").format(
            metric=labels.metric(metric), value=render.number(value), per=labels.period_kind(per), scope=rep or _("team"))
              + (f" ({motion})" if motion else "") + _("."))
    return 0


def cmd_target_list(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    from istui.domain.metrics import TARGET_METRICS
    from istui.domain.model import PeriodKind

    order = [k.value for k in PeriodKind]
    targets = sorted(ws.targets(), key=lambda t: (t.get("rep") or "", order.index(t["per"]), TARGET_METRICS.index(t["metric"])))
    if args.json:
        emit_json(targets)
        return 0
    if not targets:
        print(_("No targets yet; set one with `istui target set meetings 20 --per month`."))
        return 0
    rows = [[t["id"][:10], t.get("rep") or _("team"), labels.period_kind(t["per"]), labels.metric(t["metric"]),
             render.number(t["value"]), t.get("motion") or ""] for t in targets]
    print(render.table([_("ID"), _("SCOPE"), _("PER"), _("METRIC"), _("VALUE"), _("MOTION")], rows, right=(4,)))
    return 0


def cmd_target_remove(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    with ws.lock.held():
        target_id = ws.resolve_target(args.id)
        target = next(t for t in ws.targets() if t["id"] == target_id)
        ws.remove_target(target_id)
    if args.json:
        emit_json(target)
    else:
        print(_("Removed target {metric} per {per} for {scope}.").format(
            metric=labels.metric(target["metric"]), per=labels.period_kind(target["per"]), scope=target.get("rep") or _("team")))
    return 0


def cmd_kpi(args: argparse.Namespace) -> int:
    from istui.services.report import kpi_report

    ws = open_workspace(args)
    rep = None if args.team else parse_rep(args.kpi_rep) if args.kpi_rep else ws.rep
    report = kpi_report(ws, args.period, rep, analytics=True)
    if args.json:
        emit_json(report)
        return 0
    _print_kpi_report(ws, report)
    return 0


def _print_kpi(ws: Workspace, period: str, rep: str | None) -> None:
    from istui.services.report import kpi_report

    _print_kpi_report(ws, kpi_report(ws, period, rep))


def _bar(progress: float | None, size: int = 20) -> str:
    filled = 0 if progress is None else min(size, round(progress * size))
    return "█" * filled + "░" * (size - filled)


def _print_kpi_report(ws: Workspace, report: dict[str, Any]) -> None:
    m, cur = report["metrics"], ws.settings.currency
    num, pct = render.number, render.percent
    scope = _("team") if report["scope"]["team"] else report["scope"]["rep"]
    start, end = report["period"]["start"][:10], report["period"]["end"][:10]
    print(f"KPI · {scope} · {report['period']['label']}  [{start} .. {end})")

    def line(label: str, value: str, detail: str) -> None:
        print(f"  {render.pad(label, 12)} {value:>8}   {detail}")

    line(_("Calls"), num(m["calls"]), _("connects {connects} ({rate})").format(connects=num(m["connects"]),
                                                                                rate=pct(m["connect_rate"])))
    line(_("E-mails"), num(m["emails"]), _("opens {opens} ({open_rate}) · clicks {clicks} ({click_rate}) · replies {replies}").format(
        opens=num(m["opens"]), open_rate=pct(m["open_rate"]), clicks=num(m["clicks"]), click_rate=pct(m["click_rate"]),
        replies=num(m["replies"])))
    line(_("Meetings"), num(m["meetings"]), _("of {worked} leads worked ({rate})").format(worked=num(m["leads_worked"]),
                                                                                         rate=pct(m["meeting_rate"])))
    line(_("Handoffs"), num(m["handoffs"]), _("orders {orders} · lost {lost} · win rate {rate} · amount {amount}").format(
        orders=num(m["orders"]), lost=num(m["lost"]), rate=pct(m["win_rate"]), amount=render.money(m["amount"], cur)))
    print("  " + _("Target accounts (BDR) {count}").format(count=num(m["target_accounts"])))
    if "funnel" in report:
        steps = " → ".join(f"{labels.metric(s['step'])} {num(s['count'])}" + (f" ({pct(s['rate_from_previous'])})"
                                                                              if s["rate_from_previous"] is not None else "")
                           for s in report["funnel"])
        print("\n" + _("Funnel") + f"  {steps}")
        changes = []
        from istui.domain.metrics import HEADLINE_DELTAS

        for name in HEADLINE_DELTAS:
            d = report["deltas"][name]
            if d["delta"] is None:
                continue
            shown = pct(d["delta"]).replace("%", " pt") if name.endswith("_rate") else num(d["delta"])
            arrow = {"up": "↑", "down": "↓", "same": "="}[d["direction"]]
            title = _("meeting rate") if name == "meeting_rate" else labels.metric(name)
            changes.append(f"{title} {arrow}{shown.lstrip('-')}")
        print(_("vs {previous}: ").format(previous=report["previous"]["label"]) + " · ".join(changes))
    if report["targets"]:
        print("\n" + _("Targets"))
        rows = []
        for t in report["targets"]:
            fmt = (lambda v: render.money(v, cur)) if t["metric"] == "amount" else num
            pace = ""
            if t.get("expected") is not None:
                pace = f"{labels.pace(t['status'])} {fmt(abs(t['ahead']))}" if t["status"] != "on_pace" else labels.pace("on_pace")
            need = _("{rate}/day").format(rate=fmt(t["needed_per_day"])) if t.get("needed_per_day") else ""
            rows.append([labels.metric(t["metric"]) + (f" ({t['motion']})" if t["motion"] else ""), fmt(t["actual"]),
                         fmt(t["target"]), pct(t["progress"]), fmt(t.get("expected")), pace, need, _bar(t["progress"])])
        headers = [_(h) for h in (N_("METRIC"), N_("ACTUAL"), N_("TARGET"), N_("PROGRESS"), N_("BY NOW"), N_("PACE"), N_("NEEDED"))]
        print(render.table(["  " + headers[0], *headers[1:], ""], [["  " + r[0], *r[1:]] for r in rows], right=(1, 2, 3, 4, 6)))
    if report["by_source"]:
        print("\n" + _("Leads created in the period, by source"))
        rows = [[f"  {labels.source(source)}", num(r["leads"]), num(r["meetings"]), pct(r["meeting_rate"]), num(r["orders"]),
                 render.money(r["amount"], cur), pct(r["win_rate"])] for source, r in report["by_source"].items()]
        headers = [_(h) for h in (N_("SOURCE"), N_("LEADS"), N_("MEETINGS"), N_("RATE"), N_("ORDERS"), N_("AMOUNT"), N_("WIN"))]
        print(render.table(["  " + headers[0], *headers[1:]], rows, right=(1, 2, 3, 4, 5, 6)))


def cmd_review(args: argparse.Namespace) -> int:
    from istui.services.report import kpi_report
    from istui.services.review import build_review, render_review

    ws = open_workspace(args)
    rep = None if args.team else parse_rep(args.review_rep) if args.review_rep else ws.rep
    leads = list(ws.leads())
    report = kpi_report(ws, args.period, rep, leads=leads, analytics=True)
    team = kpi_report(ws, args.period, None, leads=leads, analytics=True) if rep is not None else None
    findings = build_review(report, team, ws.settings.currency)
    if args.json:
        emit_json(findings)
    else:
        sys.stdout.write(render_review(findings, args.format))
    return 0


def _rate(text: str, option: str) -> float:
    cleaned = text.strip().rstrip("%")
    try:
        value = float(cleaned) / (100 if text.strip().endswith("%") else 1)
    except ValueError:
        raise BadInput(_("{option}: '{text}' is not a rate; use 0.25 or 25%.").format(option=option, text=text)) from None
    if not 0 < value <= 1:
        raise BadInput(_("{option}: '{text}' is not a rate between 0 and 1 (or 0% and 100%).").format(option=option, text=text))
    return value


def cmd_plan(args: argparse.Namespace) -> int:
    from istui.domain.parsing import parse_amount
    from istui.services.plan import plan_report, save_plan_as_targets

    ws = open_workspace(args)
    revenue = parse_amount(args.revenue, "revenue")
    if args.lookback < 7:
        raise BadInput(_("lookback: use at least 7 days of history."))
    overrides: dict[str, float] = {}
    if args.deal_size:
        overrides["deal_size"] = parse_amount(args.deal_size, "--deal-size")
        if overrides["deal_size"] <= 0:
            raise BadInput(_("--deal-size: the average order amount must be greater than zero."))
    for name in ("order_rate", "handoff_rate", "meeting_rate", "connect_rate"):
        value = getattr(args, name)
        if value:
            overrides[name] = _rate(value, "--" + name.replace("_", "-"))
    result = plan_report(ws, revenue, {"fy": "fiscal_year"}.get(args.period, args.period), args.lookback, overrides)
    if args.save:
        result["saved_targets"] = save_plan_as_targets(ws, result)
    if args.json:
        emit_json(result)
        return 0
    cur, r = ws.settings.currency, result["rates"]
    print(_("Plan · team · ") + _("{period}: goal {goal} · {days} working days ({gone} gone)").format(
        period=result["period"]["label"], goal=render.money(revenue, cur), days=result["working_days"],
        gone=result["elapsed_working_days"]))
    print(_("Rates of the last {days} days: deal size {deal} · orders/handoff {order} · handoffs/meeting {handoff} · "
            "meetings/connect {meeting} · connects/call {connect}").format(
        days=args.lookback, deal=render.money(r["deal_size"], cur), order=render.percent(r["order_rate"]),
        handoff=render.percent(r["handoff_rate"]), meeting=render.percent(r["meeting_rate"]),
        connect=render.percent(r["connect_rate"])) + "\n")
    rows = [[labels.metric(row["metric"]), render.number(row["needed"]), render.number(row["per_working_day"]),
             render.number(row.get("actual")), render.number(row.get("actual_per_working_day")),
             render.number(row.get("gap_per_working_day"))] for row in result["steps"]]
    headers = [_(h) for h in (N_("STEP"), N_("NEEDED"), N_("PER DAY"), N_("SO FAR"), N_("PACE/DAY"), N_("GAP/DAY"))]
    print(render.table(headers, rows, right=(1, 2, 3, 4, 5)))
    if args.save:
        print("\n" + _("Saved the plan as the team's targets per {period}.").format(
            period=labels.period_kind(result["period"]["kind"])))
    return 0


# --- handoff -------------------------------------------------------------------------------------

def cmd_handoff(args: argparse.Namespace) -> int:
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


# --- import, export, doctor ----------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    from istui.services.csv_import import apply_import, plan_import

    ws = open_workspace(args)
    path = Path(args.file).expanduser()
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else path.read_bytes()
    except FileNotFoundError:
        raise BadInput(_("file: {path} does not exist.").format(path=args.file)) from None
    except IsADirectoryError:
        raise BadInput(_("file: {path} is a folder, not a CSV file.").format(path=args.file)) from None
    with ws.lock.held():
        plan = plan_import(raw, ws.leads(), sources=ws.settings.sources, now=ws.now(), rep=ws.rep,
                           encoding=args.encoding, overrides=args.map, on_duplicate=args.on_duplicate)
        written: dict[str, list[Record]] = {"added": [], "updated": []}
        failure: BadInput | None = None
        if not args.dry_run:
            try:
                written = apply_import(ws, plan)
            except BadInput as exc:
                failure = exc
    report = {"file": str(args.file), "encoding": plan.encoding, "columns": plan.columns, "dry_run": args.dry_run,
              "on_duplicate": plan.on_duplicate, "summary": {**plan.summary(), "added": len(written["added"]),
                                                             "updated": len(written["updated"])},
              "written": bool(written["added"] or written["updated"]),
              "rows": [row.to_json() for row in plan.rows],
              "added": [r["id"] for r in written["added"]]}
    if args.json:
        emit_json(report)
    else:
        _print_import(report, verbose=args.dry_run or failure is not None, failed=failure is not None)
    if failure is not None:
        print(f"istui: {failure}", file=sys.stderr)
        return failure.exit_code
    return 0


def _print_import(report: dict[str, Any], verbose: bool, failed: bool) -> None:
    columns = ", ".join(f"{k}→{v}" for k, v in report["columns"].items())
    print(f"{report['file']} ({report['encoding']}): " + _("columns {columns}").format(columns=columns))
    for row in report["rows"]:
        if not verbose and row["status"] == "ok" and not row["warnings"]:
            continue
        company = render.safe(row["lead"].get("company", ""))
        detail = row["reason"] + ("; " if row["reason"] and row["warnings"] else "") + "; ".join(row["warnings"])
        print("  " + _("row {number}").format(number=f"{row['row']:>4}") + f"  {row['status']:<9} {row['action']:<6} {company}"
              + (f" — {detail}" if detail else ""))
    s = report["summary"]
    if report["dry_run"]:
        print(_("Dry run: {rows} rows · {ok} ok · {duplicate} duplicate · {error} error. A real run would add {to_add} "
                "and update {to_update}. Nothing was written.").format(**s))
    elif failed:
        print(_("Not imported: {rows} rows · {ok} ok · {duplicate} duplicate · {error} error.").format(**s))
    else:
        print(_("Imported: added {added}, updated {updated}, skipped {skipped} ({duplicate} duplicates).").format(
            skipped=s["rows"] - s["added"] - s["updated"], **s))


def cmd_export(args: argparse.Namespace) -> int:
    from istui.services.export import to_csv, to_json

    ws = open_workspace(args)
    records: list[Record] = {
        "leads": lambda: sorted(ws.leads(), key=lambda r: r["id"]),
        "activities": lambda: sorted(ws.activities(), key=lambda r: (r["at"], r["id"])),
        "notes": lambda: sorted(ws.notes(), key=lambda r: r["id"]),
        "targets": lambda: sorted(ws.targets(), key=lambda r: r["id"]),
    }[args.what]()
    as_json = args.json or args.format == "json"
    text = to_json(records) if as_json else to_csv(args.what, records)
    if args.output:
        from istui.store.files import atomic_write

        data = text.encode("utf-8-sig" if not as_json else "utf-8")  # the BOM lets Excel read Japanese
        atomic_write(Path(args.output).expanduser(), data)
        print(_("Exported {count} {what} to {path}.").format(count=f"{len(records):,}", what=args.what, path=args.output),
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from istui.services.sync import sync

    ws = open_workspace(args)
    progress = None if args.json or not sys.stderr.isatty() else (lambda text: print(text, file=sys.stderr, flush=True))
    report = sync(ws, progress)
    reply(args, report, report["message"])
    return 0


def cmd_merge_driver(args: argparse.Namespace) -> int:
    from istui.store.merge import driver

    return driver(args.base, args.ours, args.theirs, args.path)


def cmd_doctor(args: argparse.Namespace) -> int:
    from istui.store.doctor import check_workspace

    root = workspace_path(args)
    problems = check_workspace(root.expanduser().resolve())
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        emit_json({"workspace": str(root), "ok": not errors, "problems": [p.to_json() for p in problems]})
    else:
        for problem in problems:
            print(problem)
        print(f"{root}: " + (_("all files are fine.") if not problems else _("{errors} error(s), {warnings} warning(s).").format(
            errors=len(errors), warnings=len(problems) - len(errors))))
    return 1 if problems else 0
