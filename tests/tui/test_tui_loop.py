"""The field rep's keys in the TUI (Today: a accepts, x returns with a reason, f rates, w marks a meeting; ctrl+z
takes an answer back) and what they see: the field rep's Today and the KPI tab's handoff view (snapshots)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from istui.domain.handoffs import TASK_REASONS
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.forms import FormScreen, SheetScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded, make_demo

FIELD_REP = "field-kimura"


def field_app(root: Path) -> IstuiApp:
    make_demo(root)
    return IstuiApp(Workspace.open(root, FIELD_REP, clock=fixed_clock), watch_interval=60, status_delay=0)


def disk(root: Path) -> Workspace:
    return Workspace.open(root, FIELD_REP, clock=fixed_clock)


def rows(app: IstuiApp) -> list[dict]:
    return list(app.query_one(TodayPane).table.rows)


async def saved(pilot, root: Path, lead_id: str, done) -> dict:
    for _ in range(60):  # the save runs on the app's own time
        await pilot.pause(0.05)
        lead = disk(root).get_lead(lead_id)
        if done(lead):
            return lead
    return disk(root).get_lead(lead_id)


async def test_the_field_reps_keys(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    app = field_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        first = rows(app)
        assert [row["reason"] for row in first[:4]] == ["handoff_overdue", "handoff_overdue", "handoff_proposed",
                                                       "handoff_proposed"]  # past the SLA on top
        assert {row["reason"] for row in first} <= set(TASK_REASONS)
        accepted = first[0]["id"]
        await pilot.press("a")
        lead = await saved(pilot, root, accepted, lambda lead: lead["handoff"].get("status") == "accepted")
        assert (lead["handoff"]["status"], lead["handoff"]["decided_by"]) == ("accepted", FIELD_REP)
        await pilot.pause(0.2)
        assert accepted not in [row["id"] for row in rows(app)]
        await pilot.press("ctrl+z")  # taken back: proposed again, in Today again
        lead = await saved(pilot, root, accepted, lambda lead: lead["handoff"].get("status") == "proposed")
        assert lead["handoff"]["status"] == "proposed"
        assert not [a for a in disk(root).activities_of_lead(accepted) if a["kind"] == "handoff"]

        returned = rows(app)[1]["id"]
        app.query_one(TodayPane).table.cursor = 1
        await pilot.press("x")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("ctrl+s")  # no reason chosen: refused, the form stays
        await pilot.pause(0.1)
        assert app.screen is form and disk(root).get_lead(returned)["stage"] == "handed_off"
        form.query_one(Select).value = "bad_timing"
        form.query_one("#field-note", Input).value = "来期に再提案"
        await pilot.press("ctrl+s")
        lead = await saved(pilot, root, returned, lambda lead: lead["stage"] == "nurturing")
        assert (lead["stage"], lead["handoff"]["reason"], lead["handoff"]["decision_note"]) == \
            ("nurturing", "bad_timing", "来期に再提案")

        rated = next(row["id"] for row in rows(app) if row["reason"] == "handoff_proposed")
        app.query_one(TodayPane).table.cursor = [row["id"] for row in rows(app)].index(rated)
        await pilot.press("f")
        app.screen.query_one(Select).value = "2"
        app.screen.query_one("#field-note", Input).value = "予算の根拠がほしい"
        await pilot.press("ctrl+s")
        lead = await saved(pilot, root, rated, lambda lead: lead["handoff"].get("rating") == 2)
        assert (lead["handoff"]["rating"], lead["handoff"]["feedback"]) == (2, "予算の根拠がほしい")

        marked = next(row["id"] for row in rows(app) if row["reason"] == "meeting_unmarked")
        app.query_one(TodayPane).table.cursor = [row["id"] for row in rows(app)].index(marked)
        await pilot.press("w")
        app.screen.query_one(Select).value = "no_show"
        await pilot.press("ctrl+s")
        lead = await saved(pilot, root, marked, lambda lead: lead["meeting"].get("status") == "no_show")
        assert (lead["meeting"]["status"], lead["meeting"]["marked_by"]) == ("no_show", FIELD_REP)
        await pilot.pause(0.2)
        assert marked not in [row["id"] for row in rows(app)]


def test_field_reps_today(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(field_app(tmp_path / "demo"), terminal_size=SIZE, run_before=loaded)


def test_handoff_view(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("4")
        await loaded(pilot)
        await pilot.press("T", "m")  # the team's month
        await loaded(pilot)
        await pilot.press("H")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(pilot.app.screen, SheetScreen):
                break
        await pilot.pause(0.3)

    assert snap_compare(field_app(tmp_path / "demo"), terminal_size=SIZE, run_before=run_before)


async def test_a_returned_lead_is_handed_off_again_from_the_last_sheet(tmp_path: Path) -> None:
    from istui.services import handoff_loop

    root = tmp_path / "demo"
    make_demo(root)
    sato = Workspace.open(root, "sato", clock=fixed_clock)
    lead_id = next(lead["id"] for lead in sato.leads() if lead.get("owner") == "sato" and lead["stage"] == "working")
    handoff_loop.hand_off(sato, lead_id, FIELD_REP, {"budget": "300万円", "authority": "部長", "need": "リード管理",
                                                     "timeline": "来期"})
    handoff_loop.reject(disk(root), lead_id, "no_authority", "役員決裁でした")
    returned = sato.get_lead(lead_id)
    app = IstuiApp(Workspace.open(root, "sato", clock=fixed_clock), watch_interval=60, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert [row["reason"] for row in rows(app) if row["id"] == lead_id] == ["returned"]
        await pilot.press("1")  # the Leads tab: h hands the selected lead off
        pane = app.query_one(LeadsPane)
        pane.table.cursor = next(i for i, row in enumerate(pane.table.rows) if row["id"] == lead_id)
        await pilot.pause(0.1)
        await pilot.press("h")
        form = app.screen
        assert isinstance(form, FormScreen)
        sheet = returned["handoff"]
        assert form.query_one("#field-to", Select).value == sheet["to"]
        for name in ("budget", "authority", "need", "timeline"):
            assert form.query_one(f"#field-{name}", Input).value == sheet[name], name
        form.query_one("#field-authority", Input).value = "役員決裁（同席済み）"
        await pilot.press("ctrl+s")
        lead = await saved(pilot, root, returned["id"], lambda lead: lead["handoff"].get("status") == "proposed")
        assert (lead["handoff"]["round"], lead["handoff"]["authority"], lead["handoff"]["need"]) == \
            (2, "役員決裁（同席済み）", sheet["need"])


async def test_a_meeting_called_off_by_keys_and_its_cancellation_written(tmp_path: Path) -> None:
    """w offers 'called off' beside held and no-show (before the meeting too); b then makes the cancellation."""
    import icalendar

    from istui.domain.handoffs import attendees

    root = tmp_path / "demo"
    make_demo(root)
    sato = Workspace.open(root, "sato", clock=fixed_clock)
    now = sato.now().isoformat()
    lead_id = next(lead["id"] for lead in sato.leads() if lead.get("owner") == "sato" and (lead.get("meeting_at") or "") > now
                   and not (lead.get("meeting") or {}).get("status") and [p for p in attendees(lead) if p != "sato"])
    app = IstuiApp(Workspace.open(root, "sato", clock=fixed_clock), watch_interval=60, status_delay=0)
    path = tmp_path / "cancel.ics"
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        pane = app.query_one(LeadsPane)
        pane.table.cursor = next(i for i, row in enumerate(pane.table.rows) if row["id"] == lead_id)
        await pilot.pause(0.1)
        await pilot.press("w")
        app.screen.query_one(Select).value = "called_off"
        await pilot.press("ctrl+s")
        lead = await saved(pilot, root, lead_id, lambda lead: not lead.get("meeting_at"))
        assert lead["meeting_history"][-1]["status"] == "called_off" and lead.get("meeting_at") is None
        await pilot.pause(0.2)
        pane.table.cursor = next(i for i, row in enumerate(pane.table.rows) if row["id"] == lead_id)
        await pilot.press("b")
        form = app.screen
        assert isinstance(form, FormScreen) and "Cancellation of the meeting with" in form.form_title
        form.query_one("#field-path", Input).value = str(path)
        await pilot.press("ctrl+s")
        for _ in range(40):
            await pilot.pause(0.05)
            if path.exists():
                break
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(calendar["METHOD"]) == "CANCEL" and str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
