"""Lead values kept once in memory as the leads are read (`storages`): a parse makes one string per value of
every lead, and the fields whose values repeat from lead to lead (`model.REPEATED_LEAD_FIELDS`: a stage, an
owner, a source, a company, a tag, who a handoff went to) hold tens of MB of copies at 50,000 leads.

Done by a process that holds the leads for long (the TUI turns it on, `keep_values_once`); a command that reads a
bucket or two and ends would only spend the time (about 1.8 µs a lead)."""

from __future__ import annotations

from collections.abc import Iterable
from sys import intern
from typing import Any

from istui.domain.model import REPEATED_LEAD_FIELDS, REPEATED_OBJECT_FIELDS

_keeping = False


def keep_values_once(on: bool = True) -> None:
    """From now on, the leads this process reads keep each repeated value once (`share_values`)."""
    global _keeping
    _keeping = on


def keeping() -> bool:
    return _keeping


def share_values(leads: Iterable[Any]) -> None:
    """Replace, in place, each repeating value of `leads` (a text, or the texts of a list) with the one copy of
    it (`sys.intern`): equal values, so nothing a reader sees changes."""
    objects = tuple(REPEATED_OBJECT_FIELDS.items())
    for lead in leads:
        if type(lead) is dict:
            _share(lead, REPEATED_LEAD_FIELDS)
            for name, fields in objects:
                if name in lead and type(lead[name]) is dict:
                    _share(lead[name], fields)


def _share(record: dict[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        value = record.get(name)
        if type(value) is str:
            record[name] = intern(value)
        elif type(value) is list and value:
            value[:] = [intern(item) if type(item) is str else item for item in value]
