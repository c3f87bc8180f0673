"""`istui doctor`: check every workspace file and say, by file and line, what is wrong and how to fix it."""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from istui import locations
from istui.domain.errors import WorkspaceError
from istui.domain.model import REQUIRED_FIELDS, SCHEMA, ActivityKind, Motion, Stage
from istui.i18n import _
from istui.locations import LOCAL_DIR, SETTINGS_FILE
from istui.store.settings import load_settings
from istui.store.storages import CorruptFile, JsonLinesStorage, RecordLinesStorage
from istui.store.workspace import bucket_of


@dataclass(slots=True)
class Problem:
    file: str
    line: int | None
    severity: str  # error | warning
    message: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{self.severity}: {where}: {self.message} — {self.fix}"


def _line_numbers(path: Path) -> dict[str, int]:
    """Where each record id stands in a one-record-per-line file."""
    numbers = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        start = line.find('"')
        if start >= 0:
            end = line.find('"', start + 1)
            numbers.setdefault(line[start + 1:end], number)
    return numbers


_JSON_NAMES = {str: "text", int: "a number", float: "a number", list: "a list", dict: "an object", bool: "true or false",
               type(None): "null"}


def _types(expected: object) -> tuple[type, ...]:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return tuple(type(None) if kind is None else kind for kind in kinds)  # type: ignore[misc]


def _check_types(problems: list[Problem], rel: str, line: int | None, table: str, record: dict[str, Any]) -> None:
    """Every value of the record has a type its field may have (DESIGN.md section 8: reported, never fatal)."""
    for name, value in record.items():
        expected = SCHEMA[table].get(name)
        if expected is None:
            continue
        kinds = _types(expected)
        wrong = not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)
        if wrong:
            accepted = " or ".join(dict.fromkeys(_JSON_NAMES[kind] for kind in kinds))
            problems.append(Problem(rel, line, "error", _("{field} of record {id} is {value}, not {accepted}").format(
                field=name, id=record.get("id", "?"), value=repr(value)[:40], accepted=accepted),
                _("fix the value by hand or restore the file from git")))


def _check_record(problems: list[Problem], rel: str, line: int | None, table: str, record: dict[str, Any]) -> None:
    _check_types(problems, rel, line, table, record)
    missing = [name for name in REQUIRED_FIELDS[table] if record.get(name) in (None, "")]
    if missing:
        problems.append(Problem(rel, line, "error", _("record {id} lacks {fields}").format(id=record.get("id", "?"), fields=", ".join(missing)),
                                _("add the missing fields by hand or restore the file from git")))
    for name in ("at", "created_at", "updated_at", "next_at"):
        value = record.get(name)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                problems.append(Problem(rel, line, "error", _("{name} '{value}' is not an ISO 8601 time with an offset").format(name=name, value=value),
                                        _("write it like 2026-11-27T10:00:00+09:00")))
    if table == "leads":
        if record.get("stage") not in [s.value for s in Stage]:
            problems.append(Problem(rel, line, "error", _("lead {id} has unknown stage {stage}").format(id=record.get("id"), stage=repr(record.get("stage"))),
                                    _("use one of {names}").format(names=", ".join(s.value for s in Stage))))
        if record.get("motion") not in [m.value for m in Motion]:
            problems.append(Problem(rel, line, "error", _("lead {id} has unknown motion {motion}").format(id=record.get("id"), motion=repr(record.get("motion"))),
                                    _("use sdr or bdr")))
    if table == "activities" and record.get("kind") not in [k.value for k in ActivityKind]:
        problems.append(Problem(rel, line, "error", _("activity {id} has unknown kind {kind}").format(id=record.get("id"), kind=repr(record.get("kind"))),
                                _("use call, email, stage or note")))


def check_workspace(root: Path) -> list[Problem]:
    """Every problem found in the workspace at `root` (an empty list when all is well)."""
    problems: list[Problem] = []
    try:
        settings = load_settings(root)
    except WorkspaceError as exc:
        return [Problem(SETTINGS_FILE, None, "error", str(exc), _("fix or restore istui.toml"))]
    gitignore = root / locations.GITIGNORE_FILE
    if not gitignore.exists() or f"{LOCAL_DIR}/" not in gitignore.read_text("utf-8"):
        problems.append(Problem(".gitignore", None, "warning", _("{folder}/ is not ignored, so local caches could be committed").format(folder=LOCAL_DIR),
                                _("add a line '{folder}/' to .gitignore").format(folder=LOCAL_DIR)))
    if not (root / locations.GITATTRIBUTES_FILE).exists():
        problems.append(Problem(".gitattributes", None, "warning", _("missing: git will not route workspace files to the istui merge driver"),
                                _("add '*.json merge=istui' and '*.jsonl merge=istui'")))
    local = locations.Local(root)
    if local.journal.exists():
        problems.append(Problem(locations.relative(root, local.journal), None, "warning", _("an interrupted multi-file write is pending"),
                                _("run any istui command: it finishes the write")))

    tables: list[tuple[Path, str, type]] = [(p, "leads", RecordLinesStorage)
                                            for p in sorted((root / locations.LEADS_DIR).glob("*.json"))]
    tables += [(root / locations.NOTES_FILE, "notes", RecordLinesStorage),
               (root / locations.TARGETS_FILE, "targets", RecordLinesStorage)]
    tables += [(p, "activities", JsonLinesStorage) for p in sorted((root / locations.ACTIVITIES_DIR).glob("*/*.jsonl"))]
    for path, table, kind in tables:
        if not path.exists():
            continue
        rel = str(path.relative_to(root))
        storage = kind(path, table)
        try:
            records = storage.records()
        except CorruptFile as exc:
            problems.append(Problem(rel, exc.line, "error", exc.reason,
                                    _("fix the line by hand, or restore the file with `git checkout -- {file}`").format(file=rel)))
            continue
        raw = path.read_bytes()
        if kind is JsonLinesStorage and raw and not raw.endswith(b"\n"):
            problems.append(Problem(rel, raw.count(b"\n") + 1, "warning", _("the last line is incomplete (an interrupted write)"),
                                    _("nothing to do: istui ignores it and cuts it at the next append")))
        lines = _line_numbers(path) if kind is RecordLinesStorage else {
            rid: n for n, rid in enumerate((r["id"] for r in records.values()), start=1)}
        for key, record in records.items():
            line = lines.get(key)
            _check_record(problems, rel, line, table, record)
            if record.get("id") != key:
                problems.append(Problem(rel, line, "error", _("record key {key} differs from its id {id}").format(key=key, id=record.get("id")),
                                        _("make the key and the id the same")))
            if table == "leads" and bucket_of(key) != path.stem:
                problems.append(Problem(rel, line, "error", _("lead {key} belongs in leads/{bucket}.json").format(key=key, bucket=bucket_of(key)),
                                        _("move the line to that file")))
            if table == "leads" and record.get("source") not in settings.sources:
                problems.append(Problem(rel, line, "warning", _("lead {key} has source {source}, not in istui.toml").format(key=key, source=repr(record.get("source"))),
                                        _("add it to sources in istui.toml or change the lead's source")))
            if table == "activities" and record.get("rep") != path.parent.name:
                problems.append(Problem(rel, line, "error", _("activity {key} of rep {rep} is in {owner}'s file").format(key=key, rep=repr(record.get("rep")),
                                                                                      owner=path.parent.name),
                                        _("move it to activities/{rep}/").format(rep=record.get("rep"))))
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            problems.append(Problem(rel, None, "warning", _("readable by others (mode {mode}); it holds personal data").format(mode=f"{mode:o}"),
                                    f"chmod 600 {rel}"))
    for temp in root.glob("**/.*.tmp"):
        problems.append(Problem(str(temp.relative_to(root)), None, "warning", _("a temporary file left by an interrupted write"),
                                _("delete it")))
    return problems
