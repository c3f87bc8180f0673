"""Every save in the TUI writes only what the person changed, re-read under the lock: a form opened
on a record, a field changed there while another writer (the CLI, another process) changes another
field of the same record, then saved: both changes are on disk."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from istui.cli import main
from istui.services.targets import set_target
from istui.store.workspace import Workspace
from istui.tui.app import IstuiApp
from istui.tui.panes.leads import LeadsPane
from istui.tui.panes.notes import NotesPane
from istui.tui.screens.forms import FormScreen, SheetScreen
from istui.tui.screens.plan import PlanScreen

from conftest import fixed_clock
from tui_support import SIZE, loaded, start_call_block


def elsewhere(ws: Workspace) -> Workspace:
    """The workspace as another process opens it (another terminal, or a teammate's sync)."""
    return Workspace.open(ws.root, "ben", clock=fixed_clock)


def cli_elsewhere(ws: Workspace, *args: str) -> None:
    """`istui ARGS` run in another terminal by rep ben (in-process, its own Workspace)."""
    assert main(["--workspace", str(ws.root), "--rep", "ben", *args]) == 0


@pytest.fixture(autouse=True)
def no_editor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)


async def notes_tab(pilot) -> NotesPane:
    await pilot.press("3")
    pane = pilot.app.query_one(NotesPane)
    for _ in range(100):
        await pilot.pause(0.02)
        if pane.table.current is not None:
            break
    return pane


async def test_note_form_keeps_a_concurrent_cli_edit(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        note = (await notes_tab(pilot)).table.current
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-title", Input).value = "Opening script v2"
        cli_elsewhere(demo_ws, "note", "edit", note["id"], "--tag", "changed-meanwhile")
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        saved = elsewhere(demo_ws).get_note(note["id"])
        assert (saved["title"], saved["tags"]) == ("Opening script v2", ["changed-meanwhile"])
        assert saved["body"] == note["body"]


async def test_editor_edit_keeps_a_field_changed_while_the_editor_runs(
        app: IstuiApp, demo_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        note = (await notes_tab(pilot)).table.current
        editor = tmp_path / "fake-editor"
        editor.write_text(  # edits the file, and meanwhile another terminal retitles the note
            "#!/bin/sh\n"
            "printf '# Rewritten in the editor\\n' > \"$1\"\n"
            f"'{sys.executable}' -m istui --workspace '{demo_ws.root}' --rep ben "
            f"note edit {note['id']} --title 'Retitled meanwhile' >/dev/null\n", encoding="utf-8")
        editor.chmod(0o700)
        monkeypatch.setenv("EDITOR", str(editor))
        monkeypatch.setattr(IstuiApp, "suspend", lambda self: contextlib.nullcontext())  # no terminal to hand over
        await pilot.press("e")
        await pilot.pause(0.05)
        saved = elsewhere(demo_ws).get_note(note["id"])
        assert (saved["title"], saved["body"]) == ("Retitled meanwhile", "# Rewritten in the editor\n")
        assert saved["tags"] == note["tags"]


async def test_editor_opens_the_body_as_it_is_on_disk_now(
        app: IstuiApp, demo_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = await notes_tab(pilot)
        note = pane.table.current
        editor = tmp_path / "fake-editor"
        editor.write_text("#!/bin/sh\nprintf 'Added by sato.\\n' >> \"$1\"\n", encoding="utf-8")
        editor.chmod(0o700)
        monkeypatch.setenv("EDITOR", str(editor))
        monkeypatch.setattr(IstuiApp, "suspend", lambda self: contextlib.nullcontext())
        elsewhere(demo_ws).update_note(note["id"], {"body": "Body written by ben.\n"})
        pane.action_edit_note()  # at once, before the app's next look at the files: its list is stale
        assert pane.table.current["body"] == note["body"]
        await pilot.pause(0.05)
        assert elsewhere(demo_ws).get_note(note["id"])["body"] == "Body written by ben.\nAdded by sato.\n"


async def test_editor_falls_back_to_the_form_where_the_terminal_cannot_be_handed_over(
        app: IstuiApp, demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "vi")
    async with app.run_test(size=SIZE) as pilot:  # a headless driver cannot suspend
        await loaded(pilot)
        await notes_tab(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, FormScreen)


async def test_an_editor_that_cannot_run_changes_nothing_and_says_so(
        app: IstuiApp, demo_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    monkeypatch.setattr(IstuiApp, "suspend", lambda self: contextlib.nullcontext())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        note = (await notes_tab(pilot)).table.current
        await pilot.press("e")
        assert any("the editor" in str(n.message) and "no-such-editor" in str(n.message) for n in app._notifications)
        assert elsewhere(demo_ws).get_note(note["id"]) == note


async def test_pin_keeps_a_concurrent_edit(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        note = (await notes_tab(pilot)).table.current
        cli_elsewhere(demo_ws, "note", "edit", note["id"], "--title", "Retitled meanwhile")
        await pilot.press("p")
        saved = elsewhere(demo_ws).get_note(note["id"])
        assert (saved["title"], bool(saved.get("pinned"))) == ("Retitled meanwhile", not note.get("pinned"))


async def leads_tab(pilot) -> dict:
    await pilot.press("1")
    return pilot.app.query_one(LeadsPane).table.current


async def test_lead_form_keeps_a_concurrent_cli_edit(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lead = await leads_tab(pilot)
        await pilot.press("e")
        form = app.screen
        form.query_one("#field-phone", Input).value = "078-123-4567"
        cli_elsewhere(demo_ws, "lead", "set", lead["id"], "memo=予算は来期に確保済み", "contact=Ken Ito")
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        saved = elsewhere(demo_ws).get_lead(lead["id"])
        assert (saved["phone"], saved["memo"], saved["contact"]) == ("078-123-4567", "予算は来期に確保済み", "Ken Ito")


async def test_stage_form_keeps_a_concurrent_edit(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lead = await leads_tab(pilot)
        await pilot.press("s")
        form = app.screen
        stage = "nurturing" if lead["stage"] != "nurturing" else "working"
        form.query_one(Select).value = stage
        elsewhere(demo_ws).update_lead(lead["id"], {"memo": "Call after the trade show."})
        await pilot.press("ctrl+s")
        for _ in range(40):  # the save runs on the app's own time (slow under a loaded machine)
            await pilot.pause(0.05)
            saved = elsewhere(demo_ws).get_lead(lead["id"])
            if saved["stage"] == stage:
                break
        assert (saved["stage"], saved["memo"]) == (stage, "Call after the trade show.")


async def test_handoff_form_keeps_a_concurrent_edit(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lead = await leads_tab(pilot)
        await pilot.press("h")
        app.screen.query_one("#field-to", Select).value = "field-kimura"  # from the roster's field sales
        await pilot.press("tab", *"300万円")
        for name, value in (("authority", "部長"), ("need", "工数削減"), ("timeline", "来期")):  # BANT is required
            app.screen.query_one(f"#field-{name}", Input).value = value
        elsewhere(demo_ws).update_lead(lead["id"], {"title": "情報システム部 部長"})
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert isinstance(app.screen, SheetScreen)
        saved = elsewhere(demo_ws).get_lead(lead["id"])
        assert (saved["stage"], saved["handoff"]["budget"]) == ("handed_off", "300万円")
        assert saved["title"] == "情報システム部 部長"


async def test_log_form_keeps_a_concurrent_edit(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        lead = await leads_tab(pilot)
        await pilot.press("l")
        form = app.screen
        form.query_one("#field-note", Input).value = "話せた"
        elsewhere(demo_ws).update_lead(lead["id"], {"memo": "Prefers e-mail."})
        await pilot.press("ctrl+s")
        for _ in range(100):  # the save runs as the form closes; wait for it, not for a fixed time
            await pilot.pause(0.05)
            fresh = elsewhere(demo_ws)
            if fresh.activities_of_lead(lead["id"]) and fresh.activities_of_lead(lead["id"])[-1].get("note") == "話せた":
                break
        assert fresh.get_lead(lead["id"])["memo"] == "Prefers e-mail."
        assert fresh.activities_of_lead(lead["id"])[-1]["note"] == "話せた"


async def test_call_block_amend_keeps_concurrent_edits_of_the_call_and_the_lead(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        block = await start_call_block(pilot)
        lead_id = block.lead["id"]
        await pilot.press("8")  # callback: logged at once, the prompt waits for a note and a follow-up
        other = elsewhere(demo_ws)
        call = other.activities_of_lead(lead_id)[-1]
        assert call["id"] == block.pending.activity["id"]
        started = (datetime.fromisoformat(call["at"]) - timedelta(seconds=48)).isoformat()  # the dialer's exact start
        other.update_activity(call, {"at": started, "duration": 95})
        other.update_lead(lead_id, {"memo": "Decides with the CFO."})
        await pilot.press(*"先方会議中", "tab", *"tomorrow 10am", "enter")
        fresh = elsewhere(demo_ws)
        saved = fresh.activities_of_lead(lead_id)[-1]
        assert (saved["id"], saved["note"], saved["at"], saved.get("duration")) == (call["id"], "先方会議中", started, 95)
        lead = fresh.get_lead(lead_id)
        assert (lead["next_at"], lead["memo"]) == ("2026-11-28T10:00:00+09:00", "Decides with the CFO.")


async def test_plan_save_keeps_targets_changed_meanwhile(app: IstuiApp, demo_ws: Workspace) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("4", "P", *"3000万", "ctrl+s")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, PlanScreen) and app.screen.result:
                break
        other = elsewhere(demo_ws)
        week = set_target(other, "calls", "week", 321)
        mine = set_target(other, "meetings", "month", 7, rep="ben")
        await pilot.press("s", "y")  # saving asks first
        targets = {t["id"]: t for t in elsewhere(demo_ws).targets()}
        assert targets[week["id"]]["value"] == 321 and targets[mine["id"]]["value"] == 7
        team_month = {t["metric"]: t["value"] for t in targets.values() if t["rep"] is None and t["per"] == "month"}
        assert team_month["amount"] == 30_000_000


def write_body(ws: Workspace, note_id: str, body: str) -> None:
    from istui.services.notes import edit_note

    edit_note(elsewhere(ws), note_id, {"body": body})


@pytest.mark.parametrize("overlap", [False, True])
async def test_note_body_edited_in_the_form_while_the_cli_edits_it_keeps_both(
        app: IstuiApp, demo_ws: Workspace, overlap: bool) -> None:
    from textual.widgets import TextArea

    note = next(n for n in demo_ws.notes() if n["kind"] == "script")
    write_body(demo_ws, note["id"], "First paragraph.\n\nSecond paragraph.\n")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = await notes_tab(pilot)
        pane.table.cursor = next(i for i, n in enumerate(pane.table.rows) if n["id"] == note["id"])
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-body", TextArea).text = "First paragraph, from the TUI.\n\nSecond paragraph.\n"
        theirs = ("First paragraph, from the CLI.\n\nSecond paragraph.\n" if overlap
                  else "First paragraph.\n\nSecond paragraph.\n\nThird paragraph from the CLI.\n")
        write_body(demo_ws, note["id"], theirs)
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
    body = elsewhere(demo_ws).get_note(note["id"])["body"]
    assert "from the TUI" in body
    assert ("from the CLI" in body) if overlap else ("Third paragraph from the CLI." in body)


async def test_note_body_edited_in_the_editor_while_the_cli_adds_a_paragraph(
        app: IstuiApp, demo_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    note = next(n for n in demo_ws.notes() if n["kind"] == "script")
    write_body(demo_ws, note["id"], "Para one.\n\nPara two.\n")
    editor = tmp_path / "fake-editor"
    editor.write_text(  # prepends a line; meanwhile another terminal appends a paragraph
        "#!/bin/sh\n"
        "{ printf 'From the editor.\\n\\n'; cat \"$1\"; } > \"$1.new\" && mv \"$1.new\" \"$1\"\n"
        f"printf 'Para one.\\n\\nPara two.\\n\\nPara FIVE CLI.\\n' > '{tmp_path}/cli.md'\n"
        f"'{sys.executable}' -m istui --workspace '{demo_ws.root}' --rep ben note edit {note['id']} "
        f"--file '{tmp_path}/cli.md' >/dev/null\n", encoding="utf-8")
    editor.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setattr(IstuiApp, "suspend", lambda self: contextlib.nullcontext())
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        pane = await notes_tab(pilot)
        pane.table.cursor = next(i for i, n in enumerate(pane.table.rows) if n["id"] == note["id"])
        await pilot.press("e")
        await pilot.pause(0.05)
    body = elsewhere(demo_ws).get_note(note["id"])["body"]
    assert body == "From the editor.\n\nPara one.\n\nPara two.\n\nPara FIVE CLI.\n"
