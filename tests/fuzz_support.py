"""Fuzz support: a small workspace with one record of each kind, copied per example, and a way to put
any value into any field of a record in the file itself (as a teammate's commit or a hand edit would)."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from istui.services.leads import log_activity
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from conftest import fixed_clock

TABLES = ("leads", "activities", "notes", "targets")


def build_base(root: Path) -> Path:
    """A small workspace with two leads, calls, an e-mail, a note and a target."""
    ws = Workspace.create(root, "alice", Settings(team="Fuzz", timezone="Asia/Tokyo"), clock=fixed_clock)
    first = ws.add_lead({"company": "First", "stage": "working", "source": "web_inquiry", "motion": "sdr",
                         "tags": ["a"], "next_at": "2026-11-27T09:00:00+09:00", "owner": "alice"})
    second = ws.add_lead({"company": "Second", "stage": "new", "source": "other", "motion": "bdr", "owner": "alice"})
    log_activity(ws, first["id"], "call", "connected", note="n")
    log_activity(ws, first["id"], "call", "meeting_booked")
    log_activity(ws, second["id"], "email", "sent")
    ws.add_note({"title": "Script", "kind": "script", "tags": ["web_inquiry"], "body": "hello", "pinned": False})
    ws.save_target({"metric": "calls", "value": 60, "per": "day", "rep": "alice", "motion": None})
    return root


@contextlib.contextmanager
def copy_of(base: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        shutil.copytree(base, root, symlinks=True)
        yield root


def table_file(root: Path, table: str) -> Path:
    if table == "leads":
        return sorted((root / "leads").glob("*.json"))[0]
    if table == "activities":
        return root / "activities" / "alice" / "2026-11.jsonl"
    return root / f"{table}.json"


def corrupt(root: Path, table: str, field: str, value: object) -> None:
    """Set `field` of the first record of `table` to `value` in the file itself (KeyError: remove it)."""
    path = table_file(root, table)
    lines = path.read_text("utf-8").split("\n")
    for index, line in enumerate(lines):
        if table == "activities" and line.strip():
            key, record = None, json.loads(line)
        elif table != "activities" and line.startswith('"'):
            key, rest = line.split(": ", 1)
            record = json.loads(rest.rstrip(","))
        else:
            continue
        if value is KeyError:
            record.pop(field, None)
        else:
            record[field] = value
        text = json.dumps(record, ensure_ascii=False, sort_keys=True)
        lines[index] = text if key is None else f"{key}: {text}" + ("," if line.endswith(",") else "")
        break
    path.write_text("\n".join(lines), "utf-8")
