"""`istui import activities`: dialer call logs into call activities, matched by phone, words mapped to outcomes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from istui.services.call_import import parse_duration
from istui.store.workspace import Workspace

from conftest import add_lead

WORDS = {  # the Japanese call-centre words of the issue, and the outcome each must become
    "不通": "no_answer", "留守電": "voicemail", "話し中": "busy", "受付NG": "gatekeeper", "受付止まり": "gatekeeper",
    "担当不在": "gatekeeper", "担当NG": "not_interested", "見込み": "connected", "再コール": "callback",
    "アポ": "meeting_booked", "現アナ": "wrong_number", "番号違い": "wrong_number", "架電NG": "do_not_call",
}


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def two_leads(cli) -> tuple[dict, dict]:
    return add_lead(cli, "青空", "--phone", "03-1111-2222"), add_lead(cli, "海原", "--phone", "+81 45-222-3333")


def log_of(rows: list[tuple[str, ...]]) -> str:
    return "日時,電話番号,応対結果,通話時間,担当者,メモ\n" + "".join(",".join(row) + "\n" for row in rows)


def calls_of(ws: Workspace) -> list[dict]:
    return sorted((a for a in ws.activities() if a["kind"] == "call"), key=lambda a: a["at"])


def test_every_japanese_call_centre_word_becomes_its_outcome(cli, ws: Workspace, two_leads, tmp_path: Path) -> None:
    rows = [(f"2026/11/2{i % 7} {9 + i % 8}:{i:02d}:00", "03-1111-2222", word, f"{i * 7}", "alice", "")
            for i, word in enumerate(WORDS)]
    report = cli("import", "activities", write(tmp_path, "log.csv", log_of(rows)), "--json").json
    assert report["calls"] == len(WORDS) and report["unmapped"] == {} and report["refusal"] is None
    outcomes = [(call["outcome"], call["duration"]) for call in sorted(calls_of(ws), key=lambda a: a["duration"])]
    assert outcomes == [(WORDS[word], i * 7) for i, word in enumerate(WORDS)]
    assert {call["lead"] for call in calls_of(ws)} == {two_leads[0]["id"]}
    lead = ws.get_lead(two_leads[0]["id"])
    assert lead["dnc"] is True and lead["stage"] == "disqualified"  # 架電NG marks the lead, as a logged call does


def test_a_miitel_style_log_imports_as_calls_with_durations_and_talk_time(cli, ws: Workspace, two_leads,
                                                                          tmp_path: Path) -> None:
    text = ("日時,電話番号,コール結果,通話時間,担当者\n"
            "2026/11/24 10:00:00,０３－１１１１－２２２２,通話,0:02:05,alice\n"
            "2026/11/24 10:05:00,045-222-3333,アポ,00:04:10,alice\n"
            "2026/11/25 11:00:00,045-222-3333,留守電,0:00:20,alice\n"
            "2026/11/25 11:30:00,090-9999-9999,不通,0:00:00,alice\n"
            "2026/11/25 11:40:00,非通知,不通,0:00:00,alice\n")
    path = write(tmp_path, "miitel.csv", text, "cp932")
    dry = cli("import", "activities", path, "--dry-run", "--json").json
    assert ws.activities() == [] or not calls_of(ws)  # a dry run writes nothing
    real = cli("import", "activities", path, "--json").json
    assert {k: v for k, v in dry.items() if k != "dry_run"} == {k: v for k, v in real.items() if k != "dry_run"}
    assert (real["calls"], real["talk_seconds"], real["unmatched"]) == (3, 125 + 250 + 20,
                                                                      {"090-9999-9999": 1, "非通知": 1})
    aozora, unabara = two_leads
    assert [(c["lead"], c["outcome"], c["duration"]) for c in calls_of(ws)] == [
        (aozora["id"], "connected", 125), (unabara["id"], "meeting_booked", 250), (unabara["id"], "voicemail", 20)]
    assert calls_of(ws)[0]["at"] == "2026-11-24T10:00:00+09:00"
    kpi = cli("kpi", "--period", "2026-11", "--json").json["metrics"]
    assert (kpi["talk_seconds"], kpi["conversations"], kpi["avg_talk_seconds"]) == (395, 2, round((125 + 250) / 2))
    assert (ws.get_lead(aozora["id"])["stage"], ws.get_lead(unabara["id"])["stage"]) == ("working", "meeting")
    # the queue never loses a lead: each call, in turn, as if logged after the fact; the follow-up lies ahead
    assert ws.get_lead(aozora["id"])["next_at"] > "2026-11-27T10:30"  # (the fixed clock's now)
    assert real["stages"] == {"working": 1, "meeting": 1}
    again = cli("import", "activities", path, "--json").json
    assert (again["calls"], again["already_imported"]) == (0, 3) and len(calls_of(ws)) == 3


def test_unmapped_words_are_listed_with_counts_and_refuse_a_real_run(cli, ws: Workspace, two_leads,
                                                                     tmp_path: Path) -> None:
    rows = [("2026/11/24 10:00", "03-1111-2222", "資料送付", "60", "alice", ""),
            ("2026/11/24 10:10", "03-1111-2222", "資料送付", "70", "alice", ""),
            ("2026/11/24 10:20", "03-1111-2222", "システムエラー", "0", "alice", ""),
            ("2026/11/24 10:30", "03-1111-2222", "不通", "0", "alice", "")]
    path = write(tmp_path, "log.csv", log_of(rows))
    dry = cli("import", "activities", path, "--dry-run")
    assert dry.code == 2 and "資料送付 (2), システムエラー (1)" in dry.err and "--map-outcome" in dry.err
    refused = cli("import", "activities", path)
    assert refused.code == 2 and refused.err.count("\n") == 1 and not calls_of(ws)
    mapped = cli("import", "activities", path, "--map-outcome", "資料送付=connected", "--map-outcome",
                 "システムエラー=skip", "--json").json
    assert (mapped["calls"], mapped["skipped"], mapped["outcomes"]) == (3, 1, {"connected": 2, "no_answer": 1})
    bad = cli("import", "activities", path, "--map-outcome", "資料送付=won")
    assert bad.code == 2 and "'won' is not an outcome" in bad.err


def test_callers_are_matched_on_the_roster_and_strangers_refuse(cli, ws: Workspace, two_leads, tmp_path: Path) -> None:
    assert cli("rep", "add", "bob", "--display", "Bob Tanaka").code == 0
    text = ("Date,Time,To,Disposition,Duration,Agent,Call SID\n"
            "2026-11-24,10:00,+81 3-1111-2222,Answered,95,Bob Tanaka,CA01\n"
            "2026-11-24,10:05,+81 3-1111-2222,No Answer,0,Carol,CA02\n")
    path = write(tmp_path, "dialer.csv", text)
    refused = cli("import", "activities", path)
    assert refused.code == 2 and "Carol (1)" in refused.err and not calls_of(ws)
    assert cli("rep", "add", "carol").code == 0
    report = cli("import", "activities", path, "--json").json
    assert report["calls"] == 2
    assert [(c["rep"], c["outcome"], c["event_id"]) for c in calls_of(ws)] == [
        ("bob", "connected", "call:CA01"), ("carol", "no_answer", "call:CA02")]


def test_a_call_log_workbook(cli, ws: Workspace, two_leads, tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    book.active.append(["通話日時", "発信先", "結果", "通話秒数"])
    book.active.append([datetime(2026, 11, 24, 10, 0), "0311112222", "通話", 61])
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "log.xlsx").write_bytes(buffer.getvalue())
    assert cli("import", "activities", str(tmp_path / "log.xlsx"), "--json").json["calls"] == 1
    assert [(c["outcome"], c["duration"], c["rep"]) for c in calls_of(ws)] == [("connected", 61, "alice")]
    as_csv = "通話日時,発信先,結果,通話秒数\n2026/11/24 10:00:00,03-1111-2222,通話,0:01:01\n"  # the same log, as CSV
    again = cli("import", "activities", write(tmp_path, "log.csv", as_csv), "--json").json
    assert (again["calls"], again["already_imported"]) == (0, 1)


def test_a_file_without_the_needed_columns_is_one_sentence(cli, tmp_path: Path) -> None:
    result = cli("import", "activities", write(tmp_path, "x.csv", "会社名,メモ\nA,b\n"))
    assert result.code == 2 and result.err.count("\n") == 1 and "no time, phone, result column" in result.err


@pytest.mark.parametrize(("text", "seconds"), [
    ("125", 125), ("125.4", 125), ("2:05", 125), ("00:02:05", 125), ("1:00:01", 3601), ("2分5秒", 125),
    ("1時間2分", 3720), ("45秒", 45), ("2m 5s", 125), ("０:０２:０５", 125), ("", None)])
def test_durations_as_dialers_write_them(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["abc", "2:5:5:5", "-5", "1.2.3", "1:99", "1:60:00", "86401", "99999999999"])
def test_a_duration_that_does_not_read(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_calls_in_the_same_second_with_other_results_are_two_calls(cli, ws: Workspace, two_leads, tmp_path: Path) -> None:
    rows = [("2026/11/24 12:00", "03-1111-2222", "番号違い", "5", "alice", ""),
            ("2026/11/24 12:00", "03-1111-2222", "アポ", "300", "alice", "")]
    report = cli("import", "activities", write(tmp_path, "log.csv", log_of(rows)), "--json").json
    assert (report["calls"], report["already_imported"]) == (2, 0)


def test_a_call_goes_to_the_lead_of_that_very_number(cli, ws: Workspace, tmp_path: Path) -> None:
    desk = add_lead(cli, "Desk", "--phone", "03-1234-5678 内線 5")
    main = add_lead(cli, "Main", "--phone", "03-1234-5678", "--allow-duplicate")
    cli("import", "activities", write(tmp_path, "log.csv", log_of([("2026/11/24 12:00", "0312345678", "通話", "5",
                                                                   "alice", "")])))
    assert [call["lead"] for call in calls_of(ws)] == [main["id"]] and desk["id"] != main["id"]


def test_rows_that_do_not_read_refuse_a_real_run(cli, ws: Workspace, two_leads, tmp_path: Path) -> None:
    rows = [("2030/01/01 10:00", "03-1111-2222", "通話", "5", "alice", ""),  # ahead of the clock
            ("2026/11/24 10:00 XYZ", "03-1111-2222", "通話", "5", "alice", ""),  # a zone nobody knows
            ("2026/11/24 10:00", "03-1111-2222", "通話", "99999999999", "alice", ""),
            ("2026/11/24 10:05", "03-1111-2222", "通話", "5", "alice", "\x1b[31mred")]
    path = write(tmp_path, "log.csv", log_of(rows))
    report = cli("import", "activities", path, "--dry-run", "--json")
    assert report.code == 2 and [p["row"] for p in report.json["problems"]] == [2, 3, 4, 5]
    real = cli("import", "activities", path)
    assert real.code == 2 and "4 row(s) do not read (row 2: " in real.err and not calls_of(ws)
    jst = cli("import", "activities", write(tmp_path, "jst.csv", log_of([("2026-11-24 10:00 JST", "03-1111-2222",
                                                                         "通話", "5", "alice", "")])), "--json")
    assert jst.code == 0 and calls_of(ws)[0]["at"] == "2026-11-24T10:00:00+09:00"
