"""kill -9 at a random moment of a real istui process, for each kind of write (DESIGN.md section 3): doctor
stays clean, no earlier record is lost, multi-record changes are all or nothing, the command runs again.

A few kills per command here (`tests/crash_support.py` says what each round checks); `bench/crash.py N`
runs as many as asked. ISTUI_CRASH_SEED replays another seed's delays.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crash_support import CrashLab, run_rounds

SEED = int(os.environ.get("ISTUI_CRASH_SEED", "11"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> CrashLab:
    return CrashLab(Path(tmp_path_factory.mktemp("crash")), measure_runs=1)  # bench/crash.py takes a median


@pytest.mark.parametrize("command, kills", [
    ("log", 3), ("meeting", 3), ("lead-set", 2), ("note-edit", 2), ("handoff", 3), ("import", 2), ("sync", 3),
])
def test_kill_9_during_a_command_loses_nothing(lab: CrashLab, command: str, kills: int) -> None:
    outcomes = run_rounds(lab, command, kills, SEED)
    failed = [outcome for outcome in outcomes if not outcome.survived]
    assert not failed, f"seed {SEED}: {len(failed)} of {kills} kills lost something:\n" + "\n".join(map(str, failed))
