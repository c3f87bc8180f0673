"""The on-disk layout of workspace files, in one place (DESIGN.md section 3): written by the TinyDB
storages and by the git merge driver, so both always produce the same bytes.

- a **record-lines** file (`leads/<bucket>.json`, `notes.json`, `targets.json`) is one JSON object
  `{"<table>": {` with one `"<id>": {record},` per line, sorted by id, then `}}`;
- a **JSON-lines** file (`activities/<rep>/<YYYY-MM>.jsonl`) has one record per line, in the order
  they were appended;
- every record is UTF-8 (no `\\u` escapes) with sorted keys.

Standard library only at import (git starts the merge driver once per file); large files are parsed with
msgspec's decoder, imported when first needed (`loads`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from istui.domain.patterns import lazy

Record = dict[str, Any]


class FormatError(ValueError):
    """A file that is not in the layout above: the 1-based line and what is wrong there."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


_FAST_FROM = 64 * 1024  # smaller texts: json is about as quick
_FAST_AFTER = 4 << 20  # msgspec's import (~17 ms) pays for itself only over a few MB: a quick command parses less
_fast: Any = None  # (msgspec's decode, its error), once imported
_parsed = 0  # bytes parsed by json.loads so far in this process


def loads(data: bytes | str) -> Any:
    """`json.loads`, with large texts decoded by msgspec (about 1.5 times faster, fewer objects, the same
    values: integers of any size stay integers); what msgspec refuses and json reads (NaN, infinities, lone
    surrogates) is read by json, and what neither reads raises json's error, so callers see json alone.
    Python's cycle collector is paused meanwhile: a parse makes tens of thousands of dicts and no cycle, and
    each collection it would set off walks every object the process holds (50,000 leads in the TUI)."""
    try:
        return _loads(data)
    except RecursionError:  # `[[[[…` a thousand deep: one unreadable value, not a crash
        raise json.JSONDecodeError("a value nested too deeply", data if isinstance(data, str) else "", 0) from None


def _loads(data: bytes | str) -> Any:
    global _parsed
    if len(data) < _FAST_FROM:
        return json.loads(data)
    if _fast is None and _parsed + len(data) < _FAST_AFTER:
        _parsed += len(data)
        with collector_paused():
            return json.loads(data)
    with collector_paused():
        return _loads_large(data)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off meanwhile (as it was after): a parse makes many objects and no cycle."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _loads_large(data: bytes | str) -> Any:
    global _fast
    if _fast is None:
        try:
            from msgspec import DecodeError
            from msgspec.json import Decoder
        except ImportError:  # pragma: no cover - a dependency; json alone is slower, not wrong
            _fast = (json.loads, json.JSONDecodeError)
        else:
            _fast = (Decoder().decode, DecodeError)
    decode, refused = _fast
    try:
        return decode(data)
    except refused:
        return json.loads(data)


def json_lines_rows(raw: bytes, fields: tuple[tuple[Any, ...], ...]) -> list[tuple[Any, ...]] | None:
    """The records of a JSON-lines file as tuples of `fields` ((name, type[, default]); other keys skipped),
    decoded by msgspec straight from the bytes, no dict made: a count over a large file needs no more. Only for
    the plain case `scan_json_lines` reads in one go (whole lines, one object with a distinct text `id` each) and
    every value of its type; None for anything else (a torn or blank line, a repeated id, a value of another
    type, msgspec missing): the caller reads the records instead."""
    if raw and not raw.endswith(b"\n"):
        return None
    try:
        decode, astuple, refused, id_at = _row_decoder(fields)
    except ImportError:  # pragma: no cover - a dependency; the records are read instead
        return None
    try:
        with collector_paused():
            items = decode(raw)
    except (*refused, RecursionError):
        return None
    if len(items) != raw.count(b"\n"):
        return None  # a blank line, or two records on one line (which the line-by-line reading reports)
    rows = list(map(astuple, items))
    return rows if len({row[id_at] for row in rows}) == len(rows) else None


@functools.cache
def _row_decoder(fields: tuple[tuple[Any, ...], ...]) -> tuple[Any, Any, Any, int]:
    import msgspec

    row = msgspec.defstruct("Row", list(fields), gc=False)
    names = [field[0] for field in fields]
    return (msgspec.json.Decoder(row).decode_lines, msgspec.structs.astuple,
            (msgspec.DecodeError, msgspec.ValidationError), names.index("id"))


#: The number of the layout below, as `FileChecks` notes a file istui wrote in it (one written by another layout is
#: made again whole, not kept line by line: change it with the layout).
LAYOUT = 1
_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps would make one per record


def dump_record(record: Mapping[str, Any]) -> str:
    """One record as one line: UTF-8 (no \\u escapes), sorted keys."""
    return _RECORD_ENCODER.encode(record)


def record_lines(table: str, records: Mapping[str, Mapping[str, Any]],
                 before: tuple[Mapping[str, Mapping[str, Any]], str] | None = None) -> bytes:
    """A record-lines file of `table`. `before`: the records read from the file as istui wrote it, and its text; a
    record that is the very object read from it keeps its line as it is, not made again (a call logged changes
    one lead of a bucket of 200: its other lines cost nothing)."""
    kept, lines = _lines_by_id(*before) if before else {}, []
    old = before[0] if before else {}
    for key in sorted(records):
        record = records[key]
        line = kept.get(key) if old.get(key) is record else None
        lines.append(line if line is not None else f"{json.dumps(key)}: {dump_record(record)}")
    body = ",\n".join(lines)
    return _utf8(f'{{"{table}": {{\n{body}{chr(10) if lines else ""}}}}}\n')


def _lines_by_id(records: Mapping[str, Any], text: str) -> dict[str, str]:
    """Each record's line in `text` (without its comma), when the text has the layout `record_lines` writes; else
    none."""
    lines, keys = text.split("\n"), sorted(records)
    if len(lines) != len(keys) + 3 or lines[-3:] != [lines[-3], "}}", ""]:
        return {}
    kept = {}
    for key, line in zip(keys, lines[1:-2], strict=True):
        line = line.removesuffix(",")
        if not line.startswith(f'"{key}": {{' if key.isascii() and key.isalnum() else f"{json.dumps(key)}: {{"):
            return {}
        kept[key] = line
    return kept


def json_lines(records: Iterable[Mapping[str, Any]]) -> bytes:
    """A JSON-lines file of `records`, in the order given."""
    return _utf8("".join(dump_record(record) + "\n" for record in records))


_SURROGATE = lazy("[\ud800-\udfff]")


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of a file's text. A lone surrogate (read from a `\\udcff` escape in a hand-edited file)
    has no UTF-8 form: it is written back as the same escape, so the record stays exactly as it was."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda match: f"\\u{ord(match[0]):04x}", text).encode("utf-8")


class Scan(NamedTuple):
    """What a lenient read of a workspace file found: the records by id (the first of a repeated id), the
    lines that could not be read (unparseable, not a record, or repeating an id: a file with any is never
    written by istui), and whether an unfinished last line (an interrupted append) was left out."""

    records: dict[str, Record]
    broken: list[tuple[int, str]]
    torn: bool = False


def parse_record_lines(raw: bytes, table: str) -> dict[str, Record]:
    """{id: record} of a record-lines file; FormatError at the first line that cannot be read."""
    scan = scan_record_lines(raw, table)
    if scan.broken:
        raise FormatError(*scan.broken[0])
    return scan.records


def parse_json_lines(raw: bytes) -> tuple[dict[str, Record], bool]:
    """{id: record} of a JSON-lines file, and whether its last line was a torn (unparseable, unfinished)
    write, which is left out; FormatError for any other line that cannot be read."""
    scan = scan_json_lines(raw)
    if scan.broken:
        raise FormatError(*scan.broken[0])
    return scan.records, scan.torn


def scan_record_lines(raw: bytes, table: str) -> Scan:
    """Read a record-lines file, keeping every record that can be read (line by line when the file as a
    whole is not valid JSON, so one broken line does not hide the others)."""
    if not raw or raw.isspace():  # a table file always has its braces: an empty one is a write cut short
        return Scan({}, [(1, "the file is empty (a write was cut short); restore it from git")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _salvage_record_lines(raw.decode("utf-8", "replace"), table,
                                     [(raw[: exc.start].count(b"\n") + 1, "is not UTF-8")])
    try:
        data = loads(text)
    except json.JSONDecodeError:
        return _salvage_record_lines(text, table, [])
    records = data.get(table) if isinstance(data, dict) else None
    if not isinstance(records, dict):
        return Scan({}, [(1, f'expected {{"{table}": {{id: record, ...}}}}')])
    not_records = [key for key, value in records.items() if not isinstance(value, dict)]
    broken = []
    if not_records:
        numbers = record_line_numbers(text)
        broken = [(numbers.get(key, 1), "expected a JSON object (a record)") for key in not_records]
    if raw.count(b"\n") != len(records) + 2 and text.count('\n"') != len(records):  # an id is repeated
        broken += _repeated_ids(text)
    if broken:
        records = {key: value for key, value in records.items() if isinstance(value, dict)}
        first = _first_occurrences(text)
        records.update((key, value) for key, value in first.items() if key in records)
    return Scan(records, sorted(broken))


def _salvage_record_lines(text: str, table: str, broken: list[tuple[int, str]]) -> Scan:
    """Every record line that parses on its own (`"id": {record},`); the rest are broken lines."""
    records: dict[str, Record] = {}
    seen: dict[str, int] = {}
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped in ("}}", "}", "},") or (number == 1 and stripped.startswith(f'{{"{table}"')
                                                                and stripped.endswith("{")):
            continue
        if any(number == b[0] for b in broken):
            continue
        try:
            pair = loads("{" + stripped.rstrip(",") + "}")
        except json.JSONDecodeError as exc:
            broken.append((number, exc.msg))
            continue
        if len(pair) != 1 or not isinstance(next(iter(pair.values())), dict):
            broken.append((number, "expected one record: \"id\": {...}"))
            continue
        key, value = next(iter(pair.items()))
        if key in seen:
            broken.append((number, f"repeats the id {key} of line {seen[key]}"))
            continue
        seen[key] = number
        records[key] = value
    return Scan(records, sorted(broken))


def _record_line_key(line: str) -> str | None:
    if not line.startswith('"'):
        return None
    end = line.find('"', 1)
    return line[1:end] if end > 0 and line[end + 1:end + 2] == ":" else None


def _record_line_keys(text: str) -> list[tuple[int, str]]:
    """(line number, id) of each record line of a record-lines file, in file order."""
    keys = []
    for number, line in enumerate(text.split("\n"), start=1):
        key = _record_line_key(line)
        if key is not None:
            keys.append((number, key))
    return keys


def record_line_numbers(text: str) -> dict[str, int]:
    """Where each record id stands in a record-lines file (its first line)."""
    numbers: dict[str, int] = {}
    for number, key in _record_line_keys(text):
        numbers.setdefault(key, number)
    return numbers


def _repeated_ids(text: str) -> list[tuple[int, str]]:
    seen: dict[str, int] = {}
    repeated = []
    for number, key in _record_line_keys(text):
        if key in seen:
            repeated.append((number, f"repeats the id {key} of line {seen[key]}"))
        else:
            seen[key] = number
    return repeated


def _first_occurrences(text: str) -> dict[str, Record]:
    """The first record of each repeated id (json.loads keeps the last one)."""
    first: dict[str, Record] = {}
    for line in text.split("\n"):
        key = _record_line_key(line)
        if key is None or key in first:
            continue
        try:
            value = loads("{" + line.strip().rstrip(",") + "}")[key]
        except (json.JSONDecodeError, KeyError):
            continue
        if isinstance(value, dict):
            first[key] = value
    return first


def scan_json_lines(raw: bytes) -> Scan:
    """Read a JSON-lines file line by line: an unfinished last line that does not parse is a torn append
    (left out); an unfinished last line that parses is a record (saved without its final newline)."""
    fast = _whole_json_lines(raw)
    if fast is not None:
        return fast
    records: dict[str, Record] = {}
    seen: dict[str, int] = {}
    broken: list[tuple[int, str]] = []
    lines = raw.split(b"\n")
    unfinished = not raw.endswith(b"\n")
    torn = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if unfinished and number == len(lines) and tail_kind(line) == "torn":
                torn = True
                break
            broken.append((number, exc.msg if isinstance(exc, json.JSONDecodeError) else "is not UTF-8"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            broken.append((number, "expected a JSON object with an id"))
            continue
        key = record["id"]
        if key in seen:
            broken.append((number, f"repeats the id {key} of line {seen[key]}"))
            continue
        seen[key] = number
        records[key] = record
    return Scan(records, broken, torn)


def _whole_json_lines(raw: bytes) -> Scan | None:
    """The common case in one parse (a file of whole records with distinct ids), or None to go line by line."""
    body = raw if raw.endswith(b"\n") or not raw else None
    if body is None:
        return None
    try:
        items = loads(b"[" + b",".join(line for line in body.split(b"\n") if line.strip()) + b"]")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    records: dict[str, Record] = {}
    for item in items:
        if type(item) is not dict or type(item.get("id")) is not str:
            return None
        records[item["id"]] = item
    return Scan(records, []) if len(records) == len(items) else None


def json_line_numbers(raw: bytes) -> dict[str, int]:
    """Where each record id stands in a JSON-lines file (its first line)."""
    numbers: dict[str, int] = {}
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            record = loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            numbers.setdefault(record["id"], number)
    return numbers


def tail_kind(tail: bytes) -> str:
    """What an unfinished last line (no newline after it) is: "record" (whole, saved without its newline),
    "torn" (an append cut short: a JSON object's beginning, safe to cut), or "broken" (a line that ends like
    a whole record yet does not parse: a hand edit gone wrong, never cut)."""
    try:
        record = loads(tail)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "broken" if tail.rstrip().endswith(b"}") else "torn"
    return "record" if isinstance(record, dict) and isinstance(record.get("id"), str) else "broken"
