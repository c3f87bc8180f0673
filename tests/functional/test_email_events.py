"""`istui import email-events`: what mail services export (SendGrid CSV and JSON, Mailchimp, HubSpot, a Japanese
CSV in CP932), matched to leads by address and to the sends they follow; a re-import adds nothing; a dry run plans
exactly what a real run writes; unsubscribes opt out, hard bounces flag the address, machine opens are flagged."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from istui.services.email_events import columns

from conftest import add_lead


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def email_activities(ws_root: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((ws_root / "activities").glob("*/*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and '"email"' in line]


def sendgrid_rows(address: str, other: str) -> list[dict]:
    base = 1796000000  # 2026-11-30 in Tokyo
    row = {"email": address, "timestamp": base, "event": "processed", "url": "", "sg_event_id": "e1",
           "sg_message_id": "m1.filter", "marketing_campaign_name": "12月メルマガ", "sg_machine_open": ""}
    return [row, {**row, "event": "delivered", "sg_event_id": "e2", "timestamp": base + 3},
            {**row, "email": address.upper(), "event": "open", "sg_event_id": "e3", "timestamp": base + 3600, "sg_machine_open": "false"},
            {**row, "event": "open", "sg_event_id": "e4", "timestamp": base + 60, "sg_machine_open": "true"},
            {**row, "event": "click", "sg_event_id": "e5", "timestamp": base + 4000, "url": "https://example.co.jp/lp"},
            {**row, "email": other, "event": "bounce", "sg_event_id": "e6", "timestamp": base + 5},
            {**row, "email": other, "event": "spamreport", "sg_event_id": "e7", "timestamp": base + 9000},
            {**row, "email": "stranger@nowhere.example", "event": "open", "sg_event_id": "e8"}]


def test_a_sendgrid_export_is_matched_flagged_and_never_imported_twice(cli, ws, tmp_path) -> None:
    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    other = add_lead(cli, "Beta", "--email", "bo@beta.example")
    path = write_csv(tmp_path / "sg.csv", sendgrid_rows("ann@acme.example", "bo@beta.example"))
    planned = cli("import", "email-events", str(path), "--dry-run", "--json")
    assert planned.code == 0, planned.err
    assert not email_activities(ws.root)
    done = cli("import", "email-events", str(path), "--json").json
    assert {k: v for k, v in done.items() if k != "dry_run"} == {k: v for k, v in planned.json.items() if k != "dry_run"}
    assert done["format"] == "sendgrid" and done["added"] == {"sent": 1, "opened": 2, "clicked": 1, "bounced": 1,
                                                              "unsubscribed": 1}
    assert done["machine_opens"] == 1 and done["spam_reports"] == 1 and done["hard_bounces"] == 1
    assert done["unmatched"] == {"stranger@nowhere.example": 1} and done["not_recorded"] == {"delivered": 1}
    events = email_activities(ws.root)
    opens = sorted((e["at"], bool(e.get("machine"))) for e in events if e["outcome"] == "opened" and e["lead"] == lead["id"])
    assert opens == [("2026-11-30T09:54:20+09:00", True), ("2026-11-30T10:53:20+09:00", False)]
    [click] = [e for e in events if e["outcome"] == "clicked"]
    assert click["url"] == "https://example.co.jp/lp" and click["rep"] == "alice"
    assert cli("lead", "show", other["id"], "--json").json["email_status"] == "opted_out"  # the spam report wins
    again = cli("import", "email-events", str(path), "--json").json
    assert again["added"] == {} and again["already_imported"] == 6 and len(email_activities(ws.root)) == len(events)


def test_events_follow_istuis_own_sends_and_belong_to_their_sender(cli, ws, tmp_path) -> None:
    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    assert cli("rep", "add", "bob").code == 0
    sent = cli("--rep", "bob", "log", "email", lead["id"], "-o", "sent", "--at", "2026-11-26 10:00", "--json").json["activity"]
    rows = [{"Email Address": "ANN@ACME.EXAMPLE", "Action": "open", "Timestamp": "2026-11-26 11:00:00", "URL": ""},
            {"Email Address": "ann@acme.example", "Action": "click", "Timestamp": "2026-11-26 11:05:00",
             "URL": "https://example.co.jp/a"},
            {"Email Address": "ann@acme.example", "Action": "unsub", "Timestamp": "2026-11-26 12:00:00", "URL": ""}]
    result = cli("import", "email-events", str(write_csv(tmp_path / "mc.csv", rows)), "--json")
    assert result.code == 0, result.err
    assert result.json["format"] == "mailchimp" and result.json["added"] == {"opened": 1, "clicked": 1, "unsubscribed": 1}
    events = [e for e in email_activities(ws.root) if e["id"] != sent["id"]]
    assert {e["rep"] for e in events} == {"bob"}  # the sender's, not the importer's (alice)
    assert {Path(p).parent.name for p in map(str, (ws.root / "activities").glob("*/*.jsonl"))} >= {"bob"}
    assert cli("lead", "show", lead["id"], "--json").json["email_status"] == "opted_out"


def test_hubspot_and_a_japanese_cp932_export(cli, ws, tmp_path) -> None:
    add_lead(cli, "東洋テック", "--email", "yamada@toyo.example.jp")
    hubspot = [{"Recipient": "yamada@toyo.example.jp", "Event type": "SENT", "Created": "1796000000000", "URL": ""},
               {"Recipient": "yamada@toyo.example.jp", "Event type": "OPEN", "Created": "1796000600000", "URL": ""},
               {"Recipient": "yamada@toyo.example.jp", "Event type": "BOUNCE", "Created": "1796000700000", "URL": ""}]
    result = cli("import", "email-events", str(write_csv(tmp_path / "hs.csv", hubspot)), "--json").json
    assert result["format"] == "hubspot" and result["added"] == {"sent": 1, "opened": 1, "bounced": 1}
    assert result["addresses_flagged"] == 1
    japanese = [{"メールアドレス": "ＹＡＭＡＤＡ@toyo.example.jp", "開封日時": "2026/11/30 10:15", "クリック日時": "2026/11/30 10:20",
                 "URL": "https://example.co.jp/資料"},
                {"メールアドレス": "yamada@toyo.example.jp", "開封日時": "2026年11月30日 11:00", "クリック日時": "", "URL": ""}]
    path = write_csv(tmp_path / "ja.csv", japanese, encoding="cp932")
    result = cli("import", "email-events", str(path), "--json").json
    assert result["format"] == "generic" and result["added"] == {"opened": 2, "clicked": 1}
    times = sorted(e["at"] for e in email_activities(ws.root) if e["outcome"] == "opened")
    assert "2026-11-30T10:15:00+09:00" in times and "2026-11-30T11:00:00+09:00" in times
    assert cli("import", "email-events", str(path), "--json").json["already_imported"] == 3


def test_bad_files_are_one_sentence_and_write_nothing(cli, ws, tmp_path) -> None:
    add_lead(cli, "Acme", "--email", "ann@acme.example")
    no_address = write_csv(tmp_path / "a.csv", [{"who": "x", "event": "open"}])
    refused = cli("import", "email-events", str(no_address))
    assert refused.code == 2 and "address column" in refused.err and "--map COLUMN=email" in refused.err
    mapped = write_csv(tmp_path / "b.csv", [{"who": "ann@acme.example", "what": "open", "when": "2026-11-27 09:00"}])
    assert cli("import", "email-events", str(mapped), "--map", "who=email", "--map", "what=event", "--map", "when=time",
               "--json").json["added"] == {"opened": 1}
    weird = write_csv(tmp_path / "c.csv", [{"email": "ann@acme.example", "event": "teleported", "timestamp": "1796000000"},
                                           {"email": "ann@acme.example", "event": "open\x1b[31m", "timestamp": "1796000000"},
                                           {"email": "ann@acme.example", "event": "open", "timestamp": "yesterday-ish"}])
    result = cli("import", "email-events", str(weird))
    assert result.code == 0 and "Row 2 not read" in result.err and "teleported" in result.err and "\x1b" not in result.err
    assert "Row 4 not read" in result.err
    assert cli("import", "email-events", str(tmp_path / "gone.csv")).code == 2
    (tmp_path / "x.json").write_text('{"not": "a list"')
    assert "JSON" in cli("import", "email-events", str(tmp_path / "x.json")).err


def test_the_sendgrid_webhook_json(cli, ws, tmp_path) -> None:
    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    cli("log", "email", lead["id"], "-o", "sent", "--at", "2026-11-26 09:00")
    events = [{"email": "ann@acme.example", "timestamp": 1795700000, "event": "open", "sg_event_id": "j1",
               "sg_machine_open": True}, {"email": "ann@acme.example", "timestamp": 1795700100, "event": "click",
                                          "url": "https://x.example/", "sg_event_id": "j2"}]
    (tmp_path / "sg.json").write_text(json.dumps(events))
    result = cli("import", "email-events", str(tmp_path / "sg.json"), "--json").json
    assert result["format"] == "sendgrid" and result["added"] == {"opened": 1, "clicked": 1} and result["machine_opens"] == 1
    metrics = cli("kpi", "--period", "week", "--json").json["metrics"]
    assert (metrics["emails"], metrics["opens"], metrics["clicks"]) == (1, 0, 1)  # a machine open is no open
    figures = cli("kpi", "--period", "week", "--email", "--json").json["totals"]
    assert (figures["sent"], figures["unique_opens"], figures["unique_clicks"], figures["machine_opens"]) == (1, 1, 1, 0)


HEADERS = {"email": ["email", "Email Address", "Recipient", "メールアドレス"], "event": ["event", "Action", "Event type", "状態"],
           "time": ["timestamp", "Timestamp", "Created", "日時"], "url": ["url", "URL", "リンク"]}


@settings(max_examples=60)
@given(st.fixed_dictionaries({field: st.sampled_from(names) for field, names in HEADERS.items()}),
       st.sampled_from(["lower", "upper", "wide", "spaced", "same"]), st.permutations(range(4)))
def test_column_names_are_found_however_they_are_written(names: dict, style: str, order: list[int]) -> None:
    def written(name: str) -> str:
        return {"lower": name.lower(), "upper": name.upper(), "wide": unicodedata.normalize("NFKC", name).translate(
            {ord(c): ord(c) + 0xFEE0 for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}),
            "spaced": f" {name} ", "same": name}[style]

    fields = list(HEADERS)
    header = [written(names[fields[i]]) for i in order]
    found = columns(header, ())
    for position, index in enumerate(order):
        assert found[fields[index]] == position


def test_the_email_view_counts_a_teammates_meeting_and_follows_new_activities(cli, ws) -> None:
    """Counted per rep and kept: a meeting booked by another rep within 14 days is the send's; an open logged after
    the first report shows in the next one (the sender's counts made again, the others' kept)."""
    from datetime import datetime

    from istui.services.leads import log_activity
    from istui.services.mail_rows import mail_report

    assert cli("rep", "add", "bob").code == 0
    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    other = add_lead(cli, "Beta", "--email", "bo@beta.example")
    cli("log", "email", lead["id"], "-o", "sent", "--at", "2026-11-16 10:00")
    cli("--rep", "bob", "log", "email", other["id"], "-o", "sent", "--at", "2026-11-17 10:00")
    cli("--rep", "bob", "log", "call", lead["id"], "-o", "meeting_booked", "--at", "2026-11-20 15:00")
    start, end = datetime.fromisoformat("2026-11-01T00:00:00+09:00"), datetime.fromisoformat("2026-12-01T00:00:00+09:00")
    first = mail_report(ws, start, end, None)["totals"]
    assert (first["sent"], first["meetings"], first["unique_opens"]) == (2, 1, 0)
    assert mail_report(ws, start, end, "alice")["totals"]["meetings"] == 1  # bob's meeting, alice's mail
    assert mail_report(ws, start, end, "bob")["totals"]["meetings"] == 0
    log_activity(ws, other["id"], "email", "opened", at="2026-11-18 09:00")  # written as alice: not bob's send's
    ws_bob = type(ws).open(ws.root, "bob", clock=ws._clock)
    log_activity(ws_bob, other["id"], "email", "opened", at="2026-11-18 09:30")
    again = mail_report(ws, start, end, None)
    assert (again["totals"]["sent"], again["totals"]["unique_opens"]) == (2, 1)
    assert again["best"]["opens"] == {"weekday": 2, "hour": 9, "count": 1}  # Wed 18 Nov, 09:30 (bob's reader)


def test_the_email_caches_are_data_only_and_a_damaged_one_is_made_again(cli, ws, tmp_path) -> None:
    """The e-mail rows and counts kept under .istui/cache can arrive damaged or hostile: a pickle naming a function is
    never run, a torn one is read again from the activity files, and the figures stay those of the files."""
    import os
    import pickle

    from istui import locations

    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    cli("log", "email", lead["id"], "-o", "sent", "--at", "2026-11-26 09:00")
    cli("log", "email", lead["id"], "-o", "opened", "--at", "2026-11-26 10:00")
    expected = cli("kpi", "--email", "--period", "week", "--json").json["totals"]
    assert (expected["sent"], expected["unique_opens"]) == (1, 1)
    local = locations.Local(ws.root)
    kept = list(local.mail_rows.glob("*.pickle"))
    assert kept and local.mail_counts.exists()
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for path in kept:
        path.write_bytes(pickle.dumps(Evil()))
    local.mail_counts.write_bytes(pickle.dumps(Evil()))
    assert cli("kpi", "--email", "--period", "week", "--json").json["totals"] == expected
    assert not marker.exists()
    from istui.store.files import seal

    local.mail_counts.write_bytes(seal(pickle.dumps(Evil())))  # sealed too: the unpickler still runs nothing
    assert cli("kpi", "--email", "--period", "week", "--json").json["totals"] == expected
    assert not marker.exists()
    for path in local.mail_rows.glob("*.pickle"):
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # torn
    local.mail_counts.unlink()
    assert cli("kpi", "--email", "--period", "week", "--json").json["totals"] == expected
    import pickle as plain

    from istui.store.files import seal, unseal

    # (sealed as istui seals them: what is tested is what is inside)
    local.mail_counts.write_bytes(seal(plain.dumps((3, {("x",): 5}))))  # plain data of another shape
    assert cli("kpi", "--email", "--period", "week", "--json").json["totals"] == expected
    kept = plain.loads(unseal(local.mail_counts.read_bytes()))[1]
    local.mail_counts.write_bytes(seal(plain.dumps((3, {key: (value[0], value[1], {"totals": {}, "campaigns": 1})
                                                        for key, value in kept.items() if isinstance(value, tuple)}))))
    assert cli("kpi", "--email", "--period", "week", "--json").json["totals"] == expected


def test_what_the_probe_found_in_event_files(cli, ws, tmp_path) -> None:
    """A Japanese export with 状態 beside 開封日時 / クリック日時; full-width addresses; impossible times refused (never
    written); a field beyond the csv module's limit and JSON nested too deep are one sentence; another --format of
    the same file adds nothing."""
    add_lead(cli, "Acme", "--email", "chloe.clark@acme.example")
    add_lead(cli, "Beta", "--email", "b@beta.example")
    path = tmp_path / "ja.csv"
    path.write_text("メールアドレス,開封日時,クリック日時,URL,状態\n"
                    "ｃｈｌｏｅ．ｃｌａｒｋ＠ａｃｍｅ．ｅｘａｍｐｌｅ,2026/11/26 10:00,2026/11/26 10:05,https://x/jp,\n"
                    "b@beta.example,2026/11/26 11:00,,,開封\n", encoding="cp932")
    done = cli("import", "email-events", str(path), "--json").json
    assert done["added"] == {"opened": 2, "clicked": 1} and not done["problems"] and not done["unmatched"]
    assert cli("import", "email-events", str(path), "--format", "generic", "--json").json["added"] == {}
    times = tmp_path / "times.csv"
    times.write_text("email,timestamp,event,sg_event_id\nb@beta.example,-1000,open,t1\nb@beta.example,253402300799,open,t2\n"
                     "b@beta.example,1795700000000,open,t3\n")
    result = cli("import", "email-events", str(times), "--json").json
    assert [p["row"] for p in result["problems"]] == [2, 3] and result["added"] == {"opened": 1}
    assert not [p for p in (ws.root / "activities").glob("*/1*.jsonl")] and not list((ws.root / "activities").glob("*/9999*"))
    huge = tmp_path / "huge.csv"
    huge.write_text("email,timestamp,event\n\"" + "x" * 200_000 + "\",1795700000,open\n")
    refused = cli("import", "email-events", str(huge))
    assert refused.code == 2 and "not readable as CSV" in refused.err and len(refused.err.strip().splitlines()) == 1
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    refused = cli("import", "email-events", str(deep))
    assert refused.code == 2 and "JSON" in refused.err and "Traceback" not in refused.err


def test_one_file_imported_in_two_clones_makes_the_same_records(cli, ws, tmp_path, monkeypatch) -> None:
    """Two teammates import the same export before they sync: their records are alike to the byte (id, stamps), so git's
    record-level merge keeps each event once."""
    import shutil

    from istui.store.merge import merge_tables

    lead = add_lead(cli, "Acme", "--email", "ann@acme.example")
    cli("log", "email", lead["id"], "-o", "sent", "--at", "2026-11-26 09:00")
    path = write_csv(tmp_path / "sg.csv", [{"email": "ann@acme.example", "timestamp": "1795700000", "event": "open",
                                             "sg_event_id": "x1", "url": ""},
                                            {"email": "ann@acme.example", "timestamp": "1795700100", "event": "click",
                                             "sg_event_id": "x2", "url": "https://x.example/"}])
    other = tmp_path / "other"
    shutil.copytree(ws.root, other)
    assert cli("import", "email-events", str(path), "--json").json["added"] == {"opened": 1, "clicked": 1}
    monkeypatch.setenv("ISTUI_WORKSPACE", str(other))
    assert cli("--rep", "alice", "import", "email-events", str(path), "--json").json["added"] == {"opened": 1, "clicked": 1}
    ours = {a["id"]: a for a in email_activities(ws.root)}
    theirs = {a["id"]: a for a in email_activities(other)}
    assert ours == theirs
    base = {key: value for key, value in ours.items() if "event_id" not in value}
    merged, conflicts = merge_tables(base, ours, theirs)
    assert sorted(merged) == sorted(ours) and conflicts == []
