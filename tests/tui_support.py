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
    """Wait until the worker has read the workspace and the panes show it."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause(0.02)
        if app.leads and not any(w.is_running for w in app.workers):
            break
    await pilot.pause(0.05)
