"""`istui import leads`, `istui export`: records in and out as CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from istui.cli import render
from istui.cli.context import open_workspace, read_input
from istui.cli.parser import actions, json_option
from istui.cli.render import emit_json
from istui.domain import labels
from istui.domain.errors import BadInput
from istui.i18n import _
from istui.services.export import write_export
from istui.services.import_columns import IMPORT_FIELDS
from istui.store.workspace import Record


def define(name: str, command: argparse.ArgumentParser) -> None:
    if name == "import":
        imp = actions(command, "WHAT")
        p = imp.add_parser("leads", help=_("import leads from a CSV export (Salesforce, HubSpot, Japanese headers)"),
                           epilog=_("Recognised without --map: Salesforce (API names and report labels), HubSpot "
                                    "contacts, Zoho, Japanese SFA exports (会社名, 姓・名, フリガナ, 電話番号, ステータス …) and "
                                    "MiiTel lists; separated by , ; or tab; UTF-8 (BOM or not), CP932 or UTF-16; or "
                                    ".xlsx. A CRM's record id is kept: importing its newer export updates those leads."))
        p.add_argument("file", help=_("the CSV or .xlsx file, or - for standard input"))
        p.add_argument("--map", action="append", default=[], metavar="COLUMN=field",
                       help=_("map a column to a lead field: {fields}").format(fields=", ".join(IMPORT_FIELDS)))
        p.add_argument("--encoding", default="auto", help=_("auto, utf-8 or cp932 (UTF-16 is told by the file itself)"))
        p.add_argument("--dry-run", action="store_true", help=_("report every row, write nothing"))
        p.add_argument("--on-duplicate", default="skip",
                       help=_("what a row with the e-mail or phone of a lead on file does: skip (the default), update "
                              "or add"))
        p.add_argument("--skip-invalid", action="store_true",
                       help=_("import the rows without errors; write the others, with reasons, beside the file"))
        json_option(p)
        p.set_defaults(handler=run_import)
        from istui.cli.commands.call_log import define as define_calls
        from istui.cli.commands.email_events import define as define_events

        define_events(imp)
        define_calls(imp)
    else:
        command.add_argument("what", choices=("leads", "activities", "notes", "targets"))
        command.add_argument("--format", choices=("csv", "json"), default="csv")
        command.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE (default: standard output)"))
        command.add_argument("--json", action="store_true", help=_("same as --format json"))
        command.add_argument("--labels", action="store_true",
                             help=_("activities for people: headers and outcomes in your language, local times"))
        command.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace) -> int:
    from istui.services.csv_import import apply_import, plan_import
    from istui.services.import_rejects import rejected_csv, rejected_path

    ws = open_workspace(args)
    path = Path(args.file).expanduser()
    if args.skip_invalid and args.file == "-":
        raise BadInput(_("skip-invalid: the rejected rows are written beside the input file; name a file, not -."))
    raw = read_input(args.file)
    with ws.lock.held():
        plan = plan_import(raw, ws.leads(), sources=ws.settings.sources, now=ws.now(), rep=ws.rep,
                           encoding=args.encoding, overrides=args.map, on_duplicate=args.on_duplicate,
                           roster=ws.settings.roster, currency=ws.settings.currency,
                           region=ws.settings.phone_region)
        refusal = plan.refusal(args.skip_invalid)  # the same for a dry run as for a real one
        rejected = [(row.cells, row.reason) for row in plan.rows if row.status == "error"] if args.skip_invalid else []
        target = rejected_path(path) if rejected else None
        written: dict[str, list[Record]] = {"added": [], "updated": []}
        if not args.dry_run and refusal is None:
            written = apply_import(ws, plan, args.skip_invalid)
            if target is not None:  # only once the leads are written (atomically: a temporary file renamed)
                write_export(target, rejected_csv(plan.header, rejected))
    report = {"file": str(args.file), "encoding": plan.encoding, "format": plan.kind, "columns": plan.columns,
              "ignored_columns": plan.ignored, "not_on_roster": plan.unknown,
              "dry_run": args.dry_run, "on_duplicate": plan.on_duplicate, "skip_invalid": args.skip_invalid,
              "summary": {**plan.summary(args.skip_invalid), "added": len(written["added"]),
                          "updated": len(written["updated"]),
                          "rejected": len(rejected) if not args.dry_run and refusal is None else 0},
              "refused": refusal, "rejected_file": str(target) if target is not None else None,
              "written": bool(written["added"] or written["updated"]),
              "rows": [row.to_json() for row in plan.rows],
              "added": [r["id"] for r in written["added"]]}
    if args.json:
        emit_json(report)
    else:
        render.print_import(report, verbose=args.dry_run or refusal is not None, failed=refusal is not None)
    if refusal is not None:
        render.say(f"istui: {refusal}", file=sys.stderr)
        return 2
    return 0


def run_export(args: argparse.Namespace) -> int:
    from istui.services.export import to_csv, to_json, with_leads

    ws = open_workspace(args)
    as_json = args.json or args.format == "json"
    if args.labels and (args.what != "activities" or as_json):
        raise BadInput(_("labels: --labels is for the CSV export of activities; leave it out here."))
    records: list[Record] = {
        "leads": lambda: sorted(ws.leads(), key=lambda r: r["id"]),
        "activities": lambda: sorted(ws.activities(), key=lambda r: (r["at"], r["id"])),
        "notes": lambda: sorted(ws.notes(), key=lambda r: r["id"]),
        "targets": lambda: sorted(ws.targets(), key=lambda r: r["id"]),
    }[args.what]()
    if args.what == "activities":  # for people (CSV) and scripts (JSON) alike: whose lead, and the local time
        records = with_leads(records, {lead["id"]: lead for lead in ws.leads()}, ws.tz)
    text = to_json(records) if as_json else to_csv(args.what, records, people=args.labels)
    if args.output:
        if args.output.endswith(("/", "\\")):
            raise BadInput(_("output: {path} names a folder; name a file in it, e.g. {example}.").format(
                path=args.output, example=Path(args.output) / "export.csv"))
        write_export(Path(args.output).expanduser(), text.encode("utf-8-sig" if not as_json else "utf-8"), ws.root)
        render.say(_("Exported {count} {what} to {path}.").format(
            count=f"{len(records):,}", what=_(labels.RECORD_KINDS[args.what]), path=args.output), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


