"""The call block never loses a lead (issue 12 item 1): only Enter after each outcome key leaves every lead
with a follow-up ahead or a parking reason; a callback asks for its WHEN; the keys show the schedule."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Input, Static

from istui.domain.outcomes import CALL_OUTCOMES
from istui.domain.queue import has_next_step, parking_reason
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded, start_call_block


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
    assert parking_reason(by_outcome["wrong_number"], now) == "wrong_number"
    assert parking_reason(by_outcome["meeting_booked"], now) == "meeting_time_not_set"
    assert by_outcome["do_not_call"]["dnc"] is True
    assert by_outcome["no_answer"]["next_at"] > now.isoformat()


async def test_a_meeting_that_has_passed_is_back_on_the_today_tab(app: IstuiApp, demo_ws: Workspace) -> None:
    """Issue 12 A: a meeting lead whose meeting time has passed is queued again, with its reason, in the Today
    tab and the Leads tab's due view; its card says what to do."""
    lead = next(lead for lead in demo_ws.leads() if lead["stage"] == "working" and lead.get("owner") == "sato")
    demo_ws.update_lead(lead["id"], {"stage": "meeting", "meeting_at": "2026-11-26T14:00:00+09:00", "next_at": None})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = app.query_one(TodayPane)
        rows = [(row["id"], row["reason"]) for row in pane.table.rows if row["id"] == lead["id"]]
        assert rows == [(lead["id"], "meeting_passed")]
        summary = str(pane.query_one("#today-summary", Static).render())
        assert ("1 meeting(s) passed — hand off or log the result (Leads tab: h hands off, s changes the stage; "
                "e sets a new meeting time)") in summary
        pane.table.cursor = next(i for i, row in enumerate(pane.table.rows) if row["id"] == lead["id"])
        await pilot.pause(0.1)
        assert "! Meeting passed — hand off or log the result" in str(pane.query_one("#today-card", Static).render())
        await pilot.press("1", "D")
        await pilot.pause(0.2)
        assert lead["id"] in [row["id"] for row in app.query_one(LeadsPane).table.rows]


async def test_esc_in_the_prompt_closes_it_keeping_the_call_then_ends_the_block(app: IstuiApp, demo_ws: Workspace) -> None:
    """Issue 12 B: esc after any outcome closes the prompt, keeping what the digit wrote (a callback's provisional
    follow-up, a meeting without its time) and leaving out what was typed (said so); esc again ends the block."""
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        assert block.active_bindings["escape"].binding.action == "end"
        first = block.lead["id"]
        await pilot.press("8", *"call me", "tab", *"someday")
        assert block.pending is not None and block.active_bindings["escape"].binding.action == "close_prompt"
        assert ("esc: close, the call stays logged (typed text dropped) · esc again: end the block"
                in str(block.query_one("#prompt-title", Static).render()))
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is block and block.pending is None and block.lead["id"] == first
        assert block.active_bindings["escape"].binding.action == "end"
        assert [str(n.message) for n in app._notifications][-1] == (
            "Left out what was typed; the call stays logged as callback 折り返し・再架電.")
        kept = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)
        assert kept.get_lead(first)["next_at"] == "2026-11-30T10:30:00+09:00"  # provisional: a working day later
        assert kept.activities_of_lead(first)[-1]["outcome"] == "callback"
        assert "note" not in kept.activities_of_lead(first)[-1]
        assert has_next_step(kept.get_lead(first), fixed_clock(demo_ws.tz))

        await pilot.press("s")  # the next lead; a meeting booked, then esc: parked without its time
        second = block.lead["id"]
        assert second != first
        await pilot.press("6", "escape")
        await pilot.pause(0.1)
        assert app.screen is block and block.pending is None and block.lead["id"] == second
        booked = Workspace.open(demo_ws.root, "sato", clock=fixed_clock).get_lead(second)
        assert booked["stage"] == "meeting" and parking_reason(booked, fixed_clock(demo_ws.tz)) == "meeting_time_not_set"
        await pilot.press("escape")  # again: the block ends with its summary
        await pilot.pause(0.1)
        assert app.screen is not block and block not in app.screen_stack


async def test_today_is_shown_from_the_kept_queue_leads_before_every_lead_is_read(tmp_path, monkeypatch) -> None:
    """The app opens on Today drawn from the leads its queue can hold (a local cache a start before left), while
    every lead is still being read; once they are, the queue is the same."""
    import threading

    from istui.services.today import queue_leads

    from tui_support import make_demo

    ws = make_demo(tmp_path / "demo")
    queue_leads(ws)  # as the last start left it
    release = threading.Event()
    every_lead = Workspace.leads

    def held_back(self):  # every lead read only once the test says so
        release.wait(20)
        yield from every_lead(self)

    monkeypatch.setattr(Workspace, "leads", held_back)
    app = IstuiApp(ws, watch_interval=60, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TodayPane).table
        for _ in range(250):
            await pilot.pause(0.02)
            if table.rows:
                break
        first = [row["id"] for row in table.rows]
        assert first and not app.state.leads  # drawn while the full read still waits
        release.set()
        await loaded(pilot)
        assert app.state.leads and [row["id"] for row in table.rows] == first


async def test_a_forged_queue_cache_never_stops_the_start(demo_ws: Workspace) -> None:
    """The kept queue leads are local and not checked again: a lead there with a value no lead file could hold
    (a follow-up time that is not a time) makes the app skip the quick first screen, not crash; the full read
    shows the real queue."""
    import json

    from istui.services.today import loop_clock, queue_leads, today_queue

    expected = [entry["lead"]["id"] for entry in today_queue(list(demo_ws.leads()), demo_ws.now(), demo_ws.rep,
                                                              loop_clock(demo_ws))]
    queue_leads(demo_ws)
    path = demo_ws.local.queue_leads
    data = json.loads(path.read_text())
    bucket = next(known for known in data["buckets"].values() if known["leads"])
    bucket["leads"][0]["next_at"] = "abc"
    path.write_text(json.dumps(data))
    app = IstuiApp(Workspace.open(demo_ws.root, demo_ws.rep, clock=fixed_clock))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert [row["id"] for row in app.query_one(TodayPane).table.rows] == expected
