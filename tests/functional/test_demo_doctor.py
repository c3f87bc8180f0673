"""The demo workspace is believable and reproducible; doctor finds problems by file and line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from istui.domain.periods import Period
from istui.services.demo import build_demo
from istui.services.kpi import compute_kpis
from istui.services.today import today_queue
from istui.store.doctor import check_workspace
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from conftest import fixed_clock


def demo(root: Path, seed: int = 7, scale: str = "small") -> Workspace:
    ws = Workspace.create(root, "sato", Settings(team="Demo", timezone="Asia/Tokyo", demo=True), clock=fixed_clock)
    build_demo(ws, scale, seed)
    return ws


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts and ".istui" not in p.parts}


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return demo(tmp_path_factory.mktemp("demo") / "ws")


def test_demo_is_reproducible_with_a_seed(tmp_path: Path, demo_ws: Workspace) -> None:
    same = demo(tmp_path / "same")
    other = demo(tmp_path / "other", seed=8)
    assert files(same.root) == files(demo_ws.root)
    assert files(other.root) != files(demo_ws.root)


def test_demo_conversion_differs_by_source_the_way_real_ones_do(demo_ws: Workspace) -> None:
    leads = list(demo_ws.leads())
    everything = Period(date(2025, 1, 1), date(2026, 11, 28), None, "all")
    by_source = compute_kpis(list(demo_ws.activities()), leads, everything, demo_ws.tz)["by_source"]
    web, trade = by_source["web_inquiry"]["meeting_rate"], by_source["trade_show"]["meeting_rate"]
    assert web > 3 * trade > 0
    assert by_source["referral"]["meeting_rate"] > by_source["outbound_list"]["meeting_rate"]


def test_demo_has_a_team_a_queue_and_history(demo_ws: Workspace) -> None:
    leads = list(demo_ws.leads())
    activities = list(demo_ws.activities())
    assert len({lead["owner"] for lead in leads}) == 4
    assert {lead["motion"] for lead in leads} == {"sdr", "bdr"}
    assert any(any("\u3040" <= ch <= "\u9fff" for ch in lead["company"]) for lead in leads)
    assert any(lead["company"].isascii() for lead in leads)
    reasons = {entry["reason"] for entry in today_queue(leads, fixed_clock(demo_ws.tz), "sato")}
    assert reasons == {"overdue", "due", "new"}
    months = {a["at"][:7] for a in activities}
    assert {"2026-09", "2026-10", "2026-11"} <= months  # two months of history
    hours = [int(a["at"][11:13]) for a in activities if a["kind"] == "call"]
    assert min(hours) >= 9 and max(hours) <= 20
    assert any(a["outcome"] == "meeting_booked" for a in activities)
    assert any(a["kind"] == "stage" and a["outcome"] == "won" and a["amount"] > 0 for a in activities)
    today_calls = [a for a in activities if a["at"].startswith("2026-11-27") and a["rep"] == "sato"]
    assert today_calls  # the rep already made calls this morning
    notes = demo_ws.notes()
    assert any(n["title"].isascii() for n in notes) and any(not n["title"].isascii() for n in notes)
    assert {n["kind"] for n in notes} >= {"script", "objection", "material"}
    assert any(t["rep"] is None for t in demo_ws.targets()) and any(t["rep"] == "sato" for t in demo_ws.targets())
    assert [p for p in check_workspace(demo_ws.root) if p.severity == "error"] == []


def test_demo_command(cli, tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = cli("--workspace", str(target), "demo", str(target), "--json")
    assert result.code == 0, result.err
    assert result.json["leads"] == 600 and result.json["current"]
    # the quick first screen's cache is there: a new user's first open shows Today before reading every lead
    kept = json.loads((target / ".istui" / "cache" / "queue-leads.json").read_text())
    assert kept["tag"].endswith(" sato") and set(kept["buckets"]) == {p.name for p in (target / "leads").glob("*.json")}
    again = cli("demo", str(target))
    assert again.code == 2 and "already holds a workspace" in again.err
    replaced = cli("demo", str(target), "--force", "--no-open")
    assert replaced.code == 0 and replaced.out == ""


def test_demo_without_path_opens_the_existing_demo_again_with_its_work(cli, isolated_home: Path) -> None:
    from istui.locations import default_demo_workspace

    from git_support import git

    built = cli("demo", "--no-open", "--json")
    root = default_demo_workspace()
    assert built.code == 0 and built.json["built"] and built.json["workspace"] == str(root)
    mine = cli("--workspace", str(root), "lead", "add", "--company", "My own practice lead", "--json").json
    git(root, "add", "-A")
    git(root, "-c", "user.name=sato", "-c", "user.email=sato@example.invalid", "commit", "-qm", "my work")
    head, before = git(root, "rev-parse", "HEAD"), files(root)

    again = cli("demo")  # the README's command, run a second time (output piped: the home screen as text)
    assert again.code == 0, again.err
    assert again.err.strip() == (f"Opening your existing demo workspace at {root}; "
                                 "`istui demo --force` builds a new one.")
    assert "istui · " in again.out
    assert files(root) == before and git(root, "rev-parse", "HEAD") == head
    assert cli("--workspace", str(root), "lead", "show", mine["id"]).code == 0

    quiet = cli("demo", "--no-open")
    assert quiet.code == 0 and quiet.out == ""
    assert f"Your demo workspace at {root} already exists and stays as it is" in quiet.err
    assert files(root) == before and git(root, "rev-parse", "HEAD") == head
    listed = cli("demo", "--json")
    assert listed.code == 0 and listed.json == {"workspace": str(root), "rep": "sato", "built": False, "current": True}

    replaced = cli("demo", "--force", "--no-open")
    assert replaced.code == 0
    assert replaced.err.startswith(f"Replacing the demo workspace at {root}: its leads, activities, notes and git history "
                                   "are deleted.\n")
    assert cli("--workspace", str(root), "lead", "show", mine["id"]).code == 2
    assert "my work" not in git(root, "log", "--oneline", "--all", check=False)


def test_demo_with_a_path_refuses_a_workspace_unless_a_demo_and_forced(cli, tmp_path: Path, ws: Workspace) -> None:
    target = tmp_path / "demo"
    assert cli("demo", str(target), "--no-open").code == 0
    for args in (("--no-open",), ()):
        refused = cli("demo", str(target), *args)
        assert refused.code == 2 and refused.err.strip() == (
            f"istui: {target} already holds a workspace; choose another folder (or --force to replace a demo workspace).")
    for args in (("--force",), ("--force", "--no-open")):
        assert cli("demo", str(ws.root), *args).code == 2
    assert (ws.root / "notes.json").exists() and (ws.root / "istui.toml").read_text().find("demo = true") < 0
    forced = cli("demo", str(target), "--force", "--no-open")
    assert forced.code == 0 and f"Replacing the demo workspace at {target}" in forced.err


def test_demo_never_replaces_a_real_workspace(cli, ws: Workspace) -> None:
    result = cli("demo", str(ws.root), "--force")
    assert result.code == 2 and (ws.root / "notes.json").exists()


def test_doctor_clean_and_broken(cli, ws: Workspace) -> None:
    lead = cli("lead", "add", "--company", "Acme", "--json").json
    cli("log", "call", lead["id"], "-o", "1")
    clean = cli("doctor", "--json")
    assert clean.code == 0 and clean.json["ok"] and clean.json["problems"] == []
    assert "all files are fine" in cli("doctor").out

    activity_file = ws.root / "activities" / "alice" / "2026-11.jsonl"
    good_line = activity_file.read_text().splitlines()[0]
    activity_file.write_text(good_line + "\n{not json\n" + good_line.replace('"call"', '"fax"').replace(lead["id"], lead["id"]) + "\n")
    notes = ws.root / "notes.json"
    notes.write_text('{"notes": {\n"X": {"id": "X", "title": "t"}\n}}\n')
    result = cli("doctor", "--json")
    assert result.code == 1
    problems = {(p["file"], p["line"], p["severity"]) for p in result.json["problems"]}
    assert ("activities/alice/2026-11.jsonl", 2, "error") in problems
    assert ("notes.json", 2, "error") in problems  # missing created_at, updated_at, updated_by
    text = cli("doctor").out
    assert "activities/alice/2026-11.jsonl:2: Expecting property name" in text
    # istui never appends to a file it cannot read: the call is refused with the file and line to fix ...
    before = activity_file.read_text()
    refused_log = cli("log", "call", lead["id"], "-o", "2")
    assert refused_log.code == 1 and "2026-11.jsonl line 2" in refused_log.err and "istui doctor" in refused_log.err
    assert activity_file.read_text() == before
    # ... and commands that read the file leave the broken line out and say which file and line to fix
    broken = cli("kpi", "--json")
    assert broken.code == 0 and broken.json["metrics"]["calls"] == 1  # the good line; the "fax" one is left out
    assert "2026-11.jsonl line 2" in broken.err and "istui doctor" in broken.err
    notes.write_text('{"notes": {\n"X": {"id": "X",, }\n}}\n')
    refused = cli("note", "add", "--title", "new note")
    assert refused.code == 1 and "notes.json line 2" in refused.err
    assert notes.read_text() == '{"notes": {\n"X": {"id": "X",, }\n}}\n'  # never overwritten


def test_doctor_reports_misplaced_and_unknown_values(ws: Workspace) -> None:
    record = ws.add_lead({"company": "Acme", "stage": "new", "source": "other", "motion": "sdr"})
    path = next((ws.root / "leads").glob("*.json"))
    text = path.read_text().replace('"stage": "new"', '"stage": "pending"')
    wrong = ws.root / "leads" / ("00.json" if path.name != "00.json" else "01.json")
    wrong.write_text(text)
    path.unlink()
    messages = [str(p) for p in check_workspace(ws.root)]
    assert any("unknown stage 'pending'" in m and ":2:" in m for m in messages)
    assert any(f"lead {record['id']} belongs in leads/" in m for m in messages)


def test_doctor_on_a_missing_workspace(cli, tmp_path: Path) -> None:
    result = cli("--workspace", str(tmp_path / "none"), "doctor", "--json")
    assert result.code == 1 and "not an istui workspace" in json.dumps(result.json)


def test_doctor_warnings_say_how_to_fix(cli, ws: Workspace) -> None:
    (ws.root / "notes.json").chmod(0o644)
    result = cli("doctor")
    assert result.code == 0  # warnings alone (issue 11): 0; errors: 1
    assert "warning: notes.json: readable by others (mode 644)" in result.out and "chmod 600 notes.json" in result.out
