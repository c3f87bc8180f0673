"""TUI benchmarks at team-year scale (DESIGN.md section 7), run by hand, never in CI.

    .venv/bin/python bench/bench_tui.py [--dir bench/.cache]

Uses the team-year workspace of bench_cli.py (built on first use). Runs the real app headless
(Textual's test driver) in a child process and prints each figure beside its budget:
start to the first interactive screen (Today queue shown), a disposition key to the record being
durable on disk, one filter keystroke over 50,000 leads, the KPI tab for the fiscal year at team
scope (first show, back to it unchanged, back to it after a new call: each until drawn), and peak
memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_cli import build_workspace, print_budgets  # noqa: E402

CHILD = r"""
import asyncio, json, os, resource, statistics, sys, time
from pathlib import Path
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane

root = Path(sys.argv[1])
result = {}

async def main():
    app = IstuiApp(Workspace.open(root, "sato"))
    async with app.run_test(size=(160, 48)) as pilot:
        while not app.query_one(TodayPane).table.rows:
            await asyncio.sleep(0.005)
        print("READY", flush=True)
        # a disposition key to the record on disk (the call block writes before the prompt shows)
        await pilot.press("c")
        await pilot.pause(0.2)
        month = app.ws.now().strftime("%Y-%m")
        path = root / "activities" / "sato" / f"{month}.jsonl"
        block = app.screen
        for _ in range(15):
            size = path.stat().st_size if path.exists() else 0
            await pilot.press("2")
            assert path.stat().st_size > size
            await pilot.press("enter")
            await pilot.pause(0.05)
        result["dispose_ms"] = block.durable_ms  # from the key's action to the fsync'd record
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.press("1")
        await pilot.pause(0.3)
        await pilot.press("slash")
        pane = app.query_one(LeadsPane)
        keystrokes = []
        field = pane.query_one("#lead-filter")
        table = pane.table
        for text in ("東", "東洋", "東洋商", "東洋商事", "東洋商", "東洋", "東", "", "a", "ac", "acm", "acme"):
            with field.prevent(type(field).Changed):
                field.value = text
            start = time.perf_counter()
            pane.apply_filter()  # what one keystroke costs: filter 50,000 leads, then draw the visible rows
            for y in range(table.size.height):
                table.render_line(y)
            keystrokes.append((time.perf_counter() - start) * 1000)
            await pilot.pause(0)
        result["filter_ms"] = keystrokes
        result["filter_rows"] = len(pane.table.rows)
        from istui.services.leads import log_activity
        from istui.tui.panes.kpi import KpiPane

        frames = []  # when each frame was drawn to the (headless) terminal, and the lead table's cursor then
        screen = app.screen
        draw = screen._compositor_refresh

        def drawn_frame():
            draw()
            frames.append((time.perf_counter(), table.cursor))

        screen._compositor_refresh = drawn_frame

        with field.prevent(type(field).Changed):
            field.value = ""
        pane.apply_filter()
        table.focus()  # out of the filter field (there, page down moves nothing)
        await pilot.pause(0.3)
        assert len(table.rows) == 50_000, len(table.rows)

        async def page_down(settle: float) -> float:
            # from the key to the first frame that shows the new page (the lead's detail follows 50 ms later)
            await pilot.pause(settle)
            before = table.cursor
            start = time.perf_counter()
            await pilot.press("pagedown")
            while table.cursor == before or not any(t > start and c == table.cursor for t, c in frames):
                await asyncio.sleep(0.001)
            return (min(t for t, c in frames if t > start and c == table.cursor) - start) * 1000

        result["page_ms"] = [await page_down(0.2) for _ in range(15)]  # one key, the screen settled
        result["page_held_ms"] = [await page_down(0) for _ in range(15)]  # key after key

        shows = []  # when the KPI tab finished taking each report: (time, report)

        async def painted(start, ready):
            # from the key to the first frame drawn after the wanted report was shown (what the rep sees)
            while not ready():
                await asyncio.sleep(0.001)
            shown = max(t for t, report in shows if report is kpi.report)
            while not frames or frames[-1][0] < shown:
                await asyncio.sleep(0.001)
            frame = min(f for f, _ in frames if f >= shown)
            result.setdefault("kpi_shown_ms", []).append(round((shown - start) * 1000, 1))
            return (frame - start) * 1000

        await pilot.press("4")
        kpi = app.query_one(KpiPane)
        show = kpi.show

        def timed_show(report, tables=None):
            show(report, tables)
            shows.append((time.perf_counter(), report))

        kpi.show = timed_show
        await pilot.press("y")
        await pilot.pause(0.3)
        start = time.perf_counter()
        await pilot.press("T")  # first time: rollups read from their cache file
        result["kpi_fy_team_ms"] = await painted(start, lambda: kpi.report and kpi.report["scope"]["team"]
                                                 and kpi.report["period"]["kind"] == "fiscal_year")
        fy_report = kpi.report
        await pilot.press("m")
        await pilot.pause(0.5)
        start = time.perf_counter()
        await pilot.press("y")
        result["kpi_fy_team_warm_ms"] = await painted(start, lambda: kpi.report["period"]["kind"] == "fiscal_year")
        result["kpi_revisit_cached"] = kpi.report is fy_report
        # a call logged (by this app) changes one month file: the report is made again from the rollups
        log_activity(app.ws, app.leads[0]["id"], "call", "connected")
        app.wrote()
        changed = []
        for _ in range(5):  # one sample moved by ±80 ms with the machine: the median of five
            await pilot.press("m")
            await pilot.pause(0.5)
            log_activity(app.ws, app.leads[0]["id"], "call", "no_answer")
            app.wrote()
            before = kpi.report
            start = time.perf_counter()
            await pilot.press("y")
            changed.append(await painted(start, lambda before=before: kpi.report is not before and kpi.report is not
                                         fy_report and kpi.report["period"]["kind"] == "fiscal_year"))
        result["kpi_fy_team_changed_ms"] = statistics.median(changed)
        result["kpi_fy_team_changed_samples"] = [round(sample, 1) for sample in changed]
        result["leads"] = len(app.leads)
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

asyncio.run(main())
print("RESULT " + json.dumps(result), flush=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache")
    args = parser.parse_args()
    workspace = build_workspace(args.dir)
    env = {**os.environ, "XDG_CONFIG_HOME": str(args.dir / "config")}
    env.pop("ISTUI_NOW", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    sys.path.insert(0, str(ROOT / "src"))
    from istui.store.workspace import Workspace

    ws = Workspace.open(workspace, "sato")  # 60 follow-ups due today: each of the 3 runs has a queue to work through
    mine = [lead for lead in ws.leads() if lead["owner"] == "sato" and lead["stage"] in ("working", "nurturing")][:60]
    due = ws.now().replace(hour=9, minute=0, second=0, microsecond=0).isoformat()
    ws.update_leads({lead["id"]: {"next_at": due} for lead in mine})
    starts = []
    result: dict = {}
    for _ in range(3):
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(workspace)], stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("READY"):
                starts.append((time.perf_counter() - start) * 1000)
            elif line.startswith("RESULT "):
                result = json.loads(line[7:])
        child.wait()
    import statistics

    rows = [
        ("start to first interactive screen (Today queue), median of 3", statistics.median(starts), 1000.0, "ms"),
        ("disposition key to durable record, median", statistics.median(result["dispose_ms"]), 16.0, "ms"),
        ("filter keystroke over all leads, median", statistics.median(result["filter_ms"]), 50.0, "ms"),
        ("filter keystroke over all leads, worst", max(result["filter_ms"]), 50.0, "ms"),
        ("page down in the lead table (key to the page drawn), median", statistics.median(result["page_ms"]), 50.0,
         "ms"),
        ("… key after key (held), median", statistics.median(result["page_held_ms"]), 50.0, "ms"),
        ("… key after key (held), worst", max(result["page_held_ms"]), None, "ms"),
        ("KPI tab, fiscal year, team: first time (report made, then drawn)", result["kpi_fy_team_ms"], 3000.0, "ms"),
        ("KPI tab, fiscal year, team: back to it, nothing changed (drawn)", result["kpi_fy_team_warm_ms"], 200.0, "ms"),
        ("KPI tab, fiscal year, team: back to it after a new call (drawn, median of 5)", result["kpi_fy_team_changed_ms"], 200.0, "ms"),
        ("peak memory of the TUI", result["maxrss_mb"], 400.0, "MB"),
    ]
    print(f"\nteam-year workspace: {result['leads']:,} leads\n")
    print_budgets(rows)
    print(f"\nstarts (ms): {', '.join(f'{s:.0f}' for s in starts)}")
    print(f"dispositions (ms): {', '.join(f'{s:.1f}' for s in sorted(result['dispose_ms']))}")
    print(f"filter keystrokes (ms): {', '.join(f'{s:.1f}' for s in result['filter_ms'])}")
    print(f"page downs (ms): {', '.join(f'{s:.1f}' for s in result['page_ms'])}")
    print(f"page downs held (ms): {', '.join(f'{s:.1f}' for s in result['page_held_ms'])}")
    print(f"KPI tab, key to report shown (ms; the rest is drawing the frame): {result['kpi_shown_ms']}")
    print(f"KPI tab after a new call, samples (ms): {result['kpi_fy_team_changed_samples']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
