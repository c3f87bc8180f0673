"""`istui sync` between clones of one workspace, with real git: a bare remote and two clones that
work at the same time, then sync in either order; every clone must end identical, with every
record anyone entered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from istui.domain.errors import WorkspaceError
from istui.services.leads import create_lead, log_activity
from istui.services.sync import sync
from istui.services.targets import set_target
from istui.store.settings import Settings
from istui.store.workspace import Workspace, bucket_of

from conftest import NOW, istui_process
from git_support import EARLY, GIT_ENV, LATE, Team, at, git  # noqa: F401


@pytest.fixture
def team(tmp_path: Path) -> Team:
    return Team(tmp_path)


ORDERS = pytest.mark.parametrize("first", ["alice", "bob"])


@ORDERS
def test_concurrent_call_logging(team: Team, first: str) -> None:
    alice, bob = team.alice(), team.bob()
    for n, lead in enumerate(team.leads):
        log_activity(alice, lead["id"], "call", "no_answer", note=f"alice {n}")
        log_activity(bob, lead["id"], "call", "connected", note=f"bob {n}", next_when="tomorrow 10:00")
    reports = team.sync_all(first)
    team.assert_identical()
    notes = sorted(a.get("note") for a in team.alice().activities())
    assert notes == sorted([f"alice {n}" for n in range(8)] + [f"bob {n}" for n in range(8)])
    assert reports[0]["committed"] == f"{first}: 8 calls, 8 leads"
    assert all(lead["next_at"] == "2026-11-28T10:00:00+09:00" for lead in team.alice().leads())


@ORDERS
def test_new_leads_on_both_sides(team: Team, first: str) -> None:
    mine = [create_lead(team.alice(), {"company": f"Alice new {n}"})["id"] for n in range(5)]
    theirs = [create_lead(team.bob(), {"company": f"Bob new {n}"})["id"] for n in range(5)]
    team.sync_all(first)
    team.assert_identical()
    ids = {lead["id"] for lead in team.bob().leads()}
    assert set(mine) | set(theirs) | {lead["id"] for lead in team.leads} == ids


@ORDERS
def test_same_lead_different_fields(team: Team, first: str) -> None:
    lead = team.leads[0]["id"]
    team.alice(EARLY).update_lead(lead, {"title": "CTO", "tags": ["vip"]})
    team.bob(LATE).update_lead(lead, {"email": "p0@co0.example", "tags": ["manufacturing"]})
    reports = team.sync_all(first)
    team.assert_identical()
    merged = team.alice().get_lead(lead)
    assert (merged["title"], merged["email"], merged["tags"]) == ("CTO", "p0@co0.example", ["manufacturing", "vip"])
    assert not any(report["conflicts"] for report in reports)


@ORDERS
def test_same_field_newer_wins_and_the_conflict_is_reported(team: Team, first: str) -> None:
    lead = team.leads[1]["id"]
    team.alice(EARLY).update_lead(lead, {"phone": "03-1111-1111"})
    team.bob(LATE).update_lead(lead, {"phone": "03-2222-2222"})
    reports = team.sync_all(first)
    team.assert_identical()
    assert team.alice().get_lead(lead)["phone"] == "03-2222-2222"
    conflicts = [c for report in reports for c in report["conflicts"]]
    assert [(c["field"], c["kept"], c["lost"], c["kept_from"], c["lost_from"]) for c in conflicts] == [
        ("phone", "03-2222-2222", "03-1111-1111", "bob", "alice")]
    merging = reports[1]  # the second to sync merges
    assert "1 conflict(s) settled" in merging["message"] and "03-1111-1111" in merging["message"]


@ORDERS
def test_one_notes_different_paragraphs(team: Team, first: str) -> None:
    note_id = team.note["id"]
    alice, bob = team.alice(EARLY), team.bob(LATE)
    body = alice.get_note(note_id)["body"]
    alice.update_note(note_id, {"body": body.replace("Say who you are.", "Say who you are and who referred you.")})
    bob.update_note(note_id, {"body": body.replace("Offer two dates.", "Offer two dates this week.")})
    team.sync_all(first)
    team.assert_identical()
    merged = team.bob().get_note(note_id)["body"]
    assert "who referred you" in merged and "this week" in merged


@ORDERS
def test_delete_versus_edit_keeps_the_edit(team: Team, first: str) -> None:
    lead = team.leads[2]["id"]
    team.alice(EARLY).remove_lead(lead)
    team.bob(LATE).update_lead(lead, {"memo": "Call back after the trade show"})
    reports = team.sync_all(first)
    team.assert_identical()
    assert team.alice().get_lead(lead)["memo"] == "Call back after the trade show"
    assert [c["lost"] for report in reports for c in report["conflicts"]] == ["deletion"]


@ORDERS
def test_targets_edited_by_two_people(team: Team, first: str) -> None:
    set_target(team.alice(EARLY), "calls", "month", 450)  # the same target, both changed
    set_target(team.bob(LATE), "calls", "month", 500)
    set_target(team.alice(EARLY), "meetings", "month", 20, rep="alice")  # new on each side
    set_target(team.bob(LATE), "meetings", "month", 18, rep="bob")
    set_target(team.alice(EARLY), "orders", "month", 3)  # the same new target created twice
    set_target(team.bob(LATE), "orders", "month", 4)
    team.sync_all(first)
    team.assert_identical()
    targets = {(t["metric"], t.get("rep")): t["value"] for t in team.alice().targets()}
    assert targets == {("calls", None): 500, ("meetings", "alice"): 20, ("meetings", "bob"): 18, ("orders", None): 4}
    assert len(team.alice().targets()) == 4


def test_a_fresh_clone_registers_the_driver_on_its_first_command(team: Team, tmp_path: Path) -> None:
    alice = team.alice()
    first = create_lead(alice, {"company": "Neighbour A"})
    second = create_lead(alice, {"company": "Neighbour B"})
    sync(alice)
    carol_root = tmp_path / "carol"
    git(tmp_path, "clone", "-q", str(team.remote), str(carol_root))
    assert "istui" not in (carol_root / ".git" / "config").read_text()
    env = {"ISTUI_WORKSPACE": str(carol_root), "ISTUI_REP": "carol", "ISTUI_NOW": NOW}
    istui_process("rep", "add", "carol", env=env)  # any command registers it; carol joins the roster
    istui_process("lead", "set", first["id"], "title=Head of IT", env=env)
    config = (carol_root / ".git" / "config").read_text()
    assert '[merge "istui"]' in config and "istui.store.merge %O %A %B %P" in config
    istui_process("lead", "set", first["id"], "title=Head of IT", env=env)
    assert (carol_root / ".git" / "config").read_text() == config  # idempotent
    team.alice(LATE).update_lead(second["id"], {"title": "Buyer"})
    sync(team.alice())
    report = json.loads(istui_process("sync", "--json", env=env).stdout)
    assert report["received"] and report["pushed"]
    assert Workspace.open(carol_root, "carol").get_lead(second["id"])["title"] == "Buyer"
    assert Workspace.open(carol_root, "carol").get_lead(first["id"])["title"] == "Head of IT"


def test_adjacent_records_merge_where_a_text_merge_would_conflict(team: Team) -> None:
    alice = team.alice()
    newest = max(team.leads, key=lambda lead: lead["id"])  # a lead made later sorts right after it in its bucket
    bucket = bucket_of(newest["id"])
    neighbours = [newest]
    while len(neighbours) < 2:
        lead = create_lead(alice, {"company": "Neighbour"})
        if bucket_of(lead["id"]) == bucket:
            neighbours.append(lead)
    sync(alice)
    sync(team.bob())
    lines = (team.alice_root / "leads" / f"{bucket}.json").read_text().splitlines()
    assert abs(next(i for i, line in enumerate(lines) if neighbours[0]["id"] in line)
               - next(i for i, line in enumerate(lines) if neighbours[1]["id"] in line)) == 1
    team.alice(EARLY).update_lead(neighbours[0]["id"], {"temp": "hot"})
    team.bob(LATE).update_lead(neighbours[1]["id"], {"temp": "cold"})
    team.sync_all("alice")
    team.assert_identical()
    merged = team.alice()
    assert (merged.get_lead(neighbours[0]["id"])["temp"], merged.get_lead(neighbours[1]["id"])["temp"]) == ("hot", "cold")


def test_no_remote_commits_locally_and_says_so(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "solo", "alice", Settings(team="Solo", timezone="Asia/Tokyo"), clock=EARLY)
    create_lead(ws, {"company": "Only Here"})
    report = sync(ws)
    assert report["committed"] == "alice: 1 lead, settings" and report["remote"] is None
    assert "No remote is set" in report["message"]
    assert git(ws.root, "log", "--format=%s").splitlines()[0] == "alice: 1 lead, settings"


def test_unreachable_remote_is_one_clear_sentence(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "w", "alice", Settings(team="T", timezone="Asia/Tokyo"),
                          remote=str(tmp_path / "missing.git"), clock=EARLY)
    create_lead(ws, {"company": "Acme"})
    with pytest.raises(WorkspaceError, match=r"Cannot reach the remote .*missing\.git.*committed locally"):
        sync(ws)
    assert git(ws.root, "log", "--format=%s").splitlines()[0] == "alice: 1 lead, settings"


def test_settings_changed_on_the_same_line_merge_instead_of_sticking(team: Team) -> None:
    # istui.toml goes to the merge driver too: both sides changing the same line is a settled conflict
    for root, name in ((team.alice_root, "Alice's team"), (team.bob_root, "Bob's team")):
        path = root / "istui.toml"
        path.write_text(path.read_text().replace('team = "Team"', f'team = "{name}"'))
    sync(team.alice(EARLY))
    report = sync(team.bob(LATE))
    assert [(c["field"], c["kept"], c["lost"]) for c in report["conflicts"]] == [("team", "Bob's team", "Alice's team")]
    sync(team.alice())
    team.assert_identical()
    assert not (team.bob_root / ".git" / "MERGE_HEAD").exists()
    assert 'team = "Bob\'s team"' in (team.bob_root / "istui.toml").read_text()


def test_push_race_is_retried_once(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bob fetches, then alice pushes before bob's push: bob's push is rejected, he merges again."""
    from istui.store import gitrepo

    create_lead(team.bob(), {"company": "Bob's"})
    create_lead(team.alice(), {"company": "Alice's"})
    real_run = gitrepo.Git.run
    raced = []

    def run(self, *args, **kwargs):
        if args[0] == "push" and self.root == team.bob_root and not raced:
            raced.append(True)
            sync(team.alice())  # lands between bob's fetch and bob's push
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(gitrepo.Git, "run", run)
    report = sync(team.bob())
    assert raced and report["pushed"] and report["received"] == ["alice: 1 lead"]
    sync(team.alice())
    team.assert_identical()


def test_writing_while_syncing_loses_nothing(team: Team) -> None:
    """As in the TUI: calls logged on one thread while syncs run on another, on one Workspace object,
    and a teammate pushing in between; every call ends on both sides."""
    import threading

    alice = team.alice()
    bob = team.bob()
    errors: list[BaseException] = []

    def syncing() -> None:
        try:
            for n in range(3):
                log_activity(bob, team.leads[n]["id"], "call", "busy", note=f"bob {n}")
                sync(bob)
                sync(alice)
        except BaseException as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=syncing)
    worker.start()
    import time

    for n in range(30):
        log_activity(alice, team.leads[n % 8]["id"], "call", "no_answer", note=f"alice {n}")
        time.sleep(0.02)  # a rep's pace, compressed: the syncs run in between
    worker.join()
    assert not errors
    sync(alice)
    sync(bob)
    team.assert_identical()
    notes = sorted(a["note"] for a in team.bob().activities())
    assert notes == sorted([f"alice {n}" for n in range(30)] + [f"bob {n}" for n in range(3)])


@pytest.mark.parametrize(("stderr", "expected"), [
    ("fatal: Authentication failed for 'https://git.example.com/team/sales.git/'", "refused the credentials"),
    ("git@example.com: Permission denied (publickey).\nfatal: Could not read from remote repository.",
     "refused the credentials"),
    ("fatal: unable to access 'https://git.example.com/': Could not resolve host: git.example.com",
     "Cannot reach the remote"),
    ("fatal: the remote end hung up unexpectedly", "git push to"),
    ("fatal: unable to access 'https://git.example.com/team/sales.git/': The requested URL returned error: 403",
     "refused the credentials"),
    ("remote: Forbidden\nfatal: unable to access 'https://git.example.com/': The requested URL returned error: 401",
     "refused the credentials"),
    # a commit id with 403 in it is no HTTP status: a push race, not refused credentials
    ("error: update_ref failed for ref 'refs/heads/main': is at 40322aa but expected 1403bcd", "git push to"),
    (" ! [remote rejected] main -> main (cannot lock ref 'refs/heads/main': is at 4030f1e but expected 9a403b1)",
     "git push to"),
    ("remote: error: cannot lock ref 'refs/heads/main': Unable to create '/srv/team.git/./refs/heads/main.lock': File "
     "exists.", r"is locked: /srv/team\.git/\./refs/heads/main\.lock is left from a push that was interrupted"),
])
def test_remote_failures_are_named(stderr: str, expected: str) -> None:
    from istui.services.sync import _raise_network

    with pytest.raises(WorkspaceError, match=expected) as caught:
        _raise_network(stderr, "git.example.com:team/sales.git", "push")
    assert "committed locally" in str(caught.value) and "\n" not in str(caught.value)


def test_states_sync_will_not_touch(team: Team) -> None:
    bob = team.bob()
    git(team.bob_root, "checkout", "-q", "--detach")
    with pytest.raises(WorkspaceError, match="not on a branch"):
        sync(bob)
    git(team.bob_root, "checkout", "-q", "-")
    (team.bob_root / ".git" / "MERGE_HEAD").write_text(git(team.bob_root, "rev-parse", "HEAD"))
    with pytest.raises(WorkspaceError, match="A git merge is in progress"):
        sync(bob)


def test_the_commit_message_counts_records_not_diff_lines(tmp_path: Path) -> None:
    """A lead added after another in its bucket also changes that neighbour's line (its trailing comma):
    still one lead."""
    ws = Workspace.create(tmp_path / "w", "alice", Settings(team="T", timezone="Asia/Tokyo"), clock=EARLY)
    first = create_lead(ws, {"company": "First"})
    sync(ws)
    while True:  # a second lead in the same bucket, sorting after the first
        lead = create_lead(ws, {"company": "Neighbour"})
        if bucket_of(lead["id"]) == bucket_of(first["id"]) and lead["id"] > first["id"]:
            break
        ws.remove_lead(lead["id"])
    sync(ws)
    assert git(ws.root, "log", "-1", "--format=%s").strip() == "alice: 1 lead"


def test_the_report_says_the_commit_in_the_rep_s_language_and_git_keeps_it_in_english(tmp_path: Path) -> None:
    from istui.i18n import set_language

    ws = Workspace.create(tmp_path / "w", "alice", Settings(team="T", timezone="Asia/Tokyo"), clock=EARLY)
    create_lead(ws, {"company": "First"})
    create_lead(ws, {"company": "Second"})
    set_language("ja")
    try:
        report = sync(ws)
    finally:
        set_language("en")
    assert git(ws.root, "log", "-1", "--format=%s").strip() == "alice: 2 leads, settings"  # the first commit
    assert "コミット: alice: リード 2件、設定" in report["message"]
