"""Reading istui's own leads export (CSV or JSON) back as lead records, field for field.

`export leads` writes every field of a lead (`services.export.LEAD_COLUMNS`); the importer recognises that
header (`is_lead_export`) and reads each row with `exported_lead`, then validates it with `clean_exported`:
the id, stage, owner, follow-up, amount, tags, handoff sheet and timestamps come back as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from istui.domain import checks, labels
from istui.domain.errors import BadInput
from istui.domain.ids import ALPHABET, ID_LENGTH
from istui.domain.parsing import check_text, multiline_text, parse_rep
from istui.domain.roster import require_member
from istui.domain.validation import blank_lead, clean_lead_fields
from istui.i18n import _
from istui.services.export import HANDOFF_KEYS, LEAD_COLUMNS, restore

#: The columns that make a header istui's leads export (older exports lack `handoff_by` and `extra`).
SIGNATURE = frozenset(LEAD_COLUMNS[:LEAD_COLUMNS.index("updated_by") + 1])
#: Fields validated as a rep or a person would type them (`domain.validation`).
_TYPED = ("company", "company_kana", "contact", "contact_kana", "title", "phone", "email", "source", "motion",
          "temp", "stage", "owner", "next_action", "memo", "tags", "amount")
_STAMPS = ("created_at", "updated_at")
_OPTIONAL = ("company_kana", "contact_kana")


def is_lead_export(header: Iterable[str]) -> bool:
    """Whether a CSV header is that of `istui export leads`."""
    return {name.strip() for name in header} >= SIGNATURE


def json_records(text: str) -> list[dict[str, Any]] | None:
    """The records of a JSON leads export, or None when `text` is not JSON (a CSV file)."""
    if not text.lstrip().startswith("["):
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(_("The file is not readable as JSON: {reason} (line {line}).").format(
            reason=exc.msg, line=exc.lineno)) from None
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        raise BadInput(_("The JSON file should hold a list of leads, as `istui export leads --json` writes."))
    return document


def exported_lead(header: list[str], cells: list[str]) -> dict[str, Any]:
    """A lead record from one row of the CSV export (cells as written: spreadsheet guards still on)."""
    values = {name.strip(): restore(cells[i].strip()) for i, name in enumerate(header) if i < len(cells)}
    record: dict[str, Any] = {name: values[name] for name in LEAD_COLUMNS
                              if not name.startswith("handoff_") and name != "extra" and name in values}
    for name in _OPTIONAL:  # fields a lead has only when filled in (a kana reading)
        if not record.get(name):
            record.pop(name, None)
    try:
        extra = json.loads(values["extra"]) if values.get("extra") else {}
    except json.JSONDecodeError:
        extra = None
    if not isinstance(extra, dict):
        raise BadInput(_("extra: the column should hold a JSON object, as istui's export writes it."))
    tags = values.get("tags", "")
    if tags.startswith("["):
        try:
            record["tags"] = json.loads(tags)
        except json.JSONDecodeError:
            record["tags"] = [tags]
    else:
        record["tags"] = [tag for tag in tags.split(";") if tag]
    if "handoff" in extra:
        record["handoff"] = extra.pop("handoff")
    elif any(values.get(f"handoff_{key}") for key in HANDOFF_KEYS):
        record["handoff"] = {key: values.get(f"handoff_{key}", "") for key in HANDOFF_KEYS}
        for key in [key for key in extra if key.startswith("handoff.")]:
            record["handoff"][key.removeprefix("handoff.")] = extra.pop(key)
    else:
        record["handoff"] = None
    for key, value in extra.items():
        record.setdefault(key, value)
    return record


def _stamp(value: Any, field: str) -> str:
    text = value if isinstance(value, str) else ""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadInput(_("{field}: '{value}' is not a date and time with an offset, like 2026-12-01T10:00:00+09:00.").format(
            field=labels.field(field), value=text))
    return text.strip()


def clean_exported(record: Mapping[str, Any], *, sources: list[str], now: datetime,
                   roster: Mapping[str, Any] | None = None, currency: str = "JPY", region: str = "JP") -> dict[str, Any]:
    """Validate a lead read from istui's export; returns the record to store (BadInput names the bad field). The
    owner and the handoff recipient must be on the `roster` (when the workspace has one): the roster's spelling
    is stored."""
    lead_id = record.get("id")
    if not (isinstance(lead_id, str) and len(lead_id) == ID_LENGTH and all(c in ALPHABET for c in lead_id)):
        raise BadInput(_("id: '{value}' is not an istui id (26 characters of 0-9 and A-Z).").format(value=lead_id))
    typed = {name: record[name] for name in _TYPED if name in record and record[name] not in (None, "")}
    for name, value in typed.items():  # a hand-edited or another program's JSON: each field of its type first
        if name == "amount" and not isinstance(value, bool) and isinstance(value, int | float | str):
            continue
        if name != "tags" and not isinstance(value, str):
            raise BadInput(_("{field}: {value} is not {kind}, as istui's export writes it.").format(
                field=labels.field(name), value=repr(value)[:40], kind=_("an amount") if name == "amount" else _("text")))
    if "tags" in typed and not (isinstance(typed["tags"], list) and all(isinstance(t, str) for t in typed["tags"])):
        raise BadInput(_("tags: expected a list of tags."))
    clean = {**record, **clean_lead_fields(typed, sources=sources, now=now, roster=roster, currency=currency,
                                           region=region)}
    if clean.get("tags") != record.get("tags", []):
        raise BadInput(_("tags: '{value}' is not a list of tags istui would keep.").format(value=record.get("tags")))
    for name in ("contact", "title", "phone", "email", "memo", "next_action"):
        clean.setdefault(name, "")
    clean.setdefault("tags", [])
    clean["amount"] = clean.get("amount") if record.get("amount") not in (None, "") else None
    clean["next_at"] = _stamp(record["next_at"], "next_at") if record.get("next_at") else None
    for name in _STAMPS:
        if record.get(name):
            clean[name] = _stamp(record[name], name)
        else:
            clean.pop(name, None)
    if record.get("updated_by"):
        clean["updated_by"] = parse_rep(str(record["updated_by"]), "updated_by")
    if not all(clean.get(name) for name in (*_STAMPS, "updated_by")):  # incomplete: stamped as new
        for name in (*_STAMPS, "updated_by"):
            clean.pop(name, None)
    handoff = record.get("handoff")
    if handoff is not None:
        if not isinstance(handoff, dict):
            raise BadInput(_("handoff: expected the handoff sheet as istui's export writes it."))
        clean["handoff"] = {key: multiline_text(value, f"handoff_{key}") if isinstance(value, str) else value
                            for key, value in handoff.items()}
        if isinstance(handoff.get("to"), str) and handoff["to"].strip():
            clean["handoff"]["to"] = require_member(roster, handoff["to"], "handoff_to")
    for key, value in clean.items():  # fields of a newer istui: kept as they are, if safe to show
        if isinstance(value, str) and key not in _TYPED:
            check_text(value, key, multiline=True)
    refuse_stored_problem({**blank_lead(sources, ""), **clean})
    return clean


def refuse_stored_problem(record: Mapping[str, Any]) -> None:
    """BadInput when the store would hold `record` to be corrupt (`domain.checks`: a value of the wrong type, a
    time outside 1970–2199, an unknown stage): an import never writes what `istui doctor` reports. `record` is
    the lead as written (`blank_lead` under the row's fields); the id and time stamps of a new lead, which the
    store fills in, may be missing."""
    for problem in checks.problems("leads", record):
        if problem.field in ("id", "created_at", "updated_at", "updated_by") and record.get(problem.field) in (None, ""):
            continue
        raise BadInput(_("{problem}; correct it in the file.").format(problem=problem.message))
