"""git's merge driver on real files: the merge written over %A, the conflict log, input left to the user."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from istui.store.merge import parse, serialize


def rec(record_id: str, at: str = "2026-11-27T10:00:00+09:00", by: str = "alice", **fields) -> dict:
    return {"id": record_id, "updated_at": at, "updated_by": by, **fields}


def test_the_driver_leaves_unparseable_input_to_the_user(tmp_path: Path) -> None:
    files = {name: tmp_path / name for name in ("base", "ours", "theirs")}
    files["base"].write_text('{"notes": {}}\n')
    files["ours"].write_text('{"notes": {\n"N1": {"id": "N1", <<<<<<< broken\n')
    files["theirs"].write_text('{"notes": {}}\n')
    before = files["ours"].read_bytes()
    result = subprocess.run([sys.executable, "-m", "istui.store.merge", str(files["base"]), str(files["ours"]),
                             str(files["theirs"]), "notes.json"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1
    assert "notes.json cannot be merged automatically" in result.stderr
    assert files["ours"].read_bytes() == before


def test_the_driver_writes_the_merge_and_the_conflict_log(tmp_path: Path) -> None:
    base = {"T1": rec("T1", value=10)}
    sides = {"base": base, "ours": {"T1": rec("T1", "2026-11-27T11:00:00+09:00", "alice", value=12)},
             "theirs": {"T1": rec("T1", "2026-11-27T10:30:00+09:00", "bob", value=15)}}
    for name, table in sides.items():
        (tmp_path / name).write_bytes(serialize(table, "targets"))
    result = subprocess.run([sys.executable, "-m", "istui.store.merge", "base", "ours", "theirs", "targets.json"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert parse((tmp_path / "ours").read_bytes(), "targets")["T1"]["value"] == 12
    logged = [json.loads(line) for line in (tmp_path / ".istui" / "conflicts.jsonl").read_text().splitlines()]
    assert [(c["field"], c["kept"], c["lost"], c["lost_from"]) for c in logged] == [("value", 12, 15, "bob")]


def run_driver(tmp_path: Path, path: str, sides: dict[str, bytes], env: dict[str, str] | None = None):
    import os

    for name, content in sides.items():
        (tmp_path / name).write_bytes(content)
    return subprocess.run([sys.executable, "-m", "istui.store.merge", "base", "ours", "theirs", path],
                          capture_output=True, text=True, cwd=tmp_path, env={**os.environ, **(env or {})})


def test_the_driver_leaves_out_a_torn_last_line(tmp_path: Path) -> None:
    """An activity file committed with a torn last line (an append a crash cut) merges instead of failing forever."""
    whole = b'{"id": "A1", "kind": "call"}\n'
    torn = whole + b'{"id": "A2", "ki'
    result = run_driver(tmp_path, "activities/bob/2026-11.jsonl", {
        "base": torn, "ours": whole + b'{"id": "A3", "kind": "call"}\n', "theirs": whole + b'{"id": "A4", "kind": "email"}\n'})
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in (tmp_path / "ours").read_text().splitlines()] == ["A1", "A3", "A4"]


def test_the_driver_merges_settings_key_by_key(tmp_path: Path) -> None:
    import tomllib

    base = b'# istui workspace settings\nschema = 1\nteam = "Team"\ncurrency = "JPY"\nsources = ["web", "fax"]\n'
    ours = base.replace(b'team = "Team"', b'team = "Ours"  # renamed').replace(b'"fax"]', b'"fax", "event"]')
    theirs = base.replace(b'team = "Team"', b'team = "Theirs"').replace(b'"JPY"', b'"USD"').replace(b'"web", ', b'"web", "mail", ')
    result = run_driver(tmp_path, "istui.toml", {"base": base, "ours": ours, "theirs": theirs})
    assert result.returncode == 0, result.stderr
    merged = (tmp_path / "ours").read_text()
    values = tomllib.loads(merged)
    assert (values["currency"], values["sources"]) == ("USD", ["event", "fax", "mail", "web"])
    assert values["team"] in ("Ours", "Theirs") and merged.startswith("# istui workspace settings")
    logged = [json.loads(line) for line in (tmp_path / ".istui" / "conflicts.jsonl").read_text().splitlines()]
    assert [(c["where"], c["field"], {c["kept"], c["lost"]}) for c in logged] == [("istui.toml", "team", {"Ours", "Theirs"})]


def test_settings_that_are_not_toml_are_left_to_the_user(tmp_path: Path) -> None:
    base = b'team = "Team"\n'
    result = run_driver(tmp_path, "istui.toml", {"base": base, "ours": b'team = "A"\n', "theirs": b'team = "B\n'})
    assert result.returncode == 1 and "istui.toml cannot be merged automatically" in result.stderr
    assert (tmp_path / "ours").read_bytes() == b'team = "A"\n'


def test_the_roster_merges_person_by_person(tmp_path: Path) -> None:
    """Two reps each add someone and change a different person: all of it is kept, without a conflict; a name
    added on both sides in different case (Bob, bob) keeps ours and logs the other."""
    import tomllib

    base = (b'schema = 1\nteam = "T"\n\n[roster.alice]\ndisplay = "Alice"\nemail = ""\nrole = "is"\n\n'
            b'[roster.kimura]\ndisplay = "Kimura"\nemail = ""\nrole = "field"\n')
    ours = (base.replace(b'display = "Alice"', b'display = "Alice A."')
            + b'\n[roster.carol]\ndisplay = "Carol"\nemail = ""\nrole = "is"\n'
            + b'\n[roster.Bob]\ndisplay = "Bob"\nemail = ""\nrole = "is"\n')
    theirs = (base.replace(b'role = "field"', b'role = "manager"')
              + b'\n[roster.dan]\ndisplay = "Dan"\nemail = "dan@example.com"\nrole = "field"\n'
              + b'\n[roster.bob]\ndisplay = "bob"\nemail = ""\nrole = "is"\n')
    result = run_driver(tmp_path, "istui.toml", {"base": base, "ours": ours, "theirs": theirs})
    assert result.returncode == 0, result.stderr
    roster = tomllib.loads((tmp_path / "ours").read_text())["roster"]
    assert sorted(roster) == ["Bob", "alice", "carol", "dan", "kimura"]
    assert (roster["alice"]["display"], roster["kimura"]["role"], roster["dan"]["email"]) == ("Alice A.", "manager", "dan@example.com")
    logged = [json.loads(line) for line in (tmp_path / ".istui" / "conflicts.jsonl").read_text().splitlines()]
    assert [(c["field"], c["kept"], c["lost"]) for c in logged] == [("roster.bob", "Bob", "bob")]


def test_campaigns_merge_record_by_record(tmp_path: Path) -> None:
    """Two reps' campaigns made apart are both kept; a state changed on one side takes that change."""
    base = {"C1": rec("C1", name="11月", state="ready", audience=["L1"])}
    ours = {**base, "C2": rec("C2", name="12月 alice", state="ready", audience=["L2"])}
    theirs = {"C1": rec("C1", "2026-11-27T11:00:00+09:00", "bob", name="11月", state="sent", audience=["L1"]),
              "C3": rec("C3", by="bob", name="12月 bob", state="ready", audience=["L3"])}
    result = run_driver(tmp_path, "campaigns.json", {name: serialize(table, "campaigns") for name, table in
                                                    (("base", base), ("ours", ours), ("theirs", theirs))})
    assert result.returncode == 0, result.stderr
    merged = parse((tmp_path / "ours").read_bytes(), "campaigns")
    assert sorted(merged) == ["C1", "C2", "C3"] and merged["C1"]["state"] == "sent"
