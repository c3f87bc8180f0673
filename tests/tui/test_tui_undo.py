"""The app's one undo history: ctrl+z takes back the latest action, whatever it was (a call logged in a
call block, also from its note field and after the block ended; a plan saved as targets; a lead deleted),
and says what it undid; saving a plan asks first, showing each target's old → new value."""

from __future__ import annotations

import json

from rich.console import Console
from textual.widgets import Input, Static

from istui.store.workspace import Record, Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import BlockSummary, CallBlockScreen
from istui.tui.screens.plan import PlanScreen, SavePlanScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded


def disk(ws: Workspace) -> Workspace:
    """A fresh view of the workspace, as another process would read it."""
    return Workspace.open(ws.root, "sato", clock=fixed_clock)


def as_json(record: Record) -> str:
    return json.dumps({k: v for k, v in record.items() if k != "reason"}, sort_keys=True)


def toasts(app: IstuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def team_targets(ws: Workspace, per: str = "month") -> dict[str, float]:
    return {t["metric"]: t["value"] for t in disk(ws).targets() if t.get("rep") is None and t["per"] == per
            and t.get("motion") is None}


async def test_ctrl_z_in_the_note_field_undoes_the_call(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lead_id = app.query_one(TodayPane).table.rows[0]["id"]
        before_lead = disk(demo_ws).get_lead(lead_id)
        before_history = [a["id"] for a in disk(demo_ws).activities_of_lead(lead_id)]
        await pilot.press("c", "6")  # meeting booked: written at once, and the lead moves to stage meeting
        block = app.screen
        assert isinstance(block, CallBlockScreen) and isinstance(app.focused, Input)
        assert disk(demo_ws).get_lead(lead_id)["stage"] == "meeting"
        await pilot.press(*"us", "ctrl+z")  # u and s are text in the note field; ctrl+z still undoes
        assert [a["id"] for a in disk(demo_ws).activities_of_lead(lead_id)] == before_history
        after = disk(demo_ws).get_lead(lead_id)
        assert {k: after.get(k) for k in before_lead if k not in ("updated_at", "updated_by")} == \
            {k: v for k, v in before_lead.items() if k not in ("updated_at", "updated_by")}
        assert block.pending is None and block.lead["id"] == lead_id and block.stats.dials == 0
        company = before_lead["company"]
        assert company.endswith(".")  # "Wonka Energy K.K.": no second period after it
        assert toasts(app)[-1] == f"Undone: call meeting_booked アポ獲得 for {company}"
        await pilot.press("ctrl+z")  # the history is empty now: nothing older is touched
        assert toasts(app)[-1] == "Nothing to undo."


async def test_the_block_footer_shows_ctrl_z_while_typing_a_note(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("c", "2")
        block = app.screen
        shown = {binding.key for _, binding, enabled, _ in block.active_bindings.values() if binding.show and enabled}
        assert "ctrl+z" in shown and "u" not in shown and "s" not in shown
        assert "ctrl+z" in str(block.query_one("#block-right").query(Static)[2].content)


async def test_undo_after_the_block_ended(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        queue = [row["id"] for row in app.query_one(TodayPane).table.rows]
        before_first = [a["id"] for a in disk(demo_ws).activities_of_lead(queue[0])]
        before_second = disk(demo_ws).get_lead(queue[1])
        await pilot.press("c", "2", "enter", "8", *"call me", "tab", *"tomorrow 10am", "enter", "escape")
        await pilot.pause(0.05)
        assert isinstance(app.screen, BlockSummary)
        await pilot.press("enter")
        assert disk(demo_ws).get_lead(queue[1])["next_at"] == "2026-11-28T10:00:00+09:00"
        await pilot.press("ctrl+z")  # the callback, with the follow-up its prompt added
        second = disk(demo_ws).get_lead(queue[1])
        assert second.get("next_at") == before_second.get("next_at")
        assert all(a.get("note") != "call me" for a in disk(demo_ws).activities_of_lead(queue[1]))
        assert toasts(app)[-1].startswith("Undone: call ")
        await pilot.press("ctrl+z")  # then the no-answer
        assert [a["id"] for a in disk(demo_ws).activities_of_lead(queue[0])] == before_first


async def open_plan(pilot) -> PlanScreen:
    app = pilot.app
    await pilot.press("4", "P", *"3000万", "ctrl+s")
    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(app.screen, PlanScreen) and app.screen.result:
            break
    assert isinstance(app.screen, PlanScreen)
    return app.screen


async def test_plan_save_asks_with_old_and_new_and_cancel_writes_nothing(app: IstuiApp, demo_ws: Workspace) -> None:
    before = team_targets(demo_ws)
    files = {p: p.read_bytes() for p in demo_ws.root.glob("targets*")}
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        plan = await open_plan(pilot)
        await pilot.press("s")
        ask = app.screen
        assert isinstance(ask, SavePlanScreen)
        by_metric = {c["metric"]: c for c in ask.changes}
        assert by_metric["amount"]["new"] == 30_000_000 and by_metric["amount"]["old"] == before.get("amount")
        assert {m: c["old"] for m, c in by_metric.items()} == {m: before.get(m) for m in by_metric}
        console = Console(width=120, record=True)
        console.print(ask.query_one("#plan-save-changes", Static).content)
        shown = console.export_text()
        assert "→ ¥30,000,000" in shown
        old_calls = before.get("calls")
        assert (f"{old_calls:,.0f}" if old_calls is not None else "none") in shown
        await pilot.press("n")
        assert app.screen is plan
        assert team_targets(demo_ws) == before
        assert {p: p.read_bytes() for p in demo_ws.root.glob("targets*")} == files
        await pilot.press("s", "y")
        await pilot.pause(0.05)
        saved = team_targets(demo_ws)
        assert saved["amount"] == 30_000_000 and saved != before


async def test_ctrl_z_undoes_the_plan_save_before_an_earlier_delete(app: IstuiApp, demo_ws: Workspace) -> None:
    before = team_targets(demo_ws)
    all_before = sorted(json.dumps(t, sort_keys=True) for t in disk(demo_ws).targets())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        lead = app.query_one(LeadsPane).table.current
        await pilot.press("delete", "y")
        assert lead["id"] not in disk(demo_ws).lead_ids()
        await open_plan(pilot)
        await pilot.press("s", "y")
        await pilot.pause(0.05)
        assert team_targets(demo_ws) != before
        await pilot.press("ctrl+z")  # the latest action: the plan save, not the delete
        assert team_targets(demo_ws) == before
        restored = sorted(json.dumps({k: v for k, v in t.items() if k not in ("updated_at", "updated_by")}, sort_keys=True)
                          for t in disk(demo_ws).targets())
        assert restored == sorted(json.dumps({k: v for k, v in json.loads(t).items() if k not in ("updated_at", "updated_by")},
                                             sort_keys=True) for t in all_before)
        assert lead["id"] not in disk(demo_ws).lead_ids()
        assert toasts(app)[-1].startswith("Undone: save of the plan")
        await pilot.press("ctrl+z")  # then the delete
        assert as_json(disk(demo_ws).get_lead(lead["id"])) == as_json(lead)


async def test_an_edit_is_undone_before_an_older_delete(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        pane = app.query_one(LeadsPane)
        deleted = pane.table.current
        await pilot.press("delete", "y", "down")
        edited = pane.table.current
        assert edited["id"] != deleted["id"]
        await pilot.press("e")
        form = app.screen
        form.query_one("#field-contact", Input).value = "Someone Else"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert disk(demo_ws).get_lead(edited["id"])["contact"] == "Someone Else"
        await pilot.press("ctrl+z")
        assert disk(demo_ws).get_lead(edited["id"]).get("contact") == edited.get("contact")
        assert deleted["id"] not in disk(demo_ws).lead_ids()
        assert toasts(app)[-1] == f"Undone: edit of {edited['company'].removesuffix('.')}."  # K.K. gets no second period


async def test_an_action_that_cannot_be_undone_says_so_and_what_is_next(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        deleted = app.query_one(LeadsPane).table.current
        await pilot.press("delete", "y", "3", "n")
        form = app.screen
        form.query_one("#field-title", Input).value = "Pricing objection, 2027"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert any(n["title"] == "Pricing objection, 2027" for n in disk(demo_ws).notes())
        await pilot.press("ctrl+z")  # the note stays, the delete is not undone behind the rep's back
        assert toasts(app)[-1] == (f"The latest action (new note Pricing objection, 2027) cannot be undone. "
                                   f"ctrl+z again undoes: delete of {deleted['company']}.")
        assert deleted["id"] not in disk(demo_ws).lead_ids()
        assert any(n["title"] == "Pricing objection, 2027" for n in disk(demo_ws).notes())
        await pilot.press("ctrl+z")
        assert deleted["id"] in disk(demo_ws).lead_ids()


async def test_undo_after_later_logs_elsewhere_takes_back_only_the_call(app: IstuiApp, demo_ws: Workspace) -> None:
    """Finding 1: later logs from the CLI wrote the same stage and follow-up again; ctrl+z in the TUI removes its
    call only, and the lead stays worked."""
    from istui.services.leads import log_activity

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lead_id = app.query_one(TodayPane).table.rows[0]["id"]
        await pilot.press("c", "2", "enter", "escape")
        await pilot.pause(0.05)
        if isinstance(app.screen, BlockSummary):
            await pilot.press("enter")
        first = disk(demo_ws).get_lead(lead_id)
        assert first["stage"] == "working"
        mine = [a["id"] for a in disk(demo_ws).activities_of_lead(lead_id)][-1]
        for outcome, when in (("no_answer", None), ("busy", "+2d"), ("no_answer", None)):
            log_activity(disk(demo_ws), lead_id, "call", outcome, next_when=when)
        assert disk(demo_ws).get_lead(lead_id)["next_at"] == first["next_at"]
        await pilot.press("ctrl+z")
        await pilot.pause()
        after = disk(demo_ws).get_lead(lead_id)
        assert (after["stage"], after["next_at"]) == ("working", first["next_at"])
        calls = disk(demo_ws).activities_of_lead(lead_id)
        assert mine not in [a["id"] for a in calls] and len([a for a in calls if a["kind"] == "call"]) >= 3
        assert toasts(app)[-1].endswith("only the logged activity was taken back; the lead stays as it is.")
