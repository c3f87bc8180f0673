"""The working day, right (issue 12, fix round 12a): a meeting whose time has passed comes back to the queue,
records say why a lead waits, a closed lead takes no follow-up, a follow-up lies strictly ahead, `--next -1d`
reaches the WHEN reader, and an import names field reps with `--role field`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from istui.domain.queue import has_next_step, parking_reason, queue_reason
from istui.services.export import to_json
from istui.store.workspace import Workspace

from conftest import NOW, add_lead

WEEK_LATER = "2026-12-04T09:00:00+09:00"  # the Friday after NOW (Friday 2026-11-27 10:30)


BANT = ("--budget", "300万円", "--authority", "部長", "--need", "工数削減", "--timeline", "来期")


def ids_in(result) -> list[str]:
    return [record["id"] for record in result.json]


def test_a_meeting_whose_time_has_passed_comes_back_to_the_queue(cli, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    lead = add_lead(cli, "Booked Co")
    booked = cli("log", "call", lead["id"], "-o", "6", "--meeting", "mon 14:00", "--json").json["lead"]
    assert booked["stage"] == "meeting" and booked["meeting_at"] == "2026-11-30T14:00:00+09:00"
    assert lead["id"] not in ids_in(cli("today", "--json"))  # parked while the meeting is ahead
    assert cli("lead", "show", lead["id"], "--json").json["parked"] == "meeting_set"
    assert [r["parked"] for r in cli("lead", "list", "--json").json if r["id"] == lead["id"]] == ["meeting_set"]

    monkeypatch.setenv("ISTUI_NOW", WEEK_LATER)
    queue = cli("today", "--json").json
    assert [(e["id"], e["reason"]) for e in queue if e["id"] == lead["id"]] == [(lead["id"], "meeting_passed")]
    text = cli("today").out
    assert ("1 meeting(s) passed — hand off or log the result: `istui handoff ID --to NAME`, a new time with "
            "`istui lead set ID meeting=WHEN`, or `istui lead stage ID STAGE`.") in text
    assert [line.split()[:2] for line in text.splitlines() if "Booked Co" in line] == [["meeting", "passed"]]
    assert lead["id"] in ids_in(cli("lead", "list", "--due", "--json"))
    card = cli("lead", "show", lead["id"])
    assert "  ! Meeting passed — hand off or log the result" in card.out
    shown = cli("lead", "show", lead["id"], "--json").json
    assert shown["parked"] is None and shown["next_at"] is None

    # logging the result gives it its next step: it leaves the queue until then
    after = cli("log", "call", lead["id"], "-o", "connected", "--json").json["lead"]
    assert after["next_at"] == "2026-12-07T09:00:00+09:00"
    assert lead["id"] not in ids_in(cli("today", "--json"))
    assert cli("lead", "show", lead["id"], "--json").json["parked"] is None


def test_the_queue_rules_for_a_meeting(ws: Workspace) -> None:
    from istui.domain.queue import meeting_passed

    now = datetime.fromisoformat(WEEK_LATER)
    day = (datetime.fromisoformat("2026-12-04T00:00:00+09:00"), datetime.fromisoformat("2026-12-05T00:00:00+09:00"))
    lead = {"id": "X", "stage": "meeting", "meeting_at": "2026-11-30T14:00:00+09:00", "next_at": None,
            "created_at": NOW}
    assert meeting_passed(lead, now) and parking_reason(lead, now) is None and not has_next_step(lead, now)
    assert queue_reason(lead, *day, now) == "meeting_passed"
    before = datetime.fromisoformat("2026-11-30T13:59:00+09:00")
    assert parking_reason(lead, before) == "meeting_set" and has_next_step(lead, before)
    # a follow-up from before the meeting is stale: the meeting passed decides
    stale = {**lead, "next_at": "2026-11-28T10:00:00+09:00"}
    assert queue_reason(stale, *day, now) == "meeting_passed"
    # a follow-up set after the meeting is the next step: queued when it is due, not before
    later = {**lead, "next_at": "2026-12-08T10:00:00+09:00"}
    assert not meeting_passed(later, now) and has_next_step(later, now) and queue_reason(later, *day, now) is None
    # do-not-call and a flagged phone still park it; a closed lead is never queued
    assert queue_reason({**lead, "dnc": True}, *day, now) is None
    assert queue_reason({**lead, "phone_status": "wrong_number"}, *day, now) is None
    assert queue_reason({**lead, "stage": "handed_off"}, *day, now) is None


def test_a_closed_lead_takes_no_follow_up(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Closed Co")
    cli("log", "call", lead["id"], "-o", "do_not_call")
    before = ws.get_lead(lead["id"]), len(ws.activities_of_lead(lead["id"]))
    sentence = ("istui: next: Closed Co is disqualified, and a closed lead takes no follow-up; reopen it first with "
                "`istui lead stage ID working`.")
    for args in (["log", "call", lead["id"], "-o", "connected", "--next", "tomorrow", "--force"],
                 ["lead", "set", lead["id"], "next=tomorrow", "--force"]):
        refused = cli(*args)
        assert (refused.code, refused.err.strip()) == (2, sentence), args
    assert (ws.get_lead(lead["id"]), len(ws.activities_of_lead(lead["id"]))) == before
    assert cli("log", "call", lead["id"], "-o", "connected", "--force").code == 0  # the call itself is logged


def test_a_typed_follow_up_on_a_do_not_call_lead_is_reported_alone(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Flagged Co")
    cli("lead", "set", lead["id"], "dnc=true")
    out = cli("log", "call", lead["id"], "-o", "no_answer", "--next", "+2d", "--force").out
    assert out.strip() == "Logged call no_answer for Flagged Co; stage → working; next 11-29 10:30."
    assert "set no follow-up" in cli("log", "call", lead["id"], "-o", "no_answer", "--force").out


def test_a_follow_up_lies_strictly_ahead_and_a_meeting_is_named(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Timing Co")
    before = ws.get_lead(lead["id"])
    now = cli("log", "call", lead["id"], "-o", "2", "--next", "+0d")
    assert now.code == 2 and now.err.strip() == (
        "istui: next: '+0d' reads as Fri 2026-11-27 10:30, which is now; a follow-up must lie ahead, e.g. '+2h' or "
        "'tomorrow 10am'.")
    meeting = cli("lead", "set", lead["id"], "meeting=yesterday")
    assert meeting.code == 2 and meeting.err.strip() == (
        "istui: meeting: 'yesterday' reads as Thu 2026-11-26 09:00, which is in the past; a meeting needs a future time, "
        "e.g. 'tue 14:00'.")
    assert "meeting must lie ahead" in cli("log", "call", lead["id"], "-o", "6", "--meeting", "now").err
    past = cli("log", "call", lead["id"], "-o", "2", "--next", "-1d")
    assert past.code == 2 and past.err.strip() == (
        "istui: next: '-1d' reads as Thu 2026-11-26 10:30, which is in the past; a follow-up needs a future time, "
        "e.g. 'tomorrow 10am'.")
    assert "which is in the past; a meeting needs" in cli("log", "call", lead["id"], "-o", "6", "--meeting", "-2h").err
    assert ws.get_lead(lead["id"]) == before and ws.activities_of_lead(lead["id"]) == []
    earlier = cli("log", "call", lead["id"], "-o", "2", "--at", "-2h", "--json").json  # --at takes a past WHEN
    assert earlier["activity"]["at"] == "2026-11-27T08:30:00+09:00"
    assert cli("log", "call", lead["id"], "-o", "2", "--next", "+1h", "--json").json["lead"]["next_at"] == (
        "2026-11-27T11:30:00+09:00")


def test_when_values_starting_with_a_dash_are_joined_to_their_option() -> None:
    from istui.cli.parser import join_when_values

    assert join_when_values(["log", "call", "X", "--next", "-1d", "--at", "-2h", "--meeting", "-3h"]) == [
        "log", "call", "X", "--next=-1d", "--at=-2h", "--meeting=-3h"]
    assert join_when_values(["log", "call", "X", "--next", "--json"]) == ["log", "call", "X", "--next", "--json"]
    assert join_when_values(["note", "add", "--", "--next", "-1d"]) == ["note", "add", "--", "--next", "-1d"]


def test_an_import_names_field_reps_with_their_role(cli, ws: Workspace, tmp_path: Path) -> None:
    cli("rep", "add", "alice", "--role", "is")
    lead = {"id": "01KAAAAAAAAAAAAAAAAAAAAAAA", "company": "Acme", "source": "referral", "motion": "sdr",
            "stage": "handed_off", "temp": "warm", "owner": "tanaka", "next_at": None, "tags": [], "dnc": False,
            "handoff": {"to": "field-kimura", "at": "2026-11-20T10:00:00+09:00", "by": "tanaka", "budget": "",
                        "authority": "", "need": "", "timeline": "", "note": ""},
            "created_at": "2026-11-01T10:00:00+09:00", "updated_at": "2026-11-02T10:00:00+09:00", "updated_by": "tanaka"}
    path = tmp_path / "leads.json"
    path.write_text(to_json([lead]))
    refused = cli("import", "leads", str(path))
    assert refused.code == 2 and refused.err.strip().endswith(
        "(alice): tanaka, field-kimura; add them with `istui rep add tanaka` and `istui rep add field-kimura --role field` "
        "and run again, or import the other rows with --skip-invalid.")
    assert cli("rep", "add", "tanaka").code == 0 and cli("rep", "add", "field-kimura", "--role", "field").code == 0
    assert cli("import", "leads", str(path)).code == 0
    other = add_lead(cli, "Next Co")
    unknown = cli("handoff", other["id"], "--to", "kimura")  # a recipient not on the roster: added in field sales
    assert unknown.code == 2 and unknown.err.strip().endswith(
        "add them in field sales with `istui rep add kimura --role field`.")
    assert cli("handoff", other["id"], "--to", "field-kimura", *BANT).code == 0  # the suggestion made a field rep
