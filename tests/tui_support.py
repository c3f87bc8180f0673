"""TUI test support: a seeded demo workspace on a fixed clock, and helpers to wait for the app's loading."""

from __future__ import annotations

from pathlib import Path

from istui.services.demo import build_demo
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from conftest import fixed_clock

SIZE = (160, 48)


def make_demo(root: Path, lang: str = "en") -> Workspace:
    team = "デモ インサイドセールス部" if lang == "ja" else "Demo team"
    ws = Workspace.create(root, "sato", Settings(team=team, timezone="Asia/Tokyo", demo=True), clock=fixed_clock)
    build_demo(ws, "small", 7, lang)
    return Workspace.open(root, "sato", clock=fixed_clock)


async def loaded(pilot) -> None:
    """Wait until the worker has read the workspace and the panes show it (and the KPI tab, when shown, has
    sized its charts)."""
    from istui.tui.panes.kpi import KpiPane

    app = pilot.app
    for _ in range(200):
        await pilot.pause(0.02)
        if app.leads and not any(w.is_running for w in app.workers):
            break
    kpi = app.query(KpiPane).first() if app.query(KpiPane) else None
    for _ in range(100):
        if kpi is None or kpi.report is None or kpi.laid_out or not kpi.region.width:  # (a hidden tab: no wait)
            break
        await pilot.pause(0.02)
    await pilot.pause(0.05)


SMALL = (80, 24)  # the smallest terminal every screen must be readable in


def demo_app(root: Path, lang: str = "en"):
    """The TUI on a fresh demo (in `lang`), watching files rarely and showing the sync status at once."""
    from istui.tui.app import IstuiApp

    return IstuiApp(make_demo(root, lang), watch_interval=60, status_delay=0)


async def open_leads(pilot) -> None:
    await loaded(pilot)
    await pilot.press("1")
    await pilot.pause(0.2)


async def start_call_block(pilot):
    """Today → c: the call block on the first lead of the queue (its screen)."""
    from istui.tui.screens.callblock import CallBlockScreen

    await loaded(pilot)
    await pilot.press("c")
    await pilot.pause(0.2)
    block = pilot.app.screen
    assert isinstance(block, CallBlockScreen)
    return block


async def start_lead_form(pilot):
    """Leads → n: the new-lead form (its screen)."""
    from istui.tui.screens.forms import FormScreen

    await loaded(pilot)
    await pilot.press("1", "n")
    await pilot.pause(0.3)
    form = pilot.app.screen
    assert isinstance(form, FormScreen)
    return form


async def open_call_block(pilot) -> None:
    """Today → c, then 3 (voicemail): the block with its note and WHEN box open."""
    await loaded(pilot)
    await pilot.press("c")
    await pilot.pause(0.3)
    await pilot.press("3")
    await pilot.pause(0.3)


async def open_kpi_month(pilot) -> None:
    await loaded(pilot)
    await pilot.press("4", "m")
    await loaded(pilot)
    await pilot.pause(0.3)
    await settled(pilot)  # the panels are measured again until the charts fill the height (`_fill_height`)


async def open_notes(pilot) -> None:
    await loaded(pilot)
    await pilot.press("3")
    await loaded(pilot)  # the notes and their usage are read in a worker
    await settled(pilot)


async def open_lead_form(pilot) -> None:
    await open_leads(pilot)
    await pilot.press("n")
    await pilot.pause(0.3)


async def open_plan(pilot) -> None:
    await loaded(pilot)
    await pilot.press("4")
    await loaded(pilot)
    await pilot.pause(0.3)  # the KPI tab laid out (its charts sized) before the plan covers it
    await pilot.press("P", *"3000万")
    await pilot.press("ctrl+s")
    await loaded(pilot)
    await settled(pilot)


async def settled(pilot, rounds: int = 4) -> None:
    """Wait until the top screen stops changing (a Markdown widget mounts its blocks over several refreshes, and
    more of them under load): the same widgets and sizes over `rounds` pauses in a row, for up to 5 s."""
    last, same = None, 0
    for _ in range(100):
        await pilot.pause(0.05)
        shape = [(type(w).__name__, w.size) for w in pilot.app.screen.walk_children()]
        same = same + 1 if shape == last else 0
        last = shape
        if same >= rounds:
            return


async def open_review(pilot) -> None:
    await open_kpi_month(pilot)
    await pilot.press("R")
    await loaded(pilot)
    await settled(pilot)


async def open_log_call(pilot) -> None:
    """Leads → l: the log-a-call dialog for the first lead."""
    await open_leads(pilot)
    await pilot.press("l")
    await pilot.pause(0.3)


async def open_handoff(pilot) -> None:
    """Leads → h: the handoff form (the sheet's fields) for the first lead."""
    await open_leads(pilot)
    await pilot.press("h")
    await pilot.pause(0.3)


async def open_mail(pilot) -> None:
    """Leads → m → Enter: the first e-mail template of the demo, rendered for the first lead with an address."""
    await open_leads(pilot)
    await pilot.press("slash", *"@", "enter")  # (every lead with an address has an @ in it)
    await pilot.pause(0.2)
    await pilot.press("m")
    await pilot.pause(0.2)
    await pilot.press("enter")
    await pilot.pause(0.3)
    await settled(pilot)


async def open_email_view(pilot) -> None:
    """KPI → m → E: the e-mail figures of the month."""
    await open_kpi_month(pilot)
    await pilot.press("E")
    await loaded(pilot)
    await settled(pilot)


async def open_help(pilot) -> None:
    await loaded(pilot)
    await pilot.press("question_mark")
    await pilot.pause(0.3)


SCENES = {"today": loaded, "leads": open_leads, "notes": open_notes, "kpi": open_kpi_month, "call_block": open_call_block,
          "lead_form": open_lead_form, "log_call": open_log_call, "handoff": open_handoff, "plan": open_plan,
          "review": open_review, "help": open_help, "mail": open_mail, "email_view": open_email_view}


def snapshot(snap_compare, root: Path, scene: str, size: tuple[int, int] = SIZE, lang: str = "en") -> bool:
    """Compare a picture of `scene` (a key of SCENES) at `size` in `lang` with its stored snapshot (the call block's
    clock stopped, so the picture does not depend on the second)."""
    from istui.i18n import set_language
    from istui.tui.screens.callblock import BlockStats

    set_language(lang)
    clock = BlockStats.clock
    BlockStats.clock = staticmethod(lambda: 1000.0)
    try:
        return snap_compare(demo_app(root, lang), terminal_size=size, run_before=SCENES[scene])
    finally:
        BlockStats.clock = clock
        set_language("en")
