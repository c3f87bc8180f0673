"""The workspace's git repository: running git, and registering istui's merge driver.

`.git/config` is not cloned, so every clone must register the driver itself; otherwise git falls
back to a text merge without a word. `ensure_merge_driver` does it idempotently and costs one small
file read when it is already there, so `Workspace.open` calls it for every command.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from istui.domain.errors import WorkspaceError
from istui.i18n import _

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
    if shutil.which("git") is None:
        return False
    import subprocess

    for key, value in (("merge.istui.name", DRIVER_NAME), ("merge.istui.driver", command)):
        subprocess.run(["git", "-C", str(root), "config", "--local", key, value], check=False, capture_output=True)
    return True


class GitResult:
    __slots__ = ("code", "err", "out")

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


class Git:
    """git run in one workspace, without prompts (a TUI has no terminal to answer them)."""

    def __init__(self, root: Path) -> None:
        if shutil.which("git") is None:
            raise WorkspaceError(_("git is not installed; install it (e.g. `apt-get install git`) to sync."))
        self.root = root
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"}
        self.env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=15")

    def run(self, *args: str, timeout: float = 120.0, check: bool = True) -> GitResult:
        import subprocess

        try:
            done = subprocess.run(["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True,
                                  timeout=timeout)
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
