"""Two reps, two git clones of one workspace: concurrent call logging merges with no conflict (real git)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from istui.store.workspace import Workspace, bucket_of

from conftest import NOW, istui_process

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def istui(root: Path, rep: str, *args: str) -> str:
    env = {"ISTUI_WORKSPACE": str(root), "ISTUI_REP": rep, "ISTUI_NOW": NOW}
    return istui_process(*args, env=env).stdout


def test_two_clones_logging_calls_concurrently_merge_without_conflict(tmp_path: Path) -> None:
    remote = tmp_path / "team.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    alice_root = tmp_path / "alice"
    istui_process("init", str(alice_root), "--rep", "alice", "--timezone", "Asia/Tokyo", "--remote", str(remote),
                  env={"ISTUI_NOW": NOW})
    istui_process("rep", "add", "bob", env={"ISTUI_NOW": NOW, "ISTUI_WORKSPACE": str(alice_root), "ISTUI_REP": "alice"})
    ws = Workspace.open(alice_root, "alice")
    leads = ws.add_leads([{"company": f"Co {i}", "stage": "working", "source": "other", "motion": "sdr"} for i in range(12)])
    ids = [lead["id"] for lead in leads]
    git(alice_root, "add", "-A")
    git(alice_root, "commit", "-qm", "start")
    git(alice_root, "push", "-q", "origin", "HEAD:main")

    bob_root = tmp_path / "bob"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(bob_root))

    # both reps log calls on the same leads at the same time, and set follow-ups on leads in different buckets
    # (on leads only one of them calls: a call without --next sets the follow-up by the retry schedule)
    alice_followup = ids[6]
    bob_followup = next(i for i in ids[7:] if bucket_of(i) != bucket_of(alice_followup))
    for n, lead_id in enumerate(ids[:6]):
        istui(alice_root, "alice", "log", "call", lead_id, "-o", str(n % 10), "--note", f"alice {n}", "--force")
        istui(bob_root, "bob", "log", "call", lead_id, "-o", "2", "--note", f"bob {n}", "--force")  # past do-not-call
    istui(alice_root, "alice", "log", "call", alice_followup, "-o", "8", "--next", "tomorrow 10am", "--force")
    istui(bob_root, "bob", "log", "call", bob_followup, "-o", "8", "--next", "mon 9:30", "--force")

    for root in (alice_root, bob_root):
        assert not list(root.glob(".istui/*.tmp"))
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"{root.name}'s calls")
    git(alice_root, "push", "-q", "origin", "HEAD:main")
    git(bob_root, "pull", "-q", "--no-rebase", "origin", "main")  # a real merge: both sides changed
    git(bob_root, "push", "-q", "origin", "HEAD:main")
    git(alice_root, "pull", "-q", "--no-rebase", "origin", "main")

    assert git(bob_root, "status", "--porcelain") == ""  # no conflicts, nothing left unmerged
    for root in (alice_root, bob_root):
        merged = Workspace.open(root, "alice")
        notes = sorted(a.get("note", "") for a in merged.activities())
        assert notes.count("") == 2
        assert [n for n in notes if n] == sorted([f"alice {n}" for n in range(6)] + [f"bob {n}" for n in range(6)])
        assert merged.get_lead(alice_followup)["next_at"] == "2026-11-28T10:00:00+09:00"
        assert merged.get_lead(bob_followup)["next_at"] == "2026-11-30T09:30:00+09:00"
    assert git(alice_root, "rev-parse", "HEAD") == git(bob_root, "rev-parse", "HEAD")
    tracked = git(alice_root, "ls-files")
    assert ".istui" not in tracked and "activities/alice/2026-11.jsonl" in tracked and "activities/bob/2026-11.jsonl" in tracked
