"""What a rep does in the TUI, by keyboard alone, checked against the workspace on disk afterwards."""

from __future__ import annotations

import json

from textual.widgets import Input, Select, Static, TabbedContent

from istui.services.leads import log_activity
from istui.services.today import TODAY_ORDER
from istui.store.settings import user_config
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import BlockSummary, CallBlockScreen
from istui.tui.screens.forms import FormScreen, SheetScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded, start_call_block


def disk(ws: Workspace) -> Workspace:
    """A fresh view of the workspace, as another process would read it."""
    return Workspace.open(ws.root, "sato", clock=fixed_clock)


async def test_opens_on_today_with_queue_and_progress_strip(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.query_one(TabbedContent).active == "today"
        today = app.query_one(TodayPane)
        reasons = [row["reason"] for row in today.table.rows]
        assert reasons and reasons == sorted(reasons, key=TODAY_ORDER.index)
        strip = str(app.query_one("#istui-strip", Static).content)
        assert strip.startswith("Today: calls ") and "/60" in strip and "meetings" in strip
        month = strip.split("Month: ")[1]  # the rep's month targets with their pace
        # 10:30 on the 27th: 17 + 1.5/9 of November's 19 working days gone; 18 × 17.17 / 19 = 16.3 meetings
        # expected (16 is on pace), 60 × 17.17 / 19 = 54.2 e-mails (76 is ahead by 22)
        assert "meetings 16/18" in month and "meetings 16/18 behind" not in month and "emails 76/60 ahead by 22" in month
        for key, tab in (("1", "leads"), ("3", "notes"), ("4", "kpi"), ("2", "today")):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert app.query_one(TabbedContent).active == tab


async def test_filter_as_you_type(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1", "slash", *"東洋")
        pane = app.query_one(LeadsPane)
        rows = pane.table.rows
        assert rows and all("東洋" in row["company"] for row in rows)
        assert len(rows) == sum("東洋" in lead["company"] for lead in app.leads)
        await pilot.press("enter", "H")  # to the table, then the saved view of hot leads
        assert all(row["temp"] == "hot" and "東洋" in row["company"] for row in pane.table.rows)
        await pilot.press("1")  # inside the table, 1 is the Leads tab again, not typed text
        assert app.query_one("#lead-filter", Input).value == "東洋"


async def test_an_empty_lead_table_says_why(app: IstuiApp) -> None:
    """A filter that matches nothing says what was typed (and, before the leads are read, the table says so)."""
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(LeadsPane)
        await loaded(pilot)
        await pilot.press("1", "slash", *"zzqx")
        await pilot.pause(0.05)
        assert pane.table.rows == []
        assert pane.table.render_line(1).text.strip() == "No lead matches “zzqx”."
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert pane.table.rows and pane.table.placeholder == ""


async def test_new_lead_shows_the_field_error_then_saves(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = len(list(disk(demo_ws).leads()))
        await pilot.press("1", "n")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"Kobe Trading", "tab")
        form.query_one("#field-company_kana", Input).value = "コウベトレーディング"  # typed through an IME
        await pilot.press("tab", *"Ken Ito", "tab", "tab", "tab", *"12345")
        await pilot.press("ctrl+s")
        assert app.screen is form
        error = form.query_one("#error-phone", Static)
        assert "phone: '12345' is not a phone number" in str(error.content)
        assert error.display and error.region.height >= 1  # shown on screen, not only set
        assert not form.query_one("#error-email", Static).display
        assert len(list(disk(demo_ws).leads())) == before
        form.query_one("#field-phone", Input).focus()
        await pilot.press("backspace")
        await pilot.pause(0.05)
        assert error.display  # "1234" is no phone number either
        form.query_one("#field-phone", Input).value = "078-123-4567"
        await pilot.pause(0.05)
        assert not error.display  # fixed: the error goes before the save
        form.query_one("#field-next", Input).value = "tomorrow 10am"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, FormScreen)
        added = [lead for lead in disk(demo_ws).leads() if lead["company"] == "Kobe Trading"]
        assert len(added) == 1
        assert (added[0]["contact"], added[0]["phone"], added[0]["next_at"]) == ("Ken Ito", "078-123-4567",
                                                                                 "2026-11-28T10:00:00+09:00")
        assert added[0]["company_kana"] == "コウベトレーディング"


async def test_call_block_logs_outcomes_notes_follow_ups_and_undo(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        queue = [row["id"] for row in app.query_one(TodayPane).table.rows]
        await pilot.press("c")
        block = app.screen
        assert isinstance(block, CallBlockScreen)
        await pilot.press("2", "enter")  # a no-answer: one key plus Enter
        await pilot.press("8", *"先方会議中", "tab", *"tomorrow 10am", "enter")
        await pilot.press("6", "enter")
        assert block.index == 3 and (block.stats.dials, block.stats.connects, block.stats.meetings) == (3, 2, 1)
        fresh = disk(demo_ws)
        first, second, third = (fresh.activities_of_lead(lead_id)[-1] for lead_id in queue[:3])
        assert (first["outcome"], second["outcome"], third["outcome"]) == ("no_answer", "callback", "meeting_booked")
        assert second["note"] == "先方会議中"
        assert fresh.get_lead(queue[1])["next_at"] == "2026-11-28T10:00:00+09:00"
        assert fresh.get_lead(queue[2])["stage"] == "meeting"
        await pilot.press("u")  # undo the meeting: activity gone, stage back, the lead is shown again
        fresh = disk(demo_ws)
        assert fresh.activities_of_lead(queue[2])[-1]["outcome"] != "meeting_booked" or \
            fresh.activities_of_lead(queue[2])[-1]["id"] != third["id"]
        assert fresh.get_lead(queue[2])["stage"] != "meeting"
        assert block.lead["id"] == queue[2] and block.stats.meetings == 0
        await pilot.press("s")  # skip it
        assert block.lead["id"] == queue[3]
        await pilot.press("escape")
        await pilot.pause(0.05)
        assert isinstance(app.screen, BlockSummary)
        assert "dials 2 · connects 1 · meetings 0" in app.screen.summary


async def test_call_block_bad_follow_up_stays_with_a_message(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("c", "5", "tab", *"someday", "enter")
        block = app.screen
        assert block.index == 0 and block.pending is not None
        assert "next: cannot read 'someday'" in str(block.query_one("#prompt-error", Static).content)


async def test_stage_to_won_asks_for_the_amount(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        lead = app.query_one(LeadsPane).table.current
        await pilot.press("s")
        form = app.screen
        form.query_one(Select).value = "won"
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "needs the order amount" in str(form.query_one("#error-amount", Static).content)
        assert form.query_one("#error-amount", Static).display
        form.query_one("#field-amount", Input).value = "0"  # an order of nothing is asked for again
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "needs the order amount" in str(form.query_one("#error-amount", Static).content)
        form.query_one("#field-amount", Input).value = "12,00"  # a misplaced separator is refused, not guessed at
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "wrong place" in str(form.query_one("#error-amount", Static).content)
        form.query_one("#field-amount", Input).value = "120万"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        saved = disk(demo_ws).get_lead(lead["id"])
        assert (saved["stage"], saved["amount"]) == ("won", 1_200_000)


async def test_handoff_records_bant_and_shows_the_sheet(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        lead = app.query_one(LeadsPane).table.current
        await pilot.press("h")
        recipient = app.screen.query_one("#field-to", Select)  # the roster's field-sales people
        assert [key for _label, key in recipient._options if key != Select.NULL] == ["field-kimura", "field-lee", "field-mori"]
        recipient.value = "field-kimura"
        await pilot.press("tab", *"300万円", "tab", *"部長決裁", "tab", *"工数削減", "tab", *"来期4月")
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert isinstance(app.screen, SheetScreen)
        assert "**Budget**: 300万円" in app.screen.markdown
        saved = disk(demo_ws).get_lead(lead["id"])
        assert saved["stage"] == "handed_off" and saved["handoff"]["to"] == "field-kimura"
        assert saved["handoff"]["timeline"] == "来期4月"


async def test_note_create_and_search(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("3", "n", *"Gatekeeper script", "tab", "tab", *"gatekeeper, 初回", "tab", *"Ask for the 担当者 by role.")
        await pilot.press("ctrl+s")
        await loaded(pilot)
        notes = {n["title"]: n for n in disk(demo_ws).notes()}
        assert notes["Gatekeeper script"]["tags"] == ["gatekeeper", "初回"]
        assert notes["Gatekeeper script"]["body"] == "Ask for the 担当者 by role."
        await pilot.press("slash", *"担当者 by")
        pane = app.query_one("#notes-table")
        assert [row["title"] for row in pane.rows] == ["Gatekeeper script"]


async def test_theme_switch_is_remembered(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "istui-dark"
        await pilot.press("ctrl+t")
        assert app.theme != "istui-dark"
        assert user_config()["theme"] == app.theme
    again = IstuiApp(app.ws)
    assert again.theme == user_config()["theme"]


async def test_a_cli_write_shows_up_live(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        strip = str(app.query_one("#istui-strip", Static).content)
        calls = int(strip.split("calls ")[1].split("/")[0])
        other = Workspace.open(demo_ws.root, "sato", clock=fixed_clock)  # another process, as `istui log call` is
        lead_id = next(iter(other.lead_ids()))
        log_activity(other, lead_id, "call", "no_answer")
        for _ in range(50):
            await pilot.pause(0.05)
            if f"calls {calls + 1}/" in str(app.query_one("#istui-strip", Static).content):
                break
        assert f"calls {calls + 1}/" in str(app.query_one("#istui-strip", Static).content)


async def test_delete_with_confirmation_and_undo(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        lead = app.query_one(LeadsPane).table.current
        await pilot.press("delete", "n")
        assert lead["id"] in disk(demo_ws).lead_ids()
        await pilot.press("delete", "y")
        assert lead["id"] not in disk(demo_ws).lead_ids()
        await pilot.press("ctrl+z")
        restored = disk(demo_ws).get_lead(lead["id"])
        assert json.dumps(restored, sort_keys=True) == json.dumps({k: v for k, v in lead.items() if k != "reason"},
                                                                  sort_keys=True)


async def test_keys_can_be_remapped_in_the_user_config(demo_ws: Workspace) -> None:
    from istui.store.settings import save_user_setting

    save_user_setting("keymap", {"tab-kpi": "f4", "today-call-block": "ctrl+b"})
    app = IstuiApp(demo_ws, watch_interval=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+b")
        assert isinstance(app.screen, CallBlockScreen)
        await pilot.press("escape", "enter", "f4")
        assert app.query_one(TabbedContent).active == "kpi"


async def test_help_lists_every_tab_and_the_call_block_keys(app: IstuiApp) -> None:
    from rich.console import Console

    from istui.tui.screens.help import HelpScreen, help_table

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(help_table(app.screen.sections))
        text = console.export_text()
        for expected in ("Leads", "Today", "Notes", "KPI", "Call block", "do_not_call", "架電NG", "Filter", "Command palette"):
            assert expected in text, expected
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_finds_a_lead_by_name(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        target = next(lead for lead in app.leads if lead["company"].isascii())
        await pilot.press("ctrl+p")
        await pilot.press(*f"go to lead {target['company'][:12]}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.query_one(TabbedContent).active == "leads"
        assert app.query_one(LeadsPane).table.current["company"].startswith(target["company"][:12])


async def test_review_screen_and_plan_view(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("4", "m")
        await loaded(pilot)
        await pilot.press("R")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, SheetScreen):
                break
        assert isinstance(app.screen, SheetScreen)
        assert app.screen.markdown.startswith("# Review · sato · November 2026 (vs October 2026 through Tue 2026-10-27 10:30)")
        assert "## Focus for the next period" in app.screen.markdown
        await pilot.press("escape", "P", *"3000万")
        await pilot.press("ctrl+s")
        for _ in range(100):
            await pilot.pause(0.05)
            if getattr(app.screen, "result", None):
                break
        plan = app.screen.result
        assert plan["revenue"] == 30_000_000 and plan["period"]["kind"] == "month"
        calls = next(row for row in plan["steps"] if row["metric"] == "calls")["needed"]
        await pilot.press("s", "y")  # saving asks first
        targets = {(t["metric"], t["per"]): t["value"] for t in disk(demo_ws).targets() if t["rep"] is None}
        assert targets[("amount", "month")] == 30_000_000 and targets[("calls", "month")] == calls


async def test_call_block_notes_key_marks_the_script_used(app: IstuiApp, demo_ws: Workspace) -> None:
    from istui.tui.screens.callblock import NotePicker

    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        lead_id = block.lead["id"]
        await pilot.press("k")
        picker = app.screen
        assert isinstance(picker, NotePicker) and picker.notes
        chosen = picker.notes[0]["id"]
        await pilot.press("enter")
        assert app.screen is block and block.script == chosen
        await pilot.press("1", "enter")
        logged = disk(demo_ws).activities_of_lead(lead_id)[-1]
        assert (logged["outcome"], logged["script"]) == ("connected", chosen)


async def test_user_themes_from_the_config_folder(demo_ws: Workspace, isolated_home) -> None:
    from istui.locations import user_themes_dir

    folder = user_themes_dir()
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('name = "my-team"\nprimary = "#FF8800"\ndark = true\n', encoding="utf-8")
    (folder / "broken.toml").write_text("name = \n", encoding="utf-8")
    app = IstuiApp(demo_ws)
    assert "my-team" in app.theme_names and "istui-dark" in app.theme_names
    assert any("broken.toml" in problem for problem in app.theme_problems)  # reported, not fatal
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.set_theme("my-team")
        assert app.theme == "my-team" and user_config()["theme"] == "my-team"


async def test_kpi_tab_reuses_an_unchanged_report_and_follows_new_calls(app: IstuiApp, demo_ws: Workspace) -> None:
    from istui.tui.panes.kpi import KpiPane

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("4", "m", "T")
        await loaded(pilot)
        kpi = app.query_one(KpiPane)
        month = kpi.report
        assert month["scope"]["team"] and month["period"]["kind"] == "month"
        await pilot.press("w")
        await loaded(pilot)
        assert kpi.report["period"]["kind"] == "week"
        await pilot.press("m")
        assert kpi.report is month  # nothing changed on disk: shown at once, not computed again
        other = Workspace.open(demo_ws.root, "ben", clock=fixed_clock)  # a teammate's process
        log_activity(other, next(iter(other.lead_ids())), "call", "meeting_booked")
        for _ in range(60):
            await pilot.pause(0.05)
            if kpi.report is not month and not any(w.is_running for w in app.workers):
                break
        assert kpi.report["metrics"]["calls"] == month["metrics"]["calls"] + 1
        assert kpi.report["metrics"]["meetings"] == month["metrics"]["meetings"] + 1
        board = {row["rep"]: row["calls"] for row in kpi.report["leaderboard"]}
        assert board["ben"] == {row["rep"]: row["calls"] for row in month["leaderboard"]}["ben"] + 1


async def test_the_stage_form_never_assumes_a_stage(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        lead = app.query_one(LeadsPane).table.current
        await pilot.press("s")
        form = app.screen
        await pilot.press("ctrl+s")  # saved at once: nothing is changed, the field asks
        assert app.screen is form and "choose the new stage" in str(form.query_one("#error-stage", Static).content)
        await pilot.press("escape")
        assert disk(demo_ws).get_lead(lead["id"])["stage"] == lead["stage"]
