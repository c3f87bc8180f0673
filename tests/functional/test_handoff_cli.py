"""`istui handoff list|accept|reject|feedback` and `istui meeting`: the loop from the command line, its refusals (one
sentence, nothing written), the required sheet fields, and the calendar invite — parsed back with icalendar, and
mailed through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest

from conftest import add_lead
from smtp_support import write_mail_config

BANT = ("--budget", "300万円", "--authority", "部長決裁", "--need", "工数削減", "--timeline", "来期4月")


@pytest.fixture
def team(cli) -> None:
    assert cli("rep", "set", "alice", "--email", "alice@example.jp", "--display", "Alice 佐藤").code == 0
    assert cli("rep", "add", "kimura", "--role", "field", "--email", "kimura@example.jp", "--display", "木村 健").code == 0
    assert cli("rep", "add", "mori", "--role", "field", "--email", "mori@example.jp").code == 0


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".istui" not in p.parts and ".git" not in p.parts}


def test_answers_and_their_refusals(cli, ws, team) -> None:
    lead = add_lead(cli, "株式会社東洋商事", "--phone", "03-1234-5678")["id"]
    missing = cli("handoff", lead, "--to", "kimura", "--budget", "300万円")
    assert missing.code == 2 and "the sheet needs Authority, Need, Timeline" in missing.err
    assert cli("handoff", lead, "--to", "kimura", *BANT).code == 0
    before = files_of(ws.root)
    for args, said in (
        (("handoff", "accept", lead), "only kimura (or a manager) answers it, and you are alice"),
        (("--rep", "kimura", "handoff", "reject", lead), "reason: say why the lead goes back, one of no_budget"),
        (("--rep", "kimura", "handoff", "reject", lead, "--reason", "budget"), "reason: 'budget' is not one of"),
        (("--rep", "kimura", "handoff", "feedback", lead, "--rating", "6"), "rating: '6' is not a whole number from 1 to 5"),
        (("--rep", "kimura", "handoff", "accept", lead, "--reason", "no_budget"), "handoff accept takes no --reason"),
        (("--rep", "kimura", "handoff", "accept"), "name the lead"),
        (("meeting", "held", lead), "has no meeting time set"),
        (("target", "set", "sal_rate", "0.8", "--per", "month"), "sal_rate is a rate"),
    ):
        result = cli(*args)
        assert result.code == 2 and said in result.err and result.err.count("\n") == 1, (args, result.err)
    assert files_of(ws.root) == before  # nothing written by any of them
    listed = cli("--rep", "kimura", "handoff", "list", "--mine", "--json").json["handoffs"]
    assert [(row["id"], row["status"], row["round"], row["overdue"]) for row in listed] == [(lead, "proposed", 1, False)]
    assert listed[0]["sla_due"] == "2026-12-01T16:30:00+09:00"  # 24 working hours from Fri 10:30, 09:00–18:00
    returned = cli("--rep", "kimura", "handoff", "reject", lead, "--reason", "no-budget", "--note", "予算は来期")
    assert returned.code == 0 and "Returned 株式会社東洋商事 to alice (no budget)" in returned.out
    shown = cli("lead", "show", lead).out
    assert "Returned  no budget — 予算は来期" in shown.replace("   ", "  ") or "no budget — 予算は来期" in shown
    assert cli("today").out.count("returned") >= 1
    again = cli("--rep", "kimura", "handoff", "accept", lead)
    assert again.code == 2 and "already returned" in again.err
    assert cli("handoff", lead, "--to", "kimura", *BANT).code == 0  # handed off again, counted again
    assert cli("--rep", "kimura", "handoff", "accept", lead, "--note", "OK").code == 0
    rated = cli("--rep", "kimura", "handoff", "feedback", lead, "--rating", "4", "--note", "決裁者の名前がほしい", "--json").json
    assert rated["lead"]["handoff"]["rating"] == 4 and rated["activity"]["kind"] == "handoff"
    rows = cli("handoff", "list", "--json").json["handoffs"]
    assert [(r["status"], r["round"], r["rating"]) for r in rows] == [("accepted", 2, 4)]
    assert [r["status"] for r in cli("handoff", "list", "--status", "rejected", "--json").json["handoffs"]] == []


def test_required_fields_are_a_setting(cli, team) -> None:
    lead = add_lead(cli, "Decision Co")["id"]
    assert cli("settings", "handoff_required=budget,decision_date").code == 0
    refused = cli("handoff", lead, "--to", "kimura", "--budget", "$40k")
    assert refused.code == 2 and "the sheet needs Decision date" in refused.err and "--decision-date" in refused.err
    sheet = cli("handoff", lead, "--to", "kimura", "--budget", "$40k", "--decision-date", "March board meeting").out
    assert "**Decision date**: March board meeting" in sheet
    wrong = cli("settings", "handoff_required=budget,shoe_size")
    assert wrong.code == 2 and "'shoe_size' is not a handoff sheet field" in wrong.err


def test_meeting_and_its_invite(cli, ws, team, tmp_path: Path) -> None:
    lead = add_lead(cli, "株式会社東洋商事", "--contact", "山田 太郎", "--email", "yamada@toyo.example")["id"]
    booked = cli("log", "call", lead, "-o", "6", "--json").json
    assert booked["lead"]["stage"] == "meeting" and booked["parked"] == "meeting_time_not_set"
    assert "set the meeting time" in cli("today").out
    ics = tmp_path / "meeting.ics"
    made = cli("meeting", lead, "--at", "12/3 14:00", "--with", "kimura", "--minutes", "45", "--place",
               "https://meet.example/abc", "--ics", str(ics))
    assert made.code == 0, made.err
    saved = cli("lead", "show", lead, "--json").json
    assert saved["meeting_at"] == "2026-12-03T14:00:00+09:00"
    assert saved["meeting"] == {"by": "alice", "with": ["kimura"], "minutes": 45, "place": "https://meet.example/abc",
                                "status": None, "invited": "kimura@example.jp"}  # (who the invite went to)
    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:alice@example.jp" and event["ORGANIZER"].params["CN"] == "Alice 佐藤"
    attendee = event["ATTENDEE"]  # (one attendee: a single value)
    assert str(attendee) == "mailto:kimura@example.jp"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["CN"] == "木村 健"
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("DTSTART").isoformat() == "2026-12-03T14:00:00+09:00"
    assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == 45 * 60
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert str(event["SUMMARY"]) == "Meeting: 株式会社東洋商事" and "山田 太郎" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://meet.example/abc"
    japanese = tmp_path / "ja.ics"
    assert cli("--lang", "ja", "meeting", lead, "--ics", str(japanese), "--contact").code == 0
    event = icalendar.Calendar.from_ical(japanese.read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "商談: 株式会社東洋商事"
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:kimura@example.jp", "mailto:yamada@toyo.example"]
    inside = cli("meeting", lead, "--ics", str(ws.root / "istui.toml"))
    assert inside.code == 2 and "a file of the workspace itself" in inside.err
    # a meeting ahead is not marked; after it, held — and its figures count it
    assert "still ahead" in cli("meeting", "held", lead).err
    assert cli("meeting", lead, "--at", "yesterday 15:00").code == 0
    assert cli("meeting", "noshow", lead, "--note", "連絡なし").code == 0
    assert cli("lead", "show", lead, "--json").json["meeting"]["status"] == "no_show"
    again = cli("meeting", "noshow", lead)  # marked twice the same way: refused, nothing written
    assert again.code == 2 and "already marked no-show (by alice); nothing to change" in again.err
    figures = cli("kpi", "--period", "week", "--json").json["handoff"]
    assert (figures["meetings_held"], figures["no_shows"], figures["show_rate"]) == (0, 1, 0.0)
    assert cli("meeting", "held", lead).code == 0  # marked the other way: corrected, counted once
    figures = cli("kpi", "--period", "week", "--json").json["handoff"]
    assert (figures["meetings_held"], figures["no_shows"], figures["show_rate"]) == (1, 0, 1.0)


def test_the_invite_goes_out_by_mail(cli, team, smtp, isolated_home: Path) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    lead = add_lead(cli, "Invite Co", "--email", "buyer@invite.example")["id"]
    assert cli("log", "call", lead, "-o", "6", "--meeting", "12/4 10:00", "--with", "kimura", "--with", "mori").code == 0
    sent = cli("meeting", lead, "--send", "--json")
    assert sent.code == 0, sent.err
    assert sorted(json.loads(sent.out)["invite"]["attendees"]) == ["kimura@example.jp", "mori@example.jp"]
    assert sorted(address for envelope in box.envelopes for address in envelope) == ["kimura@example.jp", "mori@example.jp"]
    message = box.messages[0]
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    event = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART").isoformat() == "2026-12-04T10:00:00+09:00"
    assert all(a.params["RSVP"] == "TRUE" for a in event["ATTENDEE"])


@pytest.mark.parametrize(("field", "value"), [
    ("meeting", {"with": 5}), ("meeting", {"minutes": -30}), ("handoff", {"to": "kimura", "at": "9999-12-31T23:00:00+09:00"}),
    ("handoff", {"to": "kimura", "at": "2026-12-01T10:00:00"}), ("handoff", {"to": "kimura", "rating": 99}),
    ("handoff", {"to": "kimura", "round": "x"}), ("handoff", {"to": "kimura", "reason": ["x"]}),
    ("handoff_history", {"at": "2026-12-01T10:00:00+09:00"}), ("meeting_history", [{"at": 5}]),
])
def test_unusable_values_inside_the_loop_are_reported_and_left_out(cli, ws, team, field, value) -> None:
    lead = add_lead(cli, "Broken Co")["id"]
    path = next(p for p in (ws.root / "leads").glob("*.json") if lead in p.read_text())
    text = path.read_text()
    broken = text.replace(f'"id":"{lead}"', f'"id":"{lead}","{field}":{json.dumps(value)}') if f'"id":"{lead}"' in text \
        else text.replace(f'"id": "{lead}"', f'"id": "{lead}", "{field}": {json.dumps(value)}')
    assert broken != text
    path.write_text(broken)
    doctor = cli("doctor")
    assert doctor.code != 0 and field in doctor.out + doctor.err
    for args in (("today",), ("handoff", "list"), ("kpi", "--json"), ("--rep", "kimura", "today"), ("review",)):
        result = cli(*args)
        assert "Traceback" not in result.err and result.code in (0, 1), (args, result.err)


def test_an_invite_refused_leaves_the_meeting_as_it_was_and_only_the_recipient_rates(cli, team, tmp_path: Path) -> None:
    lead = add_lead(cli, "NoMail Co", "--contact", "N")["id"]
    before = cli("lead", "show", lead, "--json").json
    refused = cli("meeting", lead, "--at", "tomorrow 15:00", "--with", "kimura", "--ics", str(tmp_path / "x.ics"),
                  "--contact")
    assert refused.code == 2 and "has no e-mail address to invite" in refused.err
    after = cli("lead", "show", lead, "--json").json
    assert after == before and not (tmp_path / "x.ics").exists()
    assert cli("handoff", lead, "--to", "kimura", *BANT).code == 0
    for rep in ("alice", "mori"):
        wrong = cli("--rep", rep, "handoff", "feedback", lead, "--rating", "1")
        assert wrong.code == 2 and "only kimura (or a manager)" in wrong.err
    assert cli("--rep", "kimura", "handoff", "feedback", lead, "--rating", "4").code == 0


def test_the_card_says_by_when_field_sales_should_answer(cli, team, monkeypatch) -> None:
    lead = add_lead(cli, "株式会社東洋商事")["id"]
    assert cli("handoff", lead, "--to", "kimura", *BANT).code == 0
    card = cli("lead", "show", lead).out
    assert "Reply by" in card and "16:30" in card and "past the SLA" not in card  # Tue 16:30: 24 working hours on
    monkeypatch.setenv("ISTUI_NOW", "2026-12-01T16:31:00+09:00")
    card = cli("lead", "show", lead).out
    line = next(line for line in card.splitlines() if "Reply by" in line)
    assert "16:30" in line and line.rstrip().endswith("past the SLA")
    assert cli("--rep", "kimura", "handoff", "accept", lead).code == 0
    assert "Reply by" not in cli("lead", "show", lead).out  # answered: nothing to wait for


def test_a_return_calls_off_a_meeting_not_yet_marked(cli, ws, team, monkeypatch) -> None:
    lead = add_lead(cli, "Second Co")["id"]
    assert cli("handoff", lead, "--to", "kimura", *BANT).code == 0
    assert cli("meeting", lead, "--at", "mon 14:00", "--with", "kimura").code == 0
    returned = cli("--rep", "kimura", "handoff", "reject", lead, "--reason", "bad_timing")
    assert returned.code == 0 and "Its meeting of" in returned.out and "is called off" in returned.out
    after = cli("lead", "show", lead, "--json").json
    assert after["meeting_at"] is None and after["meeting"] is None
    assert [(m["at"], m["status"], m["marked_by"]) for m in after["meeting_history"]] == [
        ("2026-11-30T14:00:00+09:00", "called_off", "kimura")]
    monkeypatch.setenv("ISTUI_NOW", "2026-11-30T15:00:00+09:00")  # after the meeting's time
    assert [row["id"] for row in cli("--rep", "kimura", "today", "--json").json] == []  # nothing to mark
    assert [(row["id"], row["reason"]) for row in cli("today", "--json").json] == [(lead, "returned")]
    figures = cli("kpi", "--team", "--period", "month", "--json").json["handoff"]
    assert (figures["meetings_held"], figures["no_shows"], figures["rejected"]) == (0, 0, 1)
    refused = cli("--rep", "kimura", "meeting", "held", lead)
    assert refused.code == 2 and "was called off; set the next one" in refused.err


def test_a_meeting_called_off_and_its_cancellation(cli, ws, team, tmp_path: Path) -> None:
    """`meeting ID --cancel --ics FILE`: the meeting is called off (counted neither held nor a no-show) and its
    cancellation names the very event invited to (same UID, a later SEQUENCE, METHOD:CANCEL, STATUS:CANCELLED); once
    called off, --cancel alone is refused and --cancel --ics makes the cancellation again without writing."""
    lead = add_lead(cli, "株式会社東洋商事")["id"]
    before = files_of(ws.root)
    for args, said in ((("meeting", lead, "--cancel"), "has no meeting to call off"),
                       (("meeting", lead, "--cancel", "--ics", str(tmp_path / "x.ics")),
                        "has no meeting called off to send a cancellation for")):
        refused = cli(*args)
        assert refused.code == 2 and said in refused.err and refused.err.count("\n") == 1, refused.err
    assert files_of(ws.root) == before and not (tmp_path / "x.ics").exists()
    request = tmp_path / "request.ics"
    assert cli("meeting", lead, "--at", "12/3 14:00", "--with", "kimura", "--ics", str(request)).code == 0
    refused = cli("meeting", lead, "--cancel", "--at", "12/4 10:00")
    assert refused.code == 2 and "takes no --at" in refused.err
    cancel = tmp_path / "cancel.ics"
    done = cli("meeting", lead, "--cancel", "--note", "先方都合", "--ics", str(cancel))
    assert done.code == 0, done.err
    assert "Called off the meeting with 株式会社東洋商事 of" in done.out and f"Cancellation written to {cancel}" in done.out
    invited = icalendar.Calendar.from_ical(request.read_bytes()).walk("VEVENT")[0]
    calendar = icalendar.Calendar.from_ical(cancel.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(invited["UID"]) and int(event["SEQUENCE"]) > int(invited["SEQUENCE"])
    assert event.decoded("DTSTART") == invited.decoded("DTSTART") and event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert str(event["ATTENDEE"]) == "mailto:kimura@example.jp" and "RSVP" not in event["ATTENDEE"].params
    assert str(event["ORGANIZER"]) == "mailto:alice@example.jp"
    assert str(event["SUMMARY"]) == "Called off: Meeting: 株式会社東洋商事"
    saved = cli("lead", "show", lead, "--json").json
    assert saved["meeting_at"] is None and saved["meeting"] is None
    assert [(m["at"], m["status"], m["marked_by"]) for m in saved["meeting_history"]] == [
        ("2026-12-03T14:00:00+09:00", "called_off", "alice")]
    logged = [a for a in ws.activities_of_lead(lead) if a["kind"] == "meeting"]
    assert [(a["outcome"], a.get("note")) for a in logged] == [("set", logged[0].get("note")), ("called_off", "先方都合")]
    figures = cli("kpi", "--period", "week", "--json").json["handoff"]
    assert (figures["meetings_held"], figures["no_shows"]) == (0, 0)
    before = files_of(ws.root)
    again = cli("meeting", lead, "--cancel")
    assert again.code == 2 and "already called off; --ics FILE or --send tells those invited" in again.err
    second = tmp_path / "again.ics"
    assert cli("meeting", lead, "--cancel", "--ics", str(second)).code == 0
    assert files_of(ws.root) == before  # made again, nothing written in the workspace
    assert str(icalendar.Calendar.from_ical(second.read_bytes()).walk("VEVENT")[0]["UID"]) == str(invited["UID"])
    # a meeting set after it is a new event; one already marked is not called off
    assert cli("meeting", lead, "--at", "yesterday 15:00").code == 0
    assert cli("meeting", "held", lead).code == 0
    marked = cli("meeting", lead, "--cancel")
    assert marked.code == 2 and "already marked held; nothing to call off" in marked.err
    assert cli("meeting", "held", lead, "--cancel").code == 2


def test_a_return_calls_the_meeting_off_and_the_cancellation_goes_by_mail(cli, team, smtp, isolated_home: Path) -> None:
    box, port = smtp
    write_mail_config(isolated_home, port)
    lead = add_lead(cli, "Cancel Co")["id"]
    assert cli("handoff", lead, "--to", "kimura", *BANT).code == 0
    assert cli("meeting", lead, "--at", "12/4 10:00", "--with", "mori", "--send").code == 0
    request = next(p for p in box.messages[0].walk() if p.get_content_type() == "text/calendar")
    returned = cli("--rep", "kimura", "handoff", "reject", lead, "--reason", "no_need")
    assert returned.code == 0 and f"`istui meeting {lead[:10]} --cancel --send`" in returned.out
    sent = cli("meeting", lead, "--cancel", "--send", "--json")
    assert sent.code == 0, sent.err
    assert sorted(json.loads(sent.out)["invite"]["attendees"]) == ["kimura@example.jp", "mori@example.jp"]
    message = box.messages[-1]
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "CANCEL" and "Called off" in str(message["Subject"])
    event = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    invited = icalendar.Calendar.from_ical(request.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["UID"]) == str(invited["UID"]) and str(event["STATUS"]) == "CANCELLED"
    assert str(event["ORGANIZER"]) == str(invited["ORGANIZER"]) == "mailto:alice@example.jp"
    # the field rep makes it: the organizer is still who booked the meeting (a calendar takes a cancellation only
    # from the event's organizer), the mail comes from the field rep, sending for them
    by_field = cli("--rep", "kimura", "meeting", lead, "--cancel", "--send")
    assert by_field.code == 0, by_field.err
    event = icalendar.Calendar.from_ical(next(p for p in box.messages[-1].walk() if p.get_content_type() == "text/calendar")
                                         .get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:alice@example.jp" and "kimura@example.jp" in str(box.messages[-1]["From"])
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:kimura@example.jp", "mailto:mori@example.jp"]
    held = cli("meeting", "held", lead)
    assert held.code == 2 and "the meeting of" in held.err and "was called off; set the next one" in held.err


def test_a_cancellation_that_cannot_go_out_says_the_meeting_is_called_off(cli, team, isolated_home: Path) -> None:
    write_mail_config(isolated_home, 9)  # nothing listens there
    lead = add_lead(cli, "Unsent Co")["id"]
    assert cli("meeting", lead, "--at", "12/4 10:00", "--with", "kimura").code == 0
    failed = cli("meeting", lead, "--cancel", "--send")
    assert failed.code == 1 and failed.err.count("\n") == 1, failed.err
    assert "The meeting is called off, but its cancellation was not made" in failed.err
    assert f"istui meeting {lead[:10]} --cancel --send" in failed.err
    assert cli("lead", "show", lead, "--json").json["meeting_history"][-1]["status"] == "called_off"


def test_a_cancellation_reaches_everyone_the_invite_went_to(cli, team, tmp_path: Path) -> None:
    """Invited with mori and the lead's contact, then moved to kimura alone: the cancellation still goes to mori and
    the contact (the meeting remembers who its invite went to, across the move)."""
    lead = add_lead(cli, "Moved Co", "--email", "buyer@moved.example")["id"]
    assert cli("meeting", lead, "--at", "12/3 14:00", "--with", "mori", "--contact", "--ics", str(tmp_path / "a.ics")).code == 0
    assert cli("meeting", lead, "--at", "12/4 11:00", "--with", "kimura", "--ics", str(tmp_path / "b.ics")).code == 0
    moved = icalendar.Calendar.from_ical((tmp_path / "b.ics").read_bytes()).walk("VEVENT")[0]
    assert str(moved["ATTENDEE"]) == "mailto:kimura@example.jp"
    assert cli("meeting", lead, "--cancel", "--ics", str(tmp_path / "c.ics")).code == 0
    event = icalendar.Calendar.from_ical((tmp_path / "c.ics").read_bytes()).walk("VEVENT")[0]
    assert str(event["UID"]) == str(moved["UID"])
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:buyer@moved.example", "mailto:kimura@example.jp",
                                                          "mailto:mori@example.jp"]


def test_an_invite_to_the_contact_carries_no_internal_sheet_and_its_cancellation_needs_no_flag(cli, team,
                                                                                                tmp_path: Path) -> None:
    """The handoff sheet (budget, notes for field sales, the history) goes in the description of an invite among the
    team only: one that also goes to the lead's contact says what the meeting is. Its cancellation reaches the
    contact without --contact again (the meeting remembers who the invite went to)."""
    lead = add_lead(cli, "Outside Co", "--contact", "山田 太郎", "--email", "yamada@outside.example")["id"]
    assert cli("handoff", lead, "--to", "kimura", *BANT, "--note", "社内メモ: 決裁者は別").code == 0
    inside, outside = tmp_path / "inside.ics", tmp_path / "outside.ics"
    assert cli("meeting", lead, "--at", "12/3 14:00", "--ics", str(inside)).code == 0
    assert "300万円" in str(icalendar.Calendar.from_ical(inside.read_bytes()).walk("VEVENT")[0]["DESCRIPTION"])
    assert cli("meeting", lead, "--contact", "--ics", str(outside)).code == 0
    event = icalendar.Calendar.from_ical(outside.read_bytes()).walk("VEVENT")[0]
    assert "mailto:yamada@outside.example" in [str(a) for a in event["ATTENDEE"]]
    assert str(event["DESCRIPTION"]) == "Meeting: Outside Co"
    assert "300万円" not in outside.read_text() and "社内メモ" not in outside.read_text()
    cancel = tmp_path / "cancel.ics"
    done = cli("meeting", lead, "--cancel", "--ics", str(cancel))
    assert done.code == 0, done.err
    event = icalendar.Calendar.from_ical(cancel.read_bytes()).walk("VEVENT")[0]
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:kimura@example.jp", "mailto:yamada@outside.example"]
    assert str(event["DESCRIPTION"]) == str(event["SUMMARY"])
    # a meeting only the contact was invited to: its cancellation goes to them (was "nobody to invite")
    alone = add_lead(cli, "Alone Co", "--email", "buyer@alone.example")["id"]
    assert cli("meeting", alone, "--at", "12/3 15:00", "--contact", "--ics", str(tmp_path / "alone.ics")).code == 0
    called = cli("meeting", alone, "--cancel", "--ics", str(tmp_path / "alone-cancel.ics"))
    assert called.code == 0, called.err
    event = icalendar.Calendar.from_ical((tmp_path / "alone-cancel.ics").read_bytes()).walk("VEVENT")[0]
    assert str(event["ATTENDEE"]) == "mailto:buyer@alone.example"
