"""d dials the lead (the person's dial_command, recorded here by a script), the call timer gives the call its
duration (on a fake clock), and the card shows the clock where a foreign number rings."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from textual.widgets import Static

from istui.domain.phones import parse_phone
from istui.store.settings import save_user_setting
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.today import TodayPane

from conftest import fixed_clock
from tui_support import SIZE, loaded, start_call_block


def recording_script(tmp_path: Path) -> tuple[str, Path]:
    """A softphone stand-in: it writes the words it was started with, one per line."""
    record = tmp_path / "dialed.txt"
    script = tmp_path / "softphone"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return f'{script} --call "{{e164}}" --show "{{national}}"', record


def wait_for(path: Path) -> str:
    for _ in range(100):
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"{path} was not written")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_d_dials_with_the_dial_command_and_the_outcome_key_records_the_duration(
        app: IstuiApp, demo_ws: Workspace, tmp_path: Path, monkeypatch) -> None:
    command, record = recording_script(tmp_path)
    save_user_setting("phone", {"dial_command": command})
    clock = FakeClock()
    monkeypatch.setattr("istui.tui.screens.block_parts.BlockStats.clock", staticmethod(clock))
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        lead = block.lead
        await pilot.press("d")
        await pilot.pause(0.1)
        expected = parse_phone(lead["phone"], "JP")
        assert wait_for(record).splitlines() == ["--call", expected.e164, "--show", lead["phone"]]
        clock.now += 154.4  # two and a half minutes on the line
        block.update_stats()
        assert "on call 0:02:34" in str(block.query_one("#block-stats", Static).content)
        await pilot.press("1")
        await pilot.pause(0.1)
        call = max((a for a in Workspace.open(demo_ws.root, "sato", clock=fixed_clock).activities_of_lead(lead["id"])
                    if a["kind"] == "call"), key=lambda a: a["created_at"])
        assert (call["outcome"], call["duration"]) == ("connected", 154)
        assert not block.timer.running


async def test_t_starts_the_timer_and_a_call_without_it_has_no_duration(app: IstuiApp, demo_ws: Workspace,
                                                                        monkeypatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr("istui.tui.screens.block_parts.BlockStats.clock", staticmethod(clock))
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        first = block.lead
        await pilot.press("2", "enter")  # no timer: no duration
        await pilot.pause(0.1)
        second = block.lead
        await pilot.press("t")
        clock.now += 42
        await pilot.press("3", "enter")
        await pilot.pause(0.1)
        disk = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)

        def last_call(lead_id: str) -> dict:
            return max((a for a in disk.activities_of_lead(lead_id) if a["kind"] == "call"), key=lambda a: a["created_at"])

        assert "duration" not in last_call(first["id"])
        assert last_call(second["id"])["duration"] == 42


async def test_without_a_dial_command_d_copies_the_number(app: IstuiApp, monkeypatch) -> None:
    monkeypatch.setattr("istui.services.dialing.default_command", lambda: None)
    copied: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        lead = app.query_one(TodayPane).selected_lead()
        await pilot.press("d")
        await pilot.pause(0.1)
        assert copied == [lead["phone"]]
        assert any("dial_command" in str(n.message) for n in app._notifications)


async def test_a_foreign_number_shows_its_local_time_and_warns_outside_hours(app: IstuiApp, demo_ws: Workspace) -> None:
    # 10:30 in Tokyo is 20:30 the evening before in New York: outside the workspace's calling hours there
    lead = next(demo_ws.leads())
    demo_ws.update_lead(lead["id"], parse_phone("+1 212 555 2000", "JP").fields())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        await pilot.pause(0.2)
        pane = app.query_one("LeadsPane")
        pane.table.cursor = next(i for i, row in enumerate(pane.table.rows) if row["id"] == lead["id"])
        await pilot.pause(0.3)
        card = str(app.query_one("#lead-card", Static).content)
        assert "+1 212-555-2000" in card and "Thu 20:30 (America/New_York)" in card
        assert "Thu 20:30 there: outside calling hours" in card


def test_the_recording_script_is_executable(tmp_path: Path) -> None:
    command, _record = recording_script(tmp_path)
    assert os.access(command.split()[0], os.X_OK)
