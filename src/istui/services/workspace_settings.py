"""`istui settings`: list the workspace settings and change them by KEY=VALUE, typed as each setting's
type; a table setting's keys are named with dots (`retry_schedule.busy=+30m`, `roster.alice.display=…`).
Every assignment is checked before anything is written, and a change that bears on stored data says
what becomes of it."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterable
from typing import Any

from istui.domain.errors import BadInput
from istui.domain.validation import parse_flag
from istui.i18n import _
from istui.store.settings import SETTINGS_FILE, Settings, check_holiday_country, load_settings, write_toml
from istui.store.workspace import Workspace

#: settings istui keeps itself
READ_ONLY = ("schema", "demo")


def setting_rows(settings: Settings) -> list[tuple[str, Any]]:
    """Every setting as (dotted key, value), tables opened up to their keys."""
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key in value:
                walk(f"{prefix}.{key}", value[key])
        else:
            rows.append((prefix, value))

    for name in Settings.FIELDS:
        walk(name, getattr(settings, name))
    return rows


def typed(value: str, like: Any, key: str) -> Any:
    """`value` as the type of `like` (the setting's current value or type): whole numbers, true/false,
    comma-separated lists; otherwise text."""
    kind = like if isinstance(like, type) else type(like)
    text = unicodedata.normalize("NFKC", value).strip()
    if kind is bool:
        if not text:  # a flag is given, never left empty
            raise BadInput(_("{key}: '{value}' is not true or false.").format(key=key, value=value))
        return parse_flag(text, key)
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise BadInput(_("{key}: '{value}' is not a whole number.").format(key=key, value=value)) from None
    if kind is list:
        return [item.strip() for item in value.split(",") if item.strip()]
    return value.strip()


def _assign(settings: Settings, assignment: str) -> str:
    """Apply one KEY=VALUE to `settings` (in memory); returns the top-level setting it changed."""
    key, sep, value = assignment.partition("=")
    key = key.strip()
    path = key.split(".")
    if not sep or not key:
        raise BadInput(_("'{text}' is not KEY=VALUE, e.g. timezone=Asia/Tokyo.").format(text=assignment))
    name = path[0]
    if name not in Settings.FIELDS:
        raise BadInput(_("'{key}' is not a setting; settings are {names}.").format(
            key=key, names=", ".join(n for n in Settings.FIELDS if n not in READ_ONLY)))
    if name in READ_ONLY:
        raise BadInput(_("{key} is kept by istui itself and cannot be set.").format(key=key))
    kind = Settings.TYPES.get(name, str)
    if kind is not dict:
        if len(path) > 1:
            raise BadInput(_("{key}: {name} is not a table; set it as {name}=VALUE.").format(key=key, name=name))
        value = typed(value, kind, key)
        if name in ("currency", "holiday_country", "phone_region") and isinstance(value, str):
            value = value.upper()  # codes: jpy is JPY
        setattr(settings, name, value)
        return name
    if len(path) == 1:
        raise BadInput(_("{name} is a table; set one of its keys, e.g. {name}.KEY=VALUE.").format(name=name))
    table = getattr(settings, name)
    if table is None:
        table = {}
        setattr(settings, name, table)
    for part in path[1:-1]:
        inner = table.get(part)
        if inner is None:
            inner = table[part] = {}
        elif not isinstance(inner, dict):
            raise BadInput(_("{key}: {part} is not a table.").format(key=key, part=part))
        table = inner
    current = table.get(path[-1], str)
    if isinstance(current, dict):
        raise BadInput(_("{key} is a table; set one of its keys, e.g. {key}.KEY=VALUE.").format(key=key))
    table[path[-1]] = typed(value, current, key)
    return name


def change_settings(ws: Workspace, assignments: Iterable[str]) -> tuple[dict[str, tuple[Any, Any]], list[str]]:
    """Apply KEY=VALUE assignments to istui.toml: all are checked first (bad input writes nothing). Returns
    {dotted key: (before, after)} for the values that changed and the sentences saying what the changes
    mean for stored data."""
    assignments = list(assignments)
    if not assignments:
        raise BadInput(_("Name a setting to change as KEY=VALUE, e.g. timezone=Asia/Tokyo."))
    with ws.lock.held():
        before = load_settings(ws.root)
        after = copy.deepcopy(before)
        for assignment in assignments:
            _assign(after, assignment)
        after.validate()
        if after.holiday_country != before.holiday_country:
            check_holiday_country(after.holiday_country)
        old_rows, new_rows = dict(setting_rows(before)), dict(setting_rows(after))
        changed = {key: (old_rows.get(key), new_rows.get(key)) for key in dict.fromkeys([*old_rows, *new_rows])
                   if old_rows.get(key) != new_rows.get(key)}
        names = [name for name in Settings.FIELDS if getattr(before, name) != getattr(after, name)]
        if names:
            write_toml(ws.root / SETTINGS_FILE, {name: getattr(after, name) for name in names})
            for name in names:
                setattr(ws.settings, name, copy.deepcopy(getattr(after, name)))
    return changed, [note for name in names for note in consequences(ws, name, getattr(before, name), getattr(after, name))]


def consequences(ws: Workspace, name: str, old: Any, new: Any) -> list[str]:
    """What a changed setting means for the records already stored (nothing stored is rewritten)."""
    if name == "timezone":
        return [_("Stored times keep their UTC offsets; days, weeks and months are now counted in {tz} (the KPI "
                  "caches are counted again).").format(tz=new)]
    if name in ("week_start", "fiscal_year_start_month"):
        return [_("No record changes; weeks, quarters and fiscal years are now counted from the new start, "
                  "and targets per week or fiscal year apply to the new periods.")]
    if name in ("holiday_country", "extra_holidays", "working_holidays", "working_hours"):
        return [_("No record changes; working days and hours (pace, follow-up retries) follow the new calendar.")]
    if name == "currency":
        return [_("Amounts are stored as numbers and are not converted; they are now shown in {currency}.").format(
            currency=new)]
    if name == "phone_region":
        if not new:
            return [_("Stored phone numbers stay as they are; numbers typed from now on need + and the country code.")]
        return [_("Stored phone numbers keep their country; numbers typed or imported without a country code are "
                  "read as {region} from now on.").format(region=new)]
    if name == "sources":
        removed = [source for source in old if source not in new]
        if not removed:
            return []
        kept = sum(1 for lead in ws.leads() if lead.get("source") in removed)
        return [_("{count} lead(s) keep the removed source(s) {sources}; `istui doctor` lists them.").format(
            count=kept, sources=", ".join(removed))]
    return []
