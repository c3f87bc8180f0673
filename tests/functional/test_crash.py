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


def not_yet(observed: str) -> pytest.MarkDecorator:
    """A loss the crash test has found and another change (the journal, multi-record writes, sync) fixes."""
    return pytest.mark.xfail(strict=False, reason=observed)


@pytest.mark.parametrize("command, kills", [
    pytest.param("log", 3, marks=not_yet(
        "`log call --next`: the call is appended, then the lead is written apart; a kill between loses the "
        "follow-up typed (4 of 80 kills in bench/crash.py)")),
    pytest.param("meeting", 3, marks=not_yet(
        "`log call -o meeting_booked`: the call is written, the lead stays in its stage (2 of 20 kills)")),
    ("lead-set", 2),
    ("note-edit", 2),
    pytest.param("handoff", 3, marks=not_yet(
        "handoff: the stage activity is written, the lead is neither handed_off nor has its handoff record "
        "(4 of 80 kills); running it again then writes a second handoff activity")),
    ("import", 2),
    pytest.param("sync", 3, marks=not_yet(
        "sync: .git/index.lock or a merge in progress (MERGE_HEAD) or the remote's ref lock is left, so the next "
        "sync fails; once a lead file was left empty by a killed merge (doctor: leads/95.json:1 Expecting value)")),
])
def test_kill_9_during_a_command_loses_nothing(lab: CrashLab, command: str, kills: int) -> None:
    outcomes = run_rounds(lab, command, kills, SEED)
    failed = [outcome for outcome in outcomes if not outcome.survived]
    assert not failed, f"seed {SEED}: {len(failed)} of {kills} kills lost something:\n" + "\n".join(map(str, failed))
