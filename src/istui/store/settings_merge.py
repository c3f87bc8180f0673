"""The merge of `istui.toml` changed on both sides (run by git's merge driver, `store.merge`): key by key,
like the fields of a record. A key changed on one side takes that change; lists of strings (lead sources,
holidays) are merged as sets; a key both sides changed differently goes to the newer side and the other
value to the conflict log. The result keeps our side's comments and layout and is always valid TOML.

Settings carry no time per key, so "newer" is the author time of the commit that last changed
`istui.toml` on each side (`istui sync` commits with the workspace's clock and names both sides in
`ISTUI_MERGE_OURS` / `ISTUI_MERGE_THEIRS`; a merge run by hand uses HEAD and git's `GITHEAD_<commit>`),
and the rep is the one the commit message starts with (`alice: settings`).
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from istui.domain.roster import name_key
from istui.store import plain_toml
from istui.store.merge import Stamp, Unparseable, merge_fields

Flat = dict[tuple[str, ...], Any]
_ABSENT = object()
OURS_ENV, THEIRS_ENV = "ISTUI_MERGE_OURS", "ISTUI_MERGE_THEIRS"


def load(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        return plain_toml.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Unparseable(str(exc)) from None


def flatten(table: dict[str, Any], prefix: tuple[str, ...] = ()) -> Flat:
    """{("sync", "every_minutes"): 5, ("team",): "A"}: every value that is not a table, by its path."""
    flat: Flat = {}
    for key, value in table.items():
        if isinstance(value, dict) and value:
            flat.update(flatten(value, (*prefix, key)))
        else:
            flat[(*prefix, key)] = value
    return flat


def merge_settings(base: bytes, ours: bytes, theirs: bytes, stamps: tuple[Stamp, Stamp],
                   where: str = "istui.toml") -> tuple[bytes, list[dict[str, Any]]]:
    """The merged file and the conflicts the newer-wins rule settled; Unparseable when a side is not TOML."""
    flat_o, flat_a, flat_b = (flatten(load(side)) for side in (base, ours, theirs))
    conflicts: list[dict[str, Any]] = []
    merged = merge_fields(flat_o, flat_a, flat_b, stamps, conflicts, where, None, "settings", name=".".join)
    merged = _one_spelling(merged, flat_a, conflicts, where)
    if merged == flat_a:
        return ours, conflicts
    if merged == flat_b:
        return theirs, conflicts
    text = _apply(ours.decode("utf-8"), flat_a, merged)
    if flatten(load(text.encode())) != merged:
        raise Unparseable("the merged settings do not fit in one TOML file (a key is a table on one side)")
    return text.encode(), conflicts


def _one_spelling(merged: Flat, ours: Flat, conflicts: list[dict[str, Any]], where: str) -> Flat:
    """The roster merges person by person (`[roster.NAME]`); two people added on the two sides whose names
    differ only in case or width (Bob, bob, ｂｏｂ: `name_key`) cannot both stay: ours (else the first name) stays, the other is logged."""
    names: dict[str, list[str]] = {}
    for key in merged:
        if len(key) > 2 and key[0] == "roster":
            group = names.setdefault(name_key(key[1]), [])
            if key[1] not in group:
                group.append(key[1])
    for group in names.values():
        if len(group) < 2:
            continue
        kept = next((name for name in sorted(group) if any(k[:2] == ("roster", name) for k in ours)), sorted(group)[0])
        for name in group:
            if name != kept:
                conflicts.append({"where": where, "id": None, "field": f"roster.{name}", "label": "settings",
                                  "kept": kept, "lost": name, "kept_from": "", "lost_from": "", "kept_at": "", "lost_at": ""})
                merged = {key: value for key, value in merged.items() if key[:2] != ("roster", name)}
    return merged


def _apply(text: str, before: Flat, after: Flat) -> str:
    """Our side's document (comments and layout kept) changed from `before` to `after` with tomlkit."""
    import tomlkit

    document = tomlkit.parse(text)
    for key in sorted(set(before) - set(after), key=len, reverse=True):
        parent = _container(document, key[:-1], create=False)
        if parent is not None:
            parent.pop(key[-1], None)
            _prune(document, key[:-1], after)
    for key in sorted(after):
        if before.get(key, _ABSENT) != after[key]:
            parent = _container(document, key[:-1], create=True)
            if parent is None:
                raise Unparseable(f"{'.'.join(key)} cannot be set: a part of it is not a table")
            parent[key[-1]] = after[key]
    return tomlkit.dumps(document)


def _container(document: Any, path: tuple[str, ...], create: bool) -> Any:
    import tomlkit

    container = document
    for part in path:
        inner = container.get(part)
        if not isinstance(inner, dict):
            if inner is not None or not create:
                return None
            inner = container[part] = tomlkit.table()
            inner = container[part]
        container = inner
    return container


def _prune(document: Any, path: tuple[str, ...], after: Flat) -> None:
    """Drop tables left empty by removed keys unless the merge keeps them (as empty tables)."""
    while path:
        container = _container(document, path, create=False)
        if container is None or len(container) or path in after:
            return
        parent = _container(document, path[:-1], create=False)
        parent.pop(path[-1], None)
        path = path[:-1]


# --- the time and rep of each side ----------------------------------------------------------------
def side_stamps(root: Path, path: str) -> tuple[Stamp, Stamp]:
    """(author time in UTC, rep) of the commit that last changed `path` on our side and on theirs;
    ("", "") for a side that cannot be told (the merge then still gives one result either way)."""
    ours = os.environ.get(OURS_ENV) or "HEAD"
    theirs = os.environ.get(THEIRS_ENV)
    if not theirs:
        named = [key[len("GITHEAD_"):] for key in os.environ if key.startswith("GITHEAD_")]
        theirs = named[0] if len(named) == 1 else ""
    return stamp_of(root, ours, path), stamp_of(root, theirs, path)


def stamp_of(root: Path, commit: str, path: str) -> Stamp:
    if not commit:
        return ("", "")
    done = subprocess.run(["git", "log", "-1", "--format=%at%x09%an%x09%s", commit, "--", path], cwd=root,
                          capture_output=True, text=True, check=False)
    fields = done.stdout.strip().split("\t", 2)
    if done.returncode != 0 or len(fields) != 3 or not fields[0].isdigit():
        return ("", "")
    moment = datetime.fromtimestamp(int(fields[0]), UTC).isoformat(timespec="seconds")
    return moment, rep_of_subject(fields[2]) or fields[1]


def rep_of_subject(subject: str) -> str:
    """The rep an istui commit message starts with (`alice: 3 calls`), or ''."""
    found = re.match(r"([^\s:]{1,40}): ", subject)
    return found.group(1) if found else ""
