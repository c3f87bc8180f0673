"""What a person sees: SVG snapshots of each tab and the call card, on a seeded demo at a fixed time.

Update the pictures after an intended change with `pytest tests/tui/test_tui_snapshots.py --snapshot-update`
and look at them (tests/tui/__snapshots__/) before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from istui.tui.app import IstuiApp
from istui.tui.screens.callblock import BlockStats

from tui_support import SIZE, SMALL, loaded, make_demo, snapshot


def demo_app(tmp_path: Path) -> IstuiApp:
    return IstuiApp(make_demo(tmp_path / "demo"), watch_interval=60, status_delay=0)


def test_today_tab(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=loaded)


def test_leads_tab(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("1", "slash", *"東洋", "enter")
        await pilot.pause(0.2)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_notes_tab(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("3")
        await pilot.pause(0.3)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_kpi_tab(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("4", "m")
        await loaded(pilot)
        await pilot.pause(0.3)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_call_card(snap_compare, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(BlockStats, "clock", staticmethod(lambda: 1000.0))

    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("c")
        await pilot.pause(0.3)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_plan_view(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("4", "P", *"3000万")
        await pilot.press("ctrl+s")
        await loaded(pilot)
        await pilot.pause(0.5)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_review_screen(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("4", "m")
        await loaded(pilot)
        await pilot.press("R")
        await loaded(pilot)
        await pilot.pause(0.5)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("scene", ["today", "leads", "call_block", "kpi"])
def test_small_terminal(snap_compare, tmp_path: Path, scene: str) -> None:
    """80x24: the detail below the tables, the call block's note and WHEN box on screen, the KPI panels stacked."""
    assert snapshot(snap_compare, tmp_path / "demo", scene, SMALL)
