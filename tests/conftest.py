"""Shared fixtures: an isolated home, a fixed clock, a workspace, and the CLI run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings

from istui.cli import main
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from smtp_support import smtp  # noqa: F401  (a real SMTP server on 127.0.0.1: the mail tests' fixture)

# The property tests run the same examples on every run (CI must not fail on a case it happens to draw
# today); ISTUI_HYPOTHESIS_RANDOM=1 draws new ones, to hunt by hand.
hypothesis_settings.register_profile("istui", derandomize=not os.environ.get("ISTUI_HYPOTHESIS_RANDOM"))
hypothesis_settings.load_profile("istui")

NOW = "2026-11-27T10:30:00+09:00"  # a Friday
TOKYO = ZoneInfo("Asia/Tokyo")


def fixed_clock(tz):
    return datetime.fromisoformat(NOW).astimezone(tz)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's config or data folders."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("ISTUI_NOW", NOW)
    monkeypatch.setenv("COLUMNS", "120")  # the CLI's tables fit the terminal: the same width however tests run
    monkeypatch.setenv("LINES", "24")
    monkeypatch.delenv("ISTUI_WORKSPACE", raising=False)
    monkeypatch.delenv("ISTUI_REP", raising=False)
    return home


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path / "ws", "alice", Settings(team="Test", timezone="Asia/Tokyo"), clock=fixed_clock)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `istui ARGS` in-process against the `ws` workspace as rep alice."""
    monkeypatch.setenv("ISTUI_WORKSPACE", str(ws.root))
    monkeypatch.setenv("ISTUI_REP", "alice")

    def run(*args: str, stdin: str | None = None) -> Result:
        capsys.readouterr()
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8"))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse errors
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def istui_process(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                  check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run istui as a whole process (for crash, concurrency and git tests)."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "istui", *args], capture_output=True, text=True, env=full_env, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"istui {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def add_lead(cli, company: str = "Acme Labs", *extra: str) -> dict[str, Any]:
    result = cli("lead", "add", f"--company={company}", *extra, "--json")
    assert result.code == 0, result.err
    return result.json


@pytest.fixture
def demo_ws(tmp_path: Path) -> Workspace:
    """A seeded small demo workspace on the fixed clock (the TUI tests' data)."""
    from tui_support import make_demo

    return make_demo(tmp_path / "demo")


@pytest.fixture
def app(demo_ws: Workspace):
    """The TUI on the demo workspace, watching files every 0.1 s."""
    from istui.tui.app import IstuiApp

    return IstuiApp(demo_ws, watch_interval=0.1, status_delay=0)
