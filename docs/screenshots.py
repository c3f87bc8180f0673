"""Regenerate the README's screenshots (SVG) from a seeded demo: `.venv/bin/python docs/screenshots.py`."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = "2026-11-27T10:30:00+09:00"


async def main() -> None:
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
    sys.path.insert(0, str(HERE.parent / "src"))
    from istui.services.demo import build_demo
    from istui.store.settings import Settings
    from istui.store.workspace import Workspace
    from istui.tui.app import IstuiApp
    from istui.tui.screens.callblock import BlockStats

    def clock(tz):
        return datetime.fromisoformat(NOW).astimezone(tz)

    BlockStats.clock = staticmethod(lambda: 0.0)
    root = Path(tempfile.mkdtemp()) / "demo"
    ws = Workspace.create(root, "sato", Settings(team="Demo team", timezone="Asia/Tokyo", demo=True), clock=clock)
    build_demo(ws, "small", 7)
    app = IstuiApp(Workspace.open(root, "sato", clock=clock), watch_interval=60)
    async with app.run_test(size=(160, 44)) as pilot:
        await pilot.pause(1.0)
        app.save_screenshot("istui-today.svg", str(HERE))
        await pilot.press("c")
        await pilot.pause(0.5)
        app.save_screenshot("istui-call-block.svg", str(HERE))
        await pilot.press("escape", "enter", "4", "m")
        await pilot.pause(1.5)
        app.save_screenshot("istui-kpi.svg", str(HERE))


if __name__ == "__main__":
    asyncio.run(main())
