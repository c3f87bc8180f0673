"""Flags and refusals as the TUI shows them (issue 12 findings 6-8): the card says do-not-call, a wrong-number
flag and why a lead is parked; a do-not-call refusal speaks the TUI's language and keeps what was typed; the
call block's card follows each log and undo; No to the duplicate question goes back to the form."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen
from istui.tui.screens.forms import ConfirmScreen, FormScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded


def disk(ws: Workspace) -> Workspace:
    return Workspace.open(ws.root, "sato", clock=fixed_clock)


def toasts(app: IstuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def shown(widget: Static) -> str:
    return str(widget.render())


async def select_lead(pilot, lead_id: str) -> LeadsPane:
    await pilot.press("1")
    pane = pilot.app.query_one(LeadsPane)
    pane.table.cursor = next(i for i, row in enumerate(pane.table.rows) if row["id"] == lead_id)
    await pilot.pause(0.1)
    return pane


async def test_the_card_shows_flags_and_why_a_lead_is_parked(app: IstuiApp, demo_ws: Workspace) -> None:
    leads = [lead for lead in demo_ws.leads() if lead["stage"] in ("working", "new")][:3]
    stale = "2026-11-27T11:00:00+09:00"
    dnc, wrong, meeting = (lead["id"] for lead in leads)
    demo_ws.update_lead(dnc, {"dnc": True, "next_at": None})
    demo_ws.update_lead(wrong, {"phone_status": "wrong_number", "next_at": stale})
    demo_ws.update_lead(meeting, {"stage": "meeting", "meeting_at": None, "next_at": stale})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = await select_lead(pilot, dnc)
        card = shown(pane.query_one("#lead-card", Static))
        assert "! Do not call — clear the mark in the edit form (e) to call again" in card
        pane = await select_lead(pilot, wrong)
        card = shown(pane.query_one("#lead-card", Static))
        assert "! Phone flagged as a wrong number — change the phone to call again" in card
        assert "11:00" not in card  # the stale follow-up of a parked lead is not shown as due
        pane = await select_lead(pilot, meeting)
        card = shown(pane.query_one("#lead-card", Static))
        assert "! Parked: meeting time not set — set it with the meeting form (t)" in card and "11:00" not in card
        await pilot.press("e")  # the edit form sets the meeting's time
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-meeting", Input).value = "tue 14:00"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
    assert disk(demo_ws).get_lead(meeting)["meeting_at"] == "2026-12-01T14:00:00+09:00"


async def test_a_do_not_call_refusal_speaks_tui_at_once(app: IstuiApp, demo_ws: Workspace) -> None:
    """Issue 12 C: `l` on a do-not-call lead refuses at once with the sentence (no form to fill in for nothing)."""
    lead = next(lead for lead in demo_ws.leads() if lead["stage"] == "working")
    demo_ws.update_lead(lead["id"], {"dnc": True, "next_at": None})
    before = len(demo_ws.activities_of_lead(lead["id"]))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select_lead(pilot, lead["id"])
        screen = app.screen
        await pilot.press("l")
        await pilot.pause(0.1)
        assert app.screen is screen and not isinstance(app.screen, FormScreen)
        refusal = toasts(app)[-1]
        assert refusal == (f"{lead['company']} is marked do-not-call: a call log is refused; clear the do-not-call mark "
                           "in the edit form (e) first.")
        assert "--force" not in refusal and "istui " not in refusal
        assert len(disk(demo_ws).activities_of_lead(lead["id"])) == before
        await pilot.press("e")  # clear the mark in the edit form, then the log goes through
        edit = app.screen
        assert isinstance(edit, FormScreen)
        edit.query_one("#field-dnc", Select).value = "false"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert disk(demo_ws).get_lead(lead["id"])["dnc"] is False
        await pilot.press("l", "ctrl+s")
        await pilot.pause(0.1)
    assert len(disk(demo_ws).activities_of_lead(lead["id"])) == before + 1


async def test_the_call_block_card_follows_each_log_and_undo(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        queue = [row["id"] for row in app.query_one(TodayPane).table.rows]
        new = next(lead_id for lead_id in queue if demo_ws.get_lead(lead_id)["stage"] == "new")
        await select_lead(pilot, new)
        await pilot.press("c", "0")
        block = app.screen
        assert isinstance(block, CallBlockScreen)
        await pilot.pause(0.2)
        card = shown(block.query_one("#block-card", Static))
        assert "[new]" not in card and "Do not call" in card
        assert "No activity yet" not in shown(block.query_one("#block-timeline", Static))
        await pilot.press("tab", *"mon 10:00", "enter")  # a follow-up for a do-not-call lead: refused, in the TUI's words
        error = shown(block.query_one("#prompt-error", Static))
        assert "edit form (e)" in error and "--force" not in error
        await pilot.press("ctrl+z")
        await pilot.pause(0.2)
        assert shown(block.query_one("#prompt-error", Static)) == ""
        assert "[new]" in shown(block.query_one("#block-card", Static))
    assert disk(demo_ws).get_lead(new)["stage"] == "new"


async def test_no_to_the_duplicate_question_returns_to_the_form(app: IstuiApp, demo_ws: Workspace) -> None:
    existing = next(lead for lead in demo_ws.leads() if lead.get("phone"))
    before = len(list(demo_ws.leads()))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1", "n")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Kobe Trading")
        form.query_one("#field-phone", Input).value = existing["phone"]
        form.query_one("#field-memo", Input).value = "met at the expo"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause(0.1)
        assert app.screen is form  # back to the form, everything typed still there
        assert form.query_one("#field-company", Input).value == "Kobe Trading"
        assert form.query_one("#field-memo", Input).value == "met at the expo"
        assert len(list(disk(demo_ws).leads())) == before
        form.query_one("#field-phone", Input).value = "078-123-4567"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, FormScreen)
    added = [lead for lead in disk(demo_ws).leads() if lead["company"] == "Kobe Trading"]
    assert len(added) == 1 and added[0]["memo"] == "met at the expo"
