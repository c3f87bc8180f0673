"""Crash rounds (DESIGN.md section 3: a `kill -9` at any moment leaves every file parseable and loses at
most the record being written).

A round starts a real `istui` process doing one write (log a call, log a booked meeting, set lead
fields, edit a note, hand off, import a few thousand leads, sync with the team) on a workspace whose
records are known, and kills its whole process group with SIGKILL after a random delay within the
command's measured run. Then:

- `istui doctor --json` reports no error;
- every record that existed before is still there with the same values, except the record the command
  was changing, which is as before or as changed, never half of each;
- a multi-record change is all or nothing (a logged call and its follow-up; a booked meeting and stage
  `meeting`; a handoff's stage, handoff record and stage activity; every imported row or none);
- the same command run again succeeds (not refused, not stuck); after a killed sync, the next sync
  takes in the teammate's work and leaves git clean.

`tests/functional/test_crash.py` runs a few rounds of each command; `bench/crash.py` as many as asked.
The delays come from a seeded random generator, so a run can be replayed with its seed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from istui.services.demo import build_demo
from istui.services.leads import create_lead, log_activity
from istui.services.notes import edit_note
from istui.services.sync import sync
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from git_support import GIT_ENV, git

NOW = "2026-11-27T10:30:00+09:00"
REP, TEAMMATE = "sato", "ito"
IMPORT_ROWS = 2000
FOLLOW_UP = "2026-11-28T10:00:00+09:00"  # `--next "tomorrow 10am"` at NOW
COMMANDS = ("log", "meeting", "lead-set", "note-edit", "handoff", "import", "sync")
RERUN_TIMEOUT = 60.0
Record = dict[str, Any]
KINDS = ("leads", "activities", "notes", "targets")


def clock(tz):
    return datetime.fromisoformat(NOW).astimezone(tz)


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` set, for the records written in this process (git reads HOME)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- what is on disk ---------------------------------------------------------------------------
Snapshot = dict[str, dict[str, Record]]


def snapshot(root: Path) -> Snapshot:
    """Every record by kind and id, as an istui command opening the workspace sees it."""
    ws = Workspace.open(root, REP, clock=clock)
    return {"leads": {r["id"]: dict(r) for r in ws.leads()},
            "activities": {r["id"]: dict(r) for r in ws.activities()},
            "notes": {r["id"]: dict(r) for r in ws.notes()},
            "targets": {r["id"]: dict(r) for r in ws.targets()}}


def describe(kind: str, record: Record) -> str:
    name = record.get("company") or record.get("title") or record.get("metric") or record.get("outcome") or ""
    return f"{kind[:-1]} {record.get('id', '?')[:12]} ({name})"


# --- one round ---------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What one kill did: where it landed and what was lost or broken (empty: survived)."""

    command: str
    number: int
    delay: float
    window: float
    killed: bool  # the process was still running when the kill came
    failures: list[str] = field(default_factory=list)

    @property
    def survived(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        when = f"killed after {self.delay:.3f} s of {self.window:.3f} s" if self.killed else \
            f"finished before the kill at {self.delay:.3f} s"
        head = f"{self.command} #{self.number} ({when})"
        return head + ("" if self.survived else ":\n  - " + "\n  - ".join(self.failures))


@dataclass
class Round:
    """One command on one fresh copy of the known workspace, with what it may change."""

    command: str
    root: Path  # the workspace the command runs in
    args: list[str]
    before: Snapshot
    changing: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) the command changes
    new_values: dict[str, Any] = field(default_factory=dict)
    incoming: Snapshot | None = None  # sync: the teammate's new records, which must arrive
    theirs: Snapshot | None = None  # sync: the teammate's changed records, whose changes must arrive

    @property
    def folder(self) -> Path:
        return self.root.parent

    @property
    def command_line(self) -> str:
        return "istui " + " ".join(self.args)


class CrashLab:
    """Known workspaces built once (a demo team's workspace; for sync a bare remote, the teammate's
    clone with pushed work and ours with work not yet synced), copied fresh for every round."""

    def __init__(self, folder: Path, measure_runs: int = 3) -> None:
        self.folder = folder
        self.measure_runs = measure_runs
        home = folder / "home"
        self.env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                    "XDG_DATA_HOME": str(home / ".local" / "share"), "ISTUI_NOW": NOW, "ISTUI_REP": REP,
                    "ISTUI_LANG": "en", **GIT_ENV}
        self.templates = folder / "templates"
        self.durations: dict[str, float] = {}
        self.rounds = 0
        with environment(self.env):
            self._build_plain(self.templates / "plain")
            self.incoming, self.theirs_edits = self._build_team(self.templates / "plain", self.templates / "team")
            # every round starts from a copy of these, so they are what each round has before its kill
            self.known = {"plain": snapshot(self.templates / "plain"), "team": snapshot(self.templates / "team" / "ours")}
        self.csv = folder / "leads.csv"
        self.csv.write_text(import_csv(IMPORT_ROWS), encoding="utf-8")
        self.body = folder / "body.md"
        self.body.write_text("# Opening (rewritten)\n\nSay who you are and why you call, in one breath.\n", encoding="utf-8")

    # --- the known workspaces --------------------------------------------------------------------
    @staticmethod
    def _build_plain(root: Path) -> None:
        ws = Workspace.create(root, REP, Settings(team="Crash", timezone="Asia/Tokyo"), clock=clock)
        build_demo(ws, "small", 7)

    @staticmethod
    def _build_team(plain: Path, folder: Path) -> tuple[Snapshot, Snapshot]:
        """The plain workspace shared through a bare remote: the teammate pushed a day's work, ours is not
        synced yet. Returns the teammate's work: the records they added, and those they changed (as changed)."""
        remote = folder / "remote.git"
        folder.mkdir(parents=True)
        git(folder, "init", "-q", "--bare", str(remote))
        shutil.copytree(plain, folder / "ours", symlinks=True)
        git(folder / "ours", "remote", "add", "origin", str(remote))
        sync(Workspace.open(folder / "ours", REP, clock=clock))
        git(folder, "clone", "-q", str(remote), str(folder / "theirs"))
        base = snapshot(folder / "theirs")
        theirs = Workspace.open(folder / "theirs", TEAMMATE, clock=clock)
        for n in range(6):  # the teammate's day: new leads and calls, one note edited
            lead = create_lead(theirs, {"company": f"Teammate Co {n}", "phone": f"06-4000-{n:04d}"})
            log_activity(theirs, lead["id"], "call", "connected", note="話せた")
        edit_note(theirs, theirs.notes()[0]["id"], {"title": "Opening script (ito's edit)"})
        sync(theirs)
        ours = Workspace.open(folder / "ours", REP, clock=clock)
        leads = sorted(ours.lead_ids())
        for n in range(6):  # our work not yet synced: new leads, calls, an edit
            lead = create_lead(ours, {"company": f"Our Co {n}", "phone": f"092-400-{n:04d}"})
            log_activity(ours, lead["id"], "call", "no_answer")
            log_activity(ours, leads[n * 7], "call", "voicemail")
        ours.update_lead(leads[3], {"memo": "Budget confirmed for April."})
        for repository in (remote, folder / "ours", folder / "theirs"):
            git(repository, "gc", "--quiet")  # a few packs instead of a thousand objects to copy each round
        pushed = snapshot(folder / "theirs")
        added = {kind: {k: v for k, v in pushed[kind].items() if k not in base[kind]} for kind in KINDS}
        edited = {kind: {k: v for k, v in pushed[kind].items() if k in base[kind] and v != base[kind][k]} for kind in KINDS}
        return added, edited

    def fresh(self, command: str) -> Path:
        """A new copy of the known workspace for `command` (a whole team folder for sync)."""
        self.rounds += 1
        place = self.folder / "rounds" / f"{self.rounds:03d}-{command}"
        if command == "sync":
            shutil.copytree(self.templates / "team", place, symlinks=True)
            for side in ("ours", "theirs"):
                git(place / side, "remote", "set-url", "origin", str(place / "remote.git"))
            return place / "ours"
        shutil.copytree(self.templates / "plain", place / "ws", symlinks=True)
        return place / "ws"

    # --- commands --------------------------------------------------------------------------------
    def prepare(self, command: str, rng: random.Random) -> Round:
        root = self.fresh(command)
        before = self.known["team" if command == "sync" else "plain"]
        leads = sorted(before["leads"].values(), key=lambda r: r["id"])
        if command in ("log", "meeting", "handoff"):
            stages = ("new", "working", "nurturing") + (("meeting",) if command == "handoff" else ())
            lead = rng.choice([r for r in leads if r["stage"] in stages])
            args = {"log": ["log", "call", lead["id"], "-o", "no_answer", "--note", "crash round", "--next", "tomorrow 10am"],
                    "meeting": ["log", "call", lead["id"], "-o", "meeting_booked", "--note", "アポ獲得"],
                    "handoff": ["handoff", lead["id"], "--to", "field-kimura", "--budget", "300万円", "--need", "工数削減", "--authority", "部長", "--timeline", "来期",
                                "--note", "決裁は部長"]}[command]
            return Round(command, root, args, before, {("leads", lead["id"])})
        if command == "lead-set":
            lead = rng.choice(leads)
            values = {"memo": "Wants a quote by Friday.", "phone": "03-9999-0000"}
            return Round(command, root, ["lead", "set", lead["id"], *(f"{k}={v}" for k, v in values.items())],
                         before, {("leads", lead["id"])}, values)
        if command == "note-edit":
            note = rng.choice(sorted(before["notes"].values(), key=lambda r: r["id"]))
            values = {"title": "Opening script v2", "body": self.body.read_text("utf-8")}
            return Round(command, root, ["note", "edit", note["id"], "--title", values["title"], "--file", str(self.body)],
                         before, {("notes", note["id"])}, values)
        if command == "import":
            return Round(command, root, ["import", "leads", str(self.csv)], before)
        edited = {(kind, key) for kind, records in self.theirs_edits.items() for key in records}
        return Round(command, root, ["sync"], before, edited, incoming=self.incoming, theirs=self.theirs_edits)

    def process_env(self, root: Path) -> dict[str, str]:
        return {**os.environ, **self.env, "ISTUI_WORKSPACE": str(root)}

    def run(self, root: Path, args: list[str], timeout: float = RERUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
        """`istui ARGS` as a whole process in the workspace at `root`, to its end."""
        return subprocess.run([sys.executable, "-m", "istui", *args], env=self.process_env(root), capture_output=True,
                              text=True, timeout=timeout, start_new_session=True)

    def duration(self, command: str) -> float:
        """How long the command takes as a whole process here: the median of a few runs, each on a fresh copy."""
        if command not in self.durations:
            times = []
            for _ in range(self.measure_runs):
                round_ = self.prepare(command, random.Random(0))
                started = time.monotonic()
                done = self.run(round_.root, round_.args)
                times.append(time.monotonic() - started)
                assert done.returncode == 0, f"{round_.command_line}: {done.stderr}"
                shutil.rmtree(round_.folder)
            self.durations[command] = sorted(times)[len(times) // 2]
        return self.durations[command]

    # --- a round ---------------------------------------------------------------------------------
    def crash(self, command: str, number: int, delay: float, rng: random.Random) -> Outcome:
        """Start the command, SIGKILL its process group after `delay` seconds, check what is left."""
        round_ = self.prepare(command, rng)
        process = subprocess.Popen([sys.executable, "-m", "istui", *round_.args], env=self.process_env(round_.root),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        killed = process.poll() is None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # git and the merge driver die with it
        process.wait()
        outcome = Outcome(command, number, delay, self.durations.get(command, 0.0), killed)
        outcome.failures = self.check(round_)
        if outcome.survived:
            shutil.rmtree(round_.folder)
        else:
            outcome.failures.append(f"(left for a look: {round_.folder})")
        return outcome

    def check(self, round_: Round) -> list[str]:
        before = round_.before
        failures = doctor_errors(self.run(round_.root, ["doctor", "--json"]))
        try:
            after = snapshot(round_.root)
        except Exception as exc:  # whatever a command opening the workspace would meet
            return [*failures, f"the workspace cannot be read: {exc}"]
        failures += lost(before, after, round_.changing)
        failures += CHECKS[round_.command](round_, before, after)
        try:
            again = self.run(round_.root, round_.args)
        except subprocess.TimeoutExpired:
            return [*failures, f"`{round_.command_line}` again: stuck (no exit in {RERUN_TIMEOUT:.0f} s)"]
        handed_off = round_.command == "handoff" and after["leads"][_lead(round_)]["stage"] == "handed_off"
        refused_rightly = handed_off and again.returncode == 2 and "already" in again.stderr
        if again.returncode != 0 and not refused_rightly:
            failures.append(f"`{round_.command_line}` again failed (exit {again.returncode}): {again.stderr.strip()[:300]}")
            return failures
        final = snapshot(round_.root)
        failures += lost(before, final, round_.changing)
        if round_.command == "import":
            imported = sum(1 for r in final["leads"].values() if r["company"].startswith(IMPORT_PREFIX))
            if imported != IMPORT_ROWS:
                failures.append(f"after the import ran again: {imported} imported leads, not {IMPORT_ROWS}")
        if round_.command == "sync":
            failures += sync_settled(round_, final)
        return failures


# --- the checks --------------------------------------------------------------------------------
def doctor_errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    try:
        report = json.loads(result.stdout)
    except ValueError:
        return [f"`istui doctor --json` printed no report (exit {result.returncode}): {result.stderr.strip()[:300]}"]
    return [f"doctor: {p['file']}:{p['line'] or ''} {p['message']}" for p in report["problems"] if p["severity"] == "error"]


def lost(before: Snapshot, after: Snapshot, changing: set[tuple[str, str]]) -> list[str]:
    """Records that existed before and are gone or changed (other than those the command changes)."""
    failures = []
    for kind in KINDS:
        for key, record in before[kind].items():
            now = after[kind].get(key)
            if now is None:
                failures.append(f"lost {describe(kind, record)}")
            elif now != record and (kind, key) not in changing:
                failures.append(f"{describe(kind, record)} changed: {_diff(record, now, stamps=True)}")
    return failures


def new_records(before: Snapshot, after: Snapshot, kind: str) -> list[Record]:
    return [r for key, r in after[kind].items() if key not in before[kind]]


def _only(before: Snapshot, after: Snapshot, allowed: dict[str, int]) -> list[str]:
    """No record appeared beyond what the command writes (at most `allowed[kind]` new ones)."""
    failures = []
    for kind in KINDS:
        added = new_records(before, after, kind)
        if len(added) > allowed.get(kind, 0):
            failures.append(f"{len(added)} new {kind}, expected at most {allowed.get(kind, 0)}: "
                            + ", ".join(describe(kind, r) for r in added[:3]))
    return failures


def _lead(round_: Round) -> str:
    return next(key for kind, key in round_.changing if kind == "leads")


def check_log(round_: Round, before: Snapshot, after: Snapshot) -> list[str]:
    lead_id = _lead(round_)
    failures = _only(before, after, {"activities": 1})
    calls = [a for a in new_records(before, after, "activities") if a["lead"] == lead_id]
    lead, was = after["leads"][lead_id], before["leads"][lead_id]
    if calls and lead.get("next_at") != FOLLOW_UP:
        failures.append(f"half a log: the call is written but the lead's follow-up is {lead.get('next_at')!r}, "
                        f"not {FOLLOW_UP} (the --next typed is lost)")
    if not calls and lead != was:
        failures.append(f"half a log: no call written, but the lead changed ({_diff(was, lead)})")
    return failures


def check_meeting(round_: Round, before: Snapshot, after: Snapshot) -> list[str]:
    lead_id = _lead(round_)
    failures = _only(before, after, {"activities": 1})
    booked = [a for a in new_records(before, after, "activities") if a["outcome"] == "meeting_booked"]
    lead, was = after["leads"][lead_id], before["leads"][lead_id]
    if bool(booked) != (lead["stage"] == "meeting"):
        failures.append(f"half a booked meeting: meeting_booked call {'written' if booked else 'missing'}, "
                        f"lead stage {lead['stage']!r}")
    if not booked and lead != was:
        failures.append(f"half a booked meeting: no call written, but the lead changed ({_diff(was, lead)})")
    return failures


def check_one_record(round_: Round, before: Snapshot, after: Snapshot) -> list[str]:
    """`lead set`, `note edit`: the record is as before or has every new value, never half of each."""
    ((kind, key),) = round_.changing
    record, was = after[kind][key], before[kind][key]
    failures = _only(before, after, {})
    if record != was and any(record.get(name) != value for name, value in round_.new_values.items()):
        failures.append(f"half a `{round_.command.replace('-', ' ')}`: {_diff(was, record)}")
    return failures


def check_handoff(round_: Round, before: Snapshot, after: Snapshot) -> list[str]:
    lead_id = _lead(round_)
    failures = _only(before, after, {"activities": 1})
    lead, was = after["leads"][lead_id], before["leads"][lead_id]
    parts = {"stage handed_off": lead["stage"] == "handed_off",
             "handoff record": bool(lead.get("handoff")),
             "stage activity": any(a["kind"] == "stage" and a["outcome"] == "handed_off"
                                   for a in new_records(before, after, "activities"))}
    if len(set(parts.values())) > 1:
        failures.append("half a handoff: " + ", ".join(f"{name} {'present' if there else 'missing'}"
                                                       for name, there in parts.items()))
    if not any(parts.values()) and lead != was:
        failures.append(f"half a handoff: nothing recorded, but the lead changed ({_diff(was, lead)})")
    return failures


def check_import(round_: Round, before: Snapshot, after: Snapshot) -> list[str]:
    added = new_records(before, after, "leads")
    failures = _only(before, after, {"leads": IMPORT_ROWS})
    if len(added) not in (0, IMPORT_ROWS):
        failures.append(f"half an import: {len(added)} of {IMPORT_ROWS} rows written")
    return failures


def check_sync(round_: Round, before: Snapshot, after: Snapshot) -> list[str]:
    failures = []
    incoming = round_.incoming or {}
    for kind in KINDS:
        for record in new_records(before, after, kind):
            if record["id"] not in incoming.get(kind, {}):
                failures.append(f"a record from nowhere after the kill: {describe(kind, record)}")
    return failures


def sync_settled(round_: Round, final: Snapshot) -> list[str]:
    """After the next sync: the teammate's records arrived and git is clean (nothing left half-done)."""
    failures = [f"the teammate's {describe(kind, record)} never arrived"
                for kind, records in (round_.incoming or {}).items() for key, record in records.items()
                if key not in final[kind]]
    theirs = round_.theirs or {}
    for kind, key in sorted(round_.changing):
        edited = {name: value for name, value in theirs[kind][key].items() if name not in ("updated_at", "updated_by")
                  and value != round_.before[kind][key].get(name)}
        if any(final[kind][key].get(name) != value for name, value in edited.items()):
            failures.append(f"the teammate's edit of {describe(kind, theirs[kind][key])} never arrived: "
                            f"{_diff(final[kind][key], theirs[kind][key])}")
    status = git(round_.root, "status", "--porcelain", check=False)
    if status.strip():
        failures.append(f"git is not clean after the next sync: {status.strip()[:200]}")
        return failures
    sync(Workspace.open(round_.folder / "theirs", TEAMMATE, clock=clock))  # our work reached the team
    failures += [f"the teammate lacks ours: {failure}"
                 for failure in lost(round_.before, snapshot(round_.folder / "theirs"), round_.changing)]
    return failures


CHECKS = {"log": check_log, "meeting": check_meeting, "lead-set": check_one_record, "note-edit": check_one_record,
          "handoff": check_handoff, "import": check_import, "sync": check_sync}


def _diff(was: Record, now: Record, stamps: bool = False) -> str:
    """The fields that differ, as `name old → new` (without updated_at/updated_by unless `stamps`)."""
    skip = () if stamps else ("updated_at", "updated_by")
    return ", ".join(f"{k} {was.get(k)!r} → {now.get(k)!r}" for k in sorted(was.keys() | now.keys())
                     if was.get(k) != now.get(k) and k not in skip)


IMPORT_PREFIX = "Crash Import "


def import_csv(rows: int) -> str:
    """A CRM export of `rows` new leads (no duplicates among themselves or with the demo's)."""
    lines = ["Company,Contact,Email,Lead Source"]
    sources = ("web_inquiry", "download", "seminar", "trade_show")
    lines += [f"{IMPORT_PREFIX}{n:05d} 株式会社,Person {n},person{n}@crash-import.example,{sources[n % len(sources)]}"
              for n in range(rows)]
    return "\n".join(lines) + "\n"


# --- many rounds -------------------------------------------------------------------------------
def run_rounds(lab: CrashLab, command: str, count: int, seed: int) -> list[Outcome]:
    """`count` kills of `command`, the delays spread over its whole run: the i-th falls at a random
    moment of the i-th of `count` equal slices of the measured duration."""
    rng = random.Random(f"{seed}:{command}")
    outcomes = []
    with environment(lab.env):
        window = lab.duration(command)
        for number in range(count):
            delay = window * (number + rng.random()) / count
            outcomes.append(lab.crash(command, number + 1, delay, rng))
    return outcomes
