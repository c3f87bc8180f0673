"""Imported text is data, never markup: hostile lead names render literally everywhere and do nothing when clicked;
and no control character from a hostile workspace is ever drawn (DESIGN.md section 8)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from istui.store.settings import Settings
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.today import TodayPane
from istui.tui.screens.callblock import CallBlockScreen

from conftest import fixed_clock
from hostile_support import CLEAR, CLIPBOARD, LEAD_ID, TITLE, control_characters
from hostile_support import HOSTILE as HOSTILE_TEXT
from hostile_support import hostile_workspace as hostile_control_workspace
from tui_support import SIZE, loaded, settled

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
        await settled(pilot)
        from istui.tui.widgets.footer import IstuiFooter

        for _ in range(50):  # the footer shows the keys that fit once it has measured them
            if all(footer.fitted for footer in pilot.app.screen.query(IstuiFooter)):
                break
            await pilot.pause(0.02)

    app = IstuiApp(hostile_workspace(tmp_path / "ws"), watch_interval=60, status_delay=0)
    # (wide enough for every key of the footer: which keys fit at 160 columns is settled a frame after the rows)
    assert snap_compare(app, terminal_size=(200, SIZE[1]), run_before=run_before)


# --- no control character reaches the terminal (DESIGN.md section 8) ---------------------------------

def drawn(app) -> str:
    """The text of every cell the app draws now (the screen and those under a modal), as the terminal
    would receive it: Textual's own control segments (cursor moves) left out."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "".join(segment.text for line in update.strips for strip in line for segment in strip if not segment.control)


def assert_clean(app, where: str) -> str:
    text = drawn(app)
    assert control_characters(text, allowed="") == [], f"{where}: {[c for c in control_characters(text, '')][:5]}"
    return text


async def test_no_control_character_is_drawn_from_a_hostile_workspace(tmp_path: Path) -> None:
    from textual import events
    from textual.widgets import Input, Markdown

    from istui.tui.screens.callblock import NotePicker
    from istui.tui.screens.forms import FormScreen, SheetScreen
    from istui.tui.syncing import conflict_markdown

    app = IstuiApp(hostile_control_workspace(tmp_path / "ws"), watch_interval=60, status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.pause(0.3)
        shown = assert_clean(app, "today")
        assert "Team\ufffd]0;PWNED\ufffd" in shown  # the header: visible, not executed
        await pilot.press("1")
        pane = app.query_one(LeadsPane)
        pane.table.cursor = next(i for i, row in enumerate(pane.table.rows) if row["id"] == LEAD_ID)
        await pilot.pause(0.4)
        shown = assert_clean(app, "leads, card and timeline")
        assert "Acme\ufffd]0;PWNED\ufffd" in shown and "[@click=app.quit]x[/]" in shown
        await pilot.press("e")  # the edit form: title, inputs filled with the hostile values
        assert isinstance(app.screen, FormScreen)
        await pilot.pause(0.2)
        assert "PWNED" in assert_clean(app, "edit form")
        company = app.screen.query_one("#field-company", Input)
        company.value = "Acme \x1b]0;PWNED\x07"  # (keys cannot type it, and a paste arrives cleaned: see below)
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert isinstance(app.screen, FormScreen)  # refused, each field with its own error
        error = str(app.screen.query_one("#error-company", Static).render())
        assert error.startswith("company contains a control character (U+001B)")
        company.value = "Acme"
        await pilot.pause(0.1)
        assert_clean(app, "form error")
        await pilot.press("escape")
        await pilot.press("slash")
        app.post_message(events.Paste(f"pasted{TITLE}{CLEAR}"))  # a paste from a hostile web page
        await pilot.pause(0.2)
        assert_clean(app, "paste into the filter")
        assert "pasted\ufffd]0;PWNED\ufffd\ufffd[2J" in app.query_one("#lead-filter", Input).value
        app.query_one("#lead-filter", Input).value = ""
        pane.table.focus()
        await pilot.press("3")
        await pilot.pause(0.4)
        notes = app.query_one("#note-body", Markdown)
        assert "PWNED" in notes.source and "\x1b" not in notes.source
        assert "PWNED" in assert_clean(app, "notes")
        await pilot.press("4")
        await pilot.pause(0.8)
        assert "PWNED" in assert_clean(app, "kpi")
        app.notify(f"Logged for {HOSTILE_TEXT}", title=HOSTILE_TEXT, markup=False)
        app.notify(f"error: {TITLE}{CLIPBOARD}", severity="error", markup=False)
        await pilot.pause(0.2)
        assert "PWNED" in assert_clean(app, "notifications")
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert_clean(app, "help")
        await pilot.press("escape")
        conflict = {"where": "lead", "id": LEAD_ID, "label": HOSTILE_TEXT, "field": "memo", "kept": HOSTILE_TEXT, "lost": CLEAR,
                    "kept_from": f"bob{TITLE}", "lost_from": "alice"}
        app.push_screen(SheetScreen(HOSTILE_TEXT, conflict_markdown({"conflicts": [conflict]})))
        await pilot.pause(0.3)
        assert "PWNED" in assert_clean(app, "conflict window")
        await pilot.press("escape", "ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"go to lead acme")
        await pilot.pause(0.5)
        assert "PWNED" in assert_clean(app, "palette")
        await pilot.press("escape", "2")
        app.query_one(TodayPane).table.cursor = next(
            i for i, row in enumerate(app.query_one(TodayPane).table.rows) if row["id"] == LEAD_ID)
        await pilot.press("c")
        assert isinstance(app.screen, CallBlockScreen)
        await pilot.pause(0.4)
        assert "PWNED" in assert_clean(app, "call block")
        await pilot.press("k")
        await pilot.pause(0.3)
        assert isinstance(app.screen, NotePicker)
        assert "PWNED" in assert_clean(app, "note picker")
        assert app.is_running
