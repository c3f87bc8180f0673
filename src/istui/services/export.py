"""Export of workspace records as JSON or as CSV that neither spreadsheets nor terminals execute."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from istui.domain.text import json_safe, terminal_safe

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")  # OWASP's list, and a line break a CR became

COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("id", "company", "company_kana", "contact", "contact_kana", "title", "phone", "email", "source",
              "motion", "stage", "temp", "owner", "next_at", "next_action", "tags", "amount", "memo", "handoff_to", "handoff_at",
              "handoff_budget", "handoff_authority", "handoff_need", "handoff_timeline", "handoff_note",
              "created_at", "updated_at", "updated_by"),
    "activities": ("id", "lead", "rep", "kind", "outcome", "at", "duration", "note", "script", "amount",
                   "from_stage", "created_at", "updated_at", "updated_by"),
    "notes": ("id", "title", "kind", "tags", "pinned", "body", "created_at", "updated_at", "updated_by"),
    "targets": ("id", "metric", "value", "per", "rep", "motion", "created_at", "updated_at", "updated_by"),
}


def neutralise(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula (CSV injection): one starting
    with =, +, -, @, a tab or a line break."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def flatten(kind: str, record: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(record)
    if kind == "leads":
        handoff = row.pop("handoff", None) or {}
        for key in ("to", "at", "budget", "authority", "need", "timeline", "note"):
            row[f"handoff_{key}"] = handoff.get(key)
    return row


def to_csv(kind: str, records: Iterable[Mapping[str, Any]]) -> str:
    """The records as CSV: every cell safe for a terminal (control characters as `�`, line breaks kept) and
    for a spreadsheet (`neutralise`)."""
    columns = COLUMNS[kind]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        row = flatten(kind, record)
        writer.writerow([neutralise(terminal_safe(_cell(row.get(column)), multiline=True)) for column in columns])
    return out.getvalue()


def to_json(records: Iterable[Mapping[str, Any]]) -> str:
    """The records as one JSON document (characters a terminal would act on escaped, `json_safe`)."""
    return json_safe(list(records)) + "\n"
