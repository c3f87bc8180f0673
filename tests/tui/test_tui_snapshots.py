"""What a person sees: a filtered lead table and the call card before a key (every screen at two sizes in both
languages is in test_tui_matrix.py), on a seeded demo at a fixed time.

Update the pictures after an intended change with `pytest tests/tui/test_tui_snapshots.py --snapshot-update`
and look at them (tests/tui/__snapshots__/) before committing.
"""

from __future__ import annotations

from pathlib import Path

from istui.tui.app import IstuiApp
from istui.tui.screens.callblock import BlockStats

from tui_support import SIZE, loaded, make_demo


def demo_app(tmp_path: Path) -> IstuiApp:
    return IstuiApp(make_demo(tmp_path / "demo"), watch_interval=60, status_delay=0)


def test_leads_tab(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("1", "slash", *"東洋", "enter")
        await pilot.pause(0.2)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_call_card(snap_compare, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(BlockStats, "clock", staticmethod(lambda: 1000.0))

    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("c")
        await pilot.pause(0.3)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)
