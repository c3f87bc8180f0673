"""The on-disk layout of workspace files, in one place (DESIGN.md section 3): written by the TinyDB
storages and by the git merge driver, so both always produce the same bytes.

- a **record-lines** file (`leads/<bucket>.json`, `notes.json`, `targets.json`) is one JSON object
  `{"<table>": {` with one `"<id>": {record},` per line, sorted by id, then `}}`;
- a **JSON-lines** file (`activities/<rep>/<YYYY-MM>.jsonl`) has one record per line, in the order
  they were appended;
- every record is UTF-8 (no `\\u` escapes) with sorted keys.

Standard library only: git starts the merge driver once per file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

Record = dict[str, Any]


class FormatError(ValueError):
    """A file that is not in the layout above: the 1-based line and what is wrong there."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def dump_record(record: Mapping[str, Any]) -> str:
    """One record as one line: UTF-8 (no \\u escapes), sorted keys."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def record_lines(table: str, records: Mapping[str, Mapping[str, Any]]) -> bytes:
    """A record-lines file of `table`."""
    lines = [f"{json.dumps(key)}: {dump_record(records[key])}" for key in sorted(records)]
    body = ",\n".join(lines)
    return f'{{"{table}": {{\n{body}{chr(10) if lines else ""}}}}}\n'.encode()


def json_lines(records: Iterable[Mapping[str, Any]]) -> bytes:
    """A JSON-lines file of `records`, in the order given."""
    return "".join(dump_record(record) + "\n" for record in records).encode()


def parse_record_lines(raw: bytes, table: str) -> dict[str, Record]:
    """{id: record} of a record-lines file; FormatError when it is not one."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FormatError(raw[: exc.start].count(b"\n") + 1, "is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise FormatError(exc.lineno, exc.msg) from None
    records = data.get(table) if isinstance(data, dict) else None
    if not isinstance(records, dict) or not all(isinstance(v, dict) for v in records.values()):
        raise FormatError(1, f'expected {{"{table}": {{id: record, ...}}}}')
    return records


def parse_json_lines(raw: bytes) -> tuple[dict[str, Record], bool]:
    """{id: record} of a JSON-lines file, and whether its last line was a torn (unparseable, unfinished)
    write, which is left out; FormatError for any other line that does not parse."""
    records: dict[str, Record] = {}
    lines = raw.split(b"\n")
    unfinished = not raw.endswith(b"\n")
    torn = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if unfinished and number == len(lines):
                torn = True  # a record whose append was interrupted
                break
            raise FormatError(number, exc.msg if isinstance(exc, json.JSONDecodeError) else "is not UTF-8") from None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise FormatError(number, "expected a JSON object with an id")
        records[record["id"]] = record
    return records, torn
