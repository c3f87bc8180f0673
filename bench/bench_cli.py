"""CLI benchmarks at team-year scale (DESIGN.md section 7), run by hand, never in CI.

    .venv/bin/python bench/bench_cli.py [--runs 15] [--dir bench/.cache]

Builds (once, then reuses) the team-year demo workspace: 20 reps, 50,000 leads, 1,000,000
activities, 500 notes. Measures `istui log call` as a whole process (median), beside its budget
and beside taskwarrior's `task add` with 20,000 pending tasks when `task` is installed
(`apt-get install taskwarrior`), plus the cost of one lead edit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ISTUI = [sys.executable, "-m", "istui"]
LOG_CALL_BUDGET_MS = 120.0
SHARD_BUDGET_BYTES = 1_000_000


def timed(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Wall-clock milliseconds of each run of a whole process."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        samples.append((time.perf_counter() - start) * 1000)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr}")
    return samples


def build_workspace(folder: Path) -> Path:
    workspace = folder / "team-year"
    if (workspace / "istui.toml").exists():
        print(f"reusing {workspace}")
        return workspace
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building the team-year workspace in {workspace} (budget: under 2 minutes) …", flush=True)
    start = time.perf_counter()
    subprocess.run([*ISTUI, "--workspace", str(workspace), "demo", str(workspace), "--scale", "team-year", "--no-open"],
                   check=True, env={**os.environ, "XDG_CONFIG_HOME": str(folder / "config")})
    elapsed = time.perf_counter() - start
    print(f"  built in {elapsed:.1f} s  (budget 120 s: {'ok' if elapsed <= 120 else 'OVER'})")
    return workspace


def print_budgets(rows: list[tuple[str, float, float | None, str]]) -> None:
    """Each figure beside its budget (None: measured for information only): name, value, budget, unit."""
    width = max(len(row[0]) for row in rows)
    print(f"{'figure':<{width}}  {'measured':>10}  {'budget':>9}  verdict")
    for name, value, budget, unit in rows:
        verdict = "" if budget is None else "ok" if value <= budget else "OVER"
        shown = "–" if budget is None else f"≤ {budget:>5.0f} {unit}"
        print(f"{name:<{width}}  {value:>7.1f} {unit:<2}  {shown:>9}  {verdict}")


@contextlib.contextmanager
def taskwarrior() -> Iterator[tuple[list[str], dict[str, str]] | None]:
    """`task add` with 20,000 pending tasks in a scratch folder: (command, env), or None when not installed."""
    if shutil.which("task") is None:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        rc = Path(tmp) / "taskrc"
        rc.write_text(f"data.location={tmp}/data\nconfirmation=off\nverbose=nothing\nhooks=off\n")
        env = {**os.environ, "TASKRC": str(rc), "TASKDATA": f"{tmp}/data"}
        tasks = [{"description": f"follow up lead {i}", "status": "pending", "entry": "20260101T000000Z",
                  "uuid": f"00000000-0000-4000-8000-{i:012d}"} for i in range(20_000)]
        (Path(tmp) / "tasks.json").write_text("\n".join(json.dumps(t) for t in tasks))
        subprocess.run(["task", "import", f"{tmp}/tasks.json"], env=env, check=True, capture_output=True)
        pending = subprocess.run(["task", "status:pending", "count"], env=env, capture_output=True, text=True)
        print(f"  taskwarrior has {pending.stdout.strip()} pending tasks")
        timed(["task", "add", "warm-up"], env, 1)
        yield ["task", "add", "call back Acme"], env


def paired(a: tuple[list[str], dict[str, str]], b: tuple[list[str], dict[str, str]], runs: int) -> tuple[list[float], list[float]]:
    """A and B in turn (A B A B …): a machine that slows down for a while slows both, not one."""
    samples_a, samples_b = [], []
    for _ in range(runs):
        samples_a += timed(*a, 1)
        samples_b += timed(*b, 1)
    return samples_a, samples_b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache")
    args = parser.parse_args()

    workspace = build_workspace(args.dir)
    env = {**os.environ, "ISTUI_WORKSPACE": str(workspace), "ISTUI_REP": "sato"}
    env.pop("ISTUI_NOW", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as installed: with cached bytecode
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    queue = json.loads(subprocess.run([*ISTUI, "today", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    lead_id = queue[0]["id"][:12]
    timed([*ISTUI, "log", "call", lead_id, "-o", "2"], env, 1)  # warm the lead-id index once, as any first run does

    rows: list[tuple[str, str, str, str]] = []
    log_command = ([*ISTUI, "log", "call", lead_id, "-o", "2"], env)
    with taskwarrior() as task:
        if task is None:
            log_call, task_samples = timed(*log_command, args.runs), None
        else:
            log_call, task_samples = paired(log_command, task, args.runs)
    median = statistics.median(log_call)
    rows.append(("istui log call (whole process, median)", f"{median:.0f} ms", f"≤ {LOG_CALL_BUDGET_MS:.0f} ms",
                 "ok" if median <= LOG_CALL_BUDGET_MS else "OVER"))
    with_next = statistics.median(timed([*ISTUI, "log", "call", lead_id, "-o", "8", "--next", "tomorrow 10am"], env, args.runs))
    rows.append(("istui log call --next (also edits the lead)", f"{with_next:.0f} ms", f"≤ {LOG_CALL_BUDGET_MS:.0f} ms",
                 "ok" if with_next <= LOG_CALL_BUDGET_MS else "OVER"))
    if task_samples is None:
        rows.append(("task add, 20,000 pending (taskwarrior)", "not installed", "istui faster", "apt-get install taskwarrior"))
    else:
        task_median = statistics.median(task_samples)
        ratio = statistics.median(a / b for a, b in zip(log_call, task_samples, strict=True))
        rows.append(("task add, 20,000 pending (taskwarrior), in turn", f"{task_median:.0f} ms", "istui faster",
                     "ok" if median < task_median else "SLOWER"))
        rows.append(("log call / task add, pair by pair (median)", f"{ratio:.2f}×", "< 1.00×", "ok" if ratio < 1 else "SLOWER"))

    edit = statistics.median(timed([*ISTUI, "lead", "set", lead_id, "temp=hot"], env, args.runs))
    rows.append(("istui lead set (one lead edit, whole process)", f"{edit:.0f} ms", "–", ""))
    sys.path.insert(0, str(ROOT / "src"))
    from istui.store.workspace import Workspace, bucket_of

    ws = Workspace.open(workspace, "sato")
    full_id = ws.resolve_lead(lead_id)
    ws.get_lead(full_id)
    samples = []
    for n in range(args.runs):
        start = time.perf_counter()
        ws.update_lead(full_id, {"memo": f"bench {n}"})
        samples.append((time.perf_counter() - start) * 1000)
    rows.append(("lead edit in-process (read-modify-write + 2 fsyncs)", f"{statistics.median(samples):.1f} ms", "–", ""))
    shard = workspace / "leads" / f"{bucket_of(full_id)}.json"
    largest_bucket = max(p.stat().st_size for p in (workspace / "leads").glob("*.json"))
    largest_activity = max(p.stat().st_size for p in (workspace / "activities").glob("*/*.jsonl"))
    rows.append(("bytes rewritten by one lead edit (its bucket)", f"{shard.stat().st_size:,}", f"≤ {SHARD_BUDGET_BYTES:,}",
                 "ok" if shard.stat().st_size <= SHARD_BUDGET_BYTES else "OVER"))
    rows.append(("largest lead bucket", f"{largest_bucket:,} B", f"≤ {SHARD_BUDGET_BYTES:,}",
                 "ok" if largest_bucket <= SHARD_BUDGET_BYTES else "OVER"))
    rows.append(("largest activity file (appended, not rewritten)", f"{largest_activity:,} B", "append-only", ""))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  {'measured':>12}  {'budget':>14}  verdict")
    for name, value, budget, verdict in rows:
        print(f"{name:<{width}}  {value:>12}  {budget:>14}  {verdict}")
    print(f"\nlog call samples (ms): {', '.join(f'{s:.0f}' for s in sorted(log_call))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
