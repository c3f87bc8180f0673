"""Cached rollups of activity files (`locations.Local.rollups`, local only), so KPIs over months
read a few kilobytes per file instead of parsing every activity.

One rollup per `activities/<rep>/<YYYY-MM>.jsonl`, rebuilt only when that file's signature
changed. Lead sets are integer bitsets over a persistent, append-only numbering of lead ids
(`locations.Local.lead_numbers`), so "distinct leads worked" over a year is an OR and a bit count.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from istui.domain.model import MEETING_BOOKED, REACHED_OUTCOMES
from istui.store import files

if TYPE_CHECKING:
    from istui.store.workspace import Workspace

VERSION = 1
COUNTS = ("calls", "connects", "emails", "opens", "clicks", "replies", "meetings", "handoffs", "orders", "amount", "lost")
_INDEX = {name: i for i, name in enumerate(COUNTS)}
_EMAIL_COUNT = {"sent": _INDEX["emails"], "opened": _INDEX["opens"], "clicked": _INDEX["clicks"], "replied": _INDEX["replies"]}
_STAGE_COUNT = {"handed_off": _INDEX["handoffs"], "won": _INDEX["orders"], "lost": _INDEX["lost"]}


def rollup_file(path: str, tz_name: str) -> dict[str, Any]:
    """Aggregate one activity file (run in a worker process when many files need it)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8")
    if not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]  # a torn last line is not a record yet
    records = json.loads("[" + ",".join(line for line in text.split("\n") if line.strip()) + "]")
    days: dict[int, list[float]] = {}
    worked: set[str] = set()
    booked: set[str] = set()
    lost: set[str] = set()
    won: dict[str, float] = {}
    heat_calls: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    heat_mails: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    notes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    mails: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for record in records:
        local = datetime.fromisoformat(record["at"]).astimezone(tz)
        counts = days.get(local.toordinal())
        if counts is None:
            counts = days[local.toordinal()] = [0] * len(COUNTS)
        kind, outcome, lead = record["kind"], record.get("outcome"), record["lead"]
        if kind == "call":
            counts[0] += 1
            reached = outcome in REACHED_OUTCOMES
            counts[1] += reached
            worked.add(lead)
            cell = heat_calls[(local.weekday(), local.hour)]
            cell[0] += 1
            cell[1] += reached
            if record.get("script"):
                usage = notes[record["script"]]
                usage[0] += 1
                usage[1] += outcome == MEETING_BOOKED
        elif kind == "email":
            worked.add(lead)
            if outcome in _EMAIL_COUNT:
                counts[_EMAIL_COUNT[outcome]] += 1
            if outcome in ("sent", "opened"):
                mails[lead].append((local, outcome))
        elif kind == "stage" and outcome in _STAGE_COUNT:
            counts[_STAGE_COUNT[outcome]] += 1
            if outcome == "won":
                counts[_INDEX["amount"]] += record.get("amount") or 0
                won[lead] = record.get("amount") or 0
            elif outcome == "lost":
                lost.add(lead)
        if outcome == MEETING_BOOKED:
            counts[_INDEX["meetings"]] += 1
            booked.add(lead)
    for events in mails.values():  # an e-mail counts as opened when an open follows it before the next send
        events.sort()
        for index, (moment, outcome) in enumerate(events):
            if outcome == "sent":
                cell = heat_mails[(moment.weekday(), moment.hour)]
                cell[0] += 1
                cell[1] += index + 1 < len(events) and events[index + 1][1] == "opened"
    return {"days": days, "worked": worked, "booked": booked, "lost": lost, "won": won,
            "heat_calls": dict(heat_calls), "heat_mails": dict(heat_mails), "notes": dict(notes)}


def build_rollups(paths: list[str], tz_name: str, workers: int | None = None) -> list[dict[str, Any]]:
    """`rollup_file` of each path, spread over child processes when there are many and cores to spare.

    The children are plain `python -m istui.store.rollups` processes fed through pipes, not a
    multiprocessing pool: a pool needs a working `sys.stderr` file descriptor (the TUI replaces it)
    and forking a threaded process can deadlock."""
    workers = workers or min(os.cpu_count() or 1, 4)
    if len(paths) <= 8 or workers < 2:
        return [rollup_file(path, tz_name) for path in paths]
    chunks = [paths[i::workers] for i in range(workers)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                                     os.environ.get("PYTHONPATH")]))}
    children = []
    for chunk in chunks:
        child = subprocess.Popen([sys.executable, "-m", "istui.store.rollups", tz_name], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert child.stdin is not None
        child.stdin.write(json.dumps(chunk).encode())
        child.stdin.close()
        children.append(child)
    by_path: dict[str, dict[str, Any]] = {}
    for chunk, child in zip(chunks, children, strict=True):
        assert child.stdout is not None
        output = child.stdout.read()
        if child.wait() == 0:
            by_path.update(zip(chunk, pickle.loads(output), strict=True))
        else:  # a child that failed (no memory, killed): do its share here
            by_path.update((path, rollup_file(path, tz_name)) for path in chunk)
    return [by_path[path] for path in paths]


class Rollups:
    """The rollups of every activity file of a workspace, kept fresh against file signatures."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.path = workspace.local.rollups
        self.numbers_path = workspace.local.lead_numbers
        self.numbers: dict[str, int] = {}
        self.files: dict[str, dict[str, Any]] = {}  # "rep/month" → rollup (with "sig", bitsets)

    # --- lead numbering ------------------------------------------------------------------------
    def _load_numbers(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            for index, line in enumerate(self.numbers_path.read_text("utf-8").splitlines()):
                self.numbers[line] = index

    def bits(self, lead_ids: Any) -> int:
        """A bitset of lead ids (new ids get the next numbers, appended to the registry)."""
        new = [lead_id for lead_id in lead_ids if lead_id not in self.numbers]
        if new:
            for lead_id in new:
                self.numbers[lead_id] = len(self.numbers)
            files.append_bytes(self.numbers_path, "".join(i + "\n" for i in new).encode())
        value = 0
        for lead_id in lead_ids:
            value |= 1 << self.numbers[lead_id]
        return value

    # --- loading and refreshing ----------------------------------------------------------------
    def refresh(self) -> dict[str, dict[str, Any]]:
        """Every file's rollup, rebuilding (in parallel) only those whose file changed."""
        if not self.files:
            self._load_numbers()
            with contextlib.suppress(FileNotFoundError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
                cached = pickle.loads(self.path.read_bytes())
                # usable unless written by another version or against a longer (since deleted) numbering
                if cached.get("version") == VERSION and cached.get("numbers", 0) <= len(self.numbers):
                    self.files = cached["files"]
        stale: list[tuple[str, Path, files.Signature | None]] = []
        present = set()
        for path in self.workspace.activity_files():
            key = f"{path.parent.name}/{path.stem}"
            present.add(key)
            sig = files.signature(path)
            if self.files.get(key, {}).get("sig") != sig:
                stale.append((key, path, sig))
        removed = set(self.files) - present
        for key in removed:
            del self.files[key]
        if stale:
            tz = self.workspace.settings.timezone
            paths = [str(path) for _, path, _ in stale]
            built = build_rollups(paths, tz)
            for (key, _, sig), rollup in zip(stale, built, strict=True):
                for name in ("worked", "booked", "lost"):
                    rollup[name] = self.bits(rollup[name])
                self.bits(rollup["won"])  # numbers for the won leads too
                rollup["won"] = {self.numbers[lead]: amount for lead, amount in rollup["won"].items()}
                rollup["sig"] = sig
                self.files[key] = rollup
        # the cache file is rewritten (~10 ms at team-year) when it saves real work: rebuilding one or two
        # files (a rep's own calls) costs the next process about as little as rewriting it now
        if len(stale) > 2 or removed:
            with contextlib.suppress(OSError):  # a cache: failing to write it costs only speed
                files.atomic_write(self.path, pickle.dumps({"version": VERSION, "numbers": len(self.numbers),
                                                            "files": self.files}, protocol=pickle.HIGHEST_PROTOCOL))
        return self.files


if __name__ == "__main__":  # a child of build_rollups: paths as JSON on stdin, pickled rollups on stdout
    _paths = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps([rollup_file(path, sys.argv[1]) for path in _paths],
                                         protocol=pickle.HIGHEST_PROTOCOL))
