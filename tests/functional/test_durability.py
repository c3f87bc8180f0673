"""Crash safety and concurrency with real processes: kill -9 mid-write, two writers at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from istui.store.doctor import check_workspace
from istui.store.workspace import Workspace

from conftest import NOW, istui_process

WRITER = """
import os, sys
from datetime import datetime
from pathlib import Path
from istui.domain.ids import new_id
from istui.services.leads import log_activity
from istui.store.workspace import Workspace

root, rep = Path(sys.argv[1]), sys.argv[2]
ws = Workspace.open(root, rep)
ids = sorted(ws.lead_ids())
print("ready", flush=True)
i = 0
while True:
    lead_id = ids[i % len(ids)]
    log_activity(ws, lead_id, "call", "no_answer", note=f"{rep} {i}", next_when="+1d")
    ws.update_lead(lead_id, {"memo": f"memo {i} " + "x" * (i % 50)})
    if i % 7 == 0:
        ws.add_leads([{"company": f"{rep} batch {os.getpid()}-{i} {k}", "stage": "new", "source": "other", "motion": "sdr"} for k in range(30)])
    if i % 11 == 0:
        ws.add_note({"title": f"note {i}", "body": "b" * 500})
    i += 1
    if len(sys.argv) > 3 and i >= int(sys.argv[3]):
        break
print("done", i, flush=True)
"""


def seed_leads(ws: Workspace, count: int) -> list[str]:
    added = ws.add_leads([{"company": f"Seed {i}", "stage": "working", "source": "other", "motion": "sdr"} for i in range(count)])
    return [lead["id"] for lead in added]


def start_writer(root: Path, rep: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ISTUI_NOW": ""}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root), rep, *extra], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_kill_9_at_any_moment_leaves_every_file_parseable(ws: Workspace) -> None:
    seed_leads(ws, 40)
    for delay in (0.15, 0.4, 0.25, 0.7, 0.33, 0.5):
        writer = start_writer(ws.root, "alice")
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        reopened = Workspace.open(ws.root, "alice")  # finishes an interrupted multi-file write
        errors = [p for p in check_workspace(ws.root) if p.severity == "error"]
        assert errors == [], [str(e) for e in errors]
        assert len(list(reopened.activities())) > 0
        assert all(len(lead["id"]) == 26 for lead in reopened.leads())
        batches = {}
        for lead in reopened.leads():  # a batch of 30 leads lands whole or not at all
            if " batch " in lead["company"]:
                key = lead["company"].rsplit(" ", 1)[0]
                batches[key] = batches.get(key, 0) + 1
        assert set(batches.values()) <= {30}


def test_two_processes_logging_at_once_lose_nothing(ws: Workspace) -> None:
    seed_leads(ws, 5)
    writers = [start_writer(ws.root, rep, "60") for rep in ("alice", "alice", "bob")]
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0 and out.strip() == "done 60"
    reopened = Workspace.open(ws.root, "alice")
    activities = list(reopened.activities())
    assert len(activities) == 180 and len({a["id"] for a in activities}) == 180
    notes = [a["note"] for a in activities]
    for i in range(60):
        assert notes.count(f"alice {i}") == 2 and notes.count(f"bob {i}") == 1
    assert len(list(reopened.leads())) == 5 + 3 * 9 * 30  # every batch of every writer (i = 0, 7, ..., 56)
    assert len(reopened.notes()) == 3 * 6


def test_parallel_cli_processes(ws: Workspace) -> None:
    lead_id = seed_leads(ws, 1)[0]
    env = {**os.environ, "ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice", "ISTUI_NOW": NOW}
    # outcomes 1-9 and 1 (not do_not_call: it closes the lead, and a closed lead takes no callback's follow-up)
    procs = [subprocess.Popen([sys.executable, "-m", "istui", "log", "call", lead_id[:12], "-o", str(i % 9 + 1),
                               "--note", f"call {i}", "--force", *(["--next", "mon 10am"] if i % 9 + 1 == 8 else []),
                               "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(10)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    logged = {json.loads(out)["activity"]["note"] for out, _ in outputs}
    stored = {a["note"] for a in Workspace.open(ws.root).activities()}
    assert logged == stored == {f"call {i}" for i in range(10)}


def test_log_call_as_a_whole_process(ws: Workspace) -> None:
    lead_id = seed_leads(ws, 3)[1]
    env = {"ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice"}
    result = istui_process("log", "call", lead_id[:14], "-o", "1", "--next", "tomorrow 10am", env=env)
    assert "Logged call connected" in result.stdout and "next tomorrow 10:00" in result.stdout
    bad = istui_process("log", "call", lead_id[:14], "-o", "zzz", env=env, check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("istui: outcome: 'zzz'")
