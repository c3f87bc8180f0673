"""Whether a stored record can be used (DESIGN.md section 8): every value has a type its field may have,
times are ISO 8601 with an offset inside a sane range, and enumerated fields hold a known value.

Records arrive from teammates' commits and hand edits without passing input validation, so the
storages check each record as they read it: a record with a problem is reported (file, line, field)
and left out of what is shown and counted, and kept as it is on disk. `doctor` reports every
problem; the storages need only the first. Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, NamedTuple

from istui.domain.ids import ALPHABET, ID_LENGTH
from istui.domain.metrics import TARGET_METRICS
from istui.domain.model import (
    REQUIRED_FIELDS,
    SCHEMA,
    ActivityKind,
    CampaignState,
    Motion,
    NoteKind,
    PeriodKind,
    Stage,
    Temperature,
)
from istui.i18n import N_, _

#: Stored times must fall in these years: a year-9999 follow-up overflows date arithmetic.
MIN_YEAR, MAX_YEAR = 1970, 2199
TIME_FIELDS = ("at", "created_at", "updated_at", "next_at", "meeting_at", "started_at", "finished_at")


class Problem(NamedTuple):
    """What is wrong with one field of a record (field None: the record as a whole), and how to fix it."""

    field: str | None
    message: str
    fix: str


_JSON_NAMES = {str: "text", int: "a number", float: "a number", list: "a list", dict: "an object", bool: "true or false",
               type(None): "null"}


def _types(expected: object) -> tuple[type, ...]:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return tuple(type(None) if kind is None else kind for kind in kinds)  # type: ignore[misc]


#: table → field → the exact Python types its JSON value may have (bool is not a number here)
_TYPES: dict[str, dict[str, tuple[type, ...]]] = {
    table: {name: _types(expected) for name, expected in fields.items()} for table, fields in SCHEMA.items()}
_CHOICES: dict[str, dict[str, frozenset[str]]] = {
    "leads": {"stage": frozenset(s.value for s in Stage), "motion": frozenset(m.value for m in Motion),
              "temp": frozenset(t.value for t in Temperature)},
    "activities": {"kind": frozenset(k.value for k in ActivityKind)},
    "notes": {"kind": frozenset(k.value for k in NoteKind)},
    "targets": {"metric": frozenset(TARGET_METRICS), "per": frozenset(p.value for p in PeriodKind)},
    "campaigns": {"state": frozenset(s.value for s in CampaignState)},
}
_LIST_OF_TEXT = ("tags",)


#: Fields that name a record or a rep (file and folder names, keys of sets): no spaces, no control
#: characters, no lone surrogates (they cannot even be written as UTF-8).
KEY_FIELDS = ("id", "lead", "rep", "owner", "script", "updated_by")


def _usable_key(value: str) -> bool:
    return value.isprintable() and not any(ch.isspace() or "\ud800" <= ch <= "\udfff" for ch in value)


def time_problem(value: str) -> str | None:
    """Why `value` is not a usable stored time, or None."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return "format"
    if moment.tzinfo is None:
        return "format"
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return "range"
    return None


def problems(table: str, record: Any, first_only: bool = False) -> list[Problem]:
    """The problems of one stored record of `table` (an empty list when it can be used)."""
    if not isinstance(record, dict):
        return [Problem(None, _("the line is {value}, not a record (a JSON object)").format(value=_shown(record)),
                        _("fix the line by hand or restore the file from git"))]
    found: list[Problem] = []
    rid = record.get("id", "?")
    types = _TYPES[table]
    for name, value in record.items():
        kinds = types.get(name)
        if kinds is not None and type(value) not in kinds:
            accepted = " or ".join(dict.fromkeys(_JSON_NAMES[kind] for kind in kinds))
            found.append(Problem(name, _("{field} of record {id} is {value}, not {accepted}").format(
                field=name, id=_shown(rid), value=_shown(value), accepted=accepted),
                _("fix the value by hand or restore the file from git")))
            if first_only:
                return found
    for name in KEY_FIELDS:
        value = record.get(name)
        if type(value) is str and value and not _usable_key(value):
            found.append(Problem(name, _("{field} of record {id} is {value}, not a usable id or name").format(
                field=name, id=_shown(rid), value=_shown(value)), _("fix the value by hand or restore the file from git")))
            if first_only:
                return found
    for name, value in record.items():
        if type(value) is float and not math.isfinite(value):
            found.append(Problem(name, _("{field} of record {id} is {value}, not a number").format(
                field=name, id=_shown(rid), value=_shown(value)), _("fix the value by hand or restore the file from git")))
            if first_only:
                return found
    missing = [name for name in REQUIRED_FIELDS[table] if record.get(name) in (None, "")]
    if missing:
        found.append(Problem(missing[0], _("record {id} lacks {fields}").format(id=_shown(rid), fields=", ".join(missing)),
                             _("add the missing fields by hand or restore the file from git")))
        if first_only:
            return found
    for name in TIME_FIELDS:
        value = record.get(name)
        if type(value) is str:
            why = time_problem(value)
            if why == "format":
                found.append(Problem(name, _("{name} '{value}' is not an ISO 8601 time with an offset").format(
                    name=name, value=_shown(value, quote=False)), _("write it like 2026-11-27T10:00:00+09:00")))
            elif why == "range":
                found.append(Problem(name, _("{name} '{value}' is outside the years {first}–{last}").format(
                    name=name, value=_shown(value, quote=False), first=MIN_YEAR, last=MAX_YEAR),
                    _("write it like 2026-11-27T10:00:00+09:00")))
            if found and first_only:
                return found
    for name, choices in _CHOICES[table].items():
        value = record.get(name)
        if type(value) is str and value not in choices and (value or name in REQUIRED_FIELDS[table]):
            found.append(Problem(name, _unknown(table, name, rid, value),
                                 _("use one of {names}").format(names=", ".join(sorted(choices)))))
            if first_only:
                return found
    for name in _LIST_OF_TEXT:
        value = record.get(name)
        if type(value) is list and not all(type(item) is str for item in value):
            found.append(Problem(name, _("{field} of record {id} is {value}, not a list of text").format(
                field=name, id=_shown(rid), value=_shown(value)), _("fix the value by hand or restore the file from git")))
            if first_only:
                return found
    for name in _OBJECT_FIELDS if table == "leads" else ():
        value = record.get(name)
        if value is not None and not _plain(name, value):
            found.append(Problem(name, _("{field} of record {id} is {value}, not an object istui can read").format(
                field=name, id=_shown(rid), value=_shown(value)), _("fix the value by hand or restore the file from git")))
    name = _bad_value(table, record)
    if name is not None:
        found.append(Problem(name, _("{field} of record {id} is {value}, not {accepted}").format(
            field=name, id=_shown(rid), value=_shown(record[name]), accepted=_(_VALUE_RULES[name][1])),
            _("fix the value by hand or restore the file from git")))
    return found


#: field → (its rule, what it accepts): values a type check lets through but istui cannot use (a dial command
#: would be given a hand-edited `phone_e164`; a call of a year would fill the talk time)
MAX_CALL_SECONDS = 86_400
_E164 = re.compile(r"\+[1-9][0-9]{5,14}")
_VALUE_RULES: dict[str, tuple[Any, str]] = {
    "phone_e164": (lambda v: type(v) is not str or not v or _E164.fullmatch(v) is not None, N_("a number in E.164 form")),
    "phone_ext": (lambda v: type(v) is not str or not v or (v.isascii() and v.isdigit() and len(v) <= 7),
                  N_("the digits of an extension")),
    "duration": (lambda v: type(v) not in (int, float) or 0 <= v <= MAX_CALL_SECONDS, N_("seconds from 0 to 86,400")),
    # a lead is found by a prefix of its id (`istui lead show 01J8Q`): one istui did not make could never be named
    "id": (lambda v: type(v) is not str or (len(v) == ID_LENGTH and set(v) <= _ID_CHARACTERS),
           N_("an id istui makes (26 of 0-9 and A-Z)")),
}
_ID_CHARACTERS = frozenset(ALPHABET)
_RULED = {"leads": ("id", "phone_e164", "phone_ext"), "activities": ("duration",)}


def _bad_value(table: str, record: dict[str, Any]) -> str | None:
    """The first field of `record` whose value breaks its rule in `_VALUE_RULES`, or None."""
    for name in _RULED.get(table, ()):
        value = record.get(name)
        if value is not None and not _VALUE_RULES[name][0](value):
            return name
    return None


# the field names and value types of records seen valid before → whether they hold a float
_KNOWN_GOOD: dict[str, dict[tuple[tuple[str, ...], tuple[type, ...]], bool]] = {table: {} for table in _TYPES}
_TEXT_REQUIRED = {table: tuple(name for name in fields if name not in TIME_FIELDS and name not in _CHOICES[table])
                  for table, fields in REQUIRED_FIELDS.items()}


def _unknown(table: str, name: str, rid: Any, value: str) -> str:
    if (table, name) == ("leads", "stage"):
        return _("lead {id} has unknown stage {stage}").format(id=_shown(rid, quote=False), stage=_shown(value))
    if (table, name) == ("leads", "motion"):
        return _("lead {id} has unknown motion {motion}").format(id=_shown(rid, quote=False), motion=_shown(value))
    if (table, name) == ("activities", "kind"):
        return _("activity {id} has unknown kind {kind}").format(id=_shown(rid, quote=False), kind=_shown(value))
    return _("{field} of record {id} is {value}, which istui does not know").format(field=name, id=_shown(rid), value=_shown(value))


def first_problem(table: str, record: Any) -> Problem | None:
    """The first problem of a stored record, or None when it can be used: the storages' check, made fast
    for the common case (a record with the same fields and value types as one seen valid before skips
    the type and presence checks)."""
    if type(record) is not dict:
        return problems(table, record, first_only=True)[0]
    types = tuple(map(type, record.values()))
    shape = (tuple(record), types)
    known = _KNOWN_GOOD[table]
    if shape not in known:
        found = problems(table, record, first_only=True)
        if found:
            return found[0]
        known[shape] = float in types
        return None
    for name in _TEXT_REQUIRED[table]:
        if not record[name]:
            return problems(table, record, first_only=True)[0]
    get = record.get
    for name in KEY_FIELDS:
        value = get(name)
        if value and not (value.isascii() and value.isprintable() and " " not in value) and not _usable_key(value):
            return problems(table, record, first_only=True)[0]
    if known[shape] and not all(math.isfinite(v) for v in record.values() if type(v) is float):
        return problems(table, record, first_only=True)[0]
    checked = None  # a time equal to the one just checked is not parsed again (at = created_at = updated_at)
    for name in TIME_FIELDS:
        value = get(name)
        if value is None or value == checked:
            continue
        if time_problem(value) is not None:
            return problems(table, record, first_only=True)[0]
        checked = value
    for name, choices in _CHOICES[table].items():
        value = get(name)
        if value is not None and value not in choices:
            found = problems(table, record, first_only=True)
            if found:
                return found[0]
    if table != "activities" and _needs_item_check(record):
        return problems(table, record, first_only=True)[0]
    if _bad_value(table, record) is not None:
        return problems(table, record, first_only=True)[0]
    return None


def _needs_item_check(record: dict[str, Any]) -> bool:
    tags = record.get("tags")
    if tags and not all(type(item) is str for item in tags):
        return True
    return any(record.get(name) is not None and not _plain(name, record[name]) for name in _OBJECT_FIELDS)


#: a lead's objects (the handoff, the meeting) and lists of them (earlier rounds and meetings): their values are
#: texts, null, whole numbers (a rating, a meeting's minutes) or lists of texts (who attends)
_OBJECT_FIELDS = ("handoff", "meeting", "handoff_history", "meeting_history")


#: the values inside those objects that istui reads as more than text: times (checked like a record's), whole
#: numbers in a range, a list of roster names
_OBJECT_TIMES = ("at", "decided_at", "rated_at", "marked_at")
_OBJECT_NUMBERS = {"rating": (1, 5), "round": (1, 10_000), "minutes": (5, 24 * 60)}


def _plain_value(key: str, value: Any) -> bool:
    kind = type(value)
    if value is None:
        return True
    if key in _OBJECT_TIMES:
        return kind is str and time_problem(value) is None
    if key in _OBJECT_NUMBERS:
        low, high = _OBJECT_NUMBERS[key]
        return kind is int and low <= value <= high
    if key == "with":
        return kind is list and all(type(item) is str for item in value)
    return kind is str


def _plain(name: str, value: Any) -> bool:
    """A lead's handoff or meeting (or a list of earlier ones) that istui can read: see `_plain_value`."""
    if name.endswith("_history"):
        return type(value) is list and all(type(item) is dict and _plain("", item) for item in value)
    return type(value) is dict and all(type(k) is str and _plain_value(k, v) for k, v in value.items())


def _shown(value: Any, quote: bool = True) -> str:
    """A value as a message quotes it: short, and on one line."""
    text = repr(value) if quote else str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 40 else text[:39] + "…"
