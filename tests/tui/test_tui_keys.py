"""Keys do what they say: esc leaves the filter and the search, keys right after a tab switch reach the new tab,
the table keeps its stated sort after a write, keys remapped in `[keymap]` are named everywhere, the handoff
sheet can be shown again and the phone copied in one key."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Select, Static, TabbedContent

from istui.domain.model import Stage
from istui.domain.queue import QUEUE_REASONS
from istui.store.settings import save_user_setting
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import STAGE_ORDER, LeadsPane, sort_records
from istui.tui.panes.notes import NotesPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen
from istui.tui.screens.forms import FormScreen, SheetScreen
from istui.tui.screens.help import HelpScreen, help_table

from tui_support import SIZE, loaded, start_call_block, start_lead_form


def remapped_app(demo_ws: Workspace, keymap: dict[str, str]) -> IstuiApp:
    save_user_setting("keymap", keymap)
    return IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)


def rendered(renderable) -> str:
    from rich.console import Console

    console = Console(width=140, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def messages(app: IstuiApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_esc_leaves_the_leads_filter_and_the_next_key_is_a_command(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = app.query_one(LeadsPane)
        await pilot.press("1", "slash", *"東洋")
        filtered = len(pane.table.rows)
        await pilot.press("escape")
        assert app.focused is pane.table
        await pilot.press("o")  # a command again: the sort moves on, nothing is typed into the filter
        assert app.query_one("#lead-filter", Input).value == "東洋"
        assert pane.sort_key == "company" and len(pane.table.rows) == filtered
        assert "sort: company ▲" in str(app.query_one("#leads-status", Static).content)


async def test_esc_leaves_the_notes_search_and_the_next_key_is_a_command(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        await loaded(pilot)
        await pilot.press("slash", *"zz")
        await pilot.press("escape")
        assert app.focused is app.query_one(NotesPane).table
        await pilot.press("n")
        assert isinstance(app.screen, FormScreen)
        assert app.query_one("#note-search", Input).value == "zz"


async def test_keys_pressed_right_after_a_tab_switch_reach_the_new_tab(app: IstuiApp) -> None:
    """`2` then `c` in one burst (typed fast, or pasted by tmux): the call block starts on Today's queue, every time."""
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        queue = [row["id"] for row in app.query_one(TodayPane).table.rows if row["reason"] in QUEUE_REASONS]  # (no tasks)
        for _ in range(9):
            await pilot.press("1")
            await pilot.pause(0.05)
            for key in ("2", "c"):  # no pause between them: the second key arrives before the switch settles
                event = events.Key(key, key)
                event.set_sender(app)
                app.post_message(event)
            await pilot.pause(0.2)
            block = app.screen
            assert isinstance(block, CallBlockScreen)
            assert [lead["id"] for lead in block.queue] == queue  # Today's queue, not the Leads tab's lead
            await pilot.press("escape", "escape")
            await pilot.pause(0.05)
            assert app.screen is app.screen_stack[0]


def burst(app: IstuiApp, *keys: str) -> None:
    """Keys arriving together (typed fast, pasted, or sent by tmux): all queued before the first is handled."""
    for key in keys:
        character = {"tab": "\t", "slash": "/"}.get(key, key if len(key) == 1 else None)
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


async def test_text_typed_right_behind_the_filter_key_is_the_filter(app: IstuiApp) -> None:
    """`/東洋` in one burst on the Leads tab, and `/zz` on the Notes tab: every character after `/` lands in the
    filter (a pane's own binding ran after the next keys had gone to the table); `/` typed in the filter is text."""
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        await pilot.pause(0.05)
        burst(app, "slash", *"東洋", "slash")
        await pilot.pause(0.3)
        assert app.query_one("#lead-filter", Input).value == "東洋/"
        await pilot.press("escape", "3")
        await loaded(pilot)
        burst(app, "slash", *"zz")
        await pilot.pause(0.3)
        assert app.query_one("#note-search", Input).value == "zz"
        await pilot.press("escape")
        burst(app, "1", "slash", *"abc")  # a tab key, then the filter key and text, all in one burst
        await pilot.pause(0.3)
        assert app.query_one(TabbedContent).active == "leads"
        assert app.query_one("#lead-filter", Input).value == "abc"  # (the old filter, selected on focus, replaced)
        assert app.query_one("#note-search", Input).value == "zz"
        await pilot.press("escape", "2")
        burst(app, "3", "slash", "q")
        await pilot.pause(0.3)
        assert app.query_one(TabbedContent).active == "notes" and app.query_one("#note-search", Input).value == "q"


async def test_keys_typed_right_behind_an_outcome_digit_land_in_the_note_and_the_follow_up(app: IstuiApp) -> None:
    """`2 c a l l tab + 2 h` in one burst: the call is logged, "call" is its note, "+2h" its follow-up; a digit and
    `u` typed in the note are text (no second log, no undo)."""
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        burst(app, "2", *"call u3", "tab", *"+2h")
        await pilot.pause(0.3)
        assert block.pending is not None and len(block.history) == 1
        assert block.query_one("#prompt-note", Input).value == "call u3"
        assert block.query_one("#prompt-next", Input).value == "+2h"
        await pilot.press("enter")
        await pilot.pause(0.2)
        logged = block.history[-1]
        assert logged.activity["outcome"] == "no_answer" and logged.activity["note"] == "call u3"
        assert logged.lead["next_at"] == "2026-11-27T12:30:00+09:00"  # +2h from 10:30, not the schedule's default


async def test_outcomes_and_enters_in_one_burst_log_one_call_per_lead(app: IstuiApp) -> None:
    """`2 Enter 3 Enter 4 Enter`, typed fast: three calls on three leads (Enter saves as it arrives)."""
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        leads = [lead["id"] for lead in block.queue[:3]]
        burst(app, "2", "enter", "3", "enter", "4", "enter")
        await pilot.pause(0.5)
        assert [(logged.activity["lead"], logged.activity["outcome"]) for logged in block.history] == list(
            zip(leads, ["no_answer", "voicemail", "busy"], strict=True))
        assert block.index == 3 and block.pending is None


async def test_fields_and_enters_in_one_burst_fill_one_field_each(app: IstuiApp) -> None:
    """The lead form, typed fast: `A Enter B Enter C` fills company, its reading and the contact."""
    async with app.run_test(size=SIZE) as pilot:
        form = await start_lead_form(pilot)
        burst(app, "A", "enter", "ア", "enter", "C")
        await pilot.pause(0.3)
        assert [form.query_one(f"#field-{name}", Input).value for name in ("company", "company_kana", "contact")] == \
            ["A", "ア", "C"]


async def test_a_stage_change_keeps_the_stated_sort_and_the_cursor_follows_the_lead(demo_ws: Workspace) -> None:
    app = IstuiApp(demo_ws, watch_interval=60, status_delay=0)  # no reload from disk: the write alone places the row
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = app.query_one(LeadsPane)
        await pilot.press("1", "o", "o")  # sort: stage ▲
        assert (pane.sort_key, pane.sort_reverse) == ("stage", False)
        table = pane.table
        table.cursor = next(i for i, row in enumerate(table.rows) if row["stage"] == Stage.WORKING)
        await pilot.pause(0.1)
        lead = table.current
        await pilot.press("s")
        app.screen.query_one(Select).value = "lost"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        stages = [STAGE_ORDER[row["stage"]] for row in table.rows]
        assert stages == sorted(stages)  # no row pinned out of order under "sort: stage ▲"
        assert table.current["id"] == lead["id"] and table.current["stage"] == "lost"
        assert table.cursor > 0 and table.rows[table.cursor - 1]["stage"] in ("lost", "won", "handed_off")


async def test_a_new_lead_goes_where_the_sort_puts_it(demo_ws: Workspace) -> None:
    app = IstuiApp(demo_ws, watch_interval=60, status_delay=0)  # no reload from disk: the write alone places the row
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = app.query_one(LeadsPane)
        await pilot.press("1", "o")  # sort: company ▲
        await pilot.press("n", *"Mmm Added KK")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        rows = pane.table.rows
        assert [row["id"] for row in rows] == [row["id"] for row in sort_records(rows, "company", False)]
        assert rows[0]["company"] != "Mmm Added KK" and pane.table.current["company"] == "Mmm Added KK"


async def test_log_dialogs_name_the_lead(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("1")
        company = app.query_one(LeadsPane).table.current["company"]
        for keys, title in ((("l",), "Log a call: "), (("m", "end", "enter"), "Log an e-mail: ")):  # m: the templates, then
            await pilot.press(*keys)  # "log an e-mail sent elsewhere" (the last choice)
            await pilot.pause(0.05)
            assert isinstance(app.screen, FormScreen) and app.screen.form_title == title + company
            await pilot.press("escape")


async def test_remapped_keys_are_named_in_every_hint(demo_ws: Workspace) -> None:
    app = remapped_app(demo_ws, {"today-call-block": "ctrl+b", "leads-filter": "z", "kpi-team": "X",
                                 "call-copy-phone": "y", "call-outcome-2": "n", "form-save": "ctrl+w"})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        summary = str(app.query_one("#today-summary", Static).content)
        assert "ctrl+b starts a call block" in summary and " c starts" not in summary
        await pilot.press("ctrl+b")
        block = app.screen
        assert isinstance(block, CallBlockScreen)
        texts = " ".join(str(widget.content) for widget in block.query(Static))
        assert "y copy phone" in texts and "Press an outcome key (1 n 3 4 5 6 7 8 9 0)" in texts
        assert "n no_answer" in rendered(block.query_one("#block-keys", Static).content)
        await pilot.press("escape", "escape", "1")
        assert app.query_one("#lead-filter", Input).placeholder.startswith("z filter:")
        await pilot.press("n")
        assert "ctrl+w saves · esc cancels" in " ".join(str(widget.content) for widget in app.screen.query(".hint"))
        await pilot.press("escape", "4")
        await loaded(pilot)
        assert "T: me/team" not in str(app.query_one("#kpi-title", Static).content)
        assert "X: me/team" in str(app.query_one("#kpi-title", Static).content)
        await pilot.press("question_mark")
        text = rendered(help_table(app.screen.sections))
        assert any(line.split()[:2] == ["ctrl+b", "today-call-block"] for line in text.splitlines())
        assert any(line.split()[:2] == ["n", "call-outcome-2"] for line in text.splitlines())


async def test_an_unknown_keymap_id_is_said_once_at_start(demo_ws: Workspace) -> None:
    app = remapped_app(demo_ws, {"today-callblock": "x", "tab-kpi": "f4"})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        said = [m for m in messages(app) if "today-callblock" in m]
        assert len(said) == 1
        assert "no key has the id today-callblock, so it was ignored" in said[0]
        assert "Did you mean today-call-block" in said[0] and "Help (?) lists every id" in said[0]
        await pilot.press("f4")  # the known id still works
        assert app.query_one(TabbedContent).active == "kpi"


async def test_an_unknown_keymap_id_near_no_known_one_points_to_help_and_fits_80x24(demo_ws: Workspace) -> None:
    app = remapped_app(demo_ws, {"nonsense": "x"})
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        said = [m for m in messages(app) if "nonsense" in m]
        assert len(said) == 1 and said[0].endswith("Help (?) lists every id beside its key.")
        assert len(said[0].split("config.toml: ", 1)[1]) < 120  # a few lines of a toast (and the path), not half the screen


async def test_help_shows_each_bindings_id_and_the_palette_once(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = rendered(help_table(app.screen.sections)).splitlines()
        assert sum("palette" in line.lower() for line in lines) == 1
        assert any(line.split()[:3] == ["ctrl+p", "palette", "Command"] for line in lines)
        for keys_and_id in (["c", "today-call-block"], ["v", "lead-handoff-sheet"], ["p", "call-copy-phone"],
                            ["esc", "leads-filter-leave"], ["1", "call-outcome-1"]):
            assert any(line.split()[:2] == keys_and_id for line in lines), keys_and_id


async def test_the_handoff_sheet_is_shown_and_copied_again_from_the_leads_tab(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        handed = next(lead for lead in app.leads if lead.get("handoff"))
        other = next(lead for lead in app.leads if not lead.get("handoff"))
        app.go_to_lead(other["id"])
        await pilot.pause(0.1)
        assert "v" not in app.screen.active_bindings  # no sheet to show: the key is not offered (nor in the footer)
        await pilot.press("v")
        assert not isinstance(app.screen, SheetScreen)
        app.go_to_lead(handed["id"])
        await pilot.pause(0.1)
        assert app.screen.active_bindings["v"].enabled
        await pilot.press("v")
        sheet = app.screen
        assert isinstance(sheet, SheetScreen) and sheet.markdown.startswith("# Handoff: ")
        assert f"**{handed['handoff']['to']}**" in sheet.markdown and sheet.sheet_title.startswith("Handoff sheet — c copies")
        await pilot.press("c")
        assert app.clipboard == sheet.markdown
        await pilot.press("escape")
        app.go_to_lead(other["id"])
        await pilot.pause(0.1)
        app.action_lead_action("handoff_sheet")  # the palette's command on a lead never handed off
        await pilot.pause(0.05)
        assert not isinstance(app.screen, SheetScreen)
        assert any(m.endswith("has not been handed off, so it has no handoff sheet.") for m in messages(app)), messages(app)


async def test_the_phone_is_copied_from_the_call_block_in_one_key(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        phone = block.lead["phone"]
        await pilot.press("p")
        assert app.clipboard == phone
        assert f"Copied {phone}." in messages(app)
        await pilot.press("2")  # in the note field, p is typed text
        await pilot.press("p")
        assert block.query_one("#prompt-note", Input).value == "p"


async def test_the_kpi_title_says_the_period_in_words(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        title = app.query_one("#kpi-title", Static)
        for keys, words in ((("4",), "KPI · sato · today, 27 Nov   —"), (("w",), "KPI · sato · this week, 23 – 29 Nov"),
                            (("m",), "KPI · sato · November 2026   —")):
            await pilot.press(*keys)
            await loaded(pilot)
            assert str(title.content).startswith(words)
            assert "[2026-" not in str(title.content)


async def test_notes_say_empty_and_no_match_truly(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        await loaded(pilot)
        pane = app.query_one(NotesPane)
        meta = pane.query_one("#note-meta", Static)
        untagged = next((note for note in pane.notes if not note.get("tags")), None)
        if untagged is not None:
            pane.show(untagged)
            assert " ·  · " not in str(meta.content)
        await pilot.press("slash", *"no such words anywhere")
        assert str(meta.content) == "No notes match."
        pane.set_notes([], {})
        assert str(meta.content) == "No notes yet — n adds one."


async def test_a_tip_without_tags_has_no_doubled_separator(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("3")
        await loaded(pilot)
        pane = app.query_one(NotesPane)
        note = {**pane.notes[0], "kind": "tip", "tags": []}
        pane.show(note)
        line = str(pane.query_one("#note-meta", Static).content).splitlines()[1]
        assert line.startswith("tip · updated ") or line.startswith("Tip · updated "), line


async def test_tabs_switched_at_the_very_start_settle_and_the_app_goes_quiet(app: IstuiApp) -> None:
    """`4 1 3 2` pressed before the first tab's activation was handled: each late activation of a tab no longer
    shown used to take focus back to it, which switched tabs again — a loop at 100 % of a core (a new user's
    `4 1 3 2 c` at start left the app busy for minutes and growing)."""
    activations: list[str] = []
    seen: set[int] = set()

    def hook(message: object) -> None:  # (called at each node a message bubbles through: counted once)
        if isinstance(message, TabbedContent.TabActivated) and id(message) not in seen:
            seen.add(id(message))
            activations.append(message.pane.id or "")

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        burst(app, "4", "1", "3", "2")  # before the app has handled anything of its start
        await pilot.pause(0.5)
        await loaded(pilot)
        await pilot.pause(0.5)
        settled = len(activations)
        await pilot.pause(0.5)
        assert len(activations) == settled < 20  # no activation sets off another: quiet
        assert app.query_one(TabbedContent).active == "today"  # the last key wins
        assert app.focused is not None and app.query_one("#today") in app.focused.ancestors


async def test_a_bug_in_a_worker_ends_the_app_with_its_own_traceback(app: IstuiApp) -> None:
    """A worker's failure that is not a workspace problem ends the app showing that failure (Textual's crash
    screen used to fail on its own outside an `except` block: "Value for 'trace' required", the real error hidden)."""
    from types import SimpleNamespace

    import pytest
    from textual.worker import WorkerState

    failed = SimpleNamespace(state=WorkerState.ERROR,
                             worker=SimpleNamespace(error=RuntimeError("a bug in the report"), group="kpi"))
    shown = ""
    with pytest.raises(RuntimeError, match="a bug in the report"):  # (run_test raises what ended the app)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            app.on_worker_state_changed(failed)  # type: ignore[arg-type]  # as a failed worker's message
            await pilot.pause(0.2)
            shown = "".join(segment.text for renderable in app._exit_renderables for segment in renderable.segments)
    assert "a bug in the report" in shown and "RuntimeError" in shown
