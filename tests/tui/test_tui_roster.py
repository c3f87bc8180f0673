"""The roster in the TUI's forms (the owner and the handoff recipient are chosen from it) and the new-lead
form's question about a duplicate (issue 12 items 4 and 5)."""

from __future__ import annotations

from textual.widgets import Input, Select

from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.screens.forms import ConfirmScreen, FormScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded


def disk(ws: Workspace) -> Workspace:
    return Workspace.open(ws.root, "sato", clock=fixed_clock)


async def test_the_owner_field_offers_the_roster(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1", "n")
        form = app.screen
        assert isinstance(form, FormScreen)
        owner = form.query_one("#field-owner", Select)
        offered = [key for _label, key in owner._options if key != Select.NULL]
        assert offered == sorted(demo_ws.settings.roster, key=str.casefold)
        assert owner.value == "sato" and "nakano" in offered and "field-kimura" in offered
        form.query_one("#field-company", Input).value = "Roster Trading"
        owner.value = "tanaka"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        added = [lead for lead in disk(demo_ws).leads() if lead["company"] == "Roster Trading"]
        assert [lead["owner"] for lead in added] == ["tanaka"]


async def test_a_duplicate_new_lead_asks_first(app: IstuiApp, demo_ws: Workspace) -> None:
    existing = next(lead for lead in demo_ws.leads() if lead.get("phone"))
    before = len(list(disk(demo_ws).leads()))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for answer in ("n", "y"):
            await pilot.press("1", "n")
            form = app.screen
            form.query_one("#field-company", Input).value = "Copy Co"
            form.query_one("#field-phone", Input).value = existing["phone"]
            await pilot.press("ctrl+s")
            await pilot.pause(0.1)
            assert isinstance(app.screen, ConfirmScreen)
            assert f"Lead {existing['id'][:10]}" in app.screen.question and "phone number" in app.screen.question
            assert len(list(disk(demo_ws).leads())) == before
            await pilot.press(answer)
            await pilot.pause(0.1)
    copies = [lead for lead in disk(demo_ws).leads() if lead["company"] == "Copy Co"]
    assert len(copies) == 1 and copies[0]["phone"] == existing["phone"]
