"""The argparse tree of the CLI contract; each command names its handler in `istui.cli.commands`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from istui import __version__
from istui.i18n import N_, _

WHEN_HELP = N_("WHEN: 'today 15:00', 'tomorrow 10am', '+3d', '+2h', 'mon', 'next tue 9:30', '2026-12-01', '12/1 14:00'")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence, exit status 2
        self.print_usage(sys.stderr)
        self.exit(2, f"istui: {message}.\n")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON document instead of text"))


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="istui", description=_("A keyboard-driven workspace for inside-sales reps."),
                     epilog=_("Run 'istui COMMAND --help' for a command's options."))
    parser.add_argument("--workspace", metavar="PATH", help=_("workspace folder (env ISTUI_WORKSPACE)"))
    parser.add_argument("--rep", metavar="NAME", help=_("who is working (env ISTUI_REP)"))
    parser.add_argument("--lang", choices=("en", "ja"), help=_("language (default: the config's `language`, then the locale)"))
    parser.add_argument("--version", action="version", version=f"istui {__version__}")
    parser.set_defaults(handler="cmd_home")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    wanted = _command_in(argv)
    for name, (summary, define) in COMMANDS.items():
        command = sub.add_parser(name, help=_(summary))
        if wanted is None or wanted == name:  # only the command being run gets its options: a faster start
            define(command)
    return parser


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The command named in argv (global options skipped), or None to build every command."""
    args = list(sys.argv[1:] if argv is None else argv)
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("--workspace", "--rep", "--lang"):
            index += 2
        elif arg.startswith("-"):
            if arg in ("-h", "--help"):
                return None
            index += 1
        else:
            return arg if arg in COMMANDS else None
    return None


def _init_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", help=_("folder (default: the per-user workspace)"))
    p.add_argument("--rep", dest="init_rep", metavar="NAME", help=_("your rep name in this workspace"))
    p.add_argument("--remote", metavar="URL", help=_("git remote the team shares"))
    p.add_argument("--team", help=_("team name"))
    p.add_argument("--timezone", help=_("IANA timezone, e.g. Asia/Tokyo (default: this machine's)"))
    _json(p)
    p.set_defaults(handler="cmd_init")


def _demo_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", help=_("folder (default: the per-user demo workspace)"))
    p.add_argument("--no-open", action="store_true", help=_("only build it"))
    p.add_argument("--scale", choices=("small", "team", "team-year"), default="small")
    p.add_argument("--seed", type=int, default=7, help=_("random seed (same seed, same data)"))
    p.add_argument("--force", action="store_true", help=_("replace an existing demo workspace at PATH"))
    _json(p)
    p.set_defaults(handler="cmd_demo")


def _lead_options(command: argparse.ArgumentParser) -> None:
    lead = command.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    p = lead.add_parser("add", help=_("add a lead"), epilog=_(WHEN_HELP))
    p.add_argument("--company", required=True)
    p.add_argument("--company-kana", metavar="READING", help=_("reading of the company (会社名カナ), for sorting"))
    p.add_argument("--contact-kana", metavar="READING", help=_("reading of the contact's name (担当者カナ)"))
    for name in ("contact", "title", "phone", "email", "source", "owner", "memo"):
        p.add_argument(f"--{name}")
    p.add_argument("--motion", help=_("sdr or bdr"))
    p.add_argument("--temp", help=_("hot, warm or cold"))
    p.add_argument("--next", metavar="WHEN", help=_("next follow-up"))
    p.add_argument("--next-action", metavar="TEXT", help=_("what to do next"))
    p.add_argument("--tag", action="append", default=[], help=_("a tag (repeat for more)"))
    _json(p)
    p.set_defaults(handler="cmd_lead_add")

    p = lead.add_parser("list", help=_("list leads"))
    p.add_argument("--stage")
    p.add_argument("--source")
    p.add_argument("--owner", metavar="REP")
    p.add_argument("--tag")
    p.add_argument("--due", action="store_true", help=_("only leads with a follow-up due today or overdue"))
    p.add_argument("--search", metavar="TEXT", help=_("company, contact, phone, e-mail, tags"))
    p.add_argument("--limit", type=int, default=0, help=_("at most N leads (text output; 0 = all)"))
    _json(p)
    p.set_defaults(handler="cmd_lead_list")

    p = lead.add_parser("show", help=_("a lead's card and activity history"))
    p.add_argument("id")
    _json(p)
    p.set_defaults(handler="cmd_lead_show")

    from istui.domain.model import EDITABLE_LEAD_FIELDS, Stage

    p = lead.add_parser("set", help=_("change fields: FIELD=VALUE ..."),
                        epilog=f"Fields: {' '.join(EDITABLE_LEAD_FIELDS)}. " + _(WHEN_HELP))
    p.add_argument("id")
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
    _json(p)
    p.set_defaults(handler="cmd_lead_set")

    p = lead.add_parser("stage", help=_("move a lead to a stage"),
                        epilog=f"Stages: {' '.join(stage.value for stage in Stage)}.")
    p.add_argument("id")
    p.add_argument("stage")
    p.add_argument("--amount", help=_("order amount (won): 1200000, ¥1,200,000, 120万"))
    p.add_argument("--note", default="")
    _json(p)
    p.set_defaults(handler="cmd_lead_stage")


def _log_options(command: argparse.ArgumentParser) -> None:
    log = command.add_subparsers(metavar="KIND", parser_class=_Parser, required=True)
    from istui.domain.outcomes import call_outcomes_help, email_outcomes_help

    for kind, outcomes in (("call", call_outcomes_help()), ("email", email_outcomes_help())):
        p = log.add_parser(kind, help=_("log a call outcome") if kind == "call" else _("log an e-mail outcome"),
                           epilog=_("Outcomes: {outcomes}.").format(outcomes=outcomes) + " " + _(WHEN_HELP))
        p.add_argument("id", help=_("lead id (any unique prefix)"))
        p.add_argument("--outcome", "-o", required=True)
        p.add_argument("--note", default="")
        p.add_argument("--next", metavar="WHEN", help=_("next follow-up"))
        p.add_argument("--next-action", metavar="TEXT")
        p.add_argument("--at", metavar="WHEN", help=_("when it happened (default: now)"))
        if kind == "call":
            p.add_argument("--duration", metavar="SECS")
            p.add_argument("--script", metavar="NOTE_ID", help=_("the talk script used"))
        _json(p)
        p.set_defaults(handler="cmd_log", kind=kind)


def _today_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help=_("the whole team's queue, not only yours"))
    _json(p)
    p.set_defaults(handler="cmd_today")


def _note_options(command: argparse.ArgumentParser) -> None:
    note = command.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    p = note.add_parser("add", help=_("add a note"))
    p.add_argument("--title", required=True)
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--kind", default="tip", help=_("script, objection, material, case or tip"))
    p.add_argument("--file", metavar="PATH", help=_("Markdown body from a file, or - for standard input"))
    p.add_argument("--pin", action="store_true")
    _json(p)
    p.set_defaults(handler="cmd_note_add")
    p = note.add_parser("edit", help=_("change a note"))
    p.add_argument("id")
    p.add_argument("--title")
    p.add_argument("--tag", action="append", help=_("replaces the tags (repeat for more)"))
    p.add_argument("--kind")
    p.add_argument("--file", metavar="PATH")
    p.add_argument("--pin", action=argparse.BooleanOptionalAction, default=None)
    _json(p)
    p.set_defaults(handler="cmd_note_edit")
    p = note.add_parser("list", help=_("list notes"))
    p.add_argument("--tag")
    p.add_argument("--kind")
    p.add_argument("--search", metavar="TEXT")
    _json(p)
    p.set_defaults(handler="cmd_note_list")
    p = note.add_parser("show", help=_("show a note"))
    p.add_argument("id")
    _json(p)
    p.set_defaults(handler="cmd_note_show")


def _target_options(command: argparse.ArgumentParser) -> None:
    target = command.add_subparsers(metavar="ACTION", parser_class=_Parser, required=True)
    from istui.domain.metrics import metrics_help

    p = target.add_parser("set", help=_("set a target"), epilog=f"Metrics: {metrics_help()}.")
    p.add_argument("metric")
    p.add_argument("value")
    p.add_argument("--per", required=True, help=_("day, week, month, quarter or fiscal_year"))
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--rep", dest="target_rep", metavar="NAME", help=_("this rep's target (default: yours)"))
    scope.add_argument("--team", action="store_true", help=_("the team's target"))
    p.add_argument("--motion", help=_("only sdr or bdr leads"))
    _json(p)
    p.set_defaults(handler="cmd_target_set")
    p = target.add_parser("list", help=_("list targets"))
    _json(p)
    p.set_defaults(handler="cmd_target_list")
    p = target.add_parser("remove", help=_("remove a target"))
    p.add_argument("id")
    _json(p)
    p.set_defaults(handler="cmd_target_remove")


def _scope_options(p: argparse.ArgumentParser, rep_dest: str) -> None:
    """`--rep NAME | --team` of a report (kpi, review): one rep (default: you) or the whole team."""
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--rep", dest=rep_dest, metavar="NAME", help=_("this rep (default: you)"))
    scope.add_argument("--team", action="store_true", help=_("the whole team"))


def _kpi_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", default="today", help=_("today, week, month, quarter, fy, YYYY-MM or FROM..TO"))
    _scope_options(p, "kpi_rep")
    _json(p)
    p.set_defaults(handler="cmd_kpi")


def _handoff_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("id")
    p.add_argument("--to", required=True, metavar="NAME")
    for name in ("budget", "authority", "need", "timeline", "note"):
        p.add_argument(f"--{name}", default="")
    _json(p)
    p.set_defaults(handler="cmd_handoff")


def _import_options(command: argparse.ArgumentParser) -> None:
    imp = command.add_subparsers(metavar="WHAT", parser_class=_Parser, required=True)
    p = imp.add_parser("leads", help=_("import leads from a CSV export (Salesforce, HubSpot, Japanese headers)"))
    p.add_argument("file")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=field", help=_("map a column to a lead field"))
    p.add_argument("--encoding", default="auto", help=_("auto, utf-8 or cp932"))
    p.add_argument("--dry-run", action="store_true", help=_("report every row, write nothing"))
    p.add_argument("--on-duplicate", default="skip", help=_("skip, update or add"))
    _json(p)
    p.set_defaults(handler="cmd_import")


def _export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("what", choices=("leads", "activities", "notes", "targets"))
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE (default: standard output)"))
    p.add_argument("--json", action="store_true", help=_("same as --format json"))
    p.set_defaults(handler="cmd_export")


def _doctor_options(p: argparse.ArgumentParser) -> None:
    _json(p)
    p.set_defaults(handler="cmd_doctor")


def _sync_options(p: argparse.ArgumentParser) -> None:
    p.description = ("Commit your work (the message says what: calls, leads, notes), fetch the team's, merge "
                     "record by record, push. Field conflicts are settled (the newer edit wins) and reported; "
                     "the other value is kept in .istui/conflicts.jsonl.")
    _json(p)
    p.set_defaults(handler="cmd_sync")


def _merge_driver_options(p: argparse.ArgumentParser) -> None:
    p.description = "git's merge driver for workspace files (registered by istui itself; not for direct use)."
    for name in ("base", "ours", "theirs", "path"):
        p.add_argument(name, help={"base": "%%O", "ours": "%%A (the result is written here)", "theirs": "%%B",
                                   "path": "%%P"}[name])
    p.set_defaults(handler="cmd_merge_driver")


def _review_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", default="week", help=_("week, last_week, month, last_month, quarter, fy, YYYY-MM or FROM..TO"))
    _scope_options(p, "review_rep")
    p.add_argument("--format", choices=("text", "md"), default="text", help=_("md: Markdown for the team meeting"))
    _json(p)
    p.set_defaults(handler="cmd_review")


def _plan_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--revenue", required=True, metavar="AMOUNT", help=_("the goal (KGI): 30000000, ¥30,000,000, 3000万"))
    p.add_argument("--period", required=True, choices=("month", "quarter", "fy"), help=_("the period the goal is for"))
    p.add_argument("--lookback", type=int, default=90, metavar="DAYS", help=_("history the rates come from (default 90)"))
    p.add_argument("--deal-size", metavar="AMOUNT", help=_("average order amount instead of the observed one"))
    for name, what in (("order-rate", N_("orders per handoff")), ("handoff-rate", N_("handoffs per meeting")),
                       ("meeting-rate", N_("meetings per connect")), ("connect-rate", N_("connects per call"))):
        p.add_argument(f"--{name}", metavar="RATE", help=_("{what}, e.g. 0.25 or 25%%").format(what=_(what)))
    p.add_argument("--save", action="store_true", help=_("save the result as the team's targets for the period"))
    _json(p)
    p.set_defaults(handler="cmd_plan")


COMMANDS = {
    "init": (N_("create a workspace"), _init_options),
    "demo": (N_("build a demo workspace and show it"), _demo_options),
    "lead": (N_("add, list, show and edit leads"), _lead_options),
    "log": (N_("log a call or e-mail"), _log_options),
    "today": (N_("today's queue: overdue, due, new inbound"), _today_options),
    "note": (N_("the team's talk scripts, objections, materials"), _note_options),
    "target": (N_("targets per day, week, month, quarter, fiscal year"), _target_options),
    "kpi": (N_("KPIs and targets for a period"), _kpi_options),
    "review": (N_("review a period (振り返り): targets, funnel, sources, windows, focus"), _review_options),
    "plan": (N_("KGI → KPI: the calls, meetings and orders a revenue goal takes"), _plan_options),
    "handoff": (N_("hand a lead to field sales with a BANT sheet"), _handoff_options),
    "import": (N_("import leads from CSV"), _import_options),
    "export": (N_("export records as CSV or JSON"), _export_options),
    "sync": (N_("commit, fetch and merge the team's work, push"), _sync_options),
    "doctor": (N_("check every workspace file"), _doctor_options),
    "merge-driver": (N_("git's record-level merge driver (used by git)"), _merge_driver_options),
}
