"""CSV import of leads: encodings, column families (Salesforce, HubSpot, Japanese), istui's own export (CSV or
JSON, field for field: `services.lead_rows`), duplicates, dry runs.

`plan_import` reads and judges every row without writing; `refusal` says why a real run would write nothing;
`apply_import` writes a plan all or nothing (or, with `skip_invalid`, every row without an error).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from istui.domain import labels
from istui.domain.duplicates import DuplicateIndex, email_key
from istui.domain.errors import BadInput
from istui.domain.model import INBOUND_SOURCES, Motion, Stage, Temperature
from istui.domain.parsing import check_text, parse_rep
from istui.domain.phones import phone_key
from istui.domain.roster import find, find_person, roster_names
from istui.domain.text import terminal_safe
from istui.domain.validation import blank_lead, clean_lead_fields
from istui.i18n import _
from istui.services.export import LEAD_COLUMNS, flatten, restore
from istui.services.import_columns import (  # noqa: F401
    _VALUE_INDEX,
    IMPORT_FIELDS,
    column_key,
    decode,
    delimiter,
    is_workbook,
    map_columns,
    parse_file_time,
    workbook_rows,
)
from istui.services.lead_rows import clean_exported, exported_lead, is_lead_export, json_records, refuse_stored_problem
from istui.store.workspace import Record, Workspace


@dataclass(slots=True)
class ImportRow:
    row: int  # line number in the file (the header is row 1)
    status: str  # ok | duplicate | error
    reason: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    match: str | None = None  # id of the existing lead a duplicate matches
    warnings: list[str] = field(default_factory=list)
    action: str = ""  # add | update | skip | none: what a real run does with the row
    cells: list[str] = field(default_factory=list)  # the row as read (for the file of rejected rows)
    exact: bool = False  # a row of istui's own export: every field (id, stamps) as it is
    unknown: list[str] = field(default_factory=list)  # its owner or handoff recipient, when not on the roster
    recipients: list[str] = field(default_factory=list)  # those of `unknown` named as the handoff recipient

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "status": self.status, "reason": self.reason, "action": self.action,
                "match": self.match, "warnings": self.warnings, "lead": self.fields}


@dataclass(slots=True)
class ImportPlan:
    encoding: str
    columns: dict[str, str]
    rows: list[ImportRow]
    on_duplicate: str
    header: list[str] = field(default_factory=list)
    kind: str = "csv"  # csv | istui-csv | istui-json: a file of another tool, or istui's own export
    ignored: list[str] = field(default_factory=list)  # the file's columns no lead field is read from
    unknown: list[str] = field(default_factory=list)  # owners and handoff recipients not on the roster
    roster: str = ""  # the roster's names, for the sentence that refuses unknown ones
    recipients: list[str] = field(default_factory=list)  # those of `unknown` named as handoff recipients: field sales

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def refusal(self, skip_invalid: bool = False) -> str | None:
        """Why a real run writes nothing (rows with errors, without `skip_invalid`), or None."""
        errors = self.count("error")
        if not errors or skip_invalid:
            return None
        if self.unknown:  # handoff recipients are added in field sales (a handoff to another role is refused)
            field_sales = [name for name in self.unknown if name in self.recipients]
            others = [name for name in self.unknown if name not in self.recipients]
            count = sum(1 for r in self.rows if r.unknown)
            if field_sales and others:
                return _("{count} row(s) name people who are not on the team roster ({roster}): {names}; add them with "
                         "`istui rep add {command}` and `istui rep add {field_sales} --role field` and run again, or "
                         "import the other rows with --skip-invalid.").format(
                    count=count, roster=self.roster, names=", ".join(self.unknown), command=" ".join(others),
                    field_sales=" ".join(field_sales))
            return _("{count} row(s) name people who are not on the team roster ({roster}): {names}; add them with "
                     "`istui rep add {command}` and run again, or import the other rows with --skip-invalid.").format(
                count=count, roster=self.roster, names=", ".join(self.unknown),
                command=" ".join(others) or " ".join(field_sales) + " --role field")
        return _("{count} row(s) have errors, so nothing was imported; fix them (see the report) and run again, or "
                 "import the other rows with --skip-invalid.").format(count=errors)

    def summary(self, skip_invalid: bool = False) -> dict[str, int]:
        """The counts of rows, and what a real run would do with them (nothing at all when it refuses)."""
        refused = self.refusal(skip_invalid) is not None
        return {"rows": len(self.rows), "ok": self.count("ok"), "duplicate": self.count("duplicate"),
                "error": self.count("error"),
                "to_add": 0 if refused else sum(1 for r in self.rows if r.action == "add"),
                "to_update": 0 if refused else sum(1 for r in self.rows if r.action == "update"),
                "to_reject": self.count("error") if skip_invalid else 0}


def _translate(field_name: str, value: str, warnings: list[str], sources: list[str]) -> str:
    table = _VALUE_INDEX.get(field_name, {})
    found = table.get(column_key(value))
    if field_name == "source":
        if value.strip() in sources:
            return value.strip()
        if found in sources:
            return found
        warnings.append(_("source '{value}' is not known; imported as other").format(value=value))
        return "other" if "other" in sources else sources[0]
    if found:
        return found
    default = {"stage": Stage.NEW.value, "temp": Temperature.WARM.value}[field_name]
    warnings.append(_("{field} '{value}' is not known; imported as {default}").format(
        field=labels.field(field_name), value=value, default=labels.stage(default) if field_name == "stage" else labels.temperature(default)))
    return default


def _contact(first: str, last: str, japanese: bool = False) -> str:
    """A full name from its parts: family name first in Japanese (kana readings always)."""
    if not first or not last:
        return first or last
    cjk = japanese or any(unicodedata.east_asian_width(ch) in "WFH" for ch in first + last)
    return f"{last} {first}" if cjk else f"{first} {last}"


def plan_import(
    raw: bytes,
    existing: Iterable[Mapping[str, Any]],
    *,
    sources: list[str],
    now: datetime,
    rep: str,
    encoding: str = "auto",
    overrides: Iterable[str] = (),
    on_duplicate: str = "skip",
    roster: Mapping[str, Any] | None = None,
    currency: str = "JPY",
    region: str = "JP",
) -> ImportPlan:
    """Judge every row of a CSV file: ok, duplicate (of the workspace or an earlier row) or error (an owner or
    handoff recipient not on the `roster` among them, when the workspace has one)."""
    if on_duplicate not in ("skip", "update", "add"):
        raise BadInput(_("on-duplicate: '{value}' is not one of skip, update, add.").format(value=on_duplicate))
    reader: Iterator[list[str]]
    if is_workbook(raw):  # .xlsx: Japanese tools recommend it, their CSVs garbling full-width text
        used, records, reader = "xlsx", None, workbook_rows(raw)
    else:
        text, used = decode(raw, encoding)
        records = json_records(text)
        reader = csv.reader(io.StringIO("" if records is not None else text, newline=""), delimiter=delimiter(text))
    try:
        header = list(LEAD_COLUMNS) if records is not None else next(reader)
    except StopIteration:
        raise BadInput(_("The file is empty; a CSV with a header row is expected.")) from None
    except csv.Error as exc:
        raise BadInput(_("The file is not readable as CSV: {reason}.").format(reason=exc)) from None
    kind = "istui-json" if records is not None else "istui-csv" if is_lead_export(header) and not overrides else "csv"
    mapping = {i: name for i, name in enumerate(header)} if kind != "csv" else map_columns(header, overrides)

    existing = list(existing)
    index = DuplicateIndex(existing, region)  # the one home of duplicate matching (lead entry uses it too)
    by_email, by_phone = index.by_email, index.by_phone
    ids: set[str] = {lead["id"] for lead in existing}
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}

    seen_ids: dict[str, int] = {}
    by_external = {lead["external_id"]: lead["id"] for lead in existing if lead.get("external_id")}
    known = _Known(ids, by_email, by_phone, seen_ids, seen_email, seen_phone, roster or None, currency, region,
                   by_external, from_crm=set(by_external.values()))

    rows: list[ImportRow] = []
    try:
        if records is not None:
            for number, record in enumerate(records, start=1):
                cells = [str(flatten("leads", record).get(name) or "") for name in LEAD_COLUMNS]
                rows.append(_exact_row(number, cells, record, sources, now, on_duplicate, known))
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if kind == "istui-csv":
                row = _exact_row(number, cells, None, sources, now, on_duplicate, known, header)
            else:
                row = _plan_row(number, cells, mapping, sources, now, rep, on_duplicate, known, header)
            row.cells = cells
            rows.append(row)
    except csv.Error as exc:
        raise BadInput(_("The file is not readable as CSV near row {row}: {reason}.").format(
            row=getattr(reader, "line_num", "?"), reason=exc)) from None
    columns = {header[i]: name for i, name in sorted(mapping.items())}
    read = set(LEAD_COLUMNS)
    ignored = [name for name in header if name.strip() not in read] if kind != "csv" else \
        [name for i, name in enumerate(header) if mapping.get(i, "ignore") == "ignore"]
    unknown = list(dict.fromkeys(name for row in rows for name in row.unknown))
    recipients = list(dict.fromkeys(name for row in rows for name in row.recipients))
    return ImportPlan(used, columns, rows, on_duplicate, header, kind, ignored, unknown, roster_names(roster), recipients)


@dataclass(slots=True)
class _Known:
    """What a row may duplicate: the workspace's leads (by id, e-mail, phone) and the rows before it."""
    ids: set[str]
    by_email: dict[str, str]
    by_phone: dict[str, str]
    seen_ids: dict[str, int]
    seen_email: dict[str, int]
    seen_phone: dict[str, int]
    roster: Mapping[str, Any] | None  # None: a workspace without a roster takes any name
    currency: str = "JPY"  # the workspace's: amounts in another are refused
    region: str = "JP"  # the workspace's phone region
    by_external: dict[str, str] = field(default_factory=dict)  # a CRM's record id → the lead imported from it
    seen_external: dict[str, int] = field(default_factory=dict)  # … → the row before that has it
    claimed: dict[str, int] = field(default_factory=dict)  # lead → the row that updates it
    from_crm: set[str] = field(default_factory=set)  # the leads that have a record id of a CRM


def _off_roster(row: ImportRow, names: Iterable[Any], roster: Mapping[str, Any] | None, *, recipient: bool = False) -> None:
    """Note on `row` the names (an owner, a handoff recipient: `recipient`) that are usable rep names but not on
    the roster."""
    for name in names:
        if not roster or not isinstance(name, str) or not name.strip():
            continue
        try:
            name = parse_rep(name)
        except BadInput:
            continue  # the row's error names it
        if find(roster, name) is None and name not in row.unknown:
            row.unknown.append(name)
        if recipient and find(roster, name) is None and name not in row.recipients:
            row.recipients.append(name)


def _exact_row(number: int, cells: list[str], record: dict[str, Any] | None, sources: list[str], now: datetime,
               on_duplicate: str, known: _Known, header: list[str] | None = None) -> ImportRow:
    """A row of istui's own export: every field as exported; a lead with the same id is its duplicate."""
    result = ImportRow(number, "ok", cells=cells, exact=True)
    try:
        if record is None:
            record = exported_lead(header or [], cells)
        handoff = record.get("handoff")
        _off_roster(result, [record.get("owner")], known.roster)
        _off_roster(result, [handoff.get("to") if isinstance(handoff, dict) else None], known.roster, recipient=True)
        clean = clean_exported(record, sources=sources, now=now, roster=known.roster, currency=known.currency,
                               region=known.region)
    except BadInput as exc:
        result.status, result.reason, result.action = "error", str(exc), "none"
        result.fields = {k: v for k, v in (record or {}).items() if isinstance(v, str)}
        return result
    result.fields = clean
    lead_id = clean["id"]
    if lead_id in known.ids:
        result.status, result.match = "duplicate", lead_id
        result.reason = _("same id as lead {id}").format(id=lead_id)
    elif lead_id in known.seen_ids:
        result.status, result.reason = "duplicate", _("same id as row {row}").format(row=known.seen_ids[lead_id])
    return _judge(result, clean, on_duplicate, known)


def _unsafe_cell(cells: list[str], mapping: dict[int, str], header: list[str]) -> str | None:
    """Why a row is refused when one of its imported cells holds a control character (naming the column)."""
    for index, name in mapping.items():
        if index < len(cells) and name != "ignore":
            try:
                check_text(cells[index], _("column {column} ({field})").format(column=terminal_safe(header[index]),
                                                                            field=labels.field(name)), multiline=name == "memo")
            except BadInput as exc:
                return str(exc)
    return None


#: a do-not-call column's marks as Japanese sheets write them (○: do not call); the rest as `parse_flag` reads them
_FLAGS = {"○": "true", "〇": "true", "◯": "true", "●": "true", "×": "false", "✕": "false", "✖": "false", "-": "false"}


def _plan_row(number, cells, mapping, sources, now, rep, on_duplicate, known: _Known, header) -> ImportRow:
    values = {name: restore(cells[i].strip()) for i, name in mapping.items() if i < len(cells) and name != "ignore"}
    refused = _unsafe_cell(cells, mapping, header)
    if refused:  # the report shows the row's values (made safe where it is printed)
        return ImportRow(number, "error", refused, fields=values, action="none")
    warnings: list[str] = []
    fields: dict[str, Any] = {"company": values.get("company", "")}
    contact = values.get("contact") or _contact(values.get("first_name", ""), values.get("last_name", ""))
    if contact:
        fields["contact"] = contact
    domain = values.get("email", "").rpartition("@")[2].strip()
    if not fields["company"].strip() and domain:  # a CRM contact of no company (common in HubSpot): its mail's domain
        fields["company"] = domain
        warnings.append(_("no company: named {company} after its e-mail domain").format(company=domain))
    reading = values.get("contact_kana") or _contact(values.get("first_kana", ""), values.get("last_kana", ""), True)
    if reading:
        values["contact_kana"] = reading
    title = " ".join(v for v in (values.get("department", ""), values.get("title", "")) if v)
    if title:
        fields["title"] = title
    phone = values.get("phone") or values.get("mobile")
    for name in ("email", "memo", "next", "company_kana", "contact_kana"):
        if values.get(name):
            fields[name] = values[name]
    if phone:
        fields["phone"] = phone
    if values.get("mobile") and phone != values["mobile"]:  # a lead keeps one number: the other goes in its memo
        fields["memo"] = "\n".join(filter(None, (fields.get("memo", ""), _("Mobile: {number}").format(
            number=values["mobile"]))))
    if values.get("tags"):  # (MiiTel's categories are separated by |)
        fields["tags"] = re.split(r"[;,、|]", values["tags"])
    for name in ("source", "stage", "temp"):
        if values.get(name):
            fields[name] = _translate(name, values[name], warnings, sources)
    if values.get("motion"):
        fields["motion"] = values["motion"].lower()
    if values.get("owner"):  # a CRM names the owner by their name or e-mail: the roster's name for them
        fields["owner"] = find_person(known.roster, values["owner"]) or values["owner"].replace(" ", "-")
    if values.get("dnc"):
        fields["dnc"] = _FLAGS.get(values["dnc"].strip(), values["dnc"])

    result = ImportRow(number, "ok", warnings=warnings)
    _off_roster(result, [fields.get("owner")], known.roster)
    try:
        stage = fields.pop("stage", None)
        clean = clean_lead_fields(fields, sources=sources, now=now, roster=known.roster, currency=known.currency,
                                  region=known.region)
        if stage:
            clean["stage"] = stage
    except BadInput as exc:
        result.status, result.reason, result.action = "error", str(exc), "none"
        result.fields = fields
        return result
    if values.get("external_id"):
        clean["external_id"] = values["external_id"][:200]
    if values.get("created"):
        created = _created(values["created"], now)
        if created is None:
            warnings.append(_("created '{value}' is not a past date; the lead is created now").format(value=values["created"]))
        else:
            clean["created_at"] = created
    clean.setdefault("motion", Motion.SDR.value if clean.get("source") in INBOUND_SOURCES else Motion.BDR.value)
    clean.setdefault("source", "other" if "other" in sources else sources[0])
    clean.setdefault("owner", rep)
    result.fields = clean
    try:
        refuse_stored_problem({**blank_lead(sources, rep), **clean})
    except BadInput as exc:
        result.status, result.reason, result.action = "error", str(exc), "none"
        return result
    return _judge(result, clean, on_duplicate, known)



def _created(text: str, now: datetime) -> str | None:
    """A CRM's creation time (`2026-03-05 10:22`, `2026-03-05T01:22:00.000Z`, `2026/3/5`) in ISO 8601, or None when it
    is no date or lies ahead."""
    try:
        moment = parse_file_time(text, now.tzinfo or UTC)
    except (ValueError, OverflowError):
        return None
    return moment.isoformat(timespec="seconds") if moment <= now else None


def _judge(result: ImportRow, clean: dict[str, Any], on_duplicate: str, known: _Known) -> ImportRow:
    """A row's duplicate (of a lead by its CRM record id, e-mail or phone, or of an earlier row) and what a real run
    does with it (a lead imported before from the same CRM record is updated, whatever `on_duplicate` says)."""
    email = email_key(clean.get("email", ""))
    key = phone_key(clean, known.region)
    external = clean.get("external_id") or ""
    if external and external in known.by_external:
        result.status, result.match = "duplicate", known.by_external[external]
        result.reason = _("same record id as lead {id}").format(id=result.match)
        return _update(result, known)
    if external and external in known.seen_external:
        result.status, result.action = "duplicate", "skip"
        result.reason = _("same record id as row {row}").format(row=known.seen_external[external])
        return result
    if external:
        known.seen_external[external] = result.row
    if result.status == "duplicate":
        pass  # the same id (istui's own export): that lead, whatever its e-mail and phone
    elif email and email in known.by_email:
        result.status, result.match = "duplicate", known.by_email[email]
        result.reason = _("same e-mail as lead {id}").format(id=known.by_email[email])
    elif key and key in known.by_phone:
        result.status, result.match = "duplicate", known.by_phone[key]
        result.reason = _("same phone as lead {id}").format(id=known.by_phone[key])
    elif result.exact:
        pass  # rows of istui's export with other ids were other leads, whatever their e-mail and phone
    elif email and email in known.seen_email:
        result.status, result.reason = "duplicate", _("same e-mail as row {row}").format(row=known.seen_email[email])
    elif key and key in known.seen_phone:
        result.status, result.reason = "duplicate", _("same phone as row {row}").format(row=known.seen_phone[key])
    if result.status == "ok" or on_duplicate == "add":
        result.action = "add"
    elif result.match and on_duplicate == "update":
        if external and result.match in known.from_crm:  # the lead keeps the record id it was imported from
            clean.pop("external_id", None)
        return _update(result, known)
    else:
        result.action = "skip"
    if result.action == "add":
        if email:
            known.seen_email.setdefault(email, result.row)
        if key:
            known.seen_phone.setdefault(key, result.row)
        if clean.get("id"):
            known.seen_ids.setdefault(clean["id"], result.row)
    return result


def _update(result: ImportRow, known: _Known) -> ImportRow:
    """The row updates the lead it matched, unless a row before it does: one row per lead, so that a dry run says
    exactly what a real run writes."""
    lead_id = result.match or ""
    if lead_id in known.claimed:
        result.action = "skip"
        result.reason = _("{reason}, updated by row {row}").format(reason=result.reason, row=known.claimed[lead_id])
    else:
        known.claimed[lead_id] = result.row
        result.action = "update"
    return result


def apply_import(ws: Workspace, plan: ImportPlan, skip_invalid: bool = False) -> dict[str, list[Record]]:
    """Write a plan all or nothing; refuses a plan with any error row unless `skip_invalid` (then the rows
    without errors are written). Rows of istui's own export keep their id and time stamps, unless the id is
    taken (`--on-duplicate add`: a new id)."""
    refused = plan.refusal(skip_invalid)
    if refused:
        raise BadInput(refused)
    adds = []
    for row in plan.rows:
        if row.action == "add":
            record = blank_lead(ws.settings.sources, ws.rep)
            record.update(row.fields)
            if row.exact and row.status == "duplicate":  # the id is taken: a new lead gets a new one
                for name in ("id", "created_at", "updated_at", "updated_by"):
                    record.pop(name, None)
            adds.append(record)
    updates = {
        row.match: {k: v for k, v in row.fields.items() if k not in ("id", "created_at", "updated_at", "updated_by")}
        if row.exact else
        {k: v for k, v in row.fields.items() if v not in ("", None, []) and k not in ("stage", "owner", "created_at")}
        for row in plan.rows if row.action == "update" and row.match
    }
    with ws.transaction():
        added = ws.add_leads(adds, keep_stamps=True)
        updated = ws.update_leads(updates)
    return {"added": added, "updated": updated}
