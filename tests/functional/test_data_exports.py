"""Bad rows (`--skip-invalid`, a dry run that says what a real run would do) and the activities export for
people (issue 12, items 14 and 15)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from istui.store.workspace import Workspace

from conftest import add_lead
from test_cli import snapshot

FIVE = ("Company,Email,Phone\nOne,one@co.com,03-1111-0001\nTwo,two@co.com,03-1111-0002\nBad Phone,bad@co.com,12\n"
        '"=HYPERLINK(""http://x"",""y"")",four@co.com,03-1111-0004\nFive,five@co.com,03-1111-0005\n')


def five_rows(tmp_path: Path) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text(FIVE, "utf-8")
    return path


def test_one_bad_phone_refuses_the_file_and_the_dry_run_says_so(cli, ws: Workspace, tmp_path: Path) -> None:
    path = five_rows(tmp_path)
    before = snapshot(ws.root)
    dry = cli("import", "leads", str(path), "--dry-run", "--json")
    assert dry.code == 2 and dry.json["summary"]["to_add"] == 0 and dry.json["refused"].startswith("1 row(s) have errors")
    real = cli("import", "leads", str(path))
    assert real.code == 2 and "1 row(s) have errors, so nothing was imported" in real.err and "--skip-invalid" in real.err
    assert "row    4  error" in real.out and "phone: '12'" in real.out
    assert cli("import", "leads", str(path), "--dry-run").err == real.err  # the same refusal
    assert snapshot(ws.root) == before and list(tmp_path.glob("*.rejected*")) == []


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_one_beside_the_input(cli, ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    path = five_rows(tmp_path)
    before = snapshot(ws.root)
    dry = cli("import", "leads", str(path), "--dry-run", "--skip-invalid")
    assert dry.code == 0 and "A real run would add 4, update 0 and reject 1" in dry.out
    assert snapshot(ws.root) == before and list(tmp_path.glob("*.rejected*")) == []
    real = cli("import", "leads", str(path), "--skip-invalid", "--json")
    assert real.code == 0
    assert real.json["summary"]["added"] == 4 and real.json["summary"]["rejected"] == 1
    rejected = tmp_path / "leads.rejected.csv"
    assert real.json["rejected_file"] == str(rejected)
    rows = list(csv.DictReader(io.StringIO(rejected.read_text("utf-8-sig"))))
    assert [(row["Company"], row["Phone"]) for row in rows] == [("Bad Phone", "12")]
    assert rows[0]["reason"].startswith("phone: '12'")
    companies = sorted(lead["company"] for lead in Workspace.open(ws.root, "alice").leads())
    assert companies == sorted(["One", "Two", "=HYPERLINK(\"http://x\",\"y\")", "Five"])
    # a second run never overwrites the first file: the next free name
    again = cli("import", "leads", str(path), "--skip-invalid", "--json").json
    assert again["rejected_file"] == str(tmp_path / "leads.rejected-2.csv") and rejected.exists()
    assert again["summary"]["added"] == 0 and again["summary"]["duplicate"] == 4
    # the rejected file, fixed, imports (its reason column is left out)
    rejected.write_text(rejected.read_text("utf-8-sig").replace(",12,", ",03-1111-0003,"), "utf-8")
    fixed = cli("import", "leads", str(rejected), "--json").json
    assert fixed["summary"]["added"] == 1 and "reason" not in fixed["columns"]


def test_a_user_file_is_never_overwritten_by_the_rejected_rows(cli, tmp_path: Path) -> None:
    path = five_rows(tmp_path)
    mine = tmp_path / "leads.rejected.csv"
    mine.write_text("mine", "utf-8")
    report = cli("import", "leads", str(path), "--skip-invalid", "--json").json
    assert mine.read_text("utf-8") == "mine" and report["rejected_file"] == str(tmp_path / "leads.rejected-2.csv")


def test_activities_export_names_the_lead_and_uses_local_times(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "=HYPERLINK(\"http://x\",\"y\")", "--contact", "@Sato")
    assert cli("log", "call", lead["id"], "-o", "no_answer", "--at", "2026-11-20T01:30:00+00:00").code == 0
    rows = list(csv.DictReader(io.StringIO(cli("export", "activities").out)))
    header = list(rows[0])
    assert header[:14] == ["id", "lead", "rep", "kind", "outcome", "at", "duration", "note", "script", "amount",
                           "from_stage", "created_at", "updated_at", "updated_by"]  # the scripts' columns stay
    assert rows[0]["company"] == "'=HYPERLINK(\"http://x\",\"y\")" and rows[0]["contact"] == "'@Sato"
    assert rows[0]["at_local"] == "2026-11-20T10:30:00+09:00" and rows[0]["outcome"] == "no_answer"
    people = list(csv.reader(io.StringIO(cli("export", "activities", "--labels").out)))
    assert people[0][:6] == ["ID", "Date and time", "Lead ID", "Company", "Contact", "Rep"]
    assert people[1][1] == "2026-11-20 10:30" and people[1][2] == lead["id"]  # local time as people read it
    assert people[0][-1] == "Time (ISO)" and people[1][-1] == "2026-11-20T10:30:00+09:00"  # the ISO column stays
    assert people[1][3] == "'=HYPERLINK(\"http://x\",\"y\")" and people[1][7] == "no_answer 不通"
    ja = list(csv.reader(io.StringIO(cli("--lang", "ja", "export", "activities", "--labels").out)))
    assert ja[0][:8] == ["ID", "日時", "リードID", "会社名", "担当者", "担当", "種類", "結果"]
    assert ja[1][6] == "架電" and ja[1][7] == "不通"
    refused = cli("export", "leads", "--labels")
    assert refused.code == 2 and "--labels is for the CSV export of activities" in refused.err
