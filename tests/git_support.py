"""Git test support: a bare remote and two clones (alice created the workspace, bob cloned it), real git."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from istui.services.leads import create_lead
from istui.services.sync import sync
from istui.services.targets import set_target
from istui.store.settings import Settings
from istui.store.workspace import Workspace

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert not check or result.returncode == 0, f"git {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def at(moment: str) -> Callable:
    return lambda tz: datetime.fromisoformat(moment).astimezone(tz)


EARLY, LATE = at("2026-11-27T10:00:00+09:00"), at("2026-11-27T10:05:00+09:00")


class Team:
    """A bare remote; alice created the workspace and pushed it, bob cloned it."""

    def __init__(self, tmp_path: Path) -> None:
        self.remote = tmp_path / "team.git"
        git(tmp_path, "init", "-q", "--bare", str(self.remote))
        self.alice_root, self.bob_root = tmp_path / "alice", tmp_path / "bob"
        alice = Workspace.create(self.alice_root, "alice", Settings(team="Team", timezone="Asia/Tokyo", roster={
                                     "bob": {"display": "Bob", "email": "", "role": "is"}}),  # the team's roster
                                 remote=str(self.remote), clock=EARLY)
        self.leads = [create_lead(alice, {"company": f"Co {n}", "contact": f"Person {n}", "phone": f"03-5555-{n:04d}"})
                      for n in range(8)]
        self.note = alice.add_note({"title": "First call script", "kind": "script", "tags": ["inbound"],
                                     "body": "# Opening\n\nSay who you are.\n\n# Budget\n\nAsk the range.\n\n"
                                             "# Close\n\nOffer two dates.\n", "pinned": False})
        self.target = set_target(alice, "calls", "month", 400)
        sync(alice)
        git(tmp_path, "clone", "-q", str(self.remote), str(self.bob_root))

    def alice(self, clock: Callable = EARLY) -> Workspace:
        return Workspace.open(self.alice_root, "alice", clock=clock)

    def bob(self, clock: Callable = EARLY) -> Workspace:
        return Workspace.open(self.bob_root, "bob", clock=clock)

    def sync_all(self, first: str) -> list[dict]:
        """Both sync (in the given order), then the first again to take in the second's work."""
        order = ["alice", "bob", "alice"] if first == "alice" else ["bob", "alice", "bob"]
        return [sync(getattr(self, name)()) for name in order]

    def assert_identical(self) -> None:
        assert git(self.alice_root, "status", "--porcelain") == "" == git(self.bob_root, "status", "--porcelain")
        assert git(self.alice_root, "rev-parse", "HEAD") == git(self.bob_root, "rev-parse", "HEAD")
        for path in sorted(git(self.alice_root, "ls-files").split()):
            assert (self.alice_root / path).read_bytes() == (self.bob_root / path).read_bytes(), path
            assert b"<<<<<<<" not in (self.alice_root / path).read_bytes()
