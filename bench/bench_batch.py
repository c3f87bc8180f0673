"""Batch figures at team-year scale (DESIGN.md section 7), run by hand, never in CI.

    .venv/bin/python bench/bench_batch.py [--dir bench/.cache] [--rows 100000] [--runs 5]

`istui plan` (month and fiscal year) as whole processes on the team-year workspace of bench_cli.py, warm
(the rollups cached by a first run); and `istui import leads` of a 100,000-row CSV (company, contact,
phone, e-mail, source, Japanese and Latin names) into a new workspace as a whole process, then `istui import
activities` of a 100,000-row call log to those leads: wall time and each process's peak memory.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_cli import ISTUI, build_workspace, print_budgets, timed  # noqa: E402

SOURCES = ["web_inquiry", "download", "seminar", "trade_show", "outbound_list", "partner"]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["company", "contact", "phone", "email", "source"])
        for i in range(rows):
            company = f"株式会社ベンチ{i:06d}" if i % 2 else f"Bench Trading {i:06d} Ltd"
            out.writerow([company, f"担当 {i}" if i % 2 else f"Contact {i}", f"03-{5000 + i // 10000:04d}-{i % 10000:04d}",
                          f"rep{i}@bench{i % 997}.example.jp", SOURCES[i % len(SOURCES)]])


RESULTS = ["不通", "留守電", "通話", "受付NG", "話し中", "アポ", "担当NG", "再コール"]


def write_call_log(path: Path, rows: int) -> None:
    """A dialer's call log of `rows` calls to the numbers of `write_csv`'s leads, in Japanese headers."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["日時", "電話番号", "応対結果", "通話時間", "担当者"])
        for i in range(rows):
            out.writerow([f"2026/11/{1 + i % 28:02d} {9 + i % 9:02d}:{i % 60:02d}:{i % 59:02d}",
                          f"03-{5000 + i // 10000:04d}-{i % 10000:04d}", RESULTS[i % len(RESULTS)],
                          f"0:{i % 6:02d}:{i % 60:02d}", "sato"])


def peak_of_child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds and peak resident memory (MB) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stdout[-400:]}{result.stderr[-400:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        print("  (peak memory of the import is not above an earlier child's; shown is the highest so far)")
    return elapsed, peak / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workspace = build_workspace(args.dir)
    env = {**os.environ, "ISTUI_WORKSPACE": str(workspace), "ISTUI_REP": "sato"}
    env.pop("ISTUI_NOW", None)
    rows: list[tuple[str, float, float | None, str]] = []
    for period in ("month", "fy"):
        plan = [*ISTUI, "plan", "--revenue", "3000万", "--period", period]
        timed(plan, env, 1)  # the first run keeps the rollups (a TUI or `istui kpi` has done it before)
        rows.append((f"istui plan --period {period}, whole process (warm, median)",
                     statistics.median(timed(plan, env, args.runs)), 1000.0, "ms"))
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        csv_path = Path(tmp) / "leads.csv"
        write_csv(csv_path, args.rows)
        fresh = Path(tmp) / "ws"
        config = {**os.environ, "XDG_CONFIG_HOME": str(Path(tmp) / "config")}
        config.pop("ISTUI_NOW", None)
        subprocess.run([*ISTUI, "init", str(fresh), "--rep", "sato", "--timezone", "Asia/Tokyo"], env=config,
                       check=True, capture_output=True)
        seconds, peak = peak_of_child([*ISTUI, "--workspace", str(fresh), "import", "leads", str(csv_path)],
                                      {**config, "ISTUI_REP": "sato"})
        rows.append((f"istui import leads, {args.rows:,} CSV rows, whole process", seconds, 15.0, "s"))
        rows.append(("… peak memory of the import process", peak, 400.0, "MB"))
        log_path = Path(tmp) / "calls.csv"
        write_call_log(log_path, args.rows)
        seconds, peak = peak_of_child([*ISTUI, "--workspace", str(fresh), "import", "activities", str(log_path)],
                                      {**config, "ISTUI_REP": "sato"})
        rows.append((f"istui import activities, {args.rows:,} call-log rows (the CSV import budget)", seconds, 15.0, "s"))
        rows.append(("… peak memory of the call-log import", peak, 400.0, "MB"))
    print()
    print_budgets(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
