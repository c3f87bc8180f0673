"""The workspace on disk: layout, human-diffable files, atomicity, locking, reload, ids, schema."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from istui.domain.errors import BadInput, NotFound, WorkspaceError
from istui.domain.ids import new_id, short_ids
from istui.store.settings import SCHEMA_VERSION, Settings, save_settings
from istui.store.storages import CorruptFile
from istui.store.workspace import Workspace, bucket_of

from conftest import fixed_clock


def lead(company: str, **extra) -> dict:
    return {"company": company, "stage": "new", "source": "web_inquiry", "motion": "sdr", "tags": [], **extra}


def test_init_writes_the_layout_owner_only(ws: Workspace) -> None:
    root = ws.root
    for name in ("istui.toml", ".gitignore", ".gitattributes", "notes.json", "targets.json", ".git"):
        assert (root / name).exists(), name
    assert ".istui/" in (root / ".gitignore").read_text()
    assert "*.jsonl merge=istui" in (root / ".gitattributes").read_text()
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(root / "notes.json").st_mode) == 0o600
    ignored = subprocess.run(["git", "-C", str(root), "check-ignore", ".istui/lock"], capture_output=True)
    assert ignored.returncode == 0


def test_lead_file_is_utf8_one_record_per_line_sorted(ws: Workspace) -> None:
    record = ws.add_lead(lead("株式会社東洋商事", contact="山田 太郎"))
    path = ws.root / "leads" / f"{bucket_of(record['id'])}.json"
    text = path.read_text("utf-8")
    assert "株式会社東洋商事" in text and "\\u" not in text
    lines = text.splitlines()
    assert lines[0] == '{"leads": {' and lines[-1] == "}}"
    assert lines[1].startswith(f'"{record["id"]}": {{')
    assert list(json.loads(lines[1].split(": ", 1)[1])) == sorted(json.loads(lines[1].split(": ", 1)[1]))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_one_field_change_is_a_one_line_diff(ws: Workspace) -> None:
    ids = [new_id(1_780_000_000_000 + i, i) for i in range(300)]
    ws.add_leads([lead(f"Company {i}", id=lead_id) for i, lead_id in enumerate(ids)])
    path = ws.root / "leads" / f"{bucket_of(ids[0])}.json"
    before = path.read_text().splitlines()
    ws.update_lead(ids[0], {"temp": "hot"})
    after = path.read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1


def test_records_carry_id_and_timestamps(ws: Workspace) -> None:
    record = ws.add_lead(lead("Acme"))
    assert len(record["id"]) == 26
    assert record["created_at"] == "2026-11-27T10:30:00+09:00" == record["updated_at"]
    assert record["updated_by"] == "alice"


def test_ids_are_time_sortable_and_unique() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == 2000
    assert new_id(1_000) < new_id(2_000)  # time-sortable across milliseconds
    assert len({i[:14] for i in ids}) > 1990  # ids of one millisecond differ early: short prefixes work
    shorts = short_ids(ids)
    assert len(set(shorts.values())) == 2000
    assert all(ids_.startswith(short) and len(short) >= 8 for ids_, short in shorts.items())


def test_prefix_resolution(ws: Workspace) -> None:
    a = ws.add_lead(lead("A", id="01KAAAAAAAAAAAAAAAAAAAAAAA"))
    ws.add_lead(lead("B", id="01KAAAAAAAAAAAAAAAAAAAAAAB"))
    ws.add_lead(lead("C", id="01KBBBBBBBBBBBBBBBBBBBBBBB"))
    assert ws.resolve_lead("01kb") == "01KBBBBBBBBBBBBBBBBBBBBBBB"
    assert ws.resolve_lead(a["id"]) == a["id"]
    with pytest.raises(BadInput, match="matches several leads"):
        ws.resolve_lead("01KA")
    with pytest.raises(NotFound, match="no lead id starts with"):
        ws.resolve_lead("01KZ")
    with pytest.raises(NotFound, match="is not a lead id"):
        ws.resolve_lead("hello world")


def test_index_notices_leads_written_by_another_process(ws: Workspace) -> None:
    ws.add_lead(lead("A", id="01KAAAAAAAAAAAAAAAAAAAAAAA"))
    assert ws.lead_ids() == ["01KAAAAAAAAAAAAAAAAAAAAAAA"]
    other = Workspace.open(ws.root, "bob", clock=fixed_clock)
    other.add_lead(lead("B", id="01KCCCCCCCCCCCCCCCCCCCCCCC"))
    assert ws.resolve_lead("01KC") == "01KCCCCCCCCCCCCCCCCCCCCCCC"


def test_readers_reload_after_outside_change(ws: Workspace) -> None:
    record = ws.add_lead(lead("Acme"))
    assert ws.get_lead(record["id"])["company"] == "Acme"
    other = Workspace.open(ws.root, "bob", clock=fixed_clock)
    other.update_lead(record["id"], {"company": "Acme Renamed"})
    assert ws.get_lead(record["id"])["company"] == "Acme Renamed"
    assert ws.changed_files() == []  # get_lead reloaded it


def test_activities_append_to_the_reps_month_file(ws: Workspace) -> None:
    record = ws.add_lead(lead("Acme"))
    ws.add_activity({"lead": record["id"], "kind": "call", "outcome": "no_answer", "at": "2026-11-27T10:00:00+09:00"})
    ws.add_activity({"lead": record["id"], "kind": "call", "outcome": "busy", "at": "2026-10-31T23:00:00+09:00"})
    november = ws.root / "activities" / "alice" / "2026-11.jsonl"
    october = ws.root / "activities" / "alice" / "2026-10.jsonl"
    assert [json.loads(line)["outcome"] for line in november.read_text().splitlines()] == ["no_answer"]
    assert [json.loads(line)["outcome"] for line in october.read_text().splitlines()] == ["busy"]
    assert [a["outcome"] for a in ws.activities_of_lead(record["id"])] == ["busy", "no_answer"]


def test_torn_last_line_is_ignored_then_cut(ws: Workspace) -> None:
    record = ws.add_lead(lead("Acme"))
    ws.add_activity({"lead": record["id"], "kind": "call", "outcome": "no_answer", "at": "2026-11-27T10:00:00+09:00"})
    path = ws.root / "activities" / "alice" / "2026-11.jsonl"
    with open(path, "ab") as handle:
        handle.write(b'{"id": "torn", "lead": "x", "ki')
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    assert [a["outcome"] for a in fresh.activities()] == ["no_answer"]
    fresh.add_activity({"lead": record["id"], "kind": "call", "outcome": "busy", "at": "2026-11-27T10:05:00+09:00"})
    lines = path.read_text().splitlines()
    assert [json.loads(line)["outcome"] for line in lines] == ["no_answer", "busy"]


def test_a_corrupt_file_is_reported_by_line_and_never_overwritten(ws: Workspace) -> None:
    record = ws.add_lead(lead("Acme"))
    path = ws.root / "leads" / f"{bucket_of(record['id'])}.json"
    broken = path.read_text().replace('"company"', '"company" oops', 1)
    path.write_text(broken)
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    with pytest.raises(CorruptFile) as info:
        fresh.update_lead(record["id"], {"temp": "hot"})
    assert info.value.line == 2
    assert f"{path} line 2" in str(info.value)
    assert path.read_text() == broken


def test_transaction_is_all_or_nothing(ws: Workspace) -> None:
    records = [lead(f"Co {i}", id=new_id(1_780_000_000_000 + i, i)) for i in range(50)]
    with pytest.raises(RuntimeError), ws.transaction():
        ws.add_leads(records[:25])
        raise RuntimeError("crash before commit")
    assert list(Workspace.open(ws.root, "alice").leads()) == []
    ws.add_leads(records)
    assert len(list(Workspace.open(ws.root, "alice").leads())) == 50


def test_interrupted_commit_is_finished_on_next_open(ws: Workspace) -> None:
    from istui.store.files import write_temp
    from istui.store.journal import Journal

    target_a, target_b = ws.root / "leads" / "aa.json", ws.root / "leads" / "bb.json"
    temp_a = write_temp(target_a, b'{"leads": {\n}}\n')
    temp_b = write_temp(target_b, b'{"leads": {\n}}\n')
    journal = Journal(ws.root / ".istui" / "journal.json")
    journal.path.write_text(json.dumps([[str(temp_a), str(target_a)], [str(temp_b), str(target_b)]]))
    os.replace(temp_a, target_a)  # crash after the first rename
    Workspace.open(ws.root, "alice")
    assert target_b.exists() and not temp_b.exists() and not journal.path.exists()


def test_lock_is_exclusive_between_processes(ws: Workspace) -> None:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from istui.store.files import WorkspaceLock\n"
        "lock = WorkspaceLock(Path(sys.argv[1]))\n"
        "lock.acquire(); print('held', flush=True); time.sleep(3)\n"
    )
    import sys

    holder = subprocess.Popen([sys.executable, "-c", code, str(ws.lock.path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    ws.lock.timeout = 0.3
    with pytest.raises(WorkspaceError, match="locked by another istui process"):
        ws.lock.acquire()
    holder.wait()
    ws.lock.acquire()
    ws.lock.release()


def test_newer_schema_is_refused_and_older_migrated(ws: Workspace) -> None:
    path = ws.root / "istui.toml"
    path.write_text(path.read_text().replace(f"schema = {SCHEMA_VERSION}", f"schema = {SCHEMA_VERSION + 1}"))
    with pytest.raises(WorkspaceError, match="newer than this istui understands"):
        Workspace.open(ws.root)
    path.write_text('team = "Old"\ntimezone = "Asia/Tokyo"\n')  # schema 0: before versions existed
    opened = Workspace.open(ws.root)
    assert opened.settings.schema == SCHEMA_VERSION and opened.settings.week_start == "monday"


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="timezone"):
        save_settings(tmp_path, Settings(timezone="Mars/Olympus"))


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file.txt").write_text("mine")
    with pytest.raises(BadInput, match="not empty"):
        Workspace.create(tmp_path / "x", "alice", Settings())
    assert (tmp_path / "x" / "file.txt").read_text() == "mine"


def test_the_lock_keeps_threads_of_one_process_apart(ws: Workspace) -> None:
    """The TUI writes on its UI thread while a sync merges in a worker: one waits for the other."""
    import threading
    import time

    order: list[str] = []
    held = threading.Event()

    def merge() -> None:
        with ws.lock.held():
            held.set()
            assert ws.lock.busy() is False  # this thread holds it
            time.sleep(0.2)
            order.append("merge done")

    worker = threading.Thread(target=merge)
    worker.start()
    held.wait()
    assert ws.lock.busy()
    with ws.lock.held():
        order.append("write")
    worker.join()
    assert order == ["merge done", "write"]
    assert not ws.lock.busy()


def test_add_leads_writes_each_bucket_once_and_refuses_a_taken_id_whole(ws: Workspace) -> None:
    """Many new leads land bucket by bucket in one transaction; a batch with a taken id writes none of them."""
    batch = [{"company": f"Batch {i} KK", "contact": "Ono", "source": "web_inquiry", "stage": "new", "owner": "alice",
              "motion": "sdr"} for i in range(600)]
    added = ws.add_leads(batch)
    assert len({bucket_of(lead["id"]) for lead in added}) > 100
    again = Workspace.open(ws.root, "alice")
    assert {lead["id"] for lead in again.leads()} == {lead["id"] for lead in added}
    before = {path.name: path.read_bytes() for path in ws.lead_buckets()}
    with pytest.raises(ValueError, match="already exists"):
        again.add_leads([{"company": "New KK", "contact": "Ito", "source": "partner"}, {**added[5]}], keep_stamps=True)
    assert {path.name: path.read_bytes() for path in ws.lead_buckets()} == before


def test_the_fingerprint_changes_with_every_shared_file_and_only_then(ws: Workspace, tmp_path: Path) -> None:
    """The TUI polls it twice a second: it must see an append to an old month, a new bucket, a replaced notes file,
    a file git put in place; and stay the same for the local `.istui/` and a teammate's symlinked folder."""
    record = ws.add_lead(lead("Acme"))
    ws.add_activity({"lead": record["id"], "kind": "call", "outcome": "no_answer", "at": "2026-09-01T10:00:00+09:00"})
    ws.add_activity({"lead": record["id"], "kind": "call", "outcome": "busy", "at": "2026-11-27T10:00:00+09:00"})
    names = [name for name, _ in ws.fingerprint()]
    assert len(names) == len(set(names)) and any(name.endswith("/2026-09.jsonl") for name in names)
    assert "notes.json" in names and "targets.json" in names

    def changes(act) -> bool:
        before = ws.fingerprint()
        act()
        return ws.fingerprint() != before

    old_month = next(ws.root.glob("activities/*/2026-09.jsonl"))
    assert changes(lambda: ws.add_activity({"lead": record["id"], "kind": "call", "outcome": "busy",
                                            "at": "2026-09-02T10:00:00+09:00"}))
    assert changes(lambda: ws.add_lead(lead("Beta")))
    assert changes(lambda: (ws.root / "notes.json").write_text((ws.root / "notes.json").read_text() + " "))
    assert changes(lambda: os.replace(old_month, old_month)) is False  # nothing changed
    assert changes(lambda: (ws.root / "activities" / "ken").mkdir() or
                   (ws.root / "activities" / "ken" / "2026-11.jsonl").write_text(""))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "2026-11.jsonl").write_text("")
    assert not changes(lambda: (ws.root / "activities" / "mallory").symlink_to(outside))
    assert not changes(lambda: (outside / "2026-11.jsonl").write_text("{}\n"))
    assert not changes(lambda: (ws.root / ".istui" / "scratch.json").write_text("{}"))
