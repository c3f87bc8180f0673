"""Trust in `istui sync` (issue 11), with real git (a bare remote and clones): a mass deletion is never
pushed silently, symlinks and paths that leave the workspace never arrive or leave, files git delivers are
owner-only, sync never stays stuck (a stale lock, settings or a file changed on both sides, a torn tail),
git failures are read right, syncs of one clone never overlap, every rep whose value lost a conflict is
told once, and only workspace data is committed. Merge scenarios run in both orders and end with the
clones byte-identical."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from istui.domain.errors import WorkspaceError
from istui.services.leads import create_lead, log_activity
from istui.services.sync import sync
from istui.store import files, gitrepo
from istui.store.doctor import check_workspace
from istui.store.settings import load_settings, write_toml
from istui.store.workspace import Workspace

from conftest import NOW, istui_process
from git_support import EARLY, LATE, Team, at, git

ORDERS = pytest.mark.parametrize("first", ["alice", "bob"])
BOB = ("-c", "user.name=bob", "-c", "user.email=bob@example.com")


@pytest.fixture
def team(tmp_path: Path) -> Team:
    return Team(tmp_path)


def commit_by_hand(root: Path, message: str) -> None:
    """What an older istui or a teammate's own git did: commit everything, push."""
    git(root, "add", "-A")
    git(root, *BOB, "commit", "-qm", message)
    git(root, "push", "-q", "origin", "HEAD")


def env_of(root: Path, rep: str) -> dict[str, str]:
    return {"ISTUI_WORKSPACE": str(root), "ISTUI_REP": rep, "ISTUI_NOW": NOW}


def tree(root: Path, ref: str = "HEAD") -> dict[str, str]:
    """{path: mode} of a commit."""
    entries = git(root, "ls-tree", "-r", "--full-tree", ref).splitlines()
    return {line.split("\t", 1)[1]: line.split()[0] for line in entries}


# --- 6. a deleted folder is never pushed silently ------------------------------------------------
def test_a_deleted_folder_is_refused_with_counts_and_the_step_back_works(team: Team) -> None:
    bob = team.bob()
    log_activity(bob, team.leads[0]["id"], "call", "busy")
    sync(bob)
    shutil.rmtree(team.bob_root / "leads")
    shutil.rmtree(team.bob_root / "activities")
    problems = [p for p in check_workspace(team.bob_root) if p.severity == "error"]
    assert any(p.file.startswith("leads") and "missing" in p.message for p in problems)
    with pytest.raises(WorkspaceError) as caught:
        sync(team.bob())
    message = str(caught.value)
    assert "leads: 8" in message and "activities: 1" in message and "--allow-deletions" in message
    assert "leads/" in message and "activities/" in message and "\n" not in message
    assert any(path.startswith("leads/") for path in tree(team.remote))  # nothing went out
    step = re.search(r"`(git checkout HEAD -- [^`]+)`", message)
    assert step is not None
    subprocess.run(step.group(1), shell=True, cwd=team.bob_root, check=True, capture_output=True)
    assert sync(team.bob())["committed"] is None
    assert not [p for p in check_workspace(team.bob_root) if p.severity == "error"]
    sync(team.alice())
    team.assert_identical()
    assert len(list(team.alice().leads())) == 8


def test_a_deletion_meant_goes_out_with_allow_deletions(team: Team) -> None:
    (team.bob_root / "notes.json").unlink()
    result = istui_process("sync", env=env_of(team.bob_root, "bob"), check=False)
    assert result.returncode == 1 and "notes.json" in result.stderr and "notes: 1" in result.stderr
    assert "notes.json" in tree(team.remote)
    istui_process("sync", "--allow-deletions", env=env_of(team.bob_root, "bob"))
    assert "notes.json" not in tree(team.remote)
    sync(team.alice())
    team.assert_identical()


def test_a_few_deleted_records_still_sync(team: Team) -> None:
    bob = team.bob()
    bob.remove_lead(team.leads[0]["id"])
    report = sync(bob)
    assert report["pushed"]
    sync(team.alice())
    assert len(list(team.alice().leads())) == 7


def test_doctor_names_missing_workspace_files(team: Team) -> None:
    (team.bob_root / "notes.json").unlink()
    (team.bob_root / "targets.json").unlink()
    shutil.rmtree(team.bob_root / "leads")
    errors = {p.file: p for p in check_workspace(team.bob_root) if p.severity == "error"}
    assert {"notes.json", "targets.json"} <= set(errors)
    assert any(name.startswith("leads") for name in errors)
    assert "git checkout HEAD --" in errors["notes.json"].fix


# --- 7. symlinks and paths that leave the workspace --------------------------------------------
@ORDERS
@pytest.mark.parametrize("link", ["activities/bob/2026-12.jsonl", "activities/bob"])
def test_a_symlink_from_a_teammate_is_refused_and_nothing_outside_is_written(team: Team, tmp_path: Path,
                                                                             first: str, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2026-12.jsonl").write_text("precious\n")
    target = outside / "2026-12.jsonl" if link.endswith(".jsonl") else outside
    (team.bob_root / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, team.bob_root / link)
    commit_by_hand(team.bob_root, "bob: a link")
    reports = [sync(team.alice()) if name == "alice" else sync(team.bob())
               for name in ([first, "alice", "bob", "alice"] if first == "bob" else ["alice", "bob", "alice"])]
    assert any(link in report["message"] for report in reports)
    for root in (team.alice_root, team.bob_root):
        assert not (root / link).is_symlink()
        assert all(mode not in ("120000", "160000") for mode in tree(root).values())
    team.assert_identical()
    december = at("2026-12-01T10:00:00+09:00")
    for root in (team.alice_root, team.bob_root):
        log_activity(Workspace.open(root, "bob", clock=december), team.leads[0]["id"], "call", "busy")
    assert (outside / "2026-12.jsonl").read_text() == "precious\n"
    assert sorted(p.name for p in outside.iterdir()) == ["2026-12.jsonl"]


def test_a_file_a_teammate_replaced_by_a_symlink_keeps_its_records(team: Team, tmp_path: Path) -> None:
    bob = team.bob()
    log_activity(bob, team.leads[1]["id"], "call", "connected", note="real call")
    sync(bob)
    path = next((team.bob_root / "activities" / "bob").glob("*.jsonl"))
    path.unlink()
    os.symlink(tmp_path / "elsewhere.jsonl", path)
    commit_by_hand(team.bob_root, "bob: replaced by a link")
    sync(team.alice())
    sync(team.bob())
    sync(team.alice())
    team.assert_identical()
    for root in (team.alice_root, team.bob_root):
        assert not path.is_symlink()
        assert [a["note"] for a in Workspace.open(root, "alice").activities() if a.get("note")] == ["real call"]


def test_a_local_symlink_is_never_committed(team: Team, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"leads": {}}\n')
    os.symlink(secret, team.alice_root / "leads" / "zz.json")
    report = sync(team.alice())
    assert "leads/zz.json" not in tree(team.alice_root)
    assert "leads/zz.json" in report["not_committed"] and "leads/zz.json" in report["message"]
    problems = [p for p in check_workspace(team.alice_root) if p.file == "leads/zz.json"]
    assert any("symbolic link" in p.message and p.severity == "error" for p in problems)


# --- 9. owner-only modes for what git delivers -------------------------------------------------
@pytest.fixture
def usual_umask():
    previous = os.umask(0o022)  # git then creates 0644 files and 0755 folders
    yield
    os.umask(previous)


def loose_modes(root: Path) -> list[str]:
    found = []
    for folder, dirs, names in os.walk(root):
        if Path(folder) == root and ".git" in dirs:
            dirs.remove(".git")
        for name in [*dirs, *names]:
            path = Path(folder) / name
            if not path.is_symlink() and stat.S_IMODE(path.lstat().st_mode) & 0o077:
                found.append(path.relative_to(root).as_posix())
    if stat.S_IMODE(root.stat().st_mode) & 0o077:
        found.append(".")
    return found


def test_a_clone_and_every_sync_leave_owner_only_files(team: Team, tmp_path: Path, usual_umask: None) -> None:
    carol_root = tmp_path / "carol"
    git(tmp_path, "clone", "-q", str(team.remote), str(carol_root))
    assert loose_modes(carol_root)  # what git leaves
    Workspace.open(carol_root, "carol")
    assert loose_modes(carol_root) == []
    assert not [p for p in check_workspace(carol_root) if "readable by others" in p.message]
    for n in range(6):
        create_lead(team.alice(), {"company": f"New {n}"})
    log_activity(team.alice(), team.leads[0]["id"], "call", "busy")
    sync(team.alice())
    carol = Workspace.open(carol_root, "carol")
    create_lead(carol, {"company": "Carol's"})
    sync(carol)
    assert loose_modes(carol_root) == []
    assert not [p for p in check_workspace(carol_root) if "readable by others" in p.message]


# --- 10. sync never stays stuck ------------------------------------------------------------------
def test_a_stale_index_lock_is_removed(team: Team) -> None:
    create_lead(team.bob(), {"company": "Bob's"})
    lock = team.bob_root / ".git" / "index.lock"
    lock.write_bytes(b"")  # what a git killed with its process group leaves
    report = sync(team.bob())
    assert report["pushed"] and not lock.exists()


def test_copies_a_killed_merge_driver_left_are_removed_and_lookalikes_kept(team: Team) -> None:
    create_lead(team.bob(), {"company": "Bob's"})
    leftovers = [team.bob_root / name for name in (".merge_file_YiVVJE", ".merge_file_hrvpx0", ".merge_file_3rha0q.istui-merge")]
    for path in leftovers:
        path.write_bytes(b'{"id": "x"}\n')  # what git leaves when killed while the merge driver ran
    lookalike = team.bob_root / ".merge_file_mine.txt"
    lookalike.write_text("a rep's own file")
    report = sync(team.bob())
    assert report["pushed"] and not any(path.exists() for path in leftovers)
    assert lookalike.read_text() == "a rep's own file"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=team.bob_root, capture_output=True, text=True)
    assert ".merge_file_Yi" not in status.stdout and ".merge_file_mine.txt" in status.stdout


def test_a_lock_of_a_running_git_is_left_alone_and_the_step_works(team: Team) -> None:
    create_lead(team.bob(), {"company": "Bob's"})
    lock = team.bob_root / ".git" / "index.lock"
    lock.write_bytes(b"")
    running = subprocess.Popen(["git", "hash-object", "--stdin"], cwd=team.bob_root, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL)
    try:
        while Path(f"/proc/{running.pid}/comm").read_text().strip() != "git":
            time.sleep(0.01)
        with pytest.raises(WorkspaceError, match=r"git is running in .* wait for it to finish, then sync again"):
            sync(team.bob())
        assert lock.exists()
    finally:
        running.communicate(b"x")
    assert sync(team.bob())["pushed"] and not lock.exists()  # the step: it finished, sync again


def test_without_a_process_table_the_lock_step_is_given_and_works(team: Team,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    create_lead(team.bob(), {"company": "Bob's"})
    lock = team.bob_root / ".git" / "index.lock"
    lock.write_bytes(b"")
    monkeypatch.setattr(gitrepo, "git_processes", lambda root: None)
    with pytest.raises(WorkspaceError) as caught:
        sync(team.bob())
    step = re.search(r"`(rm [^`]+)`", str(caught.value))
    assert step is not None and lock.exists()
    subprocess.run(step.group(1), shell=True, check=True)
    assert sync(team.bob())["pushed"]


@pytest.mark.parametrize("killed_at", ["a file written", "update-ref", "reset"])
def test_a_sync_killed_while_merging_is_finished_by_the_next(team: Team, monkeypatch: pytest.MonkeyPatch,
                                                              killed_at: str) -> None:
    """git never writes the workspace during a merge: istui replaces the changed files one by one, then
    moves HEAD; killed anywhere in between, every file is whole and the next sync finishes the move."""
    alice = team.alice()
    for n in range(8):  # several buckets and an activity file change
        lead = create_lead(alice, {"company": f"Alice's {n}"})
        log_activity(alice, lead["id"], "call", "busy")
    sync(alice)
    create_lead(team.bob(), {"company": "Bob's"})
    real_run, real_write = gitrepo.Git.run, files.atomic_write
    writes = []

    def killed_run(self, *args, **kwargs):
        if args and args[0] == killed_at:
            raise KeyboardInterrupt  # the process dies here
        return real_run(self, *args, **kwargs)

    def killed_write(path, content):
        if "leads" in Path(path).parts or "activities" in Path(path).parts:
            writes.append(path)
            if len(writes) == 3:
                raise KeyboardInterrupt
        return real_write(path, content)

    if killed_at == "a file written":
        monkeypatch.setattr(files, "atomic_write", killed_write)
    else:
        monkeypatch.setattr(gitrepo.Git, "run", killed_run)
    with pytest.raises(KeyboardInterrupt):
        sync(team.bob())
    monkeypatch.undo()
    assert not [p for p in check_workspace(team.bob_root) if p.severity == "error"]
    companies = {lead["company"] for lead in team.bob().leads()}
    assert "Bob's" in companies  # nothing of bob's is lost; alice's leads are there or come with the next sync
    report = sync(team.bob())
    assert report["pushed"] and not (team.bob_root / ".istui" / "sync-merge").exists()
    assert git(team.bob_root, "status", "--porcelain").strip() == ""
    sync(team.alice())
    team.assert_identical()
    assert {f"Alice's {n}" for n in range(8)} | {"Bob's"} <= {lead["company"] for lead in team.alice().leads()}


def test_a_sync_killed_before_it_moved_head_keeps_edits_made_since(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = team.alice()
    shared = team.leads[0]
    alice.update_lead(shared["id"], {"memo": "alice's edit"})
    sync(alice)
    real_run = gitrepo.Git.run

    def killed_run(self, *args, **kwargs):
        if args and args[0] == "update-ref":
            raise KeyboardInterrupt
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(gitrepo.Git, "run", killed_run)
    with pytest.raises(KeyboardInterrupt):
        sync(team.bob())
    monkeypatch.undo()
    bob = team.bob()
    bob.update_lead(shared["id"], {"title": "bob's edit after the kill"})  # the same bucket, edited meanwhile
    sync(team.bob())
    lead = team.bob().get_lead(shared["id"])
    assert (lead["memo"], lead["title"]) == ("alice's edit", "bob's edit after the kill")
    sync(team.alice())
    team.assert_identical()


def test_a_merge_killed_while_git_wrote_the_files_loses_nothing(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by bench/crash.py: a sync killed while `git merge` was writing the team's files, before git noted
    the merge (no MERGE_HEAD), left a lead bucket empty and an activity file cut; the next sync committed
    them as the rep's own deletions, and three leads were gone for the whole team."""
    alice = team.alice()
    shared = team.leads[0]
    alice.update_lead(shared["id"], {"memo": "alice's edit"})  # a bucket both clones hold
    for outcome in ("busy", "no_answer", "voicemail"):
        log_activity(alice, shared["id"], "call", outcome)
    sync(alice)
    bob = team.bob()
    create_lead(bob, {"company": "Bob's"})
    git(team.bob_root, "fetch", "-q", "origin")
    target = git(team.bob_root, "rev-parse", "origin/HEAD" if git(team.bob_root, "branch", "-r").count("HEAD") else
                 "FETCH_HEAD").strip()
    bob_leads_before = {lead["id"] for lead in bob.leads()}
    # the killed sync: its note that a merge started, then git's half-written files, and nothing more
    (team.bob_root / ".istui" / "sync-merge").write_text(target + "\n")
    bucket = next(p for p in (team.bob_root / "leads").glob("*.json") if shared["id"] in p.read_text())
    bucket.write_bytes(b"")
    alice_calls = team.bob_root / "activities" / "alice" / "2026-11.jsonl"
    alice_calls.parent.mkdir(parents=True, exist_ok=True)
    theirs = git(team.alice_root, "show", "HEAD:activities/alice/2026-11.jsonl")
    alice_calls.write_text(theirs[: theirs.index("\n") + 1] + theirs[theirs.index("\n") + 1:][:20])
    report = sync(team.bob())
    assert report["pushed"]
    sync(team.alice())
    team.assert_identical()
    after = team.alice()
    assert bob_leads_before <= {lead["id"] for lead in after.leads()}
    assert after.get_lead(shared["id"])["memo"] == "alice's edit"
    assert [a["outcome"] for a in after.activities_of_lead(shared["id"]) if a["rep"] == "alice"][-3:] == \
        ["busy", "no_answer", "voicemail"]
    assert not [p for p in check_workspace(team.bob_root) if p.severity == "error"]


def test_an_empty_table_file_is_never_committed(team: Team) -> None:
    bob = team.bob()
    bucket = next((team.bob_root / "leads").glob("*.json"))
    bucket.write_bytes(b"")
    with pytest.raises(WorkspaceError, match="empty"):
        sync(bob)
    assert any("empty" in p.message for p in check_workspace(team.bob_root) if p.severity == "error")


def set_settings(root: Path, **values: object) -> None:
    write_toml(root / "istui.toml", values)


@ORDERS
def test_settings_changed_on_both_sides_merge_key_by_key(team: Team, first: str) -> None:
    set_settings(team.alice_root, team="Alice's team", week_start="sunday", sources=["web_inquiry", "partner", "fax"])
    set_settings(team.bob_root, team="Bob's team", currency="USD", sources=["web_inquiry", "partner", "event"])
    clocks = {"alice": EARLY, "bob": LATE}
    second = "bob" if first == "alice" else "alice"
    reports = {name: [] for name in clocks}
    for name in (first, second, first):
        reports[name].append(sync(Workspace.open(getattr(team, f"{name}_root"), name, clock=clocks[name])))
    team.assert_identical()
    settings = load_settings(team.alice_root)
    assert (settings.team, settings.week_start, settings.currency) == ("Bob's team", "sunday", "USD")
    assert settings.sources == ["event", "fax", "partner", "web_inquiry"]
    assert (team.alice_root / "istui.toml").read_text().startswith("# istui workspace settings")
    conflicts = [c for name in clocks for report in reports[name] for c in report["conflicts"]]
    assert [(c["field"], c["kept"], c["lost"], c["lost_from"]) for c in conflicts] == [
        ("team", "Bob's team", "Alice's team", "alice")]


@ORDERS
@pytest.mark.parametrize("deleted", ["notes.json", "lead bucket"])
def test_a_file_deleted_on_one_side_and_edited_on_the_other_keeps_the_edit(team: Team, first: str,
                                                                          deleted: str) -> None:
    if deleted == "notes.json":
        path, record = "notes.json", team.note["id"]
        team.bob(LATE).update_note(record, {"body": "Bob rewrote the script.\n"})
    else:
        record = team.leads[4]["id"]
        path = next(f"leads/{p.name}" for p in team.alice().lead_buckets() if record in p.read_text())
        team.bob(LATE).update_lead(record, {"memo": "Bob's memo"})
    (team.alice_root / path).unlink()
    second = "bob" if first == "alice" else "alice"
    reports = []
    for name in (first, second, first):
        ws = team.alice() if name == "alice" else team.bob()
        reports.append(sync(ws, allow_deletions=True))
    team.assert_identical()
    merged = team.alice()
    if deleted == "notes.json":
        assert merged.get_note(record)["body"] == "Bob rewrote the script.\n"
    else:
        assert merged.get_lead(record)["memo"] == "Bob's memo"
    assert [c["lost"] for report in reports for c in report["conflicts"]] == ["deletion"]
    assert not [p for p in check_workspace(team.alice_root) if p.severity == "error"]


def test_a_torn_tail_is_cut_before_it_is_committed(team: Team) -> None:
    bob = team.bob()
    log_activity(bob, team.leads[0]["id"], "call", "busy", note="whole")
    path = next((team.bob_root / "activities" / "bob").glob("*.jsonl"))
    with path.open("ab") as handle:
        handle.write(b'{"at": "2026-11-27T10:0')  # the process died mid-append
    sync(bob)
    committed = git(team.bob_root, "show", f"HEAD:{path.relative_to(team.bob_root).as_posix()}")
    assert committed.endswith("}\n") and "10:0\"" not in committed and "whole" in committed


@ORDERS
def test_a_torn_tail_committed_earlier_still_merges(team: Team, first: str) -> None:
    bob = team.bob()
    log_activity(bob, team.leads[0]["id"], "call", "busy", note="before")
    sync(bob)
    path = next((team.bob_root / "activities" / "bob").glob("*.jsonl")).relative_to(team.bob_root)
    with (team.bob_root / path).open("ab") as handle:
        handle.write(b'{"at": "2026-11-27T10:0')
    commit_by_hand(team.bob_root, "bob: an older istui committed a torn tail")
    sync(team.alice())
    # bob works in both clones (his laptop is alice's clone here): both sides append to the torn file
    log_activity(Workspace.open(team.alice_root, "bob", clock=EARLY), team.leads[1]["id"], "call", "busy", note="laptop")
    log_activity(team.bob(LATE), team.leads[2]["id"], "call", "busy", note="desk")
    second = "bob" if first == "alice" else "alice"
    for name in (first, second, first):
        sync(team.alice() if name == "alice" else team.bob())
    team.assert_identical()
    notes = sorted(a.get("note", "") for a in team.alice().activities())
    assert notes == ["before", "desk", "laptop"]


@pytest.mark.parametrize("broken", ["alice", "bob"])
def test_a_file_that_cannot_merge_stops_with_steps_that_work(team: Team, broken: str) -> None:
    """A note changed on both sides, one side's notes.json hand-broken: alice's own copy (sync will not
    commit it) or the team's (bob committed it with git). Nothing is left half-merged, doctor in the clone
    with the broken file names the line, and the steps given make the next syncs work."""
    note = team.note["id"]
    team.alice(EARLY).update_note(note, {"title": "Alice's title"})
    team.bob(LATE).update_note(note, {"title": "Bob's title"})
    broken_root = team.alice_root if broken == "alice" else team.bob_root
    notes = broken_root / "notes.json"
    notes.write_text(notes.read_text().replace('"notes": {', '"notes": {,', 1))
    if broken == "bob":
        commit_by_hand(team.bob_root, "bob: edited by hand")
    else:
        sync(team.bob())
    with pytest.raises(WorkspaceError) as caught:
        sync(team.alice())
    message = str(caught.value)
    assert "notes.json" in message and "line 1" in message and "\n" not in message
    assert "your notes.json" in message.lower() if broken == "alice" else "bob" in message
    assert not (team.alice_root / ".git" / "MERGE_HEAD").exists()
    assert git(team.alice_root, "diff", "--name-only", "--diff-filter=U") == ""
    assert b"<<<<<<<" not in (team.alice_root / "notes.json").read_bytes()
    problems = [p for p in check_workspace(broken_root) if p.file == "notes.json"]
    assert problems and problems[0].line == 1
    notes.write_text(notes.read_text().replace('"notes": {,', '"notes": {', 1))  # the line doctor names, fixed
    if broken == "bob":
        sync(team.bob())  # bob fixes it and syncs, as the message asks
    sync(team.alice())
    sync(team.bob())
    team.assert_identical()
    assert team.alice().get_note(note)["title"] == "Bob's title"


# --- 11. git failures read right, syncs of one clone never overlap -----------------------------
def test_a_ref_lock_race_on_the_remote_is_retried(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    create_lead(team.bob(), {"company": "Bob's"})
    create_lead(team.alice(), {"company": "Alice's"})
    real_run = gitrepo.Git.run
    raced = []

    def run(self, *args, **kwargs):
        if args[0] == "push" and self.root == team.bob_root and not raced:
            raced.append(True)
            sync(team.alice())
            return gitrepo.GitResult(1, "", "To team.git\n ! [remote rejected] HEAD -> main (cannot lock ref "
                                              "'refs/heads/main': is at 4031f0e but expected 9a4031b)\n"
                                              "error: failed to push some refs to 'team.git'\n")
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(gitrepo.Git, "run", run)
    report = sync(team.bob())
    assert raced and report["pushed"] and report["received"] == ["alice: 1 lead"]
    sync(team.alice())
    team.assert_identical()


def test_two_syncs_of_one_clone_never_overlap(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        create_lead(team.alice(), {"company": f"Alice {n}"})
    sync(team.alice())
    real_run = gitrepo.Git.run
    events: list[tuple[str, str]] = []

    def run(self, *args, **kwargs):
        if self.root == team.bob_root:
            events.append((threading.current_thread().name, args[0]))
            if args[0] == "fetch":
                time.sleep(0.2)  # a slow network: the other sync would start meanwhile
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(gitrepo.Git, "run", run)
    errors: list[BaseException] = []

    def syncing(n: int) -> None:
        try:
            bob = team.bob()
            create_lead(bob, {"company": f"Bob {n}"})
            sync(bob)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=syncing, args=(n,), name=f"sync-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    order = [name for name, _command in events]
    blocks = [name for n, name in enumerate(order) if n == 0 or order[n - 1] != name]
    assert sorted(blocks) == ["sync-0", "sync-1"]  # one whole sync, then the other
    sync(team.alice())
    team.assert_identical()


# --- 12. every rep whose value lost is told, once ------------------------------------------------
@ORDERS
def test_the_rep_whose_value_lost_is_told_once(team: Team, first: str) -> None:
    lead = team.leads[1]["id"]
    team.alice(EARLY).update_lead(lead, {"phone": "03-1111-1111"})
    team.bob(LATE).update_lead(lead, {"phone": "03-2222-2222"})
    reports = [*team.sync_all(first), sync(team.alice()), sync(team.bob())]
    team.assert_identical()
    told = [report for report in reports if report["lost"]]
    alice_reports = [r for r in reports if Path(r["workspace"]) == team.alice_root]
    bob_reports = [r for r in reports if Path(r["workspace"]) == team.bob_root]
    assert not any(r["lost"] for r in bob_reports)
    heard = sum(len(r["lost"]) for r in alice_reports) + sum(
        1 for r in alice_reports for c in r["conflicts"] if c["lost_from"] == "alice")
    assert heard == 1
    if first == "alice":  # bob merged: alice hears it at her next sync, from the committed note
        assert len(told) == 1 and told[0]["lost"][0]["lost"] == "03-1111-1111"
        assert "alice's value \"03-1111-1111\" of lead Co 1, field phone, lost to bob's \"03-2222-2222\"" in \
            told[0]["message"]
    assert "conflicts/alice.jsonl" in tree(team.alice_root)


# --- 14. the hint without a remote names a command that works --------------------------------------
def test_the_no_remote_hint_names_a_command_that_works(cli, ws: Workspace, tmp_path: Path) -> None:
    remote = tmp_path / "team.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    create_lead(ws, {"company": "Acme"})
    result = cli("sync")
    assert result.code == 0 and "`istui remote set URL`" in result.out
    shown = cli("remote", "--json")
    assert shown.code == 0 and shown.json["remote"] is None
    assert "istui remote set URL" in cli("remote").out
    assert cli("remote", "set", str(remote)).code == 0
    assert cli("remote", "--json").json["remote"] == str(remote)
    pushed = cli("sync", "--json")
    assert pushed.code == 0 and pushed.json["pushed"]
    assert "leads" in {path.split("/")[0] for path in tree(remote)}
    assert cli("remote", "set").code == 2


# --- 15. only workspace data is committed ----------------------------------------------------------
def test_stray_files_are_not_committed_and_are_listed(team: Team) -> None:
    (team.alice_root / "export.csv").write_text("id,company\n")
    (team.alice_root / "leads" / "todo.txt").write_text("call them\n")
    create_lead(team.alice(), {"company": "Real"})
    report = sync(team.alice())
    assert report["committed"] == "alice: 1 lead"
    assert sorted(report["not_committed"]) == ["export.csv", "leads/todo.txt"]
    assert "export.csv" in report["message"]
    assert not {"export.csv", "leads/todo.txt"} & set(tree(team.alice_root))


def test_a_teammates_calls_deleted_by_hand_are_never_pushed_silently(team: Team) -> None:
    alice = team.alice()
    for outcome in ("busy", "no_answer", "voicemail", "busy", "no_answer"):
        log_activity(alice, team.leads[0]["id"], "call", outcome)
    sync(alice)
    sync(team.bob())
    calls = team.bob_root / "activities" / "alice" / "2026-11.jsonl"
    calls.write_text("".join(calls.read_text().splitlines(keepends=True)[:2]))  # 3 of alice's calls gone
    with pytest.raises(WorkspaceError, match="teammates' activities: 3"):
        sync(team.bob())
    assert len(git(team.remote, "show", "HEAD:activities/alice/2026-11.jsonl").splitlines()) >= 5
