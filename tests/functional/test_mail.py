"""Sending e-mail through a real SMTP server on 127.0.0.1 (aiosmtpd): one mail from a template, and campaigns that
leave out who may get no mail, report a refused recipient, pause on a lost connection or a refused login, and
resume after a kill sending each recipient exactly once (counted on the server)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from conftest import add_lead
from smtp_support import write_mail_config

BODY = "{{ lead.contact | default('ご担当者') }} 様\n\n資料のご案内です。\n\n{{ rep.display }} <{{ rep.email }}>\n{{ unsubscribe }}\n"


@pytest.fixture
def template(cli) -> str:
    return cli("note", "add", "--title", "資料のご案内", "--kind", "template", "--subject", "{{ lead.company }} 様：資料のご案内",
               "--body", BODY, "--json").json["id"]


def leads_with_mail(cli, count: int, **fields: str) -> list[dict]:
    return [add_lead(cli, f"会社{n:02d}", "--contact", f"担当 {n:02d}", "--email", f"p{n:02d}@corp{n:02d}.example.jp",
                     "--source", "webinar", *[f"--{k}={v}" for k, v in fields.items()]) for n in range(count)]


def activities(ws_root: Path) -> list[dict]:
    import json

    return [json.loads(line) for path in sorted((ws_root / "activities").glob("*/*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_one_mail_is_proper_mime_and_logged_with_its_template_and_message_id(cli, ws, smtp, template, isolated_home) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    lead = add_lead(cli, "株式会社東洋テック", "--contact", "山田 太郎", "--email", "yamada@toyo.example.jp")
    result = cli("mail", "send", lead["id"][:8], "--template", template[:8], "--json")
    assert result.code == 0, result.err
    [message] = box.messages
    assert box.envelopes == [["yamada@toyo.example.jp"]]
    assert str(message["Subject"]) == "株式会社東洋テック 様：資料のご案内"
    raw_headers = box.raw[0].split(b"\r\n\r\n")[0].decode("ascii")  # RFC 2047: the header lines are ASCII on the wire
    assert "=?utf-8?" in raw_headers and "Subject:" in raw_headers
    assert message["From"].addresses[0].display_name == "佐藤 花子" and message["From"].addresses[0].addr_spec == "sato@example.co.jp"
    assert message["To"].addresses[0].display_name == "山田 太郎"
    assert parsedate_to_datetime(message["Date"]).isoformat() == "2026-11-27T10:30:00+09:00"
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    body = message.get_content().replace("\r\n", "\n")  # canonical text is CRLF inside the base64
    assert body.startswith("山田 太郎 様\n\n資料のご案内です。") and "佐藤 花子 <sato@example.co.jp>" in body
    assert message["List-Unsubscribe"] is None  # one-to-one mail
    [sent] = [a for a in activities(ws.root) if a["kind"] == "email"]
    assert (sent["outcome"], sent["template"], sent["message_id"], sent["address"]) == (
        "sent", template, message["Message-ID"], "yamada@toyo.example.jp")
    assert result.json["activity"]["id"] == sent["id"] and result.json["lead"]["stage"] == "working"


def test_a_dry_run_needs_no_transport_and_sends_and_logs_nothing(cli, ws, template) -> None:
    lead = add_lead(cli, "Acme", "--contact", "Ann Lee", "--email", "ann@acme.example")
    assert cli("rep", "set", "alice", "--email", "alice@team.example", "--display", "Alice Ito").code == 0
    shown = cli("mail", "send", lead["id"], "--template", template, "--dry-run")
    assert shown.code == 0, shown.err
    assert "Subject: Acme 様：資料のご案内" in shown.out and "Alice Ito <alice@team.example>" in shown.out
    assert "dry run" in shown.out and not [a for a in activities(ws.root) if a["kind"] == "email"]
    refused = cli("mail", "send", lead["id"], "--template", template)
    assert refused.code == 2 and "[mail]" in refused.err and "config.toml" in refused.err
    assert len(refused.err.strip().splitlines()) == 1 and not [a for a in activities(ws.root) if a["kind"] == "email"]


def test_refusals_name_what_is_wrong_and_log_nothing(cli, ws, smtp, template, isolated_home) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port, username="sato", password_command="printf wrong")
    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    login = cli("mail", "send", lead["id"], "--template", template)
    assert login.code == 1 and "refused the login of sato" in login.err
    os.environ["ISTUI_SMTP_PASSWORD"] = box.password  # the variable wins over the command
    try:
        box.refuse.add("ann@acme.example")
        refused = cli("mail", "send", lead["id"], "--template", template)
        assert refused.code == 1 and "refused ann@acme.example" in refused.err and "550" in refused.err
        assert not box.raw and not [a for a in activities(ws.root) if a["kind"] == "email"]
        box.refuse.clear()
        assert cli("mail", "send", lead["id"], "--template", template).code == 0
        assert len(box.raw) == 1
    finally:
        del os.environ["ISTUI_SMTP_PASSWORD"]
    tip = cli("note", "add", "--title", "Not a template", "--kind", "tip", "--body", "x", "--json").json
    wrong_kind = cli("mail", "send", lead["id"], "--template", tip["id"])
    assert wrong_kind.code == 2 and "not an e-mail template" in wrong_kind.err
    nobody = add_lead(cli, "No Mail KK")
    assert "no e-mail address" in cli("mail", "send", nobody["id"], "--template", template).err
    (isolated_home / ".config" / "istui" / "config.toml").write_text('[mail]\nsmtp_host = "127.0.0.1"\nsecurity = "tls"\n')
    bad = cli("mail", "send", lead["id"], "--template", template)
    assert bad.code == 2 and "mail.security" in bad.err and "starttls, ssl, none" in bad.err


def test_unsubscribes_and_bounces_flag_the_address(cli, smtp, template, isolated_home) -> None:
    _box, port = smtp
    write_mail_config(isolated_home, port)
    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    assert cli("log", "email", lead["id"], "-o", "bounced", "--json").json["lead"]["email_status"] == "bounced"
    assert "hard-bounced" in cli("mail", "send", lead["id"], "--template", template).err
    assert cli("lead", "set", lead["id"], "email=ann@new.example", "--json").json.get("email_status") is None
    assert cli("log", "email", lead["id"], "-o", "unsubscribed", "--json").json["lead"]["email_status"] == "opted_out"
    assert cli("log", "email", lead["id"], "-o", "bounced", "--json").json["lead"]["email_status"] == "opted_out"
    assert cli("lead", "set", lead["id"], "email=ann@third.example", "--json").json["email_status"] == "opted_out"
    assert "unsubscribed" in cli("mail", "send", lead["id"], "--template", template).err


def test_a_campaign_leaves_out_who_may_get_no_mail_and_refuses_a_template_without_an_opt_out(cli, template) -> None:
    assert cli("rep", "set", "alice", "--email", "alice@team.example", "--display", "Alice Ito").code == 0
    ok = leads_with_mail(cli, 4)
    add_lead(cli, "No Address", "--source", "webinar")
    twin = add_lead(cli, "Twin KK", "--email", "Ｐ00@CORP00.example.jp", "--source", "webinar", "--allow-duplicate")
    opted = add_lead(cli, "Opted", "--email", "o@x.example", "--source", "webinar")
    cli("log", "email", opted["id"], "-o", "unsubscribed")
    bounced = add_lead(cli, "Bounced", "--email", "b@x.example", "--source", "webinar")
    cli("log", "email", bounced["id"], "-o", "bounced")
    dnc = add_lead(cli, "DNC", "--email", "d@x.example", "--source", "webinar")
    cli("log", "call", dnc["id"], "-o", "0")
    add_lead(cli, "Other source", "--email", "s@x.example", "--source", "referral")
    made = cli("campaign", "create", "--name", "12月メルマガ", "--template", template, "--source", "webinar", "--json")
    assert made.code == 0, made.err
    campaign = made.json
    assert sorted(campaign["audience"]) == sorted(lead["id"] for lead in ok)
    excluded = {reason: len(ids) for reason, ids in campaign["excluded"].items()}
    assert excluded == {"no_address": 1, "duplicate_address": 1, "opted_out": 1, "bounced": 1, "do_not_contact": 1}
    assert twin["id"] in campaign["excluded"]["duplicate_address"]  # the older lead keeps the address
    again = cli("campaign", "create", "--name", "12月メルマガ", "--template", template)
    assert again.code == 2 and "already called" in again.err
    bare = cli("note", "add", "--title", "No opt-out", "--kind", "template", "--subject", "Hi", "--body", "Hello {{ lead.company }}",
               "--json").json
    refused = cli("campaign", "create", "--name", "bare", "--template", bare["id"])
    assert refused.code == 2 and "特定電子メール法" in refused.err and "opt-out" in refused.err
    assert len(cli("campaign", "list", "--json").json) == 1


def test_a_campaign_reports_a_refused_recipient_and_sends_the_rest_once(cli, ws, smtp, template, isolated_home) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    leads = leads_with_mail(cli, 5)
    box.refuse.add(leads[2]["email"])
    campaign = cli("campaign", "create", "--name", "news", "--template", template, "--json").json
    result = cli("campaign", "send", campaign["id"][:8], "--json")
    assert result.code == 0, result.err
    assert result.json["sent"] == 4 and list(result.json["refused"]) == [leads[2]["id"]]
    assert "550" in result.json["refused"][leads[2]["id"]]
    assert sorted(to for [to] in box.envelopes) == sorted(lead["email"] for n, lead in enumerate(leads) if n != 2)
    message = box.messages[0]
    assert message["List-Unsubscribe"] == "<mailto:sato@example.co.jp?subject=unsubscribe>"
    assert "配信停止をご希望の方は" in message.get_content()  # the opt-out line in the template's language
    sends = [a for a in activities(ws.root) if a.get("campaign") == campaign["id"]]
    assert sorted(a["message_id"] for a in sends) == sorted(m["Message-ID"] for m in box.messages)
    box.refuse.clear()
    assert cli("campaign", "send", campaign["id"], "--json").json["sent"] == 0  # a refusal is final …
    assert cli("campaign", "send", campaign["id"], "--retry-refused", "--json").json["sent"] == 1  # … unless retried
    assert Counter(to for [to] in box.envelopes) == Counter(lead["email"] for lead in leads)
    assert cli("campaign", "show", campaign["id"], "--json").json["state"] == "sent"
    review = cli("review", "--period", "week", "--json").json  # the review cites the period's campaigns
    assert review["campaigns"] == ["news: 5 sent, open rate 0.0%, click rate 0.0%, 0 unsubscribes, 0 meetings within 14 days"]
    assert review["mail_window"] == []  # no opens yet


def test_a_lost_connection_pauses_the_campaign_and_a_resume_sends_each_once(cli, smtp, template, isolated_home) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    leads = leads_with_mail(cli, 6)
    campaign = cli("campaign", "create", "--name", "news", "--template", template, "--json").json
    box.hang_up_after = 2
    paused = cli("campaign", "send", campaign["id"])
    assert paused.code == 1 and "paused after 2 mails" in paused.err and len(paused.err.strip().splitlines()) == 1
    shown = cli("campaign", "show", campaign["id"], "--json").json
    assert shown["state"] == "paused" and shown["sent"] == 2 and "lost" in shown["paused"]
    box.hang_up_after = None
    assert cli("campaign", "send", campaign["id"], "--json").json["sent"] == 4
    assert Counter(to for [to] in box.envelopes) == Counter(lead["email"] for lead in leads)


def test_a_campaign_killed_mid_send_resumes_and_each_recipient_gets_exactly_one(cli, ws, smtp, template, isolated_home) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    leads = leads_with_mail(cli, 12)
    campaign = cli("campaign", "create", "--name", "news", "--template", template, "--json").json
    env = {**os.environ, "ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice"}
    command = [sys.executable, "-m", "istui", "campaign", "send", campaign["id"], "--rate", "300"]  # one mail per 0.2 s
    sender = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(box.raw) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    got = len(box.raw)
    assert 4 <= got < 12
    two = [subprocess.Popen(command[:-2], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [process.communicate(timeout=60) for process in two]
    codes = sorted(process.returncode for process in two)
    assert codes in ([0, 0], [0, 1]), outcomes  # a second sender at the same moment is refused, never a second copy
    if codes == [0, 1]:
        assert any("being sent by another istui" in err for _out, err in outcomes)
    assert Counter(to for [to] in box.envelopes) == Counter(lead["email"] for lead in leads)
    assert len({m["Message-ID"] for m in box.messages}) == 12
    sends = [a for a in activities(ws.root) if a.get("campaign") == campaign["id"]]
    assert sorted(a["lead"] for a in sends) == sorted(lead["id"] for lead in leads)


def test_a_sendmail_command_gets_the_whole_message(cli, ws, template, isolated_home, tmp_path) -> None:
    script = tmp_path / "fake-sendmail"
    script.write_text(f"#!/bin/sh\ncat > {tmp_path / 'out.eml'}\n")
    script.chmod(0o755)
    config = isolated_home / ".config" / "istui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[mail]\nfrom = "Alice <alice@team.example>"\nsendmail_command = "{script} -t"\n', encoding="utf-8")
    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    assert cli("mail", "send", lead["id"], "--template", template).code == 0
    from email import message_from_bytes, policy

    message = message_from_bytes((tmp_path / "out.eml").read_bytes(), policy=policy.default)
    assert str(message["To"]) == "ann@acme.example" and message["Subject"] == "Acme 様：資料のご案内"
    script.write_text("#!/bin/sh\necho 'msmtp: cannot connect' >&2\nexit 75\n")
    failed = cli("mail", "send", lead["id"], "--template", template)
    assert failed.code == 1 and "exit status 75" in failed.err and "cannot connect" in failed.err
    assert len([a for a in activities(ws.root) if a["kind"] == "email"]) == 1


def test_a_kill_while_a_mail_is_in_the_servers_hands_records_the_others_and_sends_that_one_again(
        cli, ws, smtp, template, isolated_home) -> None:
    """Killed with mails taken by the server but not yet in the activity file (they wait in the local journal, written
    in batches) and one mail handed over and never answered: the resumed send writes the taken ones' record, sends
    the rest once and not the unanswered one (it may have arrived), which --resend-uncertain sends."""
    box, port = smtp
    write_mail_config(isolated_home, port)
    leads = leads_with_mail(cli, 8)
    campaign = cli("campaign", "create", "--name", "news", "--template", template, "--json").json
    box.stall_after = 3
    env = {**os.environ, "ISTUI_WORKSPACE": str(ws.root), "ISTUI_REP": "alice"}
    command = [sys.executable, "-m", "istui", "campaign", "send", campaign["id"], "--json"]
    sender = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(box.raw) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # the fourth mail is in the server's hands, unanswered
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    assert len(box.raw) == 3
    assert not [a for a in activities(ws.root) if a.get("campaign") == campaign["id"]]  # only in the journal yet
    box.stall_after = None
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    unanswered = campaign["audience"][3]  # its mail may have arrived: never sent twice, reported, kept as uncertain
    assert report["before"] == 3 and report["sent"] == 4 and report["uncertain"] == [unanswered]
    assert cli("campaign", "show", campaign["id"], "--json").json["uncertain"] == [unanswered]
    again = cli("campaign", "send", campaign["id"], "--resend-uncertain", "--json").json
    assert again["sent"] == 1 and again["uncertain"] == []
    assert Counter(to for [to] in box.envelopes) == Counter(lead["email"] for lead in leads)
    sends = [a for a in activities(ws.root) if a.get("campaign") == campaign["id"]]
    assert sorted(a["lead"] for a in sends) == sorted(lead["id"] for lead in leads)
    assert sorted(a["message_id"] for a in sends) == sorted(m["Message-ID"] for m in box.messages)


def test_edit_opens_the_rendered_mail_in_the_editor_and_sends_what_was_saved(cli, ws, smtp, template, isolated_home,
                                                                             monkeypatch) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    lead = add_lead(cli, "Acme", "--contact", "Ann Lee", "--email", "ann@acme.example")
    monkeypatch.setenv("EDITOR", "sed -i -e s/資料のご案内です/カタログをお送りします/ -e 1s/^Subject:.*/Subject:\\ 改訂/")
    assert cli("mail", "send", lead["id"], "--template", template, "--edit").code == 0
    [message] = box.messages
    assert message["Subject"] == "改訂" and "カタログをお送りします" in message.get_content()
    assert not list((ws.root / ".istui").glob("tmp*.txt"))  # the draft is gone
    monkeypatch.setenv("EDITOR", "false")
    failed = cli("mail", "send", lead["id"], "--template", template, "--edit")
    assert failed.code == 2 and "editor" in failed.err and len(box.messages) == 1
    assert "exited with an error" in failed.err and "could not run" not in failed.err  # said once, not wrapped


def test_a_refused_login_pauses_the_campaign_before_any_mail(cli, smtp, template, isolated_home) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port, username="alice", password_command="echo nope")
    leads_with_mail(cli, 2)
    campaign = cli("campaign", "create", "--name", "news", "--template", template, "--json").json
    refused = cli("campaign", "send", campaign["id"])
    assert refused.code == 1 and "refused the login of alice" in refused.err and "paused after 0 mails" in refused.err
    assert cli("campaign", "show", campaign["id"], "--json").json["state"] == "paused" and not box.raw


def test_an_opt_out_is_the_addresss_not_one_leads(cli, smtp, template, isolated_home, tmp_path) -> None:
    """Two leads with one address (another case or width): the opt-out or hard bounce of either stops mail to both,
    logged by hand or imported from the mail service."""
    _box, port = smtp
    write_mail_config(isolated_home, port)
    first = add_lead(cli, "DupA", "--email", "Dup@Example.com", "--tag", "dup")
    second = add_lead(cli, "DupB", "--email", "dup@example.com", "--tag", "dup", "--allow-duplicate")
    cli("log", "email", first["id"], "-o", "unsubscribed")
    assert "unsubscribed" in cli("mail", "send", second["id"], "--template", template).err
    refused = cli("campaign", "create", "--name", "x", "--template", template, "--tag", "dup")
    assert refused.code == 2 and "no lead of that list" in refused.err
    third = add_lead(cli, "DupC", "--email", "c@example.com", "--tag", "c")
    fourth = add_lead(cli, "DupD", "--email", "C@EXAMPLE.COM", "--tag", "c", "--allow-duplicate")
    (tmp_path / "ev.csv").write_text("email,timestamp,event\nc@example.com,1795700000,bounce\n")
    assert cli("import", "email-events", str(tmp_path / "ev.csv"), "--json").json["addresses_flagged"] == 2
    assert cli("lead", "show", third["id"], "--json").json["email_status"] == "bounced"
    assert cli("lead", "show", fourth["id"], "--json").json["email_status"] == "bounced"
