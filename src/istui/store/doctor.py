"""`istui doctor`: check every workspace file and say, by file and line, what is wrong and how to fix it."""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from istui import locations
from istui.domain import checks
from istui.domain.errors import WorkspaceError
from istui.i18n import _
from istui.locations import LOCAL_DIR, SETTINGS_FILE
from istui.store.settings import load_settings
from istui.store.storages import JsonLinesStorage, RecordLinesStorage
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
        if not path.exists() or path.is_symlink():
            continue
        rel = locations.relative(root, path)
        storage = kind(path, table)
        for line, reason in storage.unreadable_lines():
            problems.append(Problem(rel, line, "error", reason,
                                    _("fix the line by hand, or restore the file with `git checkout -- {file}`").format(file=rel)))
        if storage.torn:
            problems.append(Problem(rel, path.read_bytes().count(b"\n") + 1, "warning",
                                    _("the last line is incomplete (an interrupted write)"),
                                    _("nothing to do: istui ignores it and cuts it at the next append")))
        for key, record in storage.every_record().items():
            line = storage.line_of(key)
            for found in checks.problems(table, record):
                problems.append(Problem(rel, line, "error", found.message, found.fix))
            if record.get("id") != key:
                problems.append(Problem(rel, line, "error", _("record key {key} differs from its id {id}").format(key=key, id=record.get("id")),
                                        _("make the key and the id the same")))
            if table == "leads" and bucket_of(key) != path.stem:
                problems.append(Problem(rel, line, "error", _("lead {key} belongs in leads/{bucket}.json").format(key=key, bucket=bucket_of(key)),
                                        _("move the line to that file")))
            if table == "leads" and isinstance(record.get("source"), str) and record["source"] not in settings.sources:
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
