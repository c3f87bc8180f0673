"""Issue 11, the storage side: each failure the adversarial probe found, reproduced, then held fixed.

Torn and unterminated last lines, a corrupt middle line, a stale journal, duplicate ids, multi-record
changes killed half-way, symlinks, wrong-typed values on disk, and the temp files of killed writes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from istui.domain.errors import IstuiError
from istui.services.handoff_loop import hand_off
from istui.services.leads import log_activity
from istui.store import files, journal
from istui.store.doctor import check_workspace
from istui.store.storages import CorruptFile
from istui.store.workspace import Workspace, bucket_of

from conftest import fixed_clock


def new_lead(ws: Workspace, company: str = "Acme", **fields) -> str:
    return ws.add_lead({"company": company, "stage": "working", "source": "other", "motion": "sdr", **fields})["id"]


def month_file(ws: Workspace, rep: str = "alice") -> Path:
    return ws.root / "activities" / rep / "2026-11.jsonl"


def outcomes(path: Path) -> list[str]:
    return [json.loads(line)["outcome"] for line in path.read_text().splitlines() if line.strip()]


def errors(ws: Workspace) -> list[str]:
    return [str(p) for p in check_workspace(ws.root) if p.severity == "error"]


# --- 1. last lines ---------------------------------------------------------------------------------

def test_a_last_record_without_its_newline_is_kept(cli, ws: Workspace) -> None:
    lead_id = new_lead(ws)
    assert cli("log", "call", lead_id, "-o", "no_answer").code == 0
    assert cli("log", "call", lead_id, "-o", "busy").code == 0
    path = month_file(ws)
    os.truncate(path, path.stat().st_size - 1)  # the record is whole; only its newline is gone
    assert not any("interrupted" in str(p) for p in check_workspace(ws.root))
    assert cli("log", "call", lead_id, "-o", "voicemail").code == 0
    assert outcomes(path) == ["no_answer", "busy", "voicemail"]
    assert path.read_bytes().endswith(b"\n") and errors(ws) == []


def test_a_torn_tail_longer_than_a_megabyte_cuts_only_itself(ws: Workspace) -> None:
    lead_id = new_lead(ws)
    log_activity(ws, lead_id, "call", "no_answer")
    path = month_file(ws)
    with open(path, "ab") as handle:
        handle.write(b'{"id": "torn", "note": "' + b"x" * 1_500_000)  # an append killed half-way
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    log_activity(fresh, lead_id, "call", "busy")
    assert outcomes(path) == ["no_answer", "busy"]


def test_istui_never_appends_to_a_file_it_cannot_read(cli, ws: Workspace) -> None:
    lead_id = new_lead(ws)
    cli("log", "call", lead_id, "-o", "1")
    cli("log", "call", lead_id, "-o", "2")
    path = month_file(ws)
    first, second = path.read_text().splitlines()
    path.write_text(first + "\n{broken\n" + second + "\n")
    before = path.read_bytes()
    refused = cli("log", "call", lead_id, "-o", "3")
    assert refused.code == 1 and "line 2" in refused.err and "will not write" in refused.err
    assert path.read_bytes() == before
    # the same through a process that appended before and so remembers the file as good
    ws2 = Workspace.open(ws.root, "alice", clock=fixed_clock)
    with pytest.raises(CorruptFile):
        log_activity(ws2, lead_id, "call", "busy")
    assert path.read_bytes() == before
    # the other lines are still read and counted
    listed = cli("kpi", "--json")
    assert listed.code == 0 and listed.json["metrics"]["calls"] == 2 and "line 2" in listed.err


def test_a_file_appended_by_istui_is_not_read_again_before_the_next_append(ws: Workspace) -> None:
    """The quick path: a file whose signature an istui process remembered is appended to unread."""
    lead_id = new_lead(ws)
    log_activity(ws, lead_id, "call", "no_answer")
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    storage = fresh._activity_storage("alice", "2026-11")
    log_activity(fresh, lead_id, "call", "busy")
    assert storage._records is None  # appended without parsing the file
    assert outcomes(month_file(ws)) == ["no_answer", "busy"]


# --- 2. the journal -----------------------------------------------------------------------------------

def staged_import(ws: Workspace, company: str, bucket_name: str) -> tuple[Path, str]:
    """A journal left by an import killed after its plan and before its renames: one new lead, in the
    bucket `bucket_name`."""
    from istui.domain.ids import new_id
    from istui.store.fileformat import record_lines

    lead_id = new_id()
    while bucket_of(lead_id) != bucket_name:
        lead_id = new_id()
    bucket = ws.root / "leads" / f"{bucket_name}.json"
    records = dict(ws._lead_storage(bucket_name).records())
    records[lead_id] = ws.stamp({"id": lead_id, "company": company, "stage": "new", "source": "other",
                                 "motion": "sdr"}, created=True)
    temp = files.write_temp(bucket, record_lines("leads", records))
    before = files.signature(bucket)
    plan = {"version": 2, "ops": [{"replace": str(bucket), "temp": str(temp), "before": list(before) if before else None}]}
    files.atomic_write(ws.local.journal, json.dumps(plan))
    return bucket, lead_id


def test_a_stale_journal_never_replays_over_a_later_edit(ws: Workspace) -> None:
    neighbour = new_lead(ws, "Neighbour")
    tui = Workspace.open(ws.root, "alice", clock=fixed_clock)  # open before the import (the TUI)
    tui.get_lead(neighbour)
    _bucket, staged_id = staged_import(ws, "Imported Co", bucket_of(neighbour))
    # the open TUI edits the neighbour: taking the lock finishes the import first, then edits
    tui.update_lead(neighbour, {"memo": "typed in the TUI"})
    # the next command (which used to replay the stale journal over the edit) changes nothing
    final = Workspace.open(ws.root, "alice", clock=fixed_clock)
    assert final.get_lead(neighbour)["memo"] == "typed in the TUI"
    assert final.get_lead(staged_id)["company"] == "Imported Co"
    assert not ws.local.journal.exists()


def test_a_journal_never_overwrites_a_file_changed_after_it(ws: Workspace) -> None:
    lead_id = new_lead(ws, "Before")
    bucket, _staged = staged_import(ws, "Imported Co", bucket_of(lead_id))
    text = bucket.read_text()
    bucket.write_text(text.replace('"company": "Before"', '"company": "Edited by hand"'))  # after the plan
    edited = bucket.read_bytes()
    reopened = Workspace.open(ws.root, "alice", clock=fixed_clock)
    assert bucket.read_bytes() == edited  # not overwritten
    assert reopened.notices and str(bucket) in reopened.notices[0]
    assert not ws.local.journal.exists()
    assert reopened.get_lead(lead_id)["company"] == "Edited by hand"


# --- 3. duplicate ids ---------------------------------------------------------------------------------

def test_duplicate_ids_are_reported_and_never_dropped(cli, ws: Workspace) -> None:
    lead_id = new_lead(ws, "First Co")
    bucket = ws.root / "leads" / f"{bucket_of(lead_id)}.json"
    lines = bucket.read_text().splitlines()
    record_line = next(line for line in lines if line.startswith(f'"{lead_id}"'))
    duplicate = record_line.replace("First Co", "Second Co")
    if not record_line.endswith(","):
        record_line += ","
    text = bucket.read_text().replace(record_line.rstrip(",") + "\n", record_line + "\n" + duplicate + "\n", 1)
    bucket.write_text(text)
    assert text.count(lead_id) >= 2
    found = [p for p in check_workspace(ws.root) if p.severity == "error"]
    assert any(f"repeats the id {lead_id}" in p.message and p.file == f"leads/{bucket.name}" for p in found)
    before = bucket.read_bytes()
    result = cli("lead", "set", lead_id, "temp=hot")
    assert result.code == 1 and "repeats the id" in result.err and bucket.read_bytes() == before
    shown = cli("lead", "show", lead_id, "--json")
    assert shown.code == 0 and shown.json["company"] == "First Co"  # the first of the two is shown


def test_duplicate_activity_ids_are_reported(ws: Workspace) -> None:
    lead_id = new_lead(ws)
    log_activity(ws, lead_id, "call", "no_answer")
    path = month_file(ws)
    line = path.read_text()
    path.write_text(line + line.replace("no_answer", "busy"))
    assert any("repeats the id" in message and ":2:" in message for message in errors(ws))


# --- 5. multi-record changes -------------------------------------------------------------------------

class Crash(BaseException):
    """A kill -9 stand-in: raised in the middle of applying a journal."""


@pytest.mark.parametrize("moment", ["before the plan", "after the plan"])
@pytest.mark.parametrize("change", ["handoff", "meeting_booked"])
def test_multi_record_changes_are_all_or_nothing(ws: Workspace, monkeypatch, moment: str, change: str) -> None:
    lead_id = new_lead(ws, stage="working")
    from istui.store.roster import add_members

    add_members(ws, {"kimura": {"role": "field"}})  # the recipient, from the roster's field sales
    original_replace = journal._apply_replace
    original_plan = files.atomic_write

    def crash_in_replace(*args):  # the append of the activity went through; the lead's file did not
        raise Crash()

    def crash_on_plan(path, content):
        if Path(path) == ws.local.journal:
            raise Crash()
        return original_plan(path, content)

    if moment == "after the plan":
        monkeypatch.setattr(journal, "_apply_replace", crash_in_replace)
    else:
        monkeypatch.setattr(files, "atomic_write", crash_on_plan)
    with pytest.raises(Crash):
        if change == "handoff":
            hand_off(ws, lead_id, "kimura", {"budget": "3M", "authority": "CEO", "need": "x", "timeline": "Q1"})
        else:
            log_activity(ws, lead_id, "call", "meeting_booked")
    monkeypatch.setattr(journal, "_apply_replace", original_replace)
    monkeypatch.setattr(files, "atomic_write", original_plan)
    after = Workspace.open(ws.root, "alice", clock=fixed_clock)  # the next command recovers
    lead = after.get_lead(lead_id)
    activities = after.activities_of_lead(lead_id)
    if moment == "before the plan":
        assert lead["stage"] == "working" and activities == [] and not lead.get("handoff")
    elif change == "handoff":
        assert lead["stage"] == "handed_off" and lead["handoff"]["to"] == "kimura"
        assert [a["outcome"] for a in activities] == ["handed_off"]
    else:
        assert lead["stage"] == "meeting" and [a["outcome"] for a in activities] == ["meeting_booked"]
    assert errors(after) == []
    if moment == "before the plan" and change == "handoff":
        hand_off(after, lead_id, "kimura", {"budget": "3M", "authority": "CEO", "need": "x", "timeline": "Q1"})  # a re-run is not refused
        assert after.get_lead(lead_id)["stage"] == "handed_off"


# --- 7. symlinks --------------------------------------------------------------------------------------

def test_a_symlinked_activity_file_is_never_followed(cli, ws: Workspace, tmp_path: Path) -> None:
    lead_id = new_lead(ws)
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    folder = ws.root / "activities" / "bob"
    folder.mkdir(parents=True)
    (folder / "2026-11.jsonl").symlink_to(outside)
    assert cli("rep", "add", "bob").code == 0
    for _attempt in range(2):  # the second process must not take the link as a file checked before
        result = cli("--rep", "bob", "log", "call", lead_id, "-o", "1")
        assert result.code == 1 and "symbolic link" in result.err and "Traceback" not in result.err
    assert outside.read_text() == "precious\n"
    assert cli("kpi", "--team", "--json").code == 0  # readers skip it


def test_a_symlinked_folder_is_never_followed(cli, ws: Workspace, tmp_path: Path) -> None:
    lead_id = new_lead(ws)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (ws.root / "activities" / "bob").symlink_to(outside, target_is_directory=True)
    assert cli("rep", "add", "bob").code == 0
    result = cli("--rep", "bob", "log", "call", lead_id, "-o", "1")
    assert result.code == 1 and "symbolic link" in result.err
    assert list(outside.iterdir()) == []


def test_a_symlinked_lead_bucket_is_not_read_or_written(cli, ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"leads": {\n"01SECRET000000000000000000": {"company": "Secret"}\n}}\n')
    (ws.root / "leads" / "ff.json").symlink_to(secret)
    listed = cli("lead", "list", "--json")
    assert listed.code == 0 and "Secret" not in listed.out
    assert "symbolic link" in listed.err


def test_a_symlinked_local_folder_is_refused(cli, ws: Workspace, tmp_path: Path) -> None:
    import shutil

    shutil.rmtree(ws.root / ".istui")
    (tmp_path / "away").mkdir()
    (ws.root / ".istui").symlink_to(tmp_path / "away", target_is_directory=True)
    result = cli("today")
    assert result.code == 1 and "symbolic link" in result.err


# --- 13. wrong values on disk ---------------------------------------------------------------------------

def corrupt_lead(ws: Workspace, lead_id: str, **values) -> None:
    bucket = ws.root / "leads" / f"{bucket_of(lead_id)}.json"
    text = bucket.read_text()
    start = text.index(f'"{lead_id}": ') + len(f'"{lead_id}": ')
    end = text.index("\n", start)
    line = text[start:end]
    comma = line.endswith(",")
    record = json.loads(line.rstrip(","))
    for key, value in values.items():
        if value is KeyError:
            record.pop(key, None)
        else:
            record[key] = value
    bucket.write_text(text[:start] + json.dumps(record, ensure_ascii=False, sort_keys=True) + ("," if comma else "") + text[end:])


@pytest.mark.parametrize("values", [
    {"next_at": 5}, {"tags": [1, 2]}, {"amount": "lots"}, {"handoff": "x"}, {"stage": ["x"]}, {"created_at": KeyError},
    {"next_at": "9999-12-31T23:00:00+09:00"}, {"company": None}, {"temp": "boiling"},
])
def test_a_wrong_value_in_a_lead_is_reported_and_left_out(cli, ws: Workspace, values: dict) -> None:
    good = new_lead(ws, "Good Co", next_at="2026-11-27T09:00:00+09:00")
    bad = new_lead(ws, "Bad Co")
    corrupt_lead(ws, bad, **values)
    for command in (["lead", "list", "--json"], ["today", "--json"], ["kpi", "--json"], ["export", "leads"],
                    ["lead", "show", good, "--json"], ["log", "call", good, "-o", "2"]):
        result = cli(*command)
        assert result.code == 0, (command, result.err)
        assert "Bad Co" not in result.out
    assert "line" in cli("lead", "list").err  # reported with the file and line
    refused = cli("lead", "set", bad, "memo=x")
    assert refused.code == 1 and "istui doctor" in refused.err
    field = next(iter(values))
    assert any(field in message for message in errors(ws)), errors(ws)


@pytest.mark.parametrize("odd", ["lead-1", "ABCDEF", "01m70c72ezvf4a4y2r1z3me649", "01M70C72EZVF4A4Y2R1Z3ME64U"])
def test_a_lead_whose_id_istui_did_not_make_is_reported_not_shown(cli, ws: Workspace, odd: str) -> None:
    """A lead added by hand under an id istui would never make (no `lead show` could name it: ids are typed as
    prefixes, upper case, in Crockford's letters) is reported with its file and left out, like any unusable value."""
    from istui.store.fileformat import record_lines

    good = new_lead(ws, "Good Co")
    path = ws.root / "leads" / f"{bucket_of(odd)}.json"
    table = json.loads(path.read_text())["leads"] if path.exists() else {}
    table[odd] = {**ws.get_lead(good), "id": odd, "company": "Odd Co"}
    path.write_bytes(record_lines("leads", table))
    listed = cli("lead", "list")
    assert listed.code == 0 and "Good Co" in listed.out and "Odd Co" not in listed.out and path.name in listed.err
    assert any("not an id istui makes" in message for message in errors(ws)), errors(ws)


@pytest.mark.parametrize("values", [{"at": 5}, {"outcome": [1]}, {"kind": "fax"}, {"at": "yesterday"}, {"lead": None}])
def test_a_wrong_value_in_an_activity_is_reported_and_left_out(cli, ws: Workspace, values: dict) -> None:
    lead_id = new_lead(ws)
    cli("log", "call", lead_id, "-o", "1")
    cli("log", "call", lead_id, "-o", "2")
    path = month_file(ws)
    first, second = path.read_text().splitlines()
    record = {**json.loads(second), **values}
    path.write_text(first + "\n" + json.dumps(record) + "\n")
    for command in (["kpi", "--json"], ["kpi", "--period", "month", "--json"], ["lead", "show", lead_id, "--json"],
                    ["export", "activities"], ["review"], ["today"]):
        result = cli(*command)
        assert result.code == 0, (command, result.err)
    assert cli("kpi", "--json").json["metrics"]["calls"] == 1
    assert cli("log", "call", lead_id, "-o", "3").code == 0  # the file reads: appending is fine
    assert len(path.read_text().splitlines()) == 3  # the bad record is kept as it was
    assert any(next(iter(values)) in message for message in errors(ws)), errors(ws)


def test_bad_times_typed_are_one_sentence(cli, ws: Workspace) -> None:
    lead_id = new_lead(ws)
    offset = cli("log", "call", lead_id, "-o", "1", "--next", "2026-12-01T10:00:00+99:00")
    assert offset.code == 2 and "cannot read" in offset.err
    far = cli("lead", "set", lead_id, "next=9999-12-31 23:00")
    assert far.code == 2 and "outside the years" in far.err
    assert cli("lead", "list").code == 0 and cli("lead", "show", lead_id).code == 0


def test_wrong_typed_settings_are_one_sentence_everywhere(cli, ws: Workspace) -> None:
    toml = ws.root / "istui.toml"
    toml.write_text(toml.read_text().replace('timezone = "Asia/Tokyo"', "timezone = 5"))
    for command in (["today"], ["lead", "list"], ["doctor"], ["kpi"]):
        result = cli(*command)
        assert result.code == 1 and "timezone" in (result.err + result.out), command
        assert "Traceback" not in result.err


# --- 15. leftovers -------------------------------------------------------------------------------------

def test_temp_files_of_dead_writers_are_removed_under_the_lock(ws: Workspace) -> None:
    lead_id = new_lead(ws)
    bucket = ws.root / "leads" / f"{bucket_of(lead_id)}.json"
    dead = bucket.with_name(f".{bucket.name}.999999.1.tmp")  # pid 999999 is not running
    dead.write_text("half")
    alive = bucket.with_name(f".{bucket.name}.{os.getppid()}.2.tmp")  # a living writer's
    alive.write_text("in flight")
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    fresh.update_lead(lead_id, {"memo": "x"})
    assert not dead.exists() and alive.exists()


def test_doctor_exits_0_with_warnings_and_1_with_errors(cli, ws: Workspace) -> None:
    (ws.root / "notes.json").chmod(0o644)
    warned = cli("doctor")
    assert warned.code == 0 and "warning:" in warned.out
    (ws.root / "targets.json").write_text("{broken")
    assert cli("doctor").code == 1
    assert "0 when every file is fine or with warnings only" in " ".join(cli("doctor", "--help").out.split())


def test_no_lead_found_never_leaks_a_write(ws: Workspace) -> None:
    with pytest.raises(IstuiError):
        log_activity(ws, "01NOSUCHLEAD00000000000000", "call", "busy")
    assert not month_file(ws).exists()


def test_a_file_remembered_clean_skips_the_checks_until_it_changes(ws: Workspace, monkeypatch) -> None:
    from istui.domain import checks

    lead_id = new_lead(ws, "Clean Co")
    Workspace.open(ws.root, "alice", clock=fixed_clock).get_lead(lead_id)  # read, checked, remembered clean
    ws.remember_checks()
    calls = []
    original = checks.first_problem
    monkeypatch.setattr(checks, "first_problem", lambda table, record: calls.append(record) or original(table, record))
    assert Workspace.open(ws.root, "alice", clock=fixed_clock).get_lead(lead_id)["company"] == "Clean Co"
    assert calls == []  # known clean at this signature: not checked again
    corrupt_lead(ws, lead_id, next_at=5)  # a hand edit changes the signature: checked again, and left out
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    with pytest.raises(IstuiError, match="next_at"):
        fresh.get_lead(lead_id)
    assert calls


@pytest.mark.parametrize("dirty", [False, True])
def test_a_call_appended_to_a_clean_file_leaves_it_known_clean(ws: Workspace, dirty: bool) -> None:
    """Logging appends one checked record: a file known clean stays known clean at its new signature (the KPI
    tab after a call then counts it without checking every record again); a file that was not, stays not."""
    lead_id = new_lead(ws)
    log_activity(ws, lead_id, "call", "no_answer")
    path = month_file(ws)
    if dirty:
        with path.open("a") as handle:
            handle.write(json.dumps({"id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "at": "yesterday"}) + "\n")
    reader = Workspace.open(ws.root, "alice", clock=fixed_clock)
    list(reader.activities())
    reader.remember_checks()
    writer = Workspace.open(ws.root, "alice", clock=fixed_clock)
    log_activity(writer, lead_id, "call", "busy")
    writer.remember_checks()
    known = Workspace.open(ws.root, "alice", clock=fixed_clock).file_checks
    assert known.clean(path, files.signature(path)) is not dirty


# --- found by the probe: what git can put into .istui/ --------------------------------------------------

def test_a_journal_naming_files_outside_the_workspace_is_dropped(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "victim.txt"
    outside.write_text("precious\n")
    payload = ws.root / "payload.sh"
    payload.write_text("#!/bin/sh\n")
    plan = {"version": 2, "ops": [{"append": str(outside), "at": outside.stat().st_size, "data": "APPENDED\n"},
                                  {"replace": str(tmp_path / "bashrc"), "temp": str(payload), "before": "any"}]}
    ws.local.journal.write_text(json.dumps(plan))  # as a teammate's commit would deliver it
    opened = Workspace.open(ws.root, "alice", clock=fixed_clock)
    assert outside.read_text() == "precious\n" and not (tmp_path / "bashrc").exists() and payload.exists()
    assert not ws.local.journal.exists() and "outside the workspace" in opened.notices[0]


def test_a_cache_that_would_run_code_is_never_loaded(cli, ws: Workspace, tmp_path: Path) -> None:
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    new_lead(ws)
    ws.local.cache.mkdir(parents=True, exist_ok=True)
    from istui.store.files import seal

    (ws.local.cache / "rollups.pickle").write_bytes(seal(pickle.dumps(Evil())))  # (sealed: the unpickler is tested)
    assert cli("kpi", "--period", "month", "--json").code == 0
    assert not marker.exists()


def test_symlinks_in_the_local_folder_are_taken_out(cli, ws: Workspace, tmp_path: Path) -> None:
    import shutil

    away = tmp_path / "away"
    away.mkdir()
    shutil.rmtree(ws.local.cache, ignore_errors=True)
    ws.local.cache.symlink_to(away, target_is_directory=True)
    ws.local.lock.unlink(missing_ok=True)
    ws.local.lock.symlink_to(tmp_path / "created-by-lock")
    lead_id = new_lead(Workspace.open(ws.root, "alice", clock=fixed_clock))
    assert cli("log", "call", lead_id, "-o", "2").code == 0
    assert cli("kpi", "--period", "month").code == 0
    assert list(away.iterdir()) == [] and not (tmp_path / "created-by-lock").exists()


def test_a_hostile_file_name_never_reaches_the_terminal(cli, ws: Workspace) -> None:
    new_lead(ws)
    (ws.root / "leads" / "zz\x1b]0;PWNED\x07.json").write_text('{"leads": {"A": 5}}\n')
    for command in (["lead", "list"], ["today"], ["kpi"], ["doctor"]):
        result = cli(*command)
        assert not any(ch in result.out + result.err for ch in "\x1b\x07"), command


def test_a_hand_edited_last_line_without_its_newline_is_never_cut(cli, ws: Workspace) -> None:
    lead_id = new_lead(ws)
    cli("log", "call", lead_id, "-o", "2")
    cli("log", "call", lead_id, "-o", "6", "--note", "with CTO")
    path = month_file(ws)
    first, second = path.read_text().splitlines()
    path.write_text(first + "\n" + second.replace('"with CTO"', '"with CTO'))  # a quote lost, no final newline
    before = path.read_bytes()
    assert any("line 2" in message or ":2:" in message for message in errors(ws))  # an error, not "interrupted"
    refused = cli("log", "call", lead_id, "-o", "3")
    assert refused.code == 1 and path.read_bytes() == before


def test_export_never_overwrites_the_workspaces_own_files(cli, ws: Workspace, tmp_path: Path) -> None:
    lead_id = new_lead(ws)
    bucket = ws.root / "leads" / f"{bucket_of(lead_id)}.json"
    before = bucket.read_bytes()
    for target in (bucket, ws.root / "istui.toml", ws.root / "notes.json", ws.root / ".istui" / "x.csv"):
        result = cli("export", "leads", "-o", str(target))
        assert result.code == 2 and "workspace itself" in result.err
    assert bucket.read_bytes() == before
    folder = cli("export", "leads", "-o", str(tmp_path / "outdir") + "/")
    assert folder.code == 2 and not (tmp_path / "outdir").exists()
    assert cli("export", "leads", "-o", str(ws.root / "export.csv")).code == 0  # a file of one's own is fine


@pytest.mark.parametrize("damage", ["folder named like a month file", "rep folder is a file", "notes.json is a folder",
                                    "surrogate lead id", "NaN target", "infinite amount"])
def test_odd_things_on_disk_are_one_sentence_or_reported(cli, ws: Workspace, damage: str) -> None:
    import shutil

    lead_id = new_lead(ws)
    cli("log", "call", lead_id, "-o", "1")
    cli("target", "set", "calls", "60", "--per", "day")
    if damage == "folder named like a month file":
        (ws.root / "activities" / "zoe" / "2026-11.jsonl").mkdir(parents=True)
        (ws.root / "activities" / "zoe" / "2026-11.jsonl" / "a.jsonl").write_text("{}\n")
    elif damage == "rep folder is a file":
        shutil.rmtree(ws.root / "activities" / "alice")
        (ws.root / "activities" / "alice").write_text("not a folder\n")
    elif damage == "notes.json is a folder":
        (ws.root / "notes.json").unlink()
        (ws.root / "notes.json").mkdir()
    elif damage == "surrogate lead id":
        path = month_file(ws)
        path.write_text(path.read_text().replace(lead_id, "\\ud800", 1))
    elif damage == "NaN target":
        targets = ws.root / "targets.json"
        targets.write_text(targets.read_text().replace('"value": 60', '"value": NaN'))
    else:
        corrupt_lead(ws, lead_id, amount=float("inf"))
    for command in (["kpi", "--team"], ["kpi", "--period", "month", "--json"], ["review"], ["doctor"],
                    ["log", "call", lead_id, "-o", "2"], ["note", "add", "--title", "t"], ["lead", "list"]):
        result = cli(*command)
        assert result.code in (0, 1, 2) and "Traceback" not in result.err, (command, result.err)
        if result.code and command != ["doctor"]:
            assert result.err.startswith("istui: ") and len(result.err.strip().splitlines()) == 1, (command, result.err)
    assert errors(ws), "doctor names the damage"
