"""`istui sync`: commit local work with a message saying what it is, fetch, merge record by record,
push; report what came in, what went out, which field conflicts the merge settled, and which of this
rep's values lost a conflict a teammate's merge settled.

One sync of a workspace runs at a time, whole (`.istui/sync.lock`). The workspace lock is held only
while files change (the commit, the merge); fetching and pushing, which may wait on the network, run
without it so the TUI and CLI keep writing meanwhile. A merge that cannot finish is undone, so no
workspace file is ever left with conflict markers, and git's lock files left by a killed git are
removed when no git runs. What is committed: `services.sync_commit`; how the team's work comes in:
`services.sync_merge`; who is told about conflicts: `services.sync_conflicts`.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from istui import locations
from istui.domain.errors import WorkspaceError
from istui.i18n import _
from istui.services.sync_commit import commit, message_words
from istui.services.sync_conflicts import conflict_line, lost_line, tell
from istui.services.sync_merge import clean_incoming, finish_interrupted, merge
from istui.store import files
from istui.store.gitrepo import Git, clear_stale_locks, ensure_merge_driver, first_line, git_dir, tighten_modes
from istui.store.workspace import GITATTRIBUTES, Workspace, iso

Progress = Callable[[str], None]
SYNC_WAIT = 300.0  # seconds a sync waits for another sync of the same workspace
PUSH_ATTEMPTS = 3  # a push that lost a race is merged and pushed again

_NETWORK = ("could not resolve host", "connection refused", "connection timed out", "network is unreachable",
            "unable to access", "could not read from remote repository", "no route to host", "timed out",
            "does not appear to be a git repository", "not found", "connection reset")
_AUTH = ("authentication failed", "permission denied", "could not read username", "could not read password",
         "terminal prompts disabled", "access denied", "invalid username or password", "host key verification")
# an HTTP status of refused credentials, as git prints it ("The requested URL returned error: 403"), never
# digits inside a commit id ("is at 4031f0e")
_AUTH_STATUS = re.compile(r"(?:returned error|http(?:/[\d.]+)?|status(?: code)?)\s*:?\s*40[13]\b|\b40[13] (?:forbidden|unauthorized)\b")
_REMOTE_LOCK = re.compile(r"remote: .*unable to create '([^']+\.lock)': file exists", re.IGNORECASE)
_RACE = ("[rejected]", "non-fast-forward", "fetch first", "cannot lock ref", "failed to update ref",
         "incorrect old value", "failed to lock")


def sync(ws: Workspace, progress: Progress | None = None, allow_deletions: bool = False) -> dict[str, Any]:
    """Commit, fetch, merge, push (again when another rep pushed in between)."""
    git = Git(ws.root)
    with _one_sync_at_a_time(ws):
        if git_dir(ws.root) is None:
            git.run("init", "-q")
        ensure_merge_driver(ws.root)
        return _sync(ws, git, progress or (lambda _message: None), allow_deletions)


@contextlib.contextmanager
def _one_sync_at_a_time(ws: Workspace) -> Iterator[None]:
    lock = files.WorkspaceLock(ws.local.sync_lock, timeout=SYNC_WAIT)
    try:
        lock.acquire()
    except WorkspaceError:
        raise WorkspaceError(_("Another sync of {root} is still running (waited {seconds} s); sync again when it has "
                               "finished.").format(root=ws.root, seconds=f"{SYNC_WAIT:.0f}")) from None
    try:
        yield
    finally:
        lock.release()


def _sync(ws: Workspace, git: Git, say: Progress, allow_deletions: bool) -> dict[str, Any]:
    root = ws.root
    clear_stale_locks(root, time.time())
    identity = _identity(git, ws.rep)
    date = iso(ws.now())
    with ws.lock.held():
        finish_interrupted(git, ws, identity, date)
    _check_state(git, root)
    conflict_log = locations.Local(root).conflicts
    log_start = conflict_log.stat().st_size if conflict_log.exists() else 0
    say("Committing local changes …")
    with ws.lock.held():
        done = commit(git, ws, identity, date, allow_deletions)
    report: dict[str, Any] = {"workspace": str(root), "committed": done.message, "received": [], "sent": 0,
                              "conflicts": [], "lost": [], "remote": None, "branch": None, "pushed": False,
                              "not_committed": done.not_committed, "links": done.links}
    remote = _remote(git)
    if remote is not None:
        _exchange(ws, git, say, allow_deletions, remote, report)
    tighten_modes(root)  # and the files a link had replaced, checked out again
    report["conflicts"] = _new_conflicts(conflict_log, log_start)
    report["lost"] = tell(ws)
    report["message"] = describe(report)
    if remote is not None:
        _remember(root, report)
    return report


def _exchange(ws: Workspace, git: Git, say: Progress, allow_deletions: bool, remote: tuple[str, str],
              report: dict[str, Any]) -> None:
    """Fetch, merge and push until the push lands (or fails for another reason than a race)."""
    name, url = remote
    branch = git.out("symbolic-ref", "--quiet", "--short", "HEAD")
    report.update(remote=url, branch=branch)
    identity = _identity(git, ws.rep)
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        say(f"Fetching from {url} …")
        _network(git, url, "fetch", "--quiet", name)
        tracking = f"refs/remotes/{name}/{branch}"
        exists = git.ok("rev-parse", "--verify", "--quiet", tracking)
        if exists:
            incoming = [line for line in git.out("log", "--format=%s", f"HEAD..{tracking}").splitlines() if line]
            if incoming:
                say(f"Merging {len(incoming)} commit(s) from the team …")
                date = iso(ws.now())
                with ws.lock.held():
                    again = commit(git, ws, identity, date, allow_deletions)  # work written since the first commit
                    if again.message:
                        report["committed"] = _join(report["committed"], again.message)
                    target, taken_out = clean_incoming(git, tracking, identity, date, ws.rep)
                    merge(git, ws, target, identity, date)
                    tighten_modes(ws.root)  # before anyone writes what git checked out with the user's umask
                report["links"] += [path for path in again.links + taken_out if path not in report["links"]]
                report["received"] += incoming
        outgoing = int(git.out("rev-list", "--count", f"{tracking}..HEAD")) if exists else \
            int(git.out("rev-list", "--count", "HEAD"))
        if outgoing == 0:
            return
        say(f"Pushing {outgoing} commit(s) …")
        pushed = git.run("push", "--quiet", "--set-upstream", name, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.code == 0:
            report.update(sent=outgoing, pushed=True)
            return
        if attempt == PUSH_ATTEMPTS or not _raced(pushed.err):
            _raise_network(pushed.err, url, "push")
        say("Someone pushed meanwhile; merging their work and pushing again …")


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
    listed = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", check=False,
                     env={"GIT_OPTIONAL_LOCKS": "0"}).out.split("\0")  # never holds index.lock (a sync may need it)
    result["changes"] = any(locations.is_shared_file(entry[3:]) for entry in listed if entry)  # what sync would commit
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
    attributes = root / locations.GITATTRIBUTES_FILE
    text = "" if attributes.is_symlink() or not attributes.is_file() else attributes.read_text("utf-8", "replace")
    missing = [line for line in GITATTRIBUTES.splitlines() if line not in text.splitlines()]
    if missing:  # an older workspace: route its files (and istui.toml) to the driver from now on
        files.atomic_write(attributes, text + ("\n" if text and not text.endswith("\n") else "") + "\n".join(missing) + "\n")


def _identity(git: Git, rep: str) -> list[str]:
    """`-c user.name=… -c user.email=…` when git has no identity configured (commits need one)."""
    if git.ok("config", "user.name") and git.ok("config", "user.email"):
        return []
    return ["-c", f"user.name={rep}", "-c", f"user.email={rep}@istui.invalid"]


def remote_url(root: Path) -> str | None:
    """The URL this workspace syncs with (None when no remote is set or it is no git repository)."""
    if git_dir(root) is None:
        return None
    remote = _remote(Git(root))
    return remote[1] if remote else None


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


def _raced(err: str) -> bool:
    """Whether a push failed because someone else updated the branch meanwhile (merge and push again); a
    lock file the remote kept from an interrupted push is no race."""
    text = err.lower()
    return any(word in text for word in _RACE) and not _REMOTE_LOCK.search(err)


def _raise_network(err: str, url: str, step: str) -> None:
    text = err.lower()
    if any(word in text for word in _AUTH) or _AUTH_STATUS.search(text):
        raise WorkspaceError(_("The remote {url} refused the credentials ({step}); check your SSH key or token "
                               "(`git fetch` in the workspace shows the details). Your work is committed locally.").format(
            url=url, step=step))
    stale = _REMOTE_LOCK.search(err)
    if stale:
        raise WorkspaceError(_("The remote {url} is locked: {path} is left from a push that was interrupted ({step}). If "
                               "nobody is pushing now, whoever looks after the remote can delete that file; your work is "
                               "committed locally, so sync again then.").format(url=url, path=stale.group(1), step=step))
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


# --- the report ---------------------------------------------------------------------------------------
def describe(report: dict[str, Any]) -> str:
    """The report for a person: what went out, what came in, conflicts settled, this rep's values that lost
    a teammate's merge, links refused, files left out."""
    lines = []
    if report.get("committed"):
        lines.append(_("Committed: {message}").format(message="; ".join(map(message_words, report["committed"].split("; ")))))
    if report.get("remote") is None:
        lines.append(_("No remote is set, so the work was committed locally only; share it with `istui remote set URL` "
                       "(the team's git repository)."))
    else:
        sent, received = report.get("sent", 0), report.get("received", [])
        lines.append(_("Sent {count} commit(s) to {remote}.").format(count=sent, remote=report["remote"]) if sent
                     else _("Nothing to send."))
        if received:
            lines.append(_("Received {count} commit(s): ").format(count=len(received)) + "; ".join(map(message_words, received[:5])) +
                         (_("; … {more} more").format(more=len(received) - 5) if len(received) > 5 else ""))
        else:
            lines.append(_("Nothing new from the team."))
    conflicts = report.get("conflicts", [])
    if conflicts:
        lines.append(_("{count} conflict(s) settled (the other value is kept in .istui/conflicts.jsonl):").format(
            count=len(conflicts)))
        lines += ["  " + conflict_line(conflict) for conflict in conflicts[:10]]
    lost = report.get("lost", [])
    if lost:
        lines.append(_("{count} of your values lost a conflict in a teammate's merge:").format(count=len(lost)))
        lines += ["  " + lost_line(entry) for entry in lost[:10]]
    if report.get("links"):
        lines.append(_("Refused (istui never follows links; a file a link replaced is kept): {paths}").format(
            paths=_listed(report["links"])))
    if report.get("not_committed"):
        lines.append(_("Not committed (not workspace data): {paths}").format(paths=_listed(report["not_committed"])))
    return "\n".join(lines)


def _listed(paths: list[str], limit: int = 10) -> str:
    return ", ".join(paths[:limit]) + (_("; … {more} more").format(more=len(paths) - limit) if len(paths) > limit else "")
