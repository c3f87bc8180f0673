"""The team roster on disk (the `[roster.NAME]` tables of `istui.toml`): a new workspace's first rep,
the migration of a workspace made before the roster, and the edits of `istui rep add|set`.

The roster is a table keyed by name, so git's settings merge (`settings_merge`) merges it person by
person, like any other settings key; no schema change: an older istui ignores the table and keeps it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from istui import locations
from istui.domain.errors import BadInput
from istui.domain.roster import DEFAULT_ROLE, clean_member, find
from istui.store.settings import SETTINGS_FILE, Settings, load_settings, write_toml

if TYPE_CHECKING:
    from istui.store.workspace import Workspace


def with_rep(settings: Settings, rep: str) -> Settings:
    """`settings` with `rep` on its roster (a new workspace's first rep, in inside sales)."""
    roster = dict(settings.roster or {})
    if find(roster, rep) is None:
        roster[rep] = {"display": rep, "email": "", "role": DEFAULT_ROLE}
    settings.roster = roster
    return settings


def found_reps(ws: Workspace) -> dict[str, dict[str, str]]:
    """The people an existing workspace names: activity folders and lead owners (inside sales) and
    handoff recipients (field sales); a name that differs from an earlier one only in case is left out."""
    roles: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(ws.root / locations.ACTIVITIES_DIR), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                roles.setdefault(entry.name, DEFAULT_ROLE)
    recipients: list[str] = []
    for lead in ws.leads():
        if isinstance(lead.get("owner"), str) and lead["owner"]:
            roles.setdefault(lead["owner"], DEFAULT_ROLE)
        handoff = lead.get("handoff")
        if isinstance(handoff, dict) and isinstance(handoff.get("to"), str):
            recipients.append(handoff["to"])
    for name in recipients:
        roles.setdefault(name, "field")
    roster: dict[str, dict[str, str]] = {}
    for name, role in roles.items():
        try:
            clean, entry = clean_member(name, {"role": role}, roster)
        except BadInput:
            continue  # not a usable name, or a case-twin of one already on it
        if clean == name:
            roster[name] = entry
    return roster


def migrate(ws: Workspace) -> None:
    """A workspace without a roster gets one (under the lock, once): the people its records name. A
    workspace that cannot be written (a read-only copy) stays without one: any name is then taken."""
    if ws.settings.roster is not None:
        return
    try:
        with ws.lock.held():
            current = load_settings(ws.root)
            if current.roster is None:
                current.roster = found_reps(ws)
                write_toml(ws.root / SETTINGS_FILE, {"roster": current.roster})
    except OSError:
        return
    ws.settings.roster = current.roster


def save_member(ws: Workspace, name: str, fields: Mapping[str, Any], *, new: bool) -> tuple[str, dict[str, str]]:
    """Add (`new`) or change one person on the roster; returns their name and entry. Bad input writes nothing."""
    from istui.domain.roster import require_member

    with ws.lock.held():
        settings = load_settings(ws.root)
        roster = dict(settings.roster or {})
        if new:
            name, entry = clean_member(name, fields, roster)
        else:
            name = require_member(roster, name, "name", strict=True)
            name, entry = clean_member(name, fields, roster, roster[name])
        roster[name] = entry
        write_toml(ws.root / SETTINGS_FILE, {"roster": {name: entry}})
        ws.settings.roster = roster
    return name, entry


def add_members(ws: Workspace, members: Mapping[str, Mapping[str, str]]) -> None:
    """Put several people on the roster at once (the demo's team); each is checked as `rep add` checks."""
    with ws.lock.held():
        settings = load_settings(ws.root)
        roster = dict(settings.roster or {})
        for name, fields in members.items():
            clean, entry = clean_member(name, fields, roster, roster.get(name))
            roster[clean] = entry
        write_toml(ws.root / SETTINGS_FILE, {"roster": roster})
        ws.settings.roster = roster


def add_new_members(ws: Workspace, names: list[str], fields: Mapping[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """`istui rep add A B C`: several new people with the same fields, all checked before one write (a name
    already on the roster, or two look-alike names, writes nothing)."""
    with ws.lock.held():
        settings = load_settings(ws.root)
        roster = dict(settings.roster or {})
        added = []
        for name in names:
            clean, entry = clean_member(name, fields, roster)
            roster[clean] = entry
            added.append((clean, entry))
        write_toml(ws.root / SETTINGS_FILE, {"roster": dict(added)})
        ws.settings.roster = roster
    return added
