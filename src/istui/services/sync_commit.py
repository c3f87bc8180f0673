"""What `istui sync` commits: workspace data and settings only, never a symlink or `.istui/`, never a
file istui cannot read, never a torn last line, and never a mass deletion unless the rep says so.

- Committed: `istui.toml`, `.gitignore`, `.gitattributes`, `leads/*.json`, `activities/*/*.jsonl`,
  `notes.json`, `targets.json`, `campaigns.json`, `conflicts/*.jsonl`. Anything else (an exported CSV
  left in the folder) is listed in the report as not committed.
- A symlink, a submodule or a `.istui/` path already in git (committed by hand or by an older istui)
  is taken out of git; the file it replaced comes back from history when there is one.
- Deleting more than `DELETION_LIMIT` records, or any whole data file, needs `--allow-deletions`:
  `rm -rf leads` must not reach the whole team.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from istui import locations
from istui.domain import labels
from istui.domain.errors import WorkspaceError
from istui.i18n import N_, _, language
from istui.store import fileformat, files, plain_toml
from istui.store.gitrepo import Git
from istui.store.merge import table_name
from istui.store.workspace import Workspace

DELETION_LIMIT = 5  # records a sync may delete without --allow-deletions
DETAIL_LIMIT = 20_000  # added lines above which the commit message counts lines, not record kinds
LINK_MODES = ("120000", "160000")  # a symlink, a submodule: never followed, never committed
REGULAR_MODES = ("100644", "100755")
KIND_NAMES = labels.RECORD_KINDS


@dataclass
class Committed:
    message: str | None = None
    not_committed: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # symlinks and the like taken out of git or left out


# --- which paths ------------------------------------------------------------------------------------
is_workspace_file = locations.is_shared_file
kind_of_data = locations.data_kind


def forbidden(path: str, mode: str) -> bool:
    """An entry git must never hold in a workspace: a link, a submodule, istui's local folder."""
    return mode in LINK_MODES or path == locations.LOCAL_DIR or path.startswith(locations.LOCAL_DIR + "/")


def _through_link(root: Path, path: str) -> bool:
    """Whether `path` or a folder on the way to it is a symlink."""
    current = root
    for part in path.split("/"):
        current = current / part
        if current.is_symlink():
            return True
    return False


# --- reading a file as istui would ------------------------------------------------------------------
def unreadable(path: str, raw: bytes) -> fileformat.FormatError | None:
    """Why istui cannot read this version of a data file (line and reason), or None."""
    try:
        if path == locations.SETTINGS_FILE:
            plain_toml.loads(raw.decode("utf-8"))
            return None
        table = table_name(path)
        if table is None:
            fileformat.parse_json_lines(raw)
        else:
            fileformat.parse_record_lines(raw, table)  # an empty table file is a write cut short
    except fileformat.FormatError as exc:
        return exc
    except UnicodeDecodeError as exc:
        return fileformat.FormatError(raw[: exc.start].count(b"\n") + 1, "is not UTF-8")
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        return fileformat.FormatError(int(found.group(1)) if found else 1, str(exc))
    except ValueError:  # not a file istui merges (table_name): nothing to read
        return None
    return None


# --- links already in git ---------------------------------------------------------------------------
def regular_version(git: Git, ref: str, path: str) -> list[tuple[str, str, str]]:
    """(mode, blob, path) of the newest version of `path` in the history of `ref` that was plain files
    (a file, or a folder of files), before it became a link; [] when there was none."""
    commits = git.run("rev-list", "-n", "50", ref, "--", path, check=False).out.split()
    for commit in commits:
        listed = git.run("ls-tree", "-r", "-z", commit, "--", path, check=False).out.split("\0")
        entries = []
        for line in filter(None, listed):
            info, name = line.split("\t", 1)
            mode, _type, blob = info.split()
            if name == path or name.startswith(path + "/"):
                entries.append((mode, blob, name))
        if not entries:
            return []
        if all(mode in REGULAR_MODES and not forbidden(name, mode) for mode, _blob, name in entries):
            return entries
    return []


def _take_links_out(git: Git, root: Path) -> list[str]:
    """Links, submodules and `.istui/` paths in the index leave git; a file a link replaced comes back."""
    bad = []
    for line in filter(None, git.run("ls-files", "-s", "-z").out.split("\0")):
        info, path = line.split("\t", 1)
        if forbidden(path, info.split()[0]):
            bad.append(path)
    for path in bad:
        git.run("update-index", "--force-remove", "--", path)
        if path.startswith(locations.LOCAL_DIR + "/"):
            continue  # the local file stays, untracked (and ignored)
        if (root / path).is_symlink():
            (root / path).unlink()
        elif os.path.lexists(root / path):
            continue  # a real file is there now: it is committed as it is
        restored = regular_version(git, "HEAD", path)
        for mode, blob, name in restored:
            git.run("update-index", "--add", "--cacheinfo", f"{mode},{blob},{name}")
        if restored:
            git.run("checkout-index", "-f", "--", *(name for _mode, _blob, name in restored))
    return bad


# --- the commit -------------------------------------------------------------------------------------
def commit(git: Git, ws: Workspace, identity: list[str], date: str, allow_deletions: bool = False) -> Committed:
    """Commit the workspace's changed data and settings; what was left out is in the result."""
    root = ws.root
    result = Committed(links=_take_links_out(git, root))
    listed = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames").out.split("\0")
    stage = []
    for entry in filter(None, listed):
        path = entry[3:]
        if any(path == link or path.startswith(link + "/") for link in result.links):
            continue  # taken out of git above
        if not is_workspace_file(path) or _through_link(root, path):
            result.not_committed.append(path)
            continue
        full = root / path
        if full.exists():
            if path.endswith(".jsonl"):
                files.cut_torn_tail(full)
            if path not in (locations.GITIGNORE_FILE, locations.GITATTRIBUTES_FILE):
                problem = unreadable(path, full.read_bytes())
                if problem is not None:
                    raise WorkspaceError(_(
                        "Your {file} cannot be read (line {line}: {reason}), so nothing was committed; fix that line "
                        "(`istui doctor` shows it) or restore the file with `git checkout HEAD -- {file}`, then sync "
                        "again.").format(file=path, line=problem.line, reason=problem.reason))
        stage.append(path)
    if stage:
        git.run("add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul", stdin="\0".join(stage))
    if git.ok("diff", "--cached", "--quiet"):
        return result
    if not allow_deletions:
        _refuse_mass_deletion(git, root, result.links, ws.rep)
    result.message = commit_message(git, ws.rep)
    git.run(*identity, "commit", "--quiet", "--no-verify", f"--date={date}", "-m", result.message)
    return result


def deletions(git: Git, leave_out: list[str], rep: str = "") -> tuple[Counter[str], list[str]]:
    """The records the staged changes delete, by kind, and the whole data files they delete. Activities
    deleted from a teammate's file (only that teammate appends to it) count as "teammates"."""
    status = git.run("diff", "--cached", "--no-renames", "--name-status", "-z").out.split("\0")
    pairs = list(zip(status[0::2], status[1::2], strict=False))
    gone = [path for code, path in pairs if code == "D" and kind_of_data(path) and path not in leave_out]
    changed = [path for code, path in pairs if code in ("M", "D") and kind_of_data(path) not in (None, "settings")
               and path not in leave_out]
    counts: Counter[str] = Counter()
    if not changed:
        return counts, gone
    numstat = git.run("diff", "--cached", "--no-renames", "--numstat", "-z", "--", *changed).out.split("\0")
    shrunk = [line.split("\t", 2)[2] for line in numstat if line.count("\t") >= 2 and line.split("\t")[1] not in ("0", "-")]
    if not shrunk:
        return counts, gone
    removed: dict[str, set[str]] = {}
    added: dict[str, set[str]] = {}
    kind = ""
    own = f"{locations.ACTIVITIES_DIR}/{rep}/"
    for line in git.run("diff", "--cached", "--no-renames", "--no-color", "--unified=0", "--", *shrunk).out.splitlines():
        if line.startswith("--- "):
            kind = (kind_of_data(line[6:]) or "") if line.startswith("--- a/") else ""
            if kind == "activities" and rep and not line[6:].startswith(own):
                kind = "teammates"
        elif line.startswith("+++ "):
            continue
        elif line[:1] in ("-", "+") and kind:
            record = _record_id(line[1:])
            if record:
                (removed if line[0] == "-" else added).setdefault(kind, set()).add(record)
    for name, ids in removed.items():
        counts[name] = len(ids - added.get(name, set()))
    return +counts, gone


def _record_id(line: str) -> str:
    """The id of a record line of either layout, or ''."""
    key = _record_key(line)
    if key:
        return key
    with contextlib.suppress(ValueError, AttributeError):
        record = json.loads(line)
        return str(record.get("id") or "")
    return ""


def _refuse_mass_deletion(git: Git, root: Path, leave_out: list[str], rep: str = "") -> None:
    counts, gone = deletions(git, leave_out, rep)
    if not gone and sum(counts.values()) <= DELETION_LIMIT and not counts.get("teammates"):
        return  # a few records (a lead deleted, a call undone); a teammate's calls never go silently
    git.run("reset", "-q")  # unstage: nothing was committed
    what = ", ".join(f"{_(KIND_NAMES.get(kind, kind))}: {count:,}" for kind, count in sorted(counts.items()))
    if gone:
        names = _folded(git, gone)
        restore = ("git checkout HEAD -- " + " ".join(names) if len(names) <= 8
                   else "git ls-files -z --deleted | xargs -0 git checkout HEAD --")
        raise WorkspaceError(_(
            "This sync would delete the files {files} ({what}); nothing was committed or sent. If you meant it, run "
            "`istui sync --allow-deletions`; to bring them back, run `{restore}` in {root}, then sync again.").format(
            files=", ".join(names[:8]) + (" …" if len(names) > 8 else ""), what=what or "-", restore=restore, root=root))
    changed = [path for path in git.run("diff", "--name-only", "-z").out.split("\0") if kind_of_data(path)]
    raise WorkspaceError(_(
        "This sync would delete {what} from {files}; nothing was committed or sent. If you meant it, run `istui sync "
        "--allow-deletions`; to keep them, restore the files with `{restore}` in {root} (this also undoes your other "
        "unsynced changes in them), then sync again.").format(
        what=what, files=", ".join(changed[:8]) + (" …" if len(changed) > 8 else ""), root=root,
        restore="git checkout HEAD -- " + " ".join(changed)))


def _folded(git: Git, gone: list[str]) -> list[str]:
    """The deleted files, a folder named once (`leads/`) when every file git had in it is gone."""
    tracked = Counter(path.split("/", 1)[0] for path in git.run("ls-tree", "-r", "--name-only", "-z", "HEAD").out.split("\0")
                      if "/" in path)
    deleted = Counter(path.split("/", 1)[0] for path in gone if "/" in path)
    names = [f"{folder}/" for folder, count in deleted.items() if tracked[folder] == count]
    return names + [path for path in gone if "/" not in path or f"{path.split('/', 1)[0]}/" not in names]


# --- the commit message -----------------------------------------------------------------------------
def commit_message(git: Git, rep: str) -> str:
    """`alice: 42 calls, 3 e-mails, 3 leads, 1 note` from the staged changes."""
    counts: Counter[str] = Counter()
    numstat = [line.split("\t", 2) for line in git.out("diff", "--cached", "--numstat").splitlines()]
    if sum(int(added) for added, _removed, _path in numstat if added.isdigit()) > DETAIL_LIMIT:
        for added, _removed, path in numstat:  # an import or a first commit: count lines per kind of file
            counts[_kind_of_path(path, None)] += int(added) if added.isdigit() else 0
    else:
        path = ""
        removed: dict[tuple[str, str], str] = {}
        added_lines: list[tuple[str, str]] = []
        for line in git.run("diff", "--cached", "--no-color", "--unified=0").out.splitlines():
            if line.startswith("+++ "):
                path = line[6:] if line.startswith("+++ b/") else ""
            elif line.startswith("--- "):
                continue
            elif line.startswith("-") and path and _record_key(line[1:]):
                removed[(path, _record_key(line[1:]))] = line[1:].rstrip().rstrip(",")
            elif line.startswith("+") and path:
                added_lines.append((path, line[1:]))
        for path, text in added_lines:
            key = _record_key(text)
            if key and removed.get((path, key)) == text.rstrip().rstrip(","):
                continue  # the record only gained or lost its trailing comma (a neighbour was added after it)
            counts[_kind_of_path(path, text)] += 1
    counts.pop("", None)
    parts = [_plural(counts[kind], kind) for kind in ("call", "e-mail", "stage change", "activity", "lead", "note",
                                                     "target", "campaign") if counts.get(kind)]
    if counts.get("settings"):
        parts.append("settings")
    return f"{rep}: {', '.join(parts) if parts else 'workspace changes'}"  # English for the team's git log


_KIND_WORDS = {"call": N_("calls"), "e-mail": N_("e-mails"), "stage change": N_("stage changes"),
               "activity": N_("activities"), "lead": N_("leads"), "note": N_("notes"), "target": N_("targets"),
               "campaign": N_("campaigns")}
_KIND_OF = {**{kind: kind for kind in _KIND_WORDS}, **{"activities" if kind == "activity" else kind + "s": kind for kind in _KIND_WORDS}}
_WHOLE_WORDS = {"settings": N_("settings"), "workspace changes": N_("workspace changes")}
_PART = re.compile(r"([\d,]+) (.+)")


def message_words(message: str) -> str:
    """A commit message istui wrote (`alice: 42 calls, 1 note`, its own or a teammate's) in the language in force
    (`alice: 架電 42件、ノート 1件`); any other message as it is."""
    rep, sep, rest = message.partition(": ")
    if language() == "en" or not sep:
        return message
    parts = []
    for part in rest.split(", "):
        counted = _PART.fullmatch(part)
        if counted and counted[2] in _KIND_OF:
            parts.append(_("{count} {things}").format(count=counted[1], things=_(_KIND_WORDS[_KIND_OF[counted[2]]])))
        elif part in _WHOLE_WORDS:
            parts.append(_(_WHOLE_WORDS[part]))
        else:
            return message
    return f"{rep}: {_(', ').join(parts)}"


def _record_key(line: str) -> str:
    """The id of a record line of a record-lines file (`"01J…": {…},`), or ''."""
    text = line.lstrip()
    return text.split('"', 2)[1] if text.startswith('"') and '": {' in text else ""


def _kind_of_path(path: str, line: str | None) -> str:
    if path.startswith(f"{locations.ACTIVITIES_DIR}/") and path.endswith(".jsonl"):
        if line is None:
            return "activity"
        try:
            kind = json.loads(line).get("kind")
        except (ValueError, AttributeError):
            return ""
        return {"call": "call", "email": "e-mail", "stage": "stage change"}.get(kind, "activity")
    record_line = line is None or (line.lstrip().startswith('"') and ": {" in line)
    if path.startswith(f"{locations.LEADS_DIR}/") and path.endswith(".json"):
        return "lead" if record_line else ""
    if path in (locations.NOTES_FILE, locations.TARGETS_FILE, locations.CAMPAIGNS_FILE):
        return path[:-6] if record_line else ""
    if path == locations.SETTINGS_FILE:
        return "settings"
    return ""


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    plural = "activities" if word == "activity" else word + "s"
    return f"{count:,} {plural}"
