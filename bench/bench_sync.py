"""`istui sync` of a day's work at team-year scale (DESIGN.md section 7 budget for issue 5: ≤ 2 s),
run by hand, never in CI.

    .venv/bin/python bench/bench_sync.py [--dir bench/.cache] [--runs 3]

Uses the team-year workspace of bench_cli.py (built on first use), committed once into a local bare
remote with two clones (kept in `bench/.cache/sync`, about 1 GB). Each run resets the remote and
both clones to that first commit, then times `istui sync` as a whole process:

1. a day's work (300 activities, 20 lead edits) with nothing new on the remote;
2. the same, after a teammate pushed a day's work of their own (so the sync merges, and files both
   changed go through the record-level merge driver).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from bench_cli import build_workspace, print_budgets  # noqa: E402

ENV = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
ENV.pop("ISTUI_NOW", None)
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ISTUI = [sys.executable, "-m", "istui"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True).stdout.strip()


def prepare(folder: Path, workspace: Path) -> tuple[Path, Path, Path, str]:
    """The bare remote and two clones at the first commit (made once: committing 300 MB takes a while)."""
    base = folder / "sync"
    remote, first, second = base / "team.git", base / "first", base / "second"
    marker = base / "first-commit"
    if not marker.exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        print(f"preparing {base}: committing the team-year workspace and cloning it twice (once) …", flush=True)
        started = time.perf_counter()
        shutil.copytree(workspace, first, ignore=shutil.ignore_patterns(".git", ".istui"), symlinks=False)
        git(base, "init", "-q", "--bare", "-b", "main", str(remote))
        git(first, "init", "-q", "-b", "main")
        git(first, "add", "--all")
        git(first, "commit", "-q", "-m", "team-year workspace")
        git(first, "remote", "add", "origin", str(remote))
        git(first, "push", "-q", "origin", "main")
        git(base, "clone", "-q", str(remote), str(second))
        marker.write_text(git(first, "rev-parse", "HEAD"))
        print(f"  prepared in {time.perf_counter() - started:.0f} s", flush=True)
    return remote, first, second, marker.read_text().strip()


def reset(remote: Path, clones: list[Path], commit: str) -> None:
    git(remote, "update-ref", "refs/heads/main", commit)
    for clone in clones:
        git(clone, "fetch", "-q", "origin")
        git(clone, "reset", "-q", "--hard", commit)
        git(clone, "clean", "-q", "-fd", "--exclude=.istui")


def days_work(root: Path, rep: str, seed: int) -> None:
    """300 activities and 20 lead edits, as a rep's day would write them (not timed)."""
    from istui.services.leads import log_activity
    from istui.store.workspace import Workspace

    ws = Workspace.open(root, rep)
    rng = random.Random(seed)
    ids = sorted(ws.lead_ids())
    for n in range(300):
        kind, outcome = ("call", rng.choice(["no_answer", "connected", "voicemail", "gatekeeper"])) if n % 5 else \
            ("email", "sent")
        log_activity(ws, rng.choice(ids), kind, outcome, note=f"{rep} {n}", force=True)  # a do-not-call lead too
    for n in range(20):
        ws.update_lead(rng.choice(ids), {"memo": f"{rep}: follow-up notes {n}", "temp": rng.choice(["hot", "warm"])})


def timed_sync(root: Path, rep: str) -> tuple[float, str]:
    env = {**ENV, "ISTUI_WORKSPACE": str(root), "ISTUI_REP": rep}
    started = time.perf_counter()
    done = subprocess.run([*ISTUI, "sync"], env=env, capture_output=True, text=True)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise SystemExit(f"istui sync failed: {done.stderr}")
    return elapsed, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workspace = build_workspace(args.dir)
    remote, first, second, commit = prepare(args.dir, workspace)
    reps = sorted(p.name for p in (first / "activities").iterdir())
    me, teammate = reps[0], reps[1]
    alone, merged = [], []
    sample = ""
    for run in range(args.runs):
        reset(remote, [first, second], commit)
        days_work(first, me, run)
        elapsed, _ = timed_sync(first, me)
        alone.append(elapsed)
        reset(remote, [first, second], commit)
        days_work(second, teammate, 100 + run)
        timed_sync(second, teammate)
        days_work(first, me, run)
        elapsed, sample = timed_sync(first, me)
        merged.append(elapsed)
    print(f"\nteam-year workspace, local bare remote, median of {args.runs}\n")
    print_budgets([
        ("istui sync, a day's work (300 activities, 20 lead edits), nothing incoming", statistics.median(alone), 2000.0,
         "ms"),
        ("istui sync, a day's work, after a teammate pushed a day's work (merge)", statistics.median(merged), 2000.0, "ms"),
    ])
    print(f"\nruns (ms): alone {', '.join(f'{v:.0f}' for v in alone)}; merging {', '.join(f'{v:.0f}' for v in merged)}")
    print(f"\nthe last merging sync said:\n{sample}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
