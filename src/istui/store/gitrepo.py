"""The workspace's git repository: running git, registering istui's merge driver, and keeping what
git leaves behind safe: owner-only modes for the files it delivers, and its stale lock files.

`.git/config` is not cloned, so every clone must register the driver itself; otherwise git falls
back to a text merge without a word. `ensure_merge_driver` does it idempotently and costs one small
file read when it is already there, so `Workspace.open` calls it for every command, with
`tighten_fresh_clone` (one stat of the root when there is nothing to do).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from pathlib import Path

from istui.domain.errors import WorkspaceError
from istui.domain.patterns import lazy
from istui.i18n import _
from istui.store.files import DIR_MODE, FILE_MODE

DRIVER_NAME = "istui record-level merge"


def driver_command() -> str:
    """The command git runs for a file changed on both sides (this Python, so this istui)."""
    executable = sys.executable
    if not all(ch.isalnum() or ch in "/._-+:@" for ch in executable):
        import shlex

        executable = shlex.quote(executable)
    return f"{executable} -m istui.store.merge %O %A %B %P"


def git_dir(root: Path) -> Path | None:
    """The repository folder of a workspace (`.git`, or where a `.git` file points), if any."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # a worktree or submodule: "gitdir: PATH"
        text = dot_git.read_text("utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[7:].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


def init_repository(root: Path, remote: str | None) -> None:
    """Make a new workspace a git repository with istui's merge driver (and `origin` when given); without
    git, a workspace still works locally unless a remote was asked for."""
    import subprocess

    if not has_git():
        if remote:
            raise WorkspaceError(_("git is not installed, so --remote cannot be set; install git and run "
                                   "`git remote add origin URL`."))
        return
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    ensure_merge_driver(root)
    if remote:
        subprocess.run(["git", "-C", str(root), "remote", "add", "origin", remote], check=True, capture_output=True)


def ensure_merge_driver(root: Path) -> bool:
    """Register the merge driver in the repository's local config unless it is there; True when it
    was (re)written. Silent when the workspace is not a git repository or git is missing."""
    folder = git_dir(root)
    if folder is None:
        return False
    command = driver_command()
    try:
        config = (folder / "config").read_text("utf-8", errors="replace")
    except OSError:
        config = ""
    if '[merge "istui"]' in config and command.replace("\\", "\\\\").replace('"', '\\"') in config:
        return False
    if not has_git():
        return False
    import subprocess

    for key, value in (("merge.istui.name", DRIVER_NAME), ("merge.istui.driver", command)):
        subprocess.run(["git", "-C", str(root), "config", "--local", key, value], check=False, capture_output=True)
    return True


def has_git() -> bool:
    """Whether git is on the PATH (shutil imported here: opening a workspace need not pay for it)."""
    import shutil

    return shutil.which("git") is not None


class GitResult:
    __slots__ = ("code", "err", "out")

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


class Git:
    """git run in one workspace, without prompts (a TUI has no terminal to answer them)."""

    def __init__(self, root: Path) -> None:
        if not has_git():
            raise WorkspaceError(_("git is not installed; install it (e.g. `apt-get install git`) to sync."))
        self.root = root
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"}
        self.env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=15")

    def run(self, *args: str, timeout: float = 120.0, check: bool = True, env: dict[str, str] | None = None,
            stdin: str | None = None) -> GitResult:
        import subprocess

        try:
            done = subprocess.run(["git", *args], cwd=self.root, env={**self.env, **(env or {})}, capture_output=True,
                                  text=True, timeout=timeout, input=stdin)
        except subprocess.TimeoutExpired:
            raise WorkspaceError(_("git {command} took longer than {seconds} s and was stopped; check the network and "
                                   "the remote, then sync again.").format(command=args[0], seconds=f"{timeout:.0f}")) from None
        result = GitResult(done.returncode, done.stdout, done.stderr)
        if check and result.code != 0:
            raise WorkspaceError(_("git {command} failed: {reason}").format(command=" ".join(args[:2]),
                                                                           reason=first_line(result.err or result.out)))
        return result

    def out(self, *args: str) -> str:
        return self.run(*args).out.strip()

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).code == 0


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    meaningful = [line for line in lines if line.lower().startswith(("fatal", "error", "remote:"))]
    return (meaningful or lines or ["(no message)"])[0]


# --- modes: files git delivers are owner-only, like the files istui writes ------------------------
def tighten_modes(root: Path) -> None:
    """Make the workspace's files 0600 and its folders 0700 (0700 for a file git marks executable), the
    `.git` folder 0700; symlinks are left alone (never followed). git checks files out with the user's
    umask (usually 0644/0755), so a clone and every sync need this."""
    _tighten(root, True)
    folder = git_dir(root)
    if folder is not None and folder.parent == root:
        _tighten(folder, True)
    for current, dirs, names in os.walk(root):
        if current == str(root):
            dirs[:] = [name for name in dirs if name != ".git"]
        for name in dirs:
            _tighten(Path(current) / name, True)
        for name in names:
            _tighten(Path(current) / name, False)


def _tighten(path: Path, folder: bool) -> None:
    try:
        info = os.lstat(path)
    except OSError:
        return
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or not mode & 0o077:
        return
    wanted = DIR_MODE if folder or mode & 0o100 else FILE_MODE
    with contextlib.suppress(OSError):
        os.chmod(path, wanted)


def tighten_fresh_clone(root: Path) -> bool:
    """On the first open of a clone (its root is still readable by others, as git made it), tighten
    every mode; True when it did. One stat otherwise."""
    try:
        loose = stat.S_IMODE(os.stat(root).st_mode) & 0o077
    except OSError:
        return False
    if not loose or git_dir(root) is None:
        return False
    tighten_modes(root)
    return True


# --- git's lock files ------------------------------------------------------------------------------
def git_processes(root: Path) -> list[int] | None:
    """The ids of git processes working in `root` (their current folder is in it), from /proc; None
    where there is no process table to read."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    here = str(root.resolve())
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if not (entry / "comm").read_text().strip().startswith("git"):
                continue
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == here or cwd.startswith(here + os.sep):
            found.append(int(entry.name))
    return found


def lock_files(root: Path) -> list[Path]:
    """git's lock files in the repository of `root` (index.lock, HEAD.lock, refs/…/x.lock, …)."""
    folder = git_dir(root)
    if folder is None:
        return []
    found = [path for path in folder.glob("*.lock") if path.is_file()]
    for sub in ("refs", "logs"):
        found += [path for path in (folder / sub).rglob("*.lock") if path.is_file()]
    return found


_MERGE_TEMP = lazy(r"\.merge_file_[A-Za-z0-9]{6}(?:\.istui-merge)?")


def merge_temps(root: Path) -> list[Path]:
    """The copies git writes for a merge driver (`.merge_file_XXXXXX` in the work tree's top folder); a git
    killed while the driver ran leaves them behind (and the driver's own `.istui-merge` temp beside one)."""
    with contextlib.suppress(OSError):
        return [path for path in root.iterdir() if _MERGE_TEMP.fullmatch(path.name)
                and (path.is_symlink() or path.is_file())]
    return []


def clear_stale_locks(root: Path, started: float | None = None) -> list[str]:
    """Remove git lock files and merge-driver copies left by a git that was killed (older than `started`, and no git process
    running in the repository); the names removed. A lock held by a running git, or one that cannot be
    checked, stops with a sentence saying what to do."""
    before = started or time.time()
    locks = [path for path in lock_files(root) if path.stat().st_mtime <= before]
    temps = [path for path in merge_temps(root) if path.lstat().st_mtime <= before]
    if not locks and not temps:
        return []
    running = git_processes(root)
    if not locks:  # only a merge driver's copies: a git that may still be running keeps them
        locks = temps if running == [] else []
    elif running == []:
        locks += temps
    if locks and running is None:
        raise WorkspaceError(_("git's lock file {path} is left from an interrupted git command; if no git command is "
                               "running in {root}, delete it (`rm {path}`) and sync again.").format(path=locks[0], root=root))
    if locks and running:
        raise WorkspaceError(_("git is running in {root} (process {pid}) and holds {path}; wait for it to finish, then "
                               "sync again.").format(root=root, pid=running[0], path=locks[0]))
    removed = []
    for path in locks:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path))
    return removed


def tracked_files(root: Path) -> list[str] | None:
    """The files git tracks in the workspace (its index), or None outside a repository or without git."""
    if git_dir(root) is None or not has_git():
        return None
    import subprocess

    done = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=False)
    if done.returncode != 0:
        return None
    return [name for name in done.stdout.decode("utf-8", "replace").split("\0") if name]
