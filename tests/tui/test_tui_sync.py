"""Sync in the TUI: the key, the header's status, what came in shown at once, the conflict report."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from istui.services.leads import log_activity
from istui.services.sync import sync
from istui.tui.app import IstuiApp
from istui.tui.screens.forms import SheetScreen

from git_support import LATE, Team
from tui_support import SIZE, loaded


async def wait_for(pilot, condition, tries: int = 200) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError("the app never got there")


async def test_sync_key_brings_the_teams_work_and_reports_conflicts(tmp_path: Path) -> None:
    team = Team(tmp_path)
    lead = team.leads[3]["id"]
    bob = team.bob(LATE)
    log_activity(bob, lead, "call", "meeting_booked", note="bob booked it")
    bob.update_lead(lead, {"contact": "[bold]Bob's[/bold] contact"})  # data, not markup, in the report
    sync(bob)
    app = IstuiApp(team.alice(), status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        header = app.query_one("#istui-header", Static)
        await wait_for(pilot, lambda: "⇅" in str(header.content))
        assert "↑0 ↓0" in str(header.content)  # bob's push is not fetched yet
        app.ws.update_lead(lead, {"contact": "Alice's contact"})  # older than bob's edit: it loses
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, SheetScreen))
        assert "contact" in app.screen.markdown and "Alice's contact" in app.screen.markdown
        assert "\\[bold\\]" in app.screen.markdown  # escaped for Markdown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.leads_by_id[lead]["contact"] == "[bold]Bob's[/bold] contact")
        assert any(a.get("note") == "bob booked it" for a in app.ws.activities_of_lead(lead))
        await wait_for(pilot, lambda: "synced" in str(header.content) and "↑0 ↓0" in str(header.content))


async def test_sync_failure_is_one_sentence_and_the_app_goes_on(tmp_path: Path) -> None:
    team = Team(tmp_path)
    (team.remote / "HEAD").rename(team.remote / "HEAD.gone")  # the remote is no repository any more
    app = IstuiApp(team.alice(), status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: not app.syncing)
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Cannot reach the remote") and "committed locally" in m for m in messages)
        assert app.screen is app.screen_stack[0]


async def test_auto_sync_waits_while_a_form_is_open(tmp_path: Path) -> None:
    team = Team(tmp_path)
    app = IstuiApp(team.alice(), status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.auto_sync_minutes = 1
        await pilot.press("1", "n")  # the new-lead form
        await pilot.pause(0.2)
        assert len(app.screen_stack) > 1
        app.auto_sync()
        assert not app.syncing
        await pilot.press("escape")
        await pilot.pause(0.2)
        app.auto_sync()
        assert app.syncing
        await wait_for(pilot, lambda: not app.syncing)


async def test_a_sync_from_another_terminal_shows_up_in_the_open_app(tmp_path: Path) -> None:
    from conftest import NOW, istui_process

    team = Team(tmp_path)
    lead = team.leads[5]["id"]
    team.bob(LATE).update_lead(lead, {"title": "VP Sales"})
    sync(team.bob())
    app = IstuiApp(team.alice(), status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.leads_by_id[lead].get("title", "") != "VP Sales"
        istui_process("sync", env={"ISTUI_WORKSPACE": str(team.alice_root), "ISTUI_REP": "alice", "ISTUI_NOW": NOW})
        await wait_for(pilot, lambda: app.leads_by_id[lead].get("title") == "VP Sales")


async def test_a_value_of_mine_that_lost_a_teammates_merge_is_shown_once(tmp_path: Path) -> None:
    from git_support import EARLY

    team = Team(tmp_path)
    lead = team.leads[2]["id"]
    team.alice(EARLY).update_lead(lead, {"title": "Alice's title"})
    sync(team.alice())
    team.bob(LATE).update_lead(lead, {"title": "Bob's title"})
    sync(team.bob())  # bob merges: alice's value loses, noted for her in the workspace
    app = IstuiApp(team.alice(), status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, SheetScreen))
        assert "alice's value \"Alice's title\"" in app.screen.markdown and "bob's \"Bob's title\"" in app.screen.markdown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.syncing and app.screen is app.screen_stack[0])
        app.action_sync_conflicts()  # the palette action shows it again
        await wait_for(pilot, lambda: isinstance(app.screen, SheetScreen))
        await pilot.press("escape")
        await pilot.press("S")
        await wait_for(pilot, lambda: not app.syncing)
        assert not app.last_sync_report["lost"]  # told once


async def test_a_refused_mass_deletion_is_one_sentence_in_the_app(tmp_path: Path) -> None:
    import shutil

    team = Team(tmp_path)
    shutil.rmtree(team.alice_root / "leads")
    app = IstuiApp(team.alice(), status_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        await pilot.press("S")
        await wait_for(pilot, lambda: not app.syncing)
        messages = [n.message for n in app._notifications]
        assert any("This sync would delete the files leads/" in m and "--allow-deletions" in m for m in messages)


async def test_a_sync_without_a_remote_says_it_saved_locally(app: IstuiApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: not app.syncing)
        titles = [n.title for n in app._notifications]
        assert "Saved locally, no remote" in titles and "Synced" not in titles
        assert any("No remote is set" in n.message for n in app._notifications)
