"""Imported text is data, never markup: hostile lead names render literally everywhere and do nothing when clicked."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from istui.store.settings import Settings
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.screens.callblock import CallBlockScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded

HOSTILE = ("[@click=app.quit]x[/]", "Smith [/bold] & Co", "[red]red[/red] [b]bold")


def hostile_workspace(root: Path) -> Workspace:
    ws = Workspace.create(root, "sato", Settings(team="[b]Team[/b]", timezone="Asia/Tokyo"), clock=fixed_clock)
    for index, name in enumerate(HOSTILE):
        ws.add_lead({"id": f"01M8000000000000000000000{index}", "company": name, "contact": name, "stage": "working", "source": "web_inquiry", "motion": "sdr",
                     "owner": "sato", "next_at": "2026-11-27T11:00:00+09:00", "tags": [name], "memo": name})
    ws.add_note({"id": "01M80000000000000000000NTE", "title": HOSTILE[0], "kind": "script", "tags": ["web_inquiry"], "body": "[@click=app.quit]click me[/]"})
    return Workspace.open(root, "sato", clock=fixed_clock)


def shown(widget: Static) -> str:
    return str(widget.render())


async def test_hostile_names_render_literally_and_clicks_do_nothing(tmp_path: Path) -> None:
    app = IstuiApp(hostile_workspace(tmp_path / "ws"), watch_interval=60, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "[b]Team[/b]" in shown(app.query_one("#istui-header", Static))
        await pilot.press("1")
        pane = app.query_one(LeadsPane)
        assert sorted(row["company"] for row in pane.table.rows) == sorted(HOSTILE)
        screen_text = "\n".join(str(pane.table.render_line(y).text) for y in range(4))
        for name in HOSTILE:
            assert name[:18] in screen_text
        for index in range(len(HOSTILE)):
            pane.table.cursor = index
            await pilot.pause(0.1)
            card = shown(pane.query_one("#lead-card", Static))
            assert pane.table.current["company"] in card
        await pilot.click("#leads-table", offset=(3, 1))
        await pilot.click("#lead-card", offset=(2, 0))
        app.notify(f"Logged for {HOSTILE[0]}", markup=False)
        await pilot.press("2", "c")
        assert isinstance(app.screen, CallBlockScreen)
        company = shown(app.screen.query_one("#block-company", Static))
        assert company in HOSTILE
        await pilot.click("#block-company")
        await pilot.pause(0.1)
        assert app.is_running  # no [@click=app.quit] ever became an action


def test_hostile_names_snapshot(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("1")
        await pilot.pause(0.2)

    app = IstuiApp(hostile_workspace(tmp_path / "ws"), watch_interval=60, status_delay=0)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
