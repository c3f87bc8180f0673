"""KPI benchmark at team-year scale (DESIGN.md section 7), run by hand, never in CI.

    .venv/bin/python bench/bench_kpi.py [--dir bench/.cache]

The KPI tab's report for the fiscal year at team scope (every metric, by source, targets with pace,
funnel, previous period, heatmaps, leaderboard, notes), cold (no rollups cached) and warm, with the
leads already in memory as they are in the TUI; and `istui kpi --team --period fy` as a whole process (with, beside
it and without a budget of their own, the short periods and the weekly review a manager opens every day).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_cli import build_workspace, print_budgets  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache")
    args = parser.parse_args()
    workspace = build_workspace(args.dir)
    from istui.locations import Local
    from istui.services.report import kpi_report
    from istui.store.workspace import Workspace

    local = Local(workspace)
    for path in (local.rollups, local.lead_numbers):
        path.unlink(missing_ok=True)
    ws = Workspace.open(workspace, "sato")
    leads = list(ws.leads())
    start = time.perf_counter()
    kpi_report(ws, "fy", None, leads=leads, analytics=True)
    cold = (time.perf_counter() - start) * 1000
    warm_samples = []
    cohorts: dict = {}  # the TUI keeps each period's lead cohort while the leads are the same
    for _ in range(5):  # the TUI's case: the same workspace, rollups in memory, only file signatures checked
        start = time.perf_counter()
        kpi_report(ws, "fy", None, leads=leads, analytics=True, cohorts=cohorts)
        warm_samples.append((time.perf_counter() - start) * 1000)
    warm = statistics.median(warm_samples)
    disk_samples = []
    for _ in range(5):  # a new process's case: rollups and cohorts read from the cache file, no lead read
        fresh = Workspace.open(workspace, "sato")
        start = time.perf_counter()
        kpi_report(fresh, "fy", None, analytics=True)
        disk_samples.append((time.perf_counter() - start) * 1000)
    env = {**os.environ, "ISTUI_WORKSPACE": str(workspace), "ISTUI_REP": "sato"}
    env.pop("ISTUI_NOW", None)

    def whole_process(*command: str) -> float:
        """The median of five runs of `istui COMMAND` (the first run of each keeps its caches for the rest)."""
        subprocess.run([sys.executable, "-m", "istui", *command], env=env, check=True, capture_output=True)
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "istui", *command], env=env, check=True, capture_output=True)
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples)

    process = whole_process("kpi", "--team", "--period", "fy")
    short = [(f"istui {' '.join(command)}, whole process (warm)", whole_process(*command), None, "ms")
             for command in (("kpi", "--team", "--period", "today"), ("kpi", "--team", "--period", "week"),
                             ("kpi", "--team", "--period", "month"), ("review", "--team", "--period", "week"))]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [("KPI report, fiscal year, team, cold (rollups built)", cold, 3000.0, "ms"),
            ("KPI report, fiscal year, team, warm (rollups cached)", warm, 200.0, "ms"),
            ("… warm, rollups read from the cache file (new process)", statistics.median(disk_samples), None, "ms"),
            ("istui kpi --team --period fy, whole process (warm)", process, 600.0, "ms"), *short,
            ("peak memory of this benchmark process", peak, 400.0, "MB")]
    print()
    print_budgets(rows)
    print(f"\nwarm samples (ms): {', '.join(f'{s:.0f}' for s in warm_samples)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
