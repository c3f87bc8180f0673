"""How `istui sync` takes in the team's work: what git delivers is checked before it reaches the
workspace, the merge either finishes or is undone, and a merge a killed sync left behind is finished.

- Incoming commits holding a symlink, a submodule or a `.istui/` path are not merged as they are: a
  commit on top of them takes those entries out (a file a link replaced comes back from history), so
  git never writes a link into the workspace and the fix reaches the team with the next push.
- The merge stops before committing (`--no-commit`): a file deleted on one side and edited on the other
  is merged record by record (the edit is kept), the conflicts the merge settled are noted in the
  workspace for the reps who lost (`sync_conflicts`), then the merge is committed.
- A file no rule can merge undoes the whole merge and says whose copy cannot be read and how to fix it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from istui.domain.errors import WorkspaceError
from istui.i18n import _
from istui.locations import SETTINGS_FILE
from istui.services.sync_commit import REGULAR_MODES, forbidden, regular_version, unreadable
from istui.services.sync_conflicts import note_conflicts
from istui.store import fileformat, files
from istui.store.gitrepo import Git, git_dir
from istui.store.merge import Unparseable, log_conflicts, merge_files, merge_versions, table_name
from istui.store.settings_merge import OURS_ENV, THEIRS_ENV, rep_of_subject
from istui.store.workspace import Workspace


def merge_message(rep: str) -> str:
    return f"{rep}: sync with the team"


# --- what comes in -----------------------------------------------------------------------------------
def clean_incoming(git: Git, tracking: str, identity: list[str], date: str, rep: str) -> tuple[str, list[str]]:
    """The commit to merge: `tracking` itself, or a commit on top of it without the links, submodules and
    `.istui/` paths it holds; and the paths taken out."""
    bad = []
    for line in filter(None, git.run("ls-tree", "-r", "-z", "--full-tree", tracking).out.split("\0")):
        info, path = line.split("\t", 1)
        if forbidden(path, info.split()[0]):
            bad.append(path)
    if not bad:
        return tracking, []
    folder = git_dir(git.root)
    assert folder is not None
    index = folder / "istui-incoming-index"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        git.run("read-tree", tracking, env=env)
        git.run("update-index", "--force-remove", "--", *bad, env=env)
        for path in bad:
            if not forbidden(path, "100644"):  # a link or submodule: the plain files it replaced come back
                for mode, blob, name in regular_version(git, tracking, path):
                    git.run("update-index", "--add", "--cacheinfo", f"{mode},{blob},{name}", env=env)
        tree = git.run("write-tree", env=env).out.strip()
    finally:
        with contextlib.suppress(FileNotFoundError):
            index.unlink()
    message = f"{rep}: took out {', '.join(bad[:5])}{' …' if len(bad) > 5 else ''} (istui never follows links)"
    commit = git.run(*identity, "commit-tree", tree, "-p", tracking, "-m", message,
                     env={"GIT_AUTHOR_DATE": date}).out.strip()
    return commit, bad


# --- the merge -----------------------------------------------------------------------------------------
def merge(git: Git, ws: Workspace, target: str, identity: list[str], date: str) -> None:
    """Merge `target` into HEAD, or refuse with nothing changed and say why.

    git never writes the workspace here: it computes the merged tree (`merge-tree --write-tree`, through
    the istui merge driver); what it could not merge is settled record by record or refused; the merge is
    committed; then each changed file is replaced atomically and HEAD moved (`_apply`). A kill at any moment
    leaves every file whole, in HEAD's version or the merged one, and the next sync finishes the move."""
    target = git.out("rev-parse", "--verify", f"{target}^{{commit}}")
    head = git.out("rev-parse", "HEAD")
    if git.ok("merge-base", "--is-ancestor", head, target):
        merged = target  # nothing of ours to merge: HEAD moves to the team's commit
    else:
        merged = _merge_commit(git, ws, head, target, identity, date)
    files.atomic_write(ws.local.sync_merge, f"{head}\n{merged}\n")
    _apply(git, ws, head, merged)
    ws.local.sync_merge.unlink(missing_ok=True)


def _merge_commit(git: Git, ws: Workspace, head: str, target: str, identity: list[str], date: str) -> str:
    """The merge commit of `head` and `target`, made without touching the workspace or the index."""
    log = ws.local.conflicts
    start = log.stat().st_size if log.exists() else 0
    # files changed on both sides come back unmerged (the driver is `false` here) and are merged below, in
    # this process: one python for the whole merge, not one per file
    result = git.run("-c", "merge.renames=false", "-c", "merge.istui.driver=false", "merge-tree", "--write-tree", "-z",
                     head, target, check=False, env={OURS_ENV: head, THEIRS_ENV: target})
    if result.code not in (0, 1):
        if "unrelated histories" in (result.err + result.out).lower():
            raise WorkspaceError(_("The remote holds a different workspace (no history in common with this one); "
                                   "to join the team's workspace, `git clone` it into a new folder instead."))
        from istui.store.gitrepo import first_line

        raise WorkspaceError(_("git merge failed and was undone: {reason}").format(
            reason=first_line(result.err or result.out)))
    parts = result.out.split("\0")
    tree, stages = parts[0], _unmerged(parts[1:]) if result.code == 1 else {}
    settled: dict[str, bytes] = {}
    blobs = _blobs(git, [blob for sides in stages.values() for _mode, blob in sides.values()])  # one read for all
    for path, sides in stages.items():
        if 2 in sides and 3 in sides:
            merged = _merge_both(ws, path, sides, blobs, (head, target))
        elif 1 in sides:
            merged = _keep_the_edit(ws, path, sides, blobs)
        else:
            merged = None
        if merged is not None:
            settled[path] = merged
    left = [path for path in stages if path not in settled]
    if left:
        raise _cannot_merge(git, left, stages, blobs, target)
    conflicts = _logged_since(log, start)
    settled.update(note_conflicts(git, ws, conflicts, head, target,
                                  lambda relative: settled.get(relative, _version(git, tree, relative))))
    if settled:
        tree = _tree_with(git, tree, settled)
    return git.run(*identity, "commit-tree", tree, "-p", head, "-p", target, "-m", merge_message(ws.rep),
                   env={"GIT_AUTHOR_DATE": date}).out.strip()


def _merge_both(ws: Workspace, path: str, sides: dict[int, tuple[str, str]], blobs: dict[str, bytes],
                commits: tuple[str, str]) -> bytes | None:
    """A workspace file changed on both sides, merged record by record (what the merge driver does), or None
    when it is not istui's or a version cannot be read (the merge is then refused, naming it)."""
    if any(mode not in REGULAR_MODES for mode, _blob in sides.values()):
        return None
    base, ours, theirs = (_side(sides, stage, blobs) for stage in (1, 2, 3))
    try:
        if path != SETTINGS_FILE:
            table_name(path)
        merged, conflicts = merge_versions(base, ours, theirs, path, ws.root, commits)
    except Unparseable:
        return None
    log_conflicts(ws.root, conflicts)
    return merged


def _unmerged(entries: list[str]) -> dict[str, dict[int, tuple[str, str]]]:
    """merge-tree's conflicted entries (`mode oid stage<TAB>path`, up to an empty one) by path and stage."""
    stages: dict[str, dict[int, tuple[str, str]]] = {}
    for entry in entries:
        if not entry:
            break
        info, path = entry.split("\t", 1)
        mode, blob, stage = info.split()
        stages.setdefault(path, {})[int(stage)] = (mode, blob)
    return stages


def _tree_with(git: Git, tree: str, contents: dict[str, bytes]) -> str:
    """`tree` with the files in `contents` (path → bytes) put in: one `hash-object` and one `update-index`
    for all of them (a merge of a busy day settles a hundred files)."""
    import subprocess
    import tempfile

    folder = git_dir(git.root)
    assert folder is not None
    env = {"GIT_INDEX_FILE": str(folder / "istui-merge-index")}
    with tempfile.TemporaryDirectory(dir=folder, prefix="istui-merge-") as temp:
        names = []
        for n, content in enumerate(contents.values()):
            name = Path(temp) / str(n)
            name.write_bytes(content)
            names.append(str(name))
        blobs = subprocess.run(["git", "hash-object", "-w", "--no-filters", "--stdin-paths"], cwd=git.root, env=git.env,
                               input="\n".join(names) + "\n", capture_output=True, text=True, check=True).stdout.split()
    try:
        git.run("read-tree", tree, env=env)
        entries = "".join(f"100644 {blob}\t{path}\0" for path, blob in zip(contents, blobs, strict=True))
        git.run("update-index", "-z", "--index-info", env=env, stdin=entries)
        return git.run("write-tree", env=env).out.strip()
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(env["GIT_INDEX_FILE"]).unlink()


# --- bringing the workspace to the merge -------------------------------------------------------------------
def _apply(git: Git, ws: Workspace, head: str, merged: str) -> None:
    """Replace each file that differs between `head` and `merged` with its merged version (atomically, one by
    one), then move HEAD and the index to `merged`. A file edited since `head` (only after a kill: a sync
    holds the workspace lock and committed everything first) is merged record by record with the team's
    version; one that cannot be is refused before anything is written."""
    writes: list[tuple[Path, bytes | None]] = []
    changes = _changed_blobs(git, head, merged)
    contents = _blobs(git, [oid for pair in changes.values() for oid in pair if oid])
    for path, (old_oid, new_oid) in changes.items():
        full = ws.root / path
        if forbidden(path, "100644"):
            continue
        try:
            files.confine(ws.root, full)
        except WorkspaceError:
            continue
        current = full.read_bytes() if full.is_file() and not full.is_symlink() else None
        new, old = contents.get(new_oid), contents.get(old_oid)
        if current == new:
            continue
        if current is not None and current != old:
            new = _with_local_edit(path, old, current, new)
        writes.append((full, new))
    for full, content in writes:
        if content is None:
            full.unlink(missing_ok=True)
        else:
            files.atomic_write(full, content)
    git.run("update-ref", "-m", "istui sync", "HEAD", merged, head)
    git.run("reset", "-q")  # the index as the merge has it; files edited since stay as they are


def _changed_blobs(git: Git, head: str, merged: str) -> dict[str, tuple[str | None, str | None]]:
    """The files that differ between two commits: path → (blob in `head`, blob in `merged`), None for none."""
    changes: dict[str, tuple[str | None, str | None]] = {}
    fields = git.run("diff-tree", "-r", "-z", "--no-renames", head, merged).out.split("\0")
    for info, path in zip(fields[0::2], fields[1::2], strict=False):
        if not info.startswith(":"):
            continue
        _old_mode, _new_mode, old, new, _status = info[1:].split()
        changes[path] = (None if set(old) == {"0"} else old, None if set(new) == {"0"} else new)
    return changes


def _blobs(git: Git, oids: list[str]) -> dict[str, bytes]:
    """The contents of many blobs, read by one `git cat-file --batch`."""
    import subprocess

    if not oids:
        return {}
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=git.root, env=git.env, input="\n".join(oids).encode() + b"\n",
                         capture_output=True, check=True).stdout
    found, at = {}, 0
    for oid in oids:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        found[oid] = out[at:at + size]
        at += size + 1
    return found


def _with_local_edit(path: str, old: bytes | None, current: bytes, new: bytes | None) -> bytes:
    """The team's version `new` of a file edited here since `old` was committed, with both changes."""
    if new is not None and old is not None and unreadable(path, current) is None:
        with contextlib.suppress(Unparseable, ValueError):
            return merge_files(old, current, new, path)[0]
    raise WorkspaceError(_("Your {file} changed since the last commit in a way that cannot be merged with the team's "
                           "version; nothing was merged. Check it (`istui doctor`, `git diff -- {file}`), then sync "
                           "again.").format(file=path))


def finish_interrupted(git: Git, ws: Workspace, identity: list[str], date: str) -> bool:
    """Finish the merge a killed sync left (noted in `.istui/sync-merge`): the files not yet replaced are, and
    HEAD moves; True when there was one. A merge started by hand is left alone."""
    marker = ws.local.sync_merge
    if not marker.exists():
        return False
    noted = marker.read_text("utf-8").split()
    if len(noted) == 2:
        head, merged = noted
        current = git.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).out.strip()
        if current == merged:
            git.run("reset", "-q")
        elif current == head and git.ok("cat-file", "-e", f"{merged}^{{commit}}"):
            _apply(git, ws, head, merged)
        marker.unlink(missing_ok=True)
        return True
    return _finish_older(git, ws, identity, date, noted[0] if noted else "")


def _finish_older(git: Git, ws: Workspace, identity: list[str], date: str, target: str) -> bool:
    """A merge an older istui left, which let `git merge` write the workspace: committed when git had
    finished it, undone otherwise."""
    marker = ws.local.sync_merge
    merge_head = _merge_head(git)
    if merge_head is None:
        if target and git.ok("cat-file", "-e", f"{target}^{{commit}}") and \
                not git.ok("merge-base", "--is-ancestor", target, "HEAD"):
            _restore_half_merged(git, ws, target)
        marker.unlink(missing_ok=True)
        return True
    if target != merge_head:
        return False
    if git.out("ls-files", "-u"):
        git.run("merge", "--abort", check=False)
        if _merge_head(git) is not None:
            raise WorkspaceError(_("A sync was interrupted while merging and the merge cannot be undone because files "
                                   "in it changed since; finish it (`git status` lists the files, `git add` them, "
                                   "`git commit`) or undo it (`git merge --abort`), then sync again."))
    else:
        git.run(*identity, "commit", "--quiet", "--no-verify", "--no-edit", f"--date={date}", "-m", merge_message(ws.rep))
    marker.unlink(missing_ok=True)
    return True


def _restore_half_merged(git: Git, ws: Workspace, target: str) -> None:
    """Undo what a merge killed before git recorded it (no MERGE_HEAD) wrote into the workspace: git had
    been writing the team's files one by one, so any of them may hold the team's version, the merged one,
    or a part of either. Each file the merge could have written goes back to HEAD's version, unless it is a
    readable record file that differs from every version the merge could have written (then it is an
    edit made since the kill, and it stays). The merge is done again, whole, by this sync."""
    base = git.run("merge-base", "HEAD", target, check=False).out.strip()
    changed = git.run("diff", "--name-only", "-z", "--no-renames", base or "HEAD", target, check=False).out
    git.run("reset", "-q", check=False)  # the index as HEAD has it (git may have written the merged one)
    for path in filter(None, changed.split("\0")):
        if forbidden(path, "100644"):
            continue
        full = ws.root / path
        try:
            files.confine(ws.root, full)
        except WorkspaceError:
            continue
        current = full.read_bytes() if full.is_file() and not full.is_symlink() else None
        ours = _version(git, "HEAD", path)
        if current == ours:
            continue
        theirs = _version(git, target, path)
        merged = None
        with contextlib.suppress(Unparseable, ValueError):
            merged = merge_files(_version(git, base, path) or b"", ours or b"", theirs or b"", path)[0] \
                if base and ours is not None and theirs is not None else None
        if current is not None and current not in (theirs, merged) and _edited_since(path, current, ours):
            continue
        if ours is None:
            full.unlink(missing_ok=True)
        else:
            files.atomic_write(full, ours)


def _edited_since(path: str, current: bytes, ours: bytes | None) -> bool:
    """Whether a file the killed merge could have written holds an edit made since instead: it reads whole
    (a part written by git does not: a record file lacks its end, a torn activity line its newline) and,
    for an activity file, keeps every record HEAD has (git writes the team's version, never a subset)."""
    if unreadable(path, current) is not None or not current.strip():
        return False
    if path.endswith(".jsonl"):
        scan = fileformat.scan_json_lines(current)
        before = fileformat.scan_json_lines(ours or b"").records
        return not scan.torn and not scan.broken and before.keys() <= scan.records.keys()
    return True


def _version(git: Git, commit: str, path: str) -> bytes | None:
    import subprocess

    done = subprocess.run(["git", "cat-file", "blob", f"{commit}:{path}"], cwd=git.root, env=git.env,
                          capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


def _merge_head(git: Git) -> str | None:
    folder = git_dir(git.root)
    path = folder / "MERGE_HEAD" if folder is not None else None
    if path is None or not path.exists():
        return None
    return path.read_text("utf-8").split("\n", 1)[0].strip()


def _logged_since(path: Path, start: int) -> list[dict[str, Any]]:
    import json

    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(start)
        return [json.loads(line) for line in handle.read().decode("utf-8", "replace").splitlines() if line.strip()]


# --- files git could not merge -------------------------------------------------------------------------
def _keep_the_edit(ws: Workspace, path: str, sides: dict[int, tuple[str, str]], blobs: dict[str, bytes]) -> bytes | None:
    """A file deleted on one side and edited on the other, merged record by record (so the edits stay), or
    None when no rule can merge it."""
    base, ours, theirs = (_side(sides, stage, blobs) for stage in (1, 2, 3))
    conflicts: list[dict[str, Any]] = []
    try:
        table_name(path)
        record_file = True
    except Unparseable:
        record_file = False
    if record_file:
        if unreadable(path, base) is not None:
            base = b""  # nothing to compare with: every record of the edited side is kept
        try:
            merged, conflicts = merge_files(base, ours, theirs, path)
        except Unparseable:
            return None
    else:  # settings or a file of the user's own: the edited file is kept whole
        merged = ours if 2 in sides else theirs
        conflicts = [{"where": path, "id": None, "field": None, "label": path, "kept": "edited file", "lost": "deletion",
                      "kept_from": None, "lost_from": None, "kept_at": None, "lost_at": None,
                      "lost_side": "ours" if 2 not in sides else "theirs"}]
    log_conflicts(ws.root, conflicts)
    return merged


def _side(sides: dict[int, tuple[str, str]], stage: int, blobs: dict[str, bytes]) -> bytes:
    """One side's content of an unmerged file: empty when that side has none or it is not a regular file."""
    mode, blob = sides.get(stage, ("", ""))
    return blobs.get(blob, b"") if mode in REGULAR_MODES else b""


def _cannot_merge(git: Git, paths: list[str], stages: dict[str, dict[int, tuple[str, str]]], blobs: dict[str, bytes],
                  target: str) -> WorkspaceError:
    """The sentence for files no rule could merge: whose copy cannot be read, and what to do."""
    for path in paths:
        sides = stages[path]
        for stage in (2, 3):
            if stage not in sides:
                continue
            problem = unreadable(path, blobs.get(sides[stage][1], b""))
            if problem is None:
                continue
            if stage == 2:
                return WorkspaceError(_(
                    "Your {file} cannot be read (line {line}: {reason}); nothing was merged. Fix that line (`istui "
                    "doctor` shows it) and sync again.").format(file=path, line=problem.line, reason=problem.reason))
            subject = git.run("log", "-1", "--format=%s%x09%an", target, "--", path, check=False).out.strip()
            who = rep_of_subject(subject) or subject.rsplit("\t", 1)[-1] or "?"
            return WorkspaceError(_(
                "The team's {file}, last changed by {rep}, cannot be read (line {line}: {reason}); nothing was merged "
                "and your work is committed locally. {rep} can fix it (`istui doctor` in their workspace shows the "
                "line) and sync; then sync again.").format(file=path, rep=who, line=problem.line, reason=problem.reason))
    return WorkspaceError(_(
        "Could not merge {files} automatically (not istui data files); nothing was changed. Merge them by hand "
        "(`git merge {branch}`, fix the files, `git add` them, `git commit`), then sync again.").format(
        files=", ".join(paths), branch=_branch_name(git, target)))


def _branch_name(git: Git, target: str) -> str:
    name = git.run("name-rev", "--name-only", "--refs=refs/remotes/*", target, check=False).out.strip()
    name = name.removeprefix("remotes/")
    return name if name and name != "undefined" and "~" not in name and "^" not in name else target[:12]

