"""Issue 11 in the app: a damaged workspace is shown and reported, never a crash; a crash exits non-zero."""

from __future__ import annotations

import json

import pytest

from istui.store.workspace import Workspace, bucket_of
from istui.tui.app import IstuiApp
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded


def damage_sato_month(ws: Workspace) -> tuple:
    path = ws.root / "activities" / "sato" / "2026-11.jsonl"
    lines = path.read_text().splitlines()
    lines.insert(1, "{this line is broken")
    path.write_text("\n".join(lines) + "\n")
    return path, path.read_bytes()


def toasts(app: IstuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_a_call_on_a_damaged_activity_file_is_refused_and_the_app_goes_on(demo_ws: Workspace) -> None:
    path, before = damage_sato_month(demo_ws)
    app = IstuiApp(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "2026-11.jsonl:2" in toasts(app)  # the broken line was reported when the app read the file
        assert app.query_one(TodayPane).table.rows  # and everything else is shown
        await pilot.press("c")
        assert isinstance(app.screen, CallBlockScreen)
        await pilot.press("2")
        await pilot.pause(0.1)
        assert "will not write to it" in toasts(app)
        assert isinstance(app.screen, CallBlockScreen) and app.is_running
        await pilot.press("escape")
        await pilot.pause(0.1)
    assert path.read_bytes() == before
    assert app.return_code in (0, None)


async def test_records_with_unusable_values_are_left_out_and_said_once(demo_ws: Workspace) -> None:
    lead = next(iter(demo_ws.leads()))
    bucket = demo_ws.root / "leads" / f"{bucket_of(lead['id'])}.json"
    text = bucket.read_text()
    record_line = next(line for line in text.splitlines() if line.startswith(f'"{lead["id"]}"'))
    record = json.loads(record_line.split(": ", 1)[1].rstrip(","))
    bad = {**record, "next_at": 5, "tags": [1, 2], "company": "Unusable Co"}
    text = text.replace(record_line, record_line.replace(json.dumps(record, ensure_ascii=False, sort_keys=True),
                                                         json.dumps(bad, ensure_ascii=False, sort_keys=True)))
    bucket.write_text(text)
    app = IstuiApp(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert f"leads/{bucket.name}:" in toasts(app) and "istui doctor" in toasts(app)
        assert all(row["company"] != "Unusable Co" for row in app.state.leads)
        shown = len(app._notifications)
        app.load_workspace()  # a reload says nothing new
        await pilot.pause(0.2)
        assert len(app._notifications) == shown


async def test_a_crash_makes_the_app_exit_non_zero(demo_ws: Workspace) -> None:
    app = IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
    with pytest.raises(ZeroDivisionError):  # the test harness hands the crash on
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            app.call_later(lambda: 1 / 0)
            await pilot.pause(0.2)
    assert app.return_code not in (0, None)  # `istui` returns it (tui.run)


WRONG = [("leads", "next_at", 5), ("leads", "tags", [1, 2]), ("leads", "stage", ["x"]), ("leads", "created_at", KeyError),
         ("leads", "company", None), ("leads", "next_at", "9999-12-31T23:00:00+09:00"), ("leads", "handoff", "x"),
         ("activities", "at", 5), ("activities", "outcome", [1]), ("activities", "lead", None),
         ("notes", "title", 7), ("notes", "tags", "x"), ("notes", "body", ["b"]), ("targets", "value", "lots"),
         ("targets", "per", "century"), ("targets", "metric", None)]


@pytest.mark.parametrize(("table", "field", "value"), WRONG)
async def test_the_app_starts_on_any_wrong_value(tmp_path, table: str, field: str, value: object) -> None:
    """The fuzz test's TUI half: the app starts, shows the rest and names the problem; every tab opens."""
    from fuzz_support import build_base, corrupt

    root = build_base(tmp_path / "ws")
    corrupt(root, table, field, value)
    app = IstuiApp(Workspace.open(root, "alice", clock=fixed_clock), watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for key in ("1", "3", "4", "2"):
            await pilot.press(key)
            await pilot.pause(0.1)
        assert app.is_running and "istui doctor" in toasts(app)
    assert app.return_code in (0, None)


async def test_a_kpi_cache_that_cannot_be_written_is_said_once_as_it_is(demo_ws: Workspace) -> None:
    """A folder where the kept tallies go: the KPI tab shows right figures, and the app says once that reports will
    be slow and why (not as records left out)."""
    import shutil

    shutil.rmtree(demo_ws.local.cache, ignore_errors=True)
    demo_ws.local.rollups.mkdir(parents=True)
    app = IstuiApp(Workspace.open(demo_ws.root, "sato", clock=fixed_clock), watch_interval=0.1, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("4")
        await loaded(pilot)
        await pilot.press("y", "T")
        await loaded(pilot)
        said = toasts(app)
        assert said.count(".istui/cache/rollups.pickle cannot be written") == 1, said
        assert "Left out of what is shown" not in said
