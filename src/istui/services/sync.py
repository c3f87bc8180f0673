"""`istui sync`: commit local work with a message saying what it is, fetch, merge record by record,
push; report what came in, what went out and which field conflicts the merge settled.

The workspace lock is held whenever files change (the commit, the merge); fetching and pushing,
which may wait on the network, run without it so the TUI and CLI keep writing meanwhile. A merge
that git cannot finish is aborted, so no workspace file is ever left with conflict markers.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from istui import locations
from istui.domain.errors import WorkspaceError
from istui.i18n import _
from istui.store import files
from istui.store.gitrepo import Git, ensure_merge_driver, first_line, git_dir
from istui.store.workspace import GITATTRIBUTES, Workspace

Progress = Callable[[str], None]
DETAIL_LIMIT = 20_000  # added lines above which the commit message counts lines, not record kinds

_NETWORK = ("could not resolve host", "connection refused", "connection timed out", "network is unreachable",
            "unable to access", "could not read from remote repository", "no route to host", "timed out",
            "does not appear to be a git repository", "not found", "connection reset")
_AUTH = ("authentication failed", "permission denied", "could not read username", "could not read password",
         "terminal prompts disabled", "access denied", "403", "invalid username or password", "host key verification")


def sync(ws: Workspace, progress: Progress | None = None) -> dict[str, Any]:
    """Commit, fetch, merge, push (retrying once when another rep pushed in between)."""
    say = progress or (lambda _message: None)
    root = ws.root
    git = Git(root)
    if git_dir(root) is None:
        git.run("init", "-q")
    ensure_merge_driver(root)
    _check_state(git, root)
    conflict_log = locations.Local(root).conflicts
    log_start = conflict_log.stat().st_size if conflict_log.exists() else 0
    identity = _identity(git, ws.rep)
    say("Committing local changes …")
    with ws.lock.held():
        committed = _commit(git, ws, identity)
    report: dict[str, Any] = {"workspace": str(root), "committed": committed, "received": [], "sent": 0,
                              "conflicts": [], "remote": None, "branch": None, "pushed": False}
    remote = _remote(git)
    if remote is None:
        report["message"] = _("No remote is set, so the work was committed locally only; share it with "
                              "`istui init --remote URL` (the team's git repository).")
        return report
    name, url = remote
    branch = git.out("symbolic-ref", "--quiet", "--short", "HEAD")
    report.update(remote=url, branch=branch)
    for attempt in (1, 2):
        say(f"Fetching from {url} …")
        _network(git, url, "fetch", "--quiet", name)
        tracking = f"refs/remotes/{name}/{branch}"
        exists = git.ok("rev-parse", "--verify", "--quiet", tracking)
        if exists:
            incoming = [line for line in git.out("log", "--format=%s", f"HEAD..{tracking}").splitlines() if line]
            if incoming:
                say(f"Merging {len(incoming)} commit(s) from the team …")
                with ws.lock.held():
                    again = _commit(git, ws, identity)  # work written since the first commit
                    if again:
                        report["committed"] = _join(report["committed"], again)
                    _merge(git, tracking, ws.rep, identity)
                report["received"] += incoming
        outgoing = int(git.out("rev-list", "--count", f"{tracking}..HEAD")) if exists else \
            int(git.out("rev-list", "--count", "HEAD"))
        if outgoing == 0:
            break
        say(f"Pushing {outgoing} commit(s) …")
        pushed = git.run("push", "--quiet", "--set-upstream", name, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.code == 0:
            report.update(sent=outgoing, pushed=True)
            break
        if attempt == 2 or not _rejected(pushed.err):
            _raise_network(pushed.err, url, "push")
        say("Someone pushed meanwhile; merging their work and pushing again …")
    report["conflicts"] = _new_conflicts(conflict_log, log_start)
    report["message"] = describe(report)
    _remember(root, report)
    return report


def _remember(root: Path, report: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    summary = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "sent": report["sent"],
               "received": len(report["received"]), "conflicts": len(report["conflicts"])}
    files.atomic_write(locations.Local(root).last_sync, json.dumps(summary) + "\n")


def status(ws: Workspace) -> dict[str, Any]:
    """For the TUI's header: last sync, commits ahead of and behind the remote (as last fetched),
    and whether there is uncommitted work. Never touches the network."""
    root = ws.root
    result: dict[str, Any] = {"repository": False, "remote": None, "ahead": 0, "behind": 0, "changes": False,
                              "last_sync": None}
    with contextlib.suppress(OSError, ValueError):
        result["last_sync"] = json.loads(locations.Local(root).last_sync.read_text("utf-8"))
    if git_dir(root) is None:
        return result
    git = Git(root)
    result["repository"] = True
    remote = _remote(git)
    result["changes"] = bool(git.run("status", "--porcelain", "--untracked-files=normal", check=False).out.strip())
    if remote is None:
        return result
    result["remote"] = remote[1]
    branch = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False).out.strip()
    tracking = f"refs/remotes/{remote[0]}/{branch}"
    counts = git.run("rev-list", "--left-right", "--count", f"HEAD...{tracking}", check=False)
    if counts.code == 0:
        ahead, behind = counts.out.split()
        result.update(ahead=int(ahead), behind=int(behind))
    else:  # never pushed
        result["ahead"] = int(git.run("rev-list", "--count", "HEAD", check=False).out.strip() or 0)
    return result


# --- steps ---------------------------------------------------------------------------------------
def _check_state(git: Git, root: Path) -> None:
    folder = git_dir(root)
    assert folder is not None
    if (folder / "MERGE_HEAD").exists():
        raise WorkspaceError(_("A git merge is in progress in {root}; finish it (`git commit`) or undo it "
                               "(`git merge --abort`), then sync again.").format(root=root))
    if (folder / "rebase-merge").exists() or (folder / "rebase-apply").exists():
        raise WorkspaceError(_("A git rebase is in progress in {root}; finish it (`git rebase --continue`) or undo it "
                               "(`git rebase --abort`), then sync again.").format(root=root))
    if not git.ok("symbolic-ref", "--quiet", "HEAD"):
        raise WorkspaceError(_("{root} is not on a branch (detached HEAD); `git switch main` (or your branch), "
                               "then sync again.").format(root=root))
    unmerged = git.out("diff", "--name-only", "--diff-filter=U")
    if unmerged:
        raise WorkspaceError(_("Files with unresolved git conflicts: {files}; fix them and `git add` them "
                               "(or `git merge --abort`), then sync again.").format(files=", ".join(unmerged.split())))
    attributes = root / ".gitattributes"
    if not attributes.exists():  # an older workspace: route its files to the driver from now on
        files.atomic_write(attributes, GITATTRIBUTES)


def _identity(git: Git, rep: str) -> list[str]:
    """`-c user.name=… -c user.email=…` when git has no identity configured (commits need one)."""
    if git.ok("config", "user.name") and git.ok("config", "user.email"):
        return []
    return ["-c", f"user.name={rep}", "-c", f"user.email={rep}@istui.invalid"]


def _commit(git: Git, ws: Workspace, identity: list[str]) -> str | None:
    git.run("add", "--all")
    if git.ok("diff", "--cached", "--quiet"):
        return None
    message = commit_message(git, ws.rep)
    git.run(*identity, "commit", "--quiet", "--no-verify", "-m", message)
    return message


def _merge(git: Git, tracking: str, rep: str, identity: list[str]) -> None:
    result = git.run(*identity, "merge", "--no-edit", "--quiet", "-m", f"{rep}: sync with the team", tracking,
                     check=False)
    if result.code == 0:
        return
    text = (result.err + result.out).lower()
    unmerged = git.out("diff", "--name-only", "--diff-filter=U").split()
    folder = git_dir(git.root)
    if folder is not None and (folder / "MERGE_HEAD").exists():
        git.run("merge", "--abort", check=False)
    if "unrelated histories" in text:
        raise WorkspaceError(_("The remote holds a different workspace (no history in common with this one); "
                               "to join the team's workspace, `git clone` it into a new folder instead."))
    if unmerged:
        raise WorkspaceError(_("Could not merge {files} automatically; nothing was changed (the merge was undone). "
                               "Fix the file on one side (e.g. `istui doctor`) and sync again.").format(files=", ".join(unmerged)))
    raise WorkspaceError(_("git merge failed and was undone: {reason}").format(reason=first_line(result.err or result.out)))


def _remote(git: Git) -> tuple[str, str] | None:
    names = git.out("remote").split()
    if not names:
        return None
    name = "origin" if "origin" in names else names[0]
    return name, git.out("remote", "get-url", name)


def _network(git: Git, url: str, command: str, *args: str) -> None:
    result = git.run(command, *args, check=False)
    if result.code != 0:
        _raise_network(result.err, url, command)


def _rejected(err: str) -> bool:
    text = err.lower()
    return "[rejected]" in text or "non-fast-forward" in text or "fetch first" in text


def _raise_network(err: str, url: str, step: str) -> None:
    text = err.lower()
    if any(word in text for word in _AUTH):
        raise WorkspaceError(_("The remote {url} refused the credentials ({step}); check your SSH key or token "
                               "(`git fetch` in the workspace shows the details). Your work is committed locally.").format(
            url=url, step=step))
    if any(word in text for word in _NETWORK):
        raise WorkspaceError(_("Cannot reach the remote {url} ({step}): {reason}. Your work is committed locally; sync "
                               "again when the network is back.").format(url=url, step=step, reason=first_line(err)))
    raise WorkspaceError(_("git {step} to {url} failed: {reason}. Your work is committed locally.").format(
        step=step, url=url, reason=first_line(err)))


def _new_conflicts(path: Path, start: int) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(start)
        return [json.loads(line) for line in handle.read().decode("utf-8", "replace").splitlines() if line.strip()]


def _join(first: str | None, second: str) -> str:
    return second if not first else f"{first}; {second}"


# --- what changed ----------------------------------------------------------------------------------
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
                                                     "target") if counts.get(kind)]
    if counts.get("settings"):
        parts.append("settings")
    return f"{rep}: {', '.join(parts) if parts else 'workspace changes'}"


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
    if path in (locations.NOTES_FILE, locations.TARGETS_FILE):
        return path[:-6] if record_line else ""
    if path == locations.SETTINGS_FILE:
        return "settings"
    return ""


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    plural = "activities" if word == "activity" else word + "s"
    return f"{count:,} {plural}"


def describe(report: dict[str, Any]) -> str:
    """The report for a person: what went out, what came in, conflicts settled."""
    lines = []
    if report.get("committed"):
        lines.append(_("Committed: {message}").format(message=report["committed"]))
    sent, received = report.get("sent", 0), report.get("received", [])
    lines.append(_("Sent {count} commit(s) to {remote}.").format(count=sent, remote=report["remote"]) if sent
                 else _("Nothing to send."))
    if received:
        lines.append(_("Received {count} commit(s): ").format(count=len(received)) + "; ".join(received[:5]) +
                     (_("; … {more} more").format(more=len(received) - 5) if len(received) > 5 else ""))
    else:
        lines.append(_("Nothing new from the team."))
    conflicts = report.get("conflicts", [])
    if conflicts:
        lines.append(_("{count} conflict(s) settled (the other value is kept in .istui/conflicts.jsonl):").format(
            count=len(conflicts)))
        for conflict in conflicts[:10]:
            lines.append("  " + conflict_line(conflict))
    return "\n".join(lines)


def conflict_line(conflict: dict[str, Any]) -> str:
    what = conflict.get("label") or f"{conflict['where']} {str(conflict['id'])[:10]}"
    if conflict.get("field") is None:
        return _("{what}: kept the edit by {rep} over a deletion").format(what=what, rep=conflict.get("kept_from") or "?")
    return _("{what} {field}: kept {kept} ({kept_from}), not {lost} ({lost_from})").format(
        what=what, field=conflict["field"], kept=_short(conflict["kept"]), kept_from=conflict.get("kept_from") or "?",
        lost=_short(conflict["lost"]), lost_from=conflict.get("lost_from") or "?")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"
