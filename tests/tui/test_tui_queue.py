"""The call block never loses a lead (issue 12 item 1): only Enter after each outcome key leaves every lead
with a follow-up ahead or a parking reason; a callback asks for its WHEN; the keys show the schedule."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Input, Static

from istui.domain.outcomes import CALL_OUTCOMES
from istui.domain.queue import has_next_step, parking_reason
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded


async def test_enter_after_every_outcome_keeps_each_lead_queued_or_parked(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        queue = [row["id"] for row in app.query_one(TodayPane).table.rows]
        assert len(queue) >= len(CALL_OUTCOMES)
        await pilot.press("c")
        block = app.screen
        assert isinstance(block, CallBlockScreen)
        await pilot.pause()
        console = Console(width=120, record=True)
        console.print(block.query_one("#block-keys", Static).content)
        keys = console.export_text()
        assert "→ retry" in keys and "→ asks for WHEN" in keys and "→ flags the phone" in keys
        for info in CALL_OUTCOMES:
            await pilot.press(info.key, "enter")
            if info.outcome.value == "callback":  # Enter alone is refused: the follow-up field asks for the WHEN
                assert block.pending is not None
                assert "callback needs the time" in str(block.query_one("#prompt-error", Static).render())
                assert app.focused is block.query_one("#prompt-next", Input)
                await pilot.press(*"mon 15:00", "enter")
            assert block.pending is None, info.outcome.value
        assert block.index == len(CALL_OUTCOMES)
    now = fixed_clock(demo_ws.tz)
    logged = [demo_ws.get_lead(lead_id) for lead_id in queue[:len(CALL_OUTCOMES)]]
    assert all(has_next_step(lead, now) for lead in logged), [(lead["stage"], lead.get("next_at")) for lead in logged]
    by_outcome = {info.outcome.value: lead for info, lead in zip(CALL_OUTCOMES, logged, strict=True)}
    assert by_outcome["callback"]["next_at"] == "2026-11-30T15:00:00+09:00"
    assert parking_reason(by_outcome["wrong_number"]) == "wrong_number"
    assert parking_reason(by_outcome["meeting_booked"]) == "meeting_time_not_set"
    assert by_outcome["do_not_call"]["dnc"] is True
    assert by_outcome["no_answer"]["next_at"] > now.isoformat()
