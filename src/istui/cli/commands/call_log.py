"""`istui import activities FILE`: call logs from dialers (date and time, number, result, duration, caller)."""

from __future__ import annotations

import argparse
import sys

from istui.cli.context import open_workspace, read_input
from istui.cli.parser import json_option
from istui.cli.render import emit_json, say
from istui.domain import labels
from istui.domain.formatting import duration
from istui.i18n import _

SHOWN = 10  # unmatched numbers and unread rows named on screen (--json lists them all)


def define(imports: argparse._SubParsersAction) -> None:
    p = imports.add_parser("activities", help=_("import calls from a dialer's call log (CSV or .xlsx)"),
                           epilog=_("Columns recognised: 日時 (or 日付 and 時刻), 電話番号, 結果 / 応対結果 / コール結果, "
                                    "通話時間, 担当者, メモ, and their English names (Date/Time, Phone, Result, "
                                    "Duration, Agent, Notes), in CSV (UTF-8, CP932, UTF-16) or .xlsx. Calls are "
                                    "matched to leads by phone number; importing the same log again adds nothing."))
    p.add_argument("file")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=field",
                   help=_("map a column: time, date, clock, phone, result, duration, rep, note, call_id"))
    p.add_argument("--map-outcome", action="append", default=[], metavar="WORD=outcome",
                   help=_("map a result word to an outcome (connected, no_answer, … or its key 1–0) or to skip"))
    p.add_argument("--dry-run", action="store_true", help=_("report what a real run adds; write nothing"))
    json_option(p)
    p.set_defaults(handler=run_calls)


def run_calls(args: argparse.Namespace) -> int:
    from istui.services import call_import

    ws = open_workspace(args)
    raw = read_input(args.file)
    with ws.lock.held():
        planned = call_import.plan(ws, raw, args.map, args.map_outcome)
        if not args.dry_run:
            call_import.apply(ws, planned)  # refused in one sentence: nothing written
    report = {"file": str(args.file), "dry_run": args.dry_run, **planned.summary()}
    if args.json:
        emit_json(report)
    else:
        say_report(report)
    return 2 if report["refusal"] else 0  # (a dry run of a file a real run refuses: as the real run would)


def say_report(report: dict) -> None:
    what = _("Would import") if report["dry_run"] else _("Imported")
    outcomes = _(", ").join(f"{labels.call_outcome(name)} {count:,}" for name, count in sorted(report["outcomes"].items()))
    say(_("{what} {count} calls from {rows} rows{outcomes}; talk time {talk}.").format(
        what=what, count=f"{report['calls']:,}", rows=f"{report['rows']:,}", outcomes=f" ({outcomes})" if outcomes else "",
        talk=duration(report["talk_seconds"])))
    if report["already_imported"]:
        say(_("Already imported: {count}.").format(count=f"{report['already_imported']:,}"))
    if report["skipped"]:
        say(_("Skipped (mapped to skip): {count}.").format(count=f"{report['skipped']:,}"))
    if report["stages"]:
        say(_("Leads moved to: {stages}.").format(stages=_(", ").join(
            f"{labels.stage(stage)} {count:,}" for stage, count in sorted(report["stages"].items()))))
    if report["do_not_call"]:
        say(_("Marked do-not-call: {count} leads.").format(count=report["do_not_call"]))
    unmatched = report["unmatched"]
    if unmatched:
        listed = _(", ").join(f"{number} ({count})" for number, count in list(unmatched.items())[:SHOWN])
        say(_("No lead has these numbers ({count}): {numbers}").format(
            count=len(unmatched), numbers=listed + (" …" if len(unmatched) > SHOWN else "")))
    for problem in report["problems"][:SHOWN]:
        say(_("Row {row} not read: {reason}.").format(row=problem["row"], reason=problem["reason"]), file=sys.stderr)
    if report["refusal"]:
        say((_("A real run would refuse: {reason}") if report["dry_run"] else "{reason}").format(
            reason=report["refusal"]), file=sys.stderr)
