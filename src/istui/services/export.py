"""Export of workspace records as JSON or as CSV that neither spreadsheets nor terminals execute.

A leads export is also an import format: `services.lead_rows` reads it back, field for field (ids kept)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from istui.domain import labels
from istui.domain.errors import BadInput, WorkspaceError
from istui.domain.text import json_safe, terminal_safe
from istui.i18n import N_, _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")  # OWASP's list, and a line break a CR became
GUARD = "'"  # what `neutralise` puts before a cell; a cell that starts with it gets one too, so `restore` is exact

HANDOFF_KEYS = ("to", "at", "by", "budget", "authority", "need", "timeline", "note")
LEAD_COLUMNS = ("id", "company", "company_kana", "contact", "contact_kana", "title", "phone", "email", "source",
                "motion", "stage", "temp", "owner", "next_at", "next_action", "tags", "amount", "memo", "handoff_to",
                "handoff_at", "handoff_budget", "handoff_authority", "handoff_need", "handoff_timeline", "handoff_note",
                "created_at", "updated_at", "updated_by",
                # added later (the contract: add, never rename): the handoff's author and every other field
                "handoff_by", "extra")
COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": LEAD_COLUMNS,
    "activities": ("id", "lead", "rep", "kind", "outcome", "at", "duration", "note", "script", "amount",
                   "from_stage", "created_at", "updated_at", "updated_by",
                   "company", "contact", "at_local"),  # added: the lead's names, the time in the workspace timezone
    "notes": ("id", "title", "kind", "tags", "pinned", "body", "created_at", "updated_at", "updated_by"),
    "targets": ("id", "metric", "value", "per", "rep", "motion", "created_at", "updated_at", "updated_by"),
}
#: The activities export for people (`--labels`): what happened, when (local time), with whom; headers in the
#: language in force and outcomes named. `at` (as stored) stays last for formulas and scripts.
PEOPLE_ACTIVITY_COLUMNS = ("id", "at_local", "lead", "company", "contact", "rep", "kind", "outcome", "note",
                           "duration", "amount", "at")
HEADERS = {"id": N_("ID"), "at_local": N_("Date and time"), "lead": N_("Lead ID"), "company": N_("Company"),
           "contact": N_("Contact"), "rep": N_("Rep"), "kind": N_("Kind"), "outcome": N_("Outcome"),
           "note": N_("Note"), "duration": N_("Duration (s)"), "amount": N_("Amount"), "at": N_("Time (ISO)")}
# Lead fields with a column of their own (the rest travel in `extra`, as JSON).
_LEAD_FIELDS = {c for c in LEAD_COLUMNS if not c.startswith("handoff_") and c != "extra"} | {"handoff"}


def neutralise(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula (CSV injection): one starting
    with =, +, -, @, a tab or a line break; and to one starting with an apostrophe, so that `restore`
    gives back exactly what was exported."""
    return GUARD + cell if cell.startswith((*FORMULA_PREFIXES, GUARD)) else cell


def restore(cell: str) -> str:
    """Undo `neutralise` (a cell of another tool that merely starts with an apostrophe stays as it is)."""
    return cell[1:] if len(cell) > 1 and cell[0] == GUARD and cell[1] in "=+-@\t\r\n" + GUARD else cell


def tags_cell(tags: list[Any]) -> str:
    """Tags joined with ';', or as a JSON list when a tag holds ';' (or the cell would read as one)."""
    text = ";".join(str(tag) for tag in tags)
    return json.dumps(tags, ensure_ascii=False) if any(";" in str(tag) for tag in tags) or text.startswith("[") else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def flatten(kind: str, record: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(record)
    if kind == "leads":
        handoff = row.pop("handoff", None)
        for key in HANDOFF_KEYS:
            row[f"handoff_{key}"] = handoff.get(key) if isinstance(handoff, dict) else None
        extra = {key: value for key, value in record.items() if key not in _LEAD_FIELDS}
        if handoff is not None and not _plain_handoff(handoff):
            extra["handoff"] = handoff  # as it is: the columns could not tell it apart from another sheet
        elif handoff is not None:  # keys of a newer handoff sheet
            extra.update({f"handoff.{key}": value for key, value in handoff.items() if key not in HANDOFF_KEYS})
        row["extra"] = json.dumps(extra, sort_keys=True) if extra else ""  # ASCII: exact, and nothing a terminal acts on
        if isinstance(record.get("tags"), list):
            row["tags"] = tags_cell(record["tags"])
    return row


def _plain_handoff(handoff: Any) -> bool:
    """A handoff sheet its columns give back exactly: every known key there, as text, one of them filled in."""
    return (isinstance(handoff, dict) and all(isinstance(handoff.get(key), str) for key in HANDOFF_KEYS)
            and any(handoff[key] for key in HANDOFF_KEYS))


def with_leads(activities: Iterable[Mapping[str, Any]], leads: Mapping[str, Mapping[str, Any]],
               tz: tzinfo) -> list[dict[str, Any]]:
    """Activities with their lead's company and contact, and `at_local`: the time in the workspace timezone."""
    rows = []
    for activity in activities:
        lead = leads.get(activity.get("lead") or "") or {}
        row = {**activity, "company": lead.get("company", ""), "contact": lead.get("contact", "")}
        try:
            row["at_local"] = datetime.fromisoformat(activity["at"]).astimezone(tz).isoformat(timespec="seconds")
        except (KeyError, TypeError, ValueError):
            row["at_local"] = activity.get("at")
        rows.append(row)
    return rows


def to_csv(kind: str, records: Iterable[Mapping[str, Any]], people: bool = False) -> str:
    """The records as CSV: every cell safe for a terminal (control characters as `�`, line breaks kept) and
    for a spreadsheet (`neutralise`). `people` (activities): the columns people read, headers in the language
    in force, kinds and outcomes named."""
    columns = PEOPLE_ACTIVITY_COLUMNS if people else COLUMNS[kind]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(HEADERS[column]) for column in columns] if people else columns)
    for record in records:
        row = flatten(kind, record)
        if people:
            row["kind"], row["outcome"] = labels.activity_kind(row.get("kind")), labels.outcome(record)
            row["at_local"] = _as_people_read(row.get("at_local"))
        writer.writerow([neutralise(terminal_safe(_cell(row.get(column)), multiline=True)) for column in columns])
    return out.getvalue()


def _as_people_read(at_local: Any) -> Any:
    """`2026-10-05T09:15:00+09:00` (the workspace's local time, `with_leads`) as `2026-10-05 09:15`; a value that
    is no time stays as it is."""
    try:
        return datetime.fromisoformat(at_local).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return at_local


def to_json(records: Iterable[Mapping[str, Any]]) -> str:
    """The records as one JSON document (characters a terminal would act on escaped, `json_safe`)."""
    return json_safe(list(records)) + "\n"


def write_export(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write an export file (atomically, owner-only); a folder, a missing folder (never created silently),
    a folder istui may not write to, or a file of the workspace itself (its data, settings, `.git/`,
    `.istui/`) is one sentence. (The BOM of CSV lets Excel read Japanese.)"""
    from istui.store.files import atomic_write

    check_export_path(path, root)
    try:
        atomic_write(path, data)
    except PermissionError:
        raise WorkspaceError(_("output: cannot write {path}: permission denied; choose a folder you can write to.").format(
            path=path)) from None
    except OSError as exc:
        raise WorkspaceError(_("output: cannot write {path}: {reason}.").format(
            path=path, reason=exc.strerror or exc)) from None


def check_export_path(path: Path, root: Path | None = None) -> None:
    """BadInput, one sentence, when `path` is no file an export may be written to (see `write_export`)."""
    from istui import locations

    if root is not None:
        resolved = path.resolve()
        if resolved.is_relative_to(root):
            inside = resolved.relative_to(root).as_posix()
            if locations.is_shared_file(inside) or inside.split("/")[0] in (".git", locations.LOCAL_DIR,
                                                                             locations.LEADS_DIR, locations.ACTIVITIES_DIR):
                raise BadInput(_("output: {path} is a file of the workspace itself; export to a file outside it, e.g. "
                                 "~/export.csv.").format(path=path))
    if path.is_dir():
        raise BadInput(_("output: {path} is a folder; name a file in it, e.g. {example}.").format(
            path=path, example=path / "export.csv"))
    if not path.parent.is_dir():
        raise BadInput(_("output: the folder {folder} does not exist; create it first or choose another path.").format(
            folder=path.parent))
