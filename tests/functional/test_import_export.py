"""CSV import (encodings, column families, duplicates, dry run, all-or-nothing) and safe export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from istui.store.workspace import Workspace

from conftest import add_lead
from test_cli import snapshot


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


SALESFORCE_API = (
    "Id,Company,FirstName,LastName,Title,Phone,Email,LeadSource,Status,Rating\n"
    "00Q1,Acme Labs,Olivia,Smith,CTO,03-1111-2222,olivia@acme.com,Web,Open - Not Contacted,Hot\n"
    "00Q2,Globex,Liam,Brown,COO,+81 6 3333 4444,liam@globex.com,Trade Show,Working - Contacted,Cold\n"
)
SALESFORCE_REPORT = (
    '"Company / Account","First Name","Last Name","Lead Source","Lead Status","Email","Phone","Title"\n'
    '"Initech","Peter","Gibbons","Purchased List","Closed - Not Converted","peter@initech.com","03-5555-6666","Engineer"\n'
)
HUBSPOT = (
    "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Lead Status,Original Source\n"
    "101,Ava,Taylor,ava@hooli.com,090-1234-5678,Hooli,VP Sales,IN_PROGRESS,Organic Search\n"
    "102,Noah,Clark,noah@hooli.com,,Hooli,CTO,ZOMBIE,Carrier Pigeon\n"
)
JAPANESE = (
    "会社名,担当者名,役職,電話番号,メールアドレス,リードソース,ステータス,温度感\n"
    "株式会社東洋商事,山田 太郎,営業部 部長,０３－１２３４－５６７８,taro@toyo.co.jp,展示会,未対応,高\n"
    "大和システムズ株式会社,佐藤 花子,課長,06-2222-3333,hanako@yamato.co.jp,資料DL,対応中,中\n"
)


def test_salesforce_api_names(cli, tmp_path: Path) -> None:
    report = cli("import", "leads", write(tmp_path, "sf.csv", SALESFORCE_API), "--json").json
    assert report["summary"]["added"] == 2 and report["written"]
    assert report["columns"]["Company"] == "company" and report["columns"]["Id"] == "external_id"
    leads = {lead["company"]: lead for lead in cli("lead", "list", "--json").json}
    acme, globex = leads["Acme Labs"], leads["Globex"]
    assert (acme["contact"], acme["title"], acme["source"], acme["stage"], acme["temp"], acme["motion"]) == (
        "Olivia Smith", "CTO", "web_inquiry", "new", "hot", "sdr")
    assert (globex["source"], globex["stage"], globex["temp"], globex["phone"]) == (
        "trade_show", "working", "cold", "06-3333-4444")
    assert acme["owner"] == "alice"


def test_salesforce_report_labels_with_bom(cli, tmp_path: Path) -> None:
    report = cli("import", "leads", write(tmp_path, "sf.csv", SALESFORCE_REPORT, "utf-8-sig"), "--json").json
    assert report["encoding"] == "utf-8"
    lead = cli("lead", "list", "--json").json[0]
    assert (lead["company"], lead["contact"], lead["source"], lead["stage"], lead["motion"]) == (
        "Initech", "Peter Gibbons", "outbound_list", "disqualified", "bdr")


def test_hubspot_columns(cli, tmp_path: Path) -> None:
    report = cli("import", "leads", write(tmp_path, "hs.csv", HUBSPOT), "--json").json
    first, second = report["rows"]
    assert first["status"] == "ok" and first["warnings"] == []
    assert second["status"] == "ok" and second["warnings"] == [
        "source 'Carrier Pigeon' is not known; imported as other", "stage 'ZOMBIE' is not known; imported as new"]
    leads = {lead["contact"]: lead for lead in cli("lead", "list", "--json").json}
    ava = leads["Ava Taylor"]
    assert (ava["company"], ava["title"], ava["source"], ava["phone"], ava["stage"]) == (
        "Hooli", "VP Sales", "web_inquiry", "090-1234-5678", "working")
    assert (leads["Noah Clark"]["source"], leads["Noah Clark"]["stage"]) == ("other", "new")


def test_japanese_headers_in_cp932(cli, tmp_path: Path) -> None:
    report = cli("import", "leads", write(tmp_path, "ja.csv", JAPANESE, "cp932"), "--json").json
    assert report["encoding"] == "cp932" and report["summary"]["added"] == 2
    leads = {lead["company"]: lead for lead in cli("lead", "list", "--json").json}
    toyo = leads["株式会社東洋商事"]
    assert (toyo["contact"], toyo["phone"], toyo["source"], toyo["stage"], toyo["temp"]) == (
        "山田 太郎", "03-1234-5678", "trade_show", "new", "hot")
    assert leads["大和システムズ株式会社"]["source"] == "download"


def test_encoding_option(cli, ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "ja.csv", JAPANESE, "cp932")
    before = snapshot(ws.root)
    result = cli("import", "leads", path, "--encoding", "utf-8")
    assert result.code == 2 and "not readable as utf-8-sig" in result.err
    assert cli("import", "leads", path, "--encoding", "latin9").code == 2
    assert snapshot(ws.root) == before


def test_map_override_and_missing_company(cli, ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "de.csv", "Firma,Kontakt,Telefon\nMüller GmbH,Hans,03-1234-9999\n")
    result = cli("import", "leads", path)
    assert result.code == 2 and "no company column" in result.err and "Firma" in result.err
    report = cli("import", "leads", path, "--map", "Firma=company", "--map", "Kontakt=contact", "--map", "Telefon=phone",
                 "--json").json
    assert report["summary"]["added"] == 1
    lead = cli("lead", "list", "--json").json[0]
    assert (lead["company"], lead["contact"], lead["phone"]) == ("Müller GmbH", "Hans", "03-1234-9999")
    bad = cli("import", "leads", path, "--map", "Firma=firm")
    assert bad.code == 2 and "'firm' is not an importable field" in bad.err


def test_duplicates_against_workspace_and_within_file(cli, tmp_path: Path) -> None:
    existing = add_lead(cli, "Acme Labs", "--email", "olivia@acme.com")
    text = (
        "Company,Email,Phone\n"
        "Acme Again,OLIVIA@acme.com,\n"            # same e-mail as the workspace lead
        "Fresh Co,fresh@co.com,03-7777-8888\n"
        "Fresh Copy,,０３－７７７７－８８８８\n"      # same phone as row 3, typed another way
    )
    path = write(tmp_path, "dups.csv", text)
    dry = cli("import", "leads", path, "--dry-run", "--json").json
    assert [(r["row"], r["status"], r["action"]) for r in dry["rows"]] == [
        (2, "duplicate", "skip"), (3, "ok", "add"), (4, "duplicate", "skip")]
    assert dry["rows"][0]["match"] == existing["id"] and "same e-mail" in dry["rows"][0]["reason"]
    assert dry["rows"][2]["reason"] == "same phone as row 3"
    assert not dry["written"]
    updated = cli("import", "leads", path, "--on-duplicate", "update", "--json").json
    assert updated["summary"]["added"] == 1 and updated["summary"]["updated"] == 1
    assert cli("lead", "show", existing["id"], "--json").json["company"] == "Acme Again"
    again = cli("import", "leads", path, "--on-duplicate", "add", "--json").json
    assert again["summary"]["added"] == 3


def test_dry_run_reports_every_row_and_writes_nothing(cli, ws: Workspace, tmp_path: Path) -> None:
    text = "Company,Email,Phone\nGood Co,good@co.com,03-1111-1111\n,,03-2222-2222\nBad Mail,not-an-email,\nBad Phone,,12\n"
    path = write(tmp_path, "bad.csv", text)
    before = snapshot(ws.root)
    dry = cli("import", "leads", path, "--dry-run")
    assert dry.code == 2 and "3 row(s) have errors, so nothing was imported" in dry.err  # what a real run says
    assert "A real run would import nothing" in dry.out
    for expected in ("row    2  ok", "row    3  error", "company is required", "row    4  error", "email: 'not-an-email'",
                     "row    5  error", "phone: '12'", "Nothing was written"):
        assert expected in dry.out, expected
    assert snapshot(ws.root) == before


def test_real_run_is_all_or_nothing(cli, ws: Workspace, tmp_path: Path) -> None:
    rows = "".join(f"Company {i},c{i}@co.com,03-1111-{i:04d}\n" for i in range(300))
    path = write(tmp_path, "big.csv", "Company,Email,Phone\n" + rows + "Broken,broken@,\n")
    before = snapshot(ws.root)
    result = cli("import", "leads", path)
    assert result.code == 2 and "1 row(s) have errors, so nothing was imported" in result.err
    assert "row  302  error" in result.out and "Not imported: 301 rows · 300 ok · 0 duplicate · 1 error." in result.out
    assert snapshot(ws.root) == before
    good = write(tmp_path, "good.csv", "Company,Email,Phone\n" + rows)
    assert cli("import", "leads", good, "--json").json["summary"]["added"] == 300
    assert len(list(Workspace.open(ws.root).leads())) == 300
    assert len(list((ws.root / "leads").glob("*.json"))) > 100  # spread over many buckets, written together


def test_export_of_an_unknown_kind(cli) -> None:
    result = cli("export", "deals")
    assert result.code == 2 and "invalid choice: 'deals'" in result.err


def test_empty_and_missing_files(cli, tmp_path: Path) -> None:
    assert "is empty" in cli("import", "leads", write(tmp_path, "e.csv", "")).err
    missing = cli("import", "leads", str(tmp_path / "nope.csv"))
    assert missing.code == 2 and "does not exist" in missing.err


def test_csv_export_neutralises_formulas(cli, ws: Workspace, tmp_path: Path) -> None:
    hostile = {"=HYPERLINK(\"http://x\",\"y\")": "=cmd", "+SUM(1,2)": "+x", "-2+3": "-x", "@SUM(A1)": "@x"}
    for company, memo in hostile.items():
        add_lead(cli, company, f"--memo={memo}")
    out = cli("export", "leads").out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["company"] for r in rows) == sorted("'" + c for c in hostile)
    assert all(r["memo"][0] == "'" for r in rows)
    assert all(r["id"][0] not in "=+-@'" for r in rows)
    target = tmp_path / "leads.csv"
    assert cli("export", "leads", "-o", str(target)).code == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Japanese
    # our own export imports back with the original text
    fresh = cli("import", "leads", str(target), "--on-duplicate", "add", "--json").json
    assert {row["lead"]["company"] for row in fresh["rows"]} == set(hostile)


def test_json_export_of_every_kind(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Acme", "--phone", "+1 212 555 2000")  # another country's: shown the international way
    cli("log", "call", lead["id"], "-o", "1")
    cli("note", "add", "--title", "tip")
    cli("target", "set", "calls", "10", "--per", "day")
    for what in ("leads", "activities", "notes", "targets"):
        records = json.loads(cli("export", what, "--format", "json").out)
        assert len(records) == 1 and all("id" in r for r in records)
        assert json.loads(cli("export", what, "--json").out) == records
    activities_csv = list(csv.DictReader(io.StringIO(cli("export", "activities").out)))
    assert activities_csv[0]["outcome"] == "connected" and activities_csv[0]["lead"] == lead["id"]
    phone = next(csv.DictReader(io.StringIO(cli("export", "leads").out)))["phone"]
    assert phone == "'+1 212-555-2000"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_each_encoding_reads_the_same(cli, tmp_path: Path, encoding: str) -> None:
    report = cli("import", "leads", write(tmp_path, "ja.csv", JAPANESE, encoding), "--dry-run", "--json").json
    assert [row["lead"]["company"] for row in report["rows"]] == ["株式会社東洋商事", "大和システムズ株式会社"]
