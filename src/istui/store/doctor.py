"""`istui doctor`: check every workspace file and say, by file and line, what is wrong and how to fix it."""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from istui import locations
from istui.domain import checks
from istui.domain.errors import BadInput, WorkspaceError
from istui.domain.phones import phone_key
from istui.i18n import _
from istui.locations import LOCAL_DIR, SETTINGS_FILE
from istui.store.settings import check_holiday_country, check_phone_region, load_settings
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
    try:
        settings.check_text()
    except BadInput as exc:
        problems.append(Problem(SETTINGS_FILE, None, "error", str(exc), _("fix the value in istui.toml with `istui settings`")))
    try:
        check_phone_region(settings.phone_region)
    except BadInput as exc:
        problems.append(Problem(SETTINGS_FILE, None, "error", str(exc), _("run `istui settings phone_region=JP` (your "
                                                                          "country's code)")))
    try:
        check_holiday_country(settings.holiday_country)
    except BadInput as exc:
        problems.append(Problem(SETTINGS_FILE, None, "error", str(exc),
                                _("run `istui settings holiday_country=JP` (your country's code), or holiday_country= for none")))
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
               (root / locations.TARGETS_FILE, "targets", RecordLinesStorage),
               (root / locations.CAMPAIGNS_FILE, "campaigns", RecordLinesStorage)]
    tables += [(p, "activities", JsonLinesStorage) for p in sorted((root / locations.ACTIVITIES_DIR).glob("*/*.jsonl"))]
    for path, table, kind in tables:
        if not path.exists() or path.is_symlink() or path.parent.is_symlink():
            continue  # symlinks are reported by check_symlinks, never followed
        rel = locations.relative(root, path)
        if path.is_dir():
            problems.append(Problem(rel, None, "error", _("is a folder where istui keeps a file"),
                                    _("move the folder away, or restore the file with `git checkout HEAD -- {file}`").format(file=rel)))
            continue
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
            if table == "leads" and isinstance(record.get("phone"), str) and record["phone"] and \
                    not phone_key(record, settings.phone_region):  # e.g. typed before numbers of every country were read
                problems.append(Problem(rel, line, "warning", _("lead {key} ({company}): phone '{phone}' is not a number "
                                                                "in region {region}").format(
                    key=key, company=record.get("company"), phone=record["phone"], region=settings.phone_region or "-"),
                    _("correct it with `istui lead set {key} phone=NUMBER` (with + and the country code for "
                      "another country)").format(key=key)))
            if table == "leads" and record.get("dnc") is True and record.get("next_at"):  # e.g. a merge of two edits
                problems.append(Problem(rel, line, "warning", _("lead {key} is marked do-not-call but has a follow-up").format(key=key),
                                        _("clear it with `istui lead set {key} next=`, or the mark with `istui lead set {key} dnc=false`").format(key=key)))
            if table == "activities" and record.get("rep") != path.parent.name:
                problems.append(Problem(rel, line, "error", _("activity {key} of rep {rep} is in {owner}'s file").format(key=key, rep=repr(record.get("rep")),
                                                                                      owner=path.parent.name),
                                        _("move it to activities/{rep}/").format(rep=record.get("rep"))))
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            problems.append(Problem(rel, None, "warning", _("readable by others (mode {mode}); it holds personal data").format(mode=f"{mode:o}"),
                                    f"chmod 600 {rel}"))
    activities = root / locations.ACTIVITIES_DIR
    for entry in sorted(activities.iterdir()) if activities.is_dir() else []:
        if not entry.is_dir() and not entry.is_symlink():
            rel = locations.relative(root, entry)
            problems.append(Problem(rel, None, "error", _("is a file where istui keeps a folder"),
                                    _("move it away, or restore the folder with `git checkout HEAD -- {file}`").format(file=rel)))
    for folder, folders, names in os.walk(root):  # symlinked folders are not followed
        folders[:] = [name for name in folders if name != ".git"]
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                temp = Path(folder) / name
                problems.append(Problem(locations.relative(root, temp), None, "warning",
                                        _("a temporary file left by an interrupted write"), _("delete it")))
    problems += check_missing_files(root) + check_symlinks(root) + check_git_locks(root)
    return problems


# --- what sync relies on: no data file missing, no symlink, git not locked --------------------------------
def check_missing_files(root: Path) -> list[Problem]:
    """Shared data files gone from the folder: notes.json, targets.json, or files git has (`rm -rf leads`
    would otherwise look like a workspace with no leads, and sync would share that)."""
    from istui.store.gitrepo import tracked_files

    tracked = tracked_files(root) or []
    gone = [path for path in tracked if locations.data_kind(path) and not os.path.lexists(root / path)]
    for name in (locations.NOTES_FILE, locations.TARGETS_FILE):
        if not os.path.lexists(root / name) and name not in gone:
            gone.append(name)
    problems = []
    folders = {path.split("/", 1)[0] for path in gone if "/" in path}
    for folder in sorted(folders):
        inside = [path for path in tracked if path.startswith(folder + "/")]
        missing = [path for path in gone if path.startswith(folder + "/")]
        if len(missing) == len(inside) and len(missing) > 1:
            gone = [path for path in gone if path not in missing] + [f"{folder}/"]
    for path in sorted(gone):
        known = path in tracked or path.endswith("/")
        fix = (_("restore it with `git checkout HEAD -- {path}`; if it was deleted on purpose, `istui sync "
                 "--allow-deletions` shares the deletion").format(path=path) if known
               else _("restore it from a backup; until then istui starts it empty"))
        if path.endswith("/"):
            count = sum(1 for name in tracked if name.startswith(path))
            message = _("missing: the {count} files git has in this folder are gone").format(count=count)
        else:
            message = _("missing: the workspace needs this file")
        problems.append(Problem(path, None, "error", message, fix))
    return problems


def check_symlinks(root: Path) -> list[Problem]:
    """Symlinks in the workspace: istui never follows one (a link to a file outside would make istui write
    there), so each is reported."""
    problems = []
    for folder, dirs, names in os.walk(root):
        if folder == str(root):
            dirs[:] = [name for name in dirs if name != ".git"]
        for name in [*dirs, *names]:
            path = Path(folder) / name
            if path.is_symlink():
                rel = locations.relative(root, path)
                problems.append(Problem(rel, None, "error", _("a symbolic link (to {target}); istui never follows "
                                                              "links").format(target=os.readlink(path)),
                                        _("delete the link (`rm {file}`); if git has the file, `git checkout HEAD -- "
                                          "{file}` brings it back").format(file=rel)))
    return problems


def check_git_locks(root: Path) -> list[Problem]:
    """git's lock files left by an interrupted git command (they make every git command fail)."""
    from istui.store.gitrepo import lock_files

    return [Problem(str(path.relative_to(root)) if path.is_relative_to(root) else str(path), None, "warning",
                    _("a git lock file, left by an interrupted git command unless one is running now"),
                    _("`istui sync` removes it when no git command is running; or delete it yourself"))
            for path in lock_files(root)]
