"""Exports reps really have, imported without --map: Salesforce (API names and labels, a US team), HubSpot
contacts, Zoho, Japanese SFA exports, MiiTel call lists; separators, encodings and .xlsx workbooks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

SALESFORCE_US = (
    "Id,FirstName,LastName,Company,Title,Phone,MobilePhone,Email,LeadSource,Status,CreatedDate,OwnerId\n"
    "00Q5e00001AbcD1,Olivia,Smith,Acme Labs,CTO,(212) 555-2000,,olivia@acme.com,Web,Open - Not Contacted,"
    "2026-03-05T01:22:00.000Z,0055e000001xyz\n"
    "00Q5e00001AbcD2,Liam,Brown,Globex,COO,212.555.2001 ext. 12,(646) 555-0199,liam@globex.com,Phone Inquiry,"
    "Working - Contacted,2026-04-01T15:00:00.000Z,0055e000001xyz\n"
    "00Q5e00001AbcD3,Emma,Jones,Initech,VP,+44 20 7946 0958,,emma@initech.co.uk,Partner Referral,"
    "Closed - Converted,2026-05-02T09:00:00.000Z,0055e000001xyz\n"
    "00Q5e00001AbcD4,Noah,Davis,Umbrella,CEO,415-555-0134,,noah@umbrella.com,Purchased List,"
    "Closed - Not Converted,2026-06-10T12:00:00.000Z,0055e000001xyz\n"
    "00Q5e00001AbcD5,Ava,Miller,Hooli,CFO,,,ava@hooli.com,Trade Show,Open - Not Contacted,"
    "2026-07-01T00:00:00.000Z,0055e000001xyz\n"
)
SALESFORCE_LABELS = (
    "Lead ID,First Name,Last Name,Company / Account,Lead Source,Lead Status,Email,Phone,Mobile\n"
    "00Q9,Peter,Gibbons,Initrode,Webinar,Working - Contacted,peter@initrode.com,(312) 555-0100,\n"
)
HUBSPOT = (
    "Record ID,First Name,Last Name,Email,Phone Number,Associated Company,Contact owner,Lead Status,Create Date,"
    "Original Source\n"
    "51,Ava,Taylor,ava@hooli.com,090-1234-5678,Hooli,Bob Tanaka,IN_PROGRESS,2026-03-05 10:22,Organic Search\n"
    "52,Noah,Clark,noah@piedpiper.com,03-5555-6666,Pied Piper,bob@example.com,OPEN_DEAL,2026-04-06 09:00,Referrals\n"
    "53,Mia,Lee,mia@raviga.com,,Raviga,Bob Tanaka,ATTEMPTED_TO_CONTACT,2026-05-07 11:00,Offline Sources\n"
    "54,Leo,King,leo@bachman.com,,Bachman,Bob Tanaka,BAD_TIMING,2026-06-08 12:00,Direct Traffic\n"
    "55,Zoe,Hall,zoe@endframe.com,,Endframe,Bob Tanaka,UNQUALIFIED,2026-07-09 13:00,Paid Search\n"
    "56,Eli,Ward,eli@hoolicon.com,,Hoolicon,Bob Tanaka,CONNECTED,2026-08-10 14:00,Email Marketing\n"
    "57,Ivy,Ross,ivy@gavin.com,,Gavin Belson,Bob Tanaka,NEW,2026-09-11 15:00,Social Media\n"
    "58,Max,Reed,max@nucleus.com,,Nucleus,Bob Tanaka,OPEN,2026-10-12 16:00,Other Campaigns\n"
    "59,Una,Lone,una@freelance.dev,,,Bob Tanaka,NEW,2026-10-13 16:00,Direct Traffic\n"  # a contact of no company
)
ZOHO = (
    "Record Id;Lead Owner;Company;First Name;Last Name;Designation;Email;Phone;Mobile;Lead Source;Lead Status;"
    "Created Time\n"
    "zcrm_1;bob@example.com;Vandelay Industries;Art;Vandelay;Importer;art@vandelay.com;03-3333-4444;;Web Download;"
    "Contact in Future;2026-02-01 10:00:00\n"
    "zcrm_2;Bob Tanaka;Kramerica;Cosmo;Kramer;Founder;;;090-8765-4321;Cold Call;Junk Lead;2026-02-02 10:00:00\n"
)
JAPANESE_SFA = (
    "会社名,フリガナ,部署,役職,姓,名,セイ,メイ,電話番号,携帯電話,メールアドレス,流入経路,ステータス\n"
    "株式会社東洋商事,トウヨウショウジ,営業部,部長,山田,太郎,ヤマダ,タロウ,０３－１２３４－５６７８,,taro@toyo.co.jp,展示会,未対応\n"
    "大和システムズ株式会社,ヤマトシステムズ,情報システム部,課長,佐藤,花子,サトウ,ハナコ,,080-2222-3333,"
    "hanako@yamato.co.jp,資料DL,対応中\n"
    "日本物産株式会社,ニホンブッサン,総務部,,鈴木,一郎,スズキ,イチロウ,06-2222-3333 内線 45,,ichiro@nbs.co.jp,"
    "Webお問い合わせ,案件化\n"
)
MIITEL = (
    "取引先会社名,取引先担当者名,電話番号,カテゴリー\n"
    "株式会社青空,青木 一郎,03-1111-2222,製造業|関東|展示会2026\n"
    "株式会社海原,海野 花子,045-222-3333,小売\n"
)


@pytest.fixture
def roster(cli) -> None:
    """A team with bob on the roster (display name and e-mail as the CRMs name him)."""
    assert cli("rep", "add", "bob", "--display", "Bob Tanaka", "--email", "bob@example.com").code == 0


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def imported(cli, path: str, *extra: str) -> dict:
    result = cli("import", "leads", path, "--json", *extra)
    assert result.code == 0, result.err
    return result.json


def leads_by_company(cli) -> dict[str, dict]:
    return {lead["company"]: lead for lead in cli("lead", "list", "--json").json}


def test_a_us_teams_salesforce_export_without_map_and_a_second_import_updates(cli, tmp_path: Path) -> None:
    assert cli("settings", "phone_region=US", "timezone=America/New_York").code == 0
    path = write(tmp_path, "sf.csv", SALESFORCE_US)
    report = imported(cli, path)
    summary = report["summary"]
    assert (summary["rows"], summary["added"], summary["error"], summary["duplicate"]) == (5, 5, 0, 0)
    leads = leads_by_company(cli)
    acme, globex, initech, umbrella = (leads[name] for name in ("Acme Labs", "Globex", "Initech", "Umbrella"))
    assert (acme["phone"], acme["phone_e164"], acme["source"], acme["stage"]) == (
        "(212) 555-2000", "+12125552000", "web_inquiry", "new")
    assert (globex["phone"], globex["phone_ext"], globex["source"], globex["stage"]) == (
        "(212) 555-2001 ext. 12", "12", "web_inquiry", "working")
    assert globex["memo"] == "Mobile: (646) 555-0199"  # a lead keeps one number; the mobile is not lost
    assert (initech["phone"], initech["phone_e164"], initech["source"], initech["stage"]) == (
        "+44 20 7946 0958", "+442079460958", "partner", "meeting")
    assert (umbrella["source"], umbrella["stage"]) == ("outbound_list", "disqualified")
    assert leads["Hooli"]["source"] == "trade_show" and leads["Hooli"]["phone"] == ""
    assert acme["external_id"] == "00Q5e00001AbcD1"
    assert acme["created_at"] == "2026-03-04T20:22:00-05:00"  # Salesforce's UTC, in the workspace's time

    changed = SALESFORCE_US.replace("CTO,(212) 555-2000", "Chief Technology Officer,(212) 555-2000")
    again = imported(cli, write(tmp_path, "sf2.csv", changed))
    assert (again["summary"]["added"], again["summary"]["updated"]) == (0, 5)
    after = leads_by_company(cli)
    assert len(after) == 5 and after["Acme Labs"]["title"] == "Chief Technology Officer"
    assert after["Acme Labs"]["created_at"] == acme["created_at"]


def test_salesforce_report_labels(cli, tmp_path: Path) -> None:
    assert cli("settings", "phone_region=US").code == 0
    report = imported(cli, write(tmp_path, "sf.csv", SALESFORCE_LABELS, "utf-8-sig"))
    assert report["columns"]["Lead ID"] == "external_id" and report["summary"]["added"] == 1
    lead = leads_by_company(cli)["Initrode"]
    assert (lead["contact"], lead["source"], lead["stage"], lead["phone_e164"]) == (
        "Peter Gibbons", "webinar", "working", "+13125550100")


def test_hubspot_contacts_export_without_map(cli, roster, tmp_path: Path) -> None:
    report = imported(cli, write(tmp_path, "hubspot.csv", HUBSPOT))
    assert report["columns"]["Associated Company"] == "company"
    assert report["columns"]["Contact owner"] == "owner" and report["columns"]["Create Date"] == "created"
    assert report["summary"]["added"] == 9 and report["summary"]["error"] == 0
    assert "no company: named freelance.dev after its e-mail domain" in report["rows"][-1]["warnings"]
    leads = leads_by_company(cli)
    stages = {company: lead["stage"] for company, lead in leads.items()}
    assert stages == {"Hooli": "working", "Pied Piper": "meeting", "Raviga": "working", "Bachman": "nurturing",
                      "Endframe": "disqualified", "Hoolicon": "working", "Gavin Belson": "new", "Nucleus": "new",
                      "freelance.dev": "new"}
    assert {lead["owner"] for lead in leads.values()} == {"bob"}  # by display name and by e-mail
    assert leads["Hooli"]["created_at"] == "2026-03-05T10:22:00+09:00"
    assert (leads["Hooli"]["source"], leads["Pied Piper"]["source"], leads["Raviga"]["source"]) == (
        "web_inquiry", "referral", "trade_show")
    assert leads["Hooli"]["phone_e164"] == "+819012345678"


def test_zoho_export_with_semicolons(cli, roster, tmp_path: Path) -> None:
    report = imported(cli, write(tmp_path, "zoho.csv", ZOHO))
    assert report["summary"]["added"] == 2
    leads = leads_by_company(cli)
    vandelay, kramerica = leads["Vandelay Industries"], leads["Kramerica"]
    assert (vandelay["owner"], vandelay["source"], vandelay["stage"], vandelay["title"]) == (
        "bob", "download", "nurturing", "Importer")
    assert (kramerica["phone"], kramerica["source"], kramerica["stage"]) == ("090-8765-4321", "outbound_list",
                                                                            "disqualified")
    assert kramerica["external_id"] == "zcrm_2" and kramerica["created_at"].startswith("2026-02-02T10:00:00")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "utf-16"])
def test_japanese_sfa_export_in_every_encoding(cli, tmp_path: Path, encoding: str) -> None:
    text = JAPANESE_SFA.replace(",", "\t") if encoding == "utf-16" else JAPANESE_SFA  # Excel's "Unicode text"
    report = imported(cli, write(tmp_path, "sfa.csv", text, encoding))
    assert report["summary"]["added"] == 3 and report["summary"]["error"] == 0
    leads = leads_by_company(cli)
    toyo, yamato, nbs = leads["株式会社東洋商事"], leads["大和システムズ株式会社"], leads["日本物産株式会社"]
    assert (toyo["contact"], toyo["contact_kana"], toyo["company_kana"], toyo["title"]) == (
        "山田 太郎", "ヤマダ タロウ", "トウヨウショウジ", "営業部 部長")
    assert (toyo["phone"], toyo["source"], toyo["stage"]) == ("03-1234-5678", "trade_show", "new")
    assert (yamato["phone"], yamato["source"], yamato["stage"]) == ("080-2222-3333", "download", "working")
    assert (nbs["phone"], nbs["phone_ext"], nbs["source"], nbs["stage"]) == (
        "06-2222-3333 内線 45", "45", "web_inquiry", "meeting")


def test_miitel_call_list_categories_become_tags(cli, tmp_path: Path) -> None:
    report = imported(cli, write(tmp_path, "miitel.csv", MIITEL))
    assert report["summary"]["added"] == 2
    leads = leads_by_company(cli)
    assert leads["株式会社青空"]["tags"] == ["製造業", "関東", "展示会2026"]
    assert (leads["株式会社青空"]["contact"], leads["株式会社海原"]["phone"]) == ("青木 一郎", "045-222-3333")


def test_an_xlsx_workbook_written_by_openpyxl(cli, tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["会社名", "担当者名", "電話番号", "メールアドレス", "登録日", "従業員数"])
    sheet.append(["株式会社東洋商事", "山田 太郎", "03-1234-5678", "taro@toyo.co.jp", datetime(2026, 5, 1, 9, 30), 120])
    sheet.append(["ｶﾌﾞｼｷｶﾞｲｼｬ半角", "佐藤 花子", "+1 (212) 555-2000", None, None, 5.0])
    sheet.append([None, None, None, None, None, None])  # Excel's trailing empty rows
    path = tmp_path / "leads.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    report = imported(cli, str(path))
    assert report["encoding"] == "xlsx" and report["summary"]["added"] == 2
    leads = leads_by_company(cli)
    assert leads["株式会社東洋商事"]["created_at"] == "2026-05-01T09:30:00+09:00"
    assert leads["ｶﾌﾞｼｷｶﾞｲｼｬ半角"]["phone"] == "+1 212-555-2000"


def test_duplicates_across_number_forms(cli, tmp_path: Path) -> None:
    assert cli("lead", "add", "--company", "Acme", "--phone", "+81 3-1234-5678").code == 0
    rows = "会社名,電話番号\n東洋,０３（１２３４）５６７８\n大和,03-1234-5678 内線 9\n"
    report = imported(cli, write(tmp_path, "dups.csv", rows))
    statuses = [(row["status"], row["reason"][:10]) for row in report["rows"]]
    assert statuses == [("duplicate", "same phone"), ("ok", "")]  # an extension is another desk


def test_a_number_of_another_region_is_one_sentence_naming_the_region(cli) -> None:
    assert cli("settings", "phone_region=US").code == 0
    result = cli("lead", "add", "--company", "Acme", "--phone", "03-1234-5678")
    assert result.code == 2
    assert "'03-1234-5678' is not a phone number in region US" in result.err and result.err.count("\n") == 1
    ok = cli("lead", "add", "--company", "Acme", "--phone", "+81 3 1234 5678", "--json")
    assert ok.code == 0 and ok.json["phone"] == "+81 3-1234-5678" and ok.json["phone_e164"] == "+81312345678"
    found = cli("lead", "list", "--search", "81312345678", "--json").json
    assert [lead["company"] for lead in found] == ["Acme"]


@pytest.mark.parametrize("on_duplicate", ["skip", "update", "add"])
def test_rows_matching_one_lead_update_it_once_and_the_dry_run_says_so(cli, tmp_path: Path, on_duplicate: str) -> None:
    first = "Id,Company,Email\nXYZ,Acme,acme@example.com\n"
    imported(cli, write(tmp_path, "first.csv", first))
    rows = ("Id,Company,Email\nXYZ,Acme Two,acme@example.com\nXYZ,Acme Three,acme@example.com\n"
            "XYV,Email dup,ACME@example.com\n")
    path = write(tmp_path, "again.csv", rows)
    dry = imported(cli, path, "--on-duplicate", on_duplicate, "--dry-run")
    real = imported(cli, path, "--on-duplicate", on_duplicate)
    assert {k: v for k, v in dry["summary"].items() if k not in ("added", "updated")} == \
        {k: v for k, v in real["summary"].items() if k not in ("added", "updated")}
    assert (dry["summary"]["to_add"], dry["summary"]["to_update"]) == (real["summary"]["added"], real["summary"]["updated"])
    leads = cli("lead", "list", "--json").json
    acme = next(lead for lead in leads if lead.get("external_id") == "XYZ")
    assert acme["company"] == "Acme Two"  # the first row of that record; the other rows are named in the report
    assert real["summary"]["updated"] == 1


def test_doctor_lists_stored_numbers_that_no_longer_read(cli, ws) -> None:
    lead = cli("lead", "add", "--company", "Old Co", "--phone", "03-1234-5678", "--json").json
    ws.update_lead(lead["id"], {"phone_e164": None, "phone_ext": None})  # as stored before numbers had their E.164 form
    assert cli("doctor").code == 0 and "not a number" not in cli("doctor").out
    assert cli("settings", "phone_region=US").code == 0
    report = cli("doctor", "--json").json
    found = [p for p in report["problems"] if "is not a number in region US" in p["message"]]
    assert len(found) == 1 and lead["id"] in found[0]["message"] and "Old Co" in found[0]["message"]
    assert found[0]["severity"] == "warning" and "istui lead set" in found[0]["fix"]
