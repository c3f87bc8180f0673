"""Every CLI command: what it prints, what it writes, and that bad input writes nothing (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from istui.store.workspace import Workspace

from conftest import add_lead


def snapshot(root: Path) -> dict[str, bytes]:
    """Every committed workspace file's bytes (local state in .istui/ excluded)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".istui" not in p.parts and ".git" not in p.parts}


def test_lead_add_and_show(cli) -> None:
    lead = add_lead(cli, "株式会社東洋商事", "--contact", "山田 太郎", "--phone", "０３－１２３４－５６７８",
                    "--email", "Taro@Toyo.co.jp", "--source", "web_inquiry", "--temp", "hot", "--next", "today 15:00",
                    "--tag", "製造業", "--tag", "SaaS")
    assert lead["phone"] == "03-1234-5678" and lead["email"] == "Taro@toyo.co.jp"
    assert lead["next_at"] == "2026-11-27T15:00:00+09:00"
    assert lead["tags"] == ["製造業", "SaaS"] and lead["owner"] == "alice" and lead["stage"] == "new"
    shown = cli("lead", "show", lead["id"][:12], "--json").json
    assert shown["company"] == "株式会社東洋商事" and shown["activities"] == []
    text = cli("lead", "show", lead["id"][:12]).out
    assert "株式会社東洋商事" in text and "today 15:00" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phone", "12"], "phone: '12' is not a phone number"),
        (["--email", "nope"], "email: 'nope' is not an e-mail address"),
        (["--source", "tv"], "source: 'tv' is not one of"),
        (["--temp", "lukewarm"], "temp: 'lukewarm' is not one of hot, warm, cold"),
        (["--next", "someday"], "next: cannot read 'someday'"),
        (["--motion", "xdr"], "motion: 'xdr' is not one of sdr, bdr"),
    ],
)
def test_lead_add_bad_input_writes_nothing(cli, ws: Workspace, args: list[str], message: str) -> None:
    before = snapshot(ws.root)
    result = cli("lead", "add", "--company", "Acme", *args)
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    assert snapshot(ws.root) == before


def test_lead_add_needs_a_company(cli) -> None:
    result = cli("lead", "add", "--company", "  ")
    assert result.code == 2 and "company is required" in result.err


def test_lead_list_filters(cli) -> None:
    a = add_lead(cli, "Acme Labs", "--source", "web_inquiry", "--tag", "vip")
    add_lead(cli, "Globex", "--source", "trade_show", "--phone", "03-9999-0000")
    assert [lead["company"] for lead in cli("lead", "list", "--json").json] == ["Globex", "Acme Labs"]
    assert [lead["id"] for lead in cli("lead", "list", "--source", "web_inquiry", "--json").json] == [a["id"]]
    assert [lead["company"] for lead in cli("lead", "list", "--search", "globe", "--json").json] == ["Globex"]
    assert [lead["company"] for lead in cli("lead", "list", "--search", "9999", "--json").json] == ["Globex"]
    assert [lead["company"] for lead in cli("lead", "list", "--tag", "vip", "--json").json] == ["Acme Labs"]
    assert cli("lead", "list", "--stage", "won", "--json").json == []
    text = cli("lead", "list").out
    assert text.splitlines()[0].split()[:3] == ["ID", "COMPANY", "CONTACT"] and "Acme Labs" in text
    bad = cli("lead", "list", "--stage", "closed")
    assert bad.code == 2 and "stage: 'closed' is not one of" in bad.err


def test_lead_set(cli, ws: Workspace) -> None:
    lead = add_lead(cli)
    changed = cli("lead", "set", lead["id"][:12], "temp=hot", "next=tomorrow 10am", "tags=a,b", "--json").json
    assert (changed["temp"], changed["next_at"], changed["tags"]) == ("hot", "2026-11-28T10:00:00+09:00", ["a", "b"])
    before = snapshot(ws.root)
    for args, message in ((["temp=boiling"], "temp: 'boiling'"), (["stage=won"], "lead stage ID STAGE"),
                          (["colour=red"], "'colour' is not a lead field"), (["oops"], "should look like FIELD=VALUE"),
                          (["temp=hot", "phone=1"], "phone: '1'")):
        result = cli("lead", "set", lead["id"], *args)
        assert result.code == 2 and message in result.err, (args, result.err)
    assert snapshot(ws.root) == before


def test_unknown_and_ambiguous_ids(cli, ws: Workspace) -> None:
    ws.add_lead({"company": "A", "id": "01KAAAAAAAAAAAAAAAAAAAAAAA", "stage": "new", "source": "other", "motion": "sdr"})
    ws.add_lead({"company": "B", "id": "01KAAAAAAAAAAAAAAAAAAAAAAB", "stage": "new", "source": "other", "motion": "sdr"})
    result = cli("log", "call", "01KA", "-o", "2")
    assert result.code == 2 and "matches several leads" in result.err
    result = cli("lead", "show", "01KZ")
    assert result.code == 2 and "no lead id starts with '01KZ'" in result.err


def test_log_call_moves_stage_and_sets_follow_up(cli, ws: Workspace) -> None:
    lead = add_lead(cli)
    logged = cli("log", "call", lead["id"][:12], "--outcome", "2", "--next", "+2h", "--note", "no one there", "--json").json
    assert logged["activity"]["outcome"] == "no_answer" and logged["activity"]["note"] == "no one there"
    assert logged["lead"]["stage"] == "working" and logged["lead"]["next_at"] == "2026-11-27T12:30:00+09:00"
    booked = cli("log", "call", lead["id"], "-o", "meeting_booked", "--duration", "300", "--json").json
    assert booked["lead"]["stage"] == "meeting" and booked["activity"]["duration"] == 300
    by_label = cli("log", "call", lead["id"], "-o", "折り返し・再架電", "--next", "tomorrow 15:00", "--json").json
    assert by_label["activity"]["outcome"] == "callback"
    stored = [json.loads(line) for line in (ws.root / "activities/alice/2026-11.jsonl").read_text().splitlines()]
    assert [a["outcome"] for a in stored] == ["no_answer", "meeting_booked", "callback"]
    assert "Logged call no_answer" in cli("log", "call", lead["id"], "-o", "no_answer").out


def test_log_call_bad_input_writes_nothing(cli, ws: Workspace) -> None:
    lead = add_lead(cli)
    before = snapshot(ws.root)
    for args, message in ((["-o", "hung_up"], "outcome: 'hung_up' is not a call outcome"),
                          (["-o", "2", "--next", "whenever"], "next: cannot read 'whenever'"),
                          (["-o", "2", "--at", "tomorrow"], "at: 'tomorrow' is in the future"),
                          (["-o", "2", "--duration", "long"], "duration: 'long' is not a whole number"),
                          (["-o", "2", "--script", "ZZZ"], "note: no note id starts with 'ZZZ'")):
        result = cli("log", "call", lead["id"], *args)
        assert result.code == 2 and message in result.err, (args, result.err)
    assert snapshot(ws.root) == before
    missing = cli("log", "call", lead["id"])
    assert missing.code == 2 and "--outcome" in missing.err


def test_log_email_and_backdated_call(cli, ws: Workspace) -> None:
    lead = add_lead(cli)
    sent = cli("log", "email", lead["id"], "-o", "sent", "--json").json
    assert sent["activity"]["kind"] == "email"
    old = cli("log", "call", lead["id"], "-o", "busy", "--at", "yesterday 9:00", "--json").json
    assert old["activity"]["at"] == "2026-11-26T09:00:00+09:00"
    bad = cli("log", "email", lead["id"], "-o", "no_answer")
    assert bad.code == 2 and "outcome: 'no_answer' is not one of sent" in bad.err
    meeting = cli("log", "email", lead["id"], "-o", "meeting_booked", "--json").json
    assert meeting["lead"]["stage"] == "meeting"


def test_do_not_call_disqualifies(cli) -> None:
    lead = add_lead(cli, "Acme", "--next", "today 15:00")
    logged = cli("log", "call", lead["id"], "-o", "0", "--json").json
    assert logged["lead"]["stage"] == "disqualified" and logged["lead"]["next_at"] is None


def test_stage_changes(cli) -> None:
    lead = add_lead(cli)
    moved = cli("lead", "stage", lead["id"], "nurturing", "--note", "budget next year", "--json").json
    assert moved["activity"]["from_stage"] == "new" and moved["lead"]["stage"] == "nurturing"
    assert cli("lead", "stage", lead["id"], "won").code == 2
    assert "needs the order amount" in cli("lead", "stage", lead["id"], "won").err
    activities = len(cli("export", "activities", "--format", "json").out)
    for bad, words in (("0", "needs the order amount"), ("¥0", "needs the order amount"), ("12,00", "wrong place")):
        refused = cli("lead", "stage", lead["id"], "won", "--amount", bad)
        assert refused.code == 2 and words in refused.err and refused.err.count("\n") == 1
    assert len(cli("export", "activities", "--format", "json").out) == activities  # nothing written
    assert cli("lead", "show", lead["id"], "--json").json["stage"] == "nurturing"
    won = cli("lead", "stage", lead["id"], "won", "--amount", "120万", "--json").json
    assert won["lead"]["amount"] == 1_200_000 and won["activity"]["amount"] == 1_200_000
    again = cli("lead", "stage", lead["id"], "won", "--amount", "1")
    assert again.code == 2 and "already in stage won" in again.err
    assert cli("lead", "stage", lead["id"], "closed").code == 2


def test_today_queue_order(cli, ws: Workspace) -> None:
    due_warm = add_lead(cli, "Due warm", "--next", "today 14:00")
    due_hot = add_lead(cli, "Due hot", "--next", "today 16:00", "--temp", "hot")
    overdue = add_lead(cli, "Overdue", "--next", "tomorrow 10:00", "--temp", "cold")
    ws.update_lead(overdue["id"], {"next_at": "2026-11-26T10:00:00+09:00"})  # yesterday: a follow-up not done
    add_lead(cli, "Later", "--next", "tomorrow 10:00")
    new_inbound = add_lead(cli, "New inbound", "--source", "web_inquiry")
    add_lead(cli, "New BDR target", "--source", "outbound_list", "--motion", "bdr")
    cli("rep", "add", "bob")  # an owner is on the roster
    add_lead(cli, "Someone else's", "--next", "today 11:00", "--owner", "bob")
    queue = cli("today", "--json").json
    assert [(e["company"], e["reason"]) for e in queue] == [
        ("Overdue", "overdue"), ("Due hot", "due"), ("Due warm", "due"), ("New inbound", "new")]
    assert [e["id"] for e in queue] == [overdue["id"], due_hot["id"], due_warm["id"], new_inbound["id"]]
    assert len(cli("today", "--all", "--json").json) == 5
    text = cli("today").out
    assert "1 overdue · 2 due today · 1 new inbound" in text


def test_notes(cli, ws: Workspace, tmp_path: Path) -> None:
    body = tmp_path / "script.md"
    body.write_text("# 初回架電\n\n1. お礼\n2. 課題を聞く\n", encoding="utf-8")
    note = cli("note", "add", "--title", "初回架電トーク", "--kind", "script", "--tag", "初回", "--file", str(body), "--json").json
    assert note["body"].startswith("# 初回架電") and note["kind"] == "script" and note["tags"] == ["初回"]
    from_stdin = cli("note", "add", "--title", "Price objection", "--kind", "objection", "--file", "-", "--json",
                     stdin="Agree, then ask about the cost of doing nothing.").json
    assert from_stdin["body"].startswith("Agree")
    assert [n["title"] for n in cli("note", "list", "--search", "cost of doing", "--json").json] == ["Price objection"]
    assert [n["title"] for n in cli("note", "list", "--tag", "初回", "--json").json] == ["初回架電トーク"]
    edited = cli("note", "edit", note["id"][:10], "--title", "初回架電トーク v2", "--pin", "--json").json
    assert edited["title"] == "初回架電トーク v2" and edited["pinned"] and edited["body"] == note["body"]
    assert edited["created_at"] == note["created_at"]
    shown = cli("note", "show", note["id"][:10]).out
    assert "2. 課題を聞く" in shown
    bad = cli("note", "add", "--title", "x", "--kind", "poem")
    assert bad.code == 2 and "kind: 'poem'" in bad.err
    missing = cli("note", "add", "--title", "x", "--file", str(tmp_path / "nope.md"))
    assert missing.code == 2 and "does not exist" in missing.err
    lead = add_lead(cli)
    used = cli("log", "call", lead["id"], "-o", "1", "--script", note["id"][:10], "--json").json
    assert used["activity"]["script"] == note["id"]


def test_email_templates_are_notes_with_a_subject(cli) -> None:
    """A note of kind template carries a one-line subject (required), shown by `note show` and kept in JSON; it
    renders for a lead with the lead's and the sender's fields (`services.mail_templates`)."""
    refused = cli("note", "add", "--title", "初回のご案内", "--kind", "template", "--body", "{{ lead.contact }} 様")
    assert refused.code == 2 and "subject" in refused.err and "--subject" in refused.err
    note = cli("note", "add", "--title", "初回のご案内", "--kind", "template", "--subject", "{{ lead.company }} 様へ\nBcc: x",
               "--body", "{{ lead.contact | default('ご担当者') }} 様\n\n{{ rep.display }}", "--json").json
    assert note["kind"] == "template" and note["subject"] == "{{ lead.company }} 様へ Bcc: x"  # one line
    assert "Subject: {{ lead.company }} 様へ Bcc: x" in cli("note", "show", note["id"][:10]).out
    assert [n["id"] for n in cli("note", "list", "--kind", "template", "--json").json] == [note["id"]]
    cleared = cli("note", "edit", note["id"][:10], "--subject", "  ")
    assert cleared.code == 2 and "subject" in cleared.err
    assert cli("note", "edit", note["id"][:10], "--kind", "tip", "--json").json["kind"] == "tip"


def test_targets_and_kpi(cli) -> None:
    lead = add_lead(cli)
    for outcome in ("2", "1", "6"):
        assert cli("log", "call", lead["id"], "-o", outcome).code == 0
    target = cli("target", "set", "calls", "60", "--per", "day", "--json").json
    assert (target["rep"], target["value"], target["per"]) == ("alice", 60, "day")
    again = cli("target", "set", "calls", "50", "--per", "day", "--json").json
    assert again["id"] == target["id"] and again["value"] == 50
    team = cli("target", "set", "amount", "¥5,000,000", "--per", "month", "--team", "--json").json
    assert team["rep"] is None and team["value"] == 5_000_000
    assert len(cli("target", "list", "--json").json) == 2
    report = cli("kpi", "--json").json
    assert report["period"]["label"] == "2026-11-27" and report["scope"] == {"rep": "alice", "team": False}
    assert (report["metrics"]["calls"], report["metrics"]["connects"], report["metrics"]["meetings"]) == (3, 2, 1)
    assert report["metrics"]["open_rate"] is None
    assert report["targets"] == [{"id": target["id"], "metric": "calls", "per": "day", "rep": "alice", "motion": None,
                                  "target": 50, "actual": 3, "progress": 0.06,
                                  # 10:30 in 09:00-18:00: 1.5 of 9 working hours gone, so 50 × 1/6 by now
                                  "working_days": {"total": 1, "elapsed": 1, "remaining": 1, "elapsed_now": 0.1667,
                                                   "remaining_now": 0.8333}, "expected": 8.33,
                                  "ahead": -5.33, "status": "behind", "needed_per_day": 56.4}]
    assert report["by_source"]["other"]["meetings"] == 1
    month = cli("kpi", "--team", "--period", "month", "--json").json
    assert month["targets"][0]["metric"] == "amount" and month["targets"][0]["progress"] == 0.0
    assert month["period"]["start"] == "2026-11-01T00:00:00+09:00"
    text = cli("kpi").out
    assert "Calls" in text and "60.0%" not in text and "6.0%" in text
    for args, message in ((["target", "set", "naps", "3", "--per", "day"], "metric: 'naps'"),
                          (["target", "set", "calls", "0", "--per", "day"], "greater than zero"),
                          (["target", "set", "calls", "5", "--per", "decade"], "per: 'decade'"),
                          (["kpi", "--period", "someday"], "period: 'someday' is not a period")):
        result = cli(*args)
        assert result.code == 2 and message in result.err, (args, result.err)
    removed = cli("target", "remove", target["id"][:10], "--json").json
    assert removed["id"] == target["id"] and len(cli("target", "list", "--json").json) == 1


def test_handoff_sheet(cli) -> None:
    lead = add_lead(cli, "株式会社東洋商事", "--contact", "山田 太郎", "--phone", "03-1234-5678")
    cli("log", "call", lead["id"], "-o", "6", "--note", "興味あり")
    cli("rep", "add", "kimura", "--role", "field")  # a recipient from the roster's field sales
    result = cli("handoff", lead["id"], "--to", "kimura", "--budget", "300万円", "--authority", "部長決裁",
                 "--need", "リード管理の一元化", "--timeline", "来期4月", "--note", "競合はA社")
    assert result.code == 0
    sheet = result.out
    assert sheet.startswith("# Handoff: 株式会社東洋商事")
    for expected in ("**kimura**", "Budget**: 300万円", "部長決裁", "来期4月", "競合はA社", "meeting_booked", "興味あり",
                     "03-1234-5678"):
        assert expected in sheet, expected
    shown = cli("lead", "show", lead["id"], "--json").json
    assert shown["stage"] == "handed_off" and shown["handoff"]["to"] == "kimura"
    assert shown["handoff"]["budget"] == "300万円"
    handed = [a for a in shown["activities"] if a["kind"] == "stage" and a["outcome"] == "handed_off"]
    assert [(a["to"], a.get("note")) for a in handed] == [("kimura", None)]  # a name, no English sentence stored
    again = cli("handoff", lead["id"], "--to", "kimura")
    assert again.code == 2 and "already handed_off" in again.err
    report = cli("kpi", "--json").json
    assert report["metrics"]["handoffs"] == 1


def test_no_workspace_is_one_clear_sentence(cli, tmp_path: Path) -> None:
    result = cli("--workspace", str(tmp_path / "nowhere"), "today")
    assert result.code == 1
    assert result.err.startswith("istui: No istui workspace at") and result.err.count("\n") == 1


def test_bad_rep_name(cli) -> None:
    result = cli("--rep", "a/b", "today")
    assert result.code == 2 and "not a usable rep name" in result.err


def test_unknown_command_exits_2(cli) -> None:
    assert cli("frobnicate").code == 2


def test_init_and_defaults(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISTUI_WORKSPACE")
    target = tmp_path / "team-ws"
    result = cli("init", str(target), "--rep", "bob", "--timezone", "Asia/Tokyo", "--remote", "/srv/git/team.git", "--json")
    assert result.code == 0, result.err
    assert result.json["rep"] == "bob"
    import subprocess

    remote = subprocess.run(["git", "-C", str(target), "remote", "get-url", "origin"], capture_output=True, text=True)
    assert remote.stdout.strip() == "/srv/git/team.git"
    monkeypatch.delenv("ISTUI_REP")
    added = cli("lead", "add", "--company", "Default WS", "--json").json  # default workspace and rep now
    assert added["owner"] == "bob"
    assert (target / "leads").is_dir()
    again = cli("init", str(target))
    assert again.code == 2 and "already an istui workspace" in again.err
    bad = cli("init", str(tmp_path / "x"), "--timezone", "Mars/Base")
    assert bad.code == 2 and "timezone" in bad.err


def test_home_shows_queue_and_kpi(cli) -> None:
    add_lead(cli, "Due now", "--next", "today 11:00")
    out = cli().out
    assert "Today's queue: 0 overdue · 1 due today" in out and "KPI · alice" in out
