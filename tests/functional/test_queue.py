"""The queue never loses a lead (DESIGN.md section 4, issue 12 items 1-3): each outcome without --next
follows the retry schedule, do-not-call is enforced, past follow-ups are refused; and a property test over
random outcome sequences keeps every open lead queued or parked."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from istui.domain.errors import BadInput
from istui.domain.outcomes import CALL_OUTCOMES
from istui.domain.queue import has_next_step, parking_reason
from istui.services.leads import log_activity, set_lead_fields
from istui.services.today import today_queue
from istui.store.settings import Settings
from istui.store.workspace import Workspace

from conftest import NOW, add_lead

NOW_AT = datetime.fromisoformat(NOW)  # Friday 2026-11-27 10:30 in Tokyo


def overdue_lead(cli, ws: Workspace, company: str = "Overdue Co", *extra: str) -> dict:
    lead = add_lead(cli, company, "--next", "tomorrow 10:00", *extra)
    return ws.update_lead(lead["id"], {"next_at": "2026-11-25T10:00:00+09:00", "stage": "working"})


def test_each_outcome_without_next_follows_the_schedule(cli, ws: Workspace) -> None:
    expected = {"busy": "2026-11-27T10:45:00+09:00", "no_answer": "2026-11-27T12:30:00+09:00",
                "gatekeeper": "2026-11-27T12:30:00+09:00", "voicemail": "2026-11-30T10:30:00+09:00",
                "connected": "2026-11-30T10:30:00+09:00"}
    for outcome, next_at in expected.items():
        lead = overdue_lead(cli, ws, outcome)
        logged = cli("log", "call", lead["id"], "-o", outcome, "--json").json
        assert logged["lead"]["next_at"] == next_at, outcome
        assert logged["rule"] == "retry" and logged["parked"] is None
        assert [e["lead"]["id"] for e in today_queue(ws.leads(), NOW_AT + timedelta(days=30))].count(lead["id"]) == 1
    text = cli("log", "call", overdue_lead(cli, ws, "Text")["id"], "-o", "voicemail").out
    assert "next 11-30 10:30 (retry schedule)" in text


def test_not_interested_wrong_number_meeting_and_callback(cli, ws: Workspace) -> None:
    lead = overdue_lead(cli, ws, "Not now")
    nurtured = cli("log", "call", lead["id"], "-o", "not_interested", "--json").json["lead"]
    assert nurtured["stage"] == "nurturing" and nurtured["next_at"] == "2027-02-25T10:30:00+09:00"

    lead = overdue_lead(cli, ws, "Wrong", "--phone", "03-1111-2222")
    wrong = cli("log", "call", lead["id"], "-o", "wrong_number", "--json").json
    assert wrong["lead"]["phone_status"] == "wrong_number" and wrong["lead"]["next_at"] is None
    assert wrong["parked"] == "wrong_number"
    assert "phone flagged as a wrong number" in cli("log", "call", lead["id"], "-o", "wrong_number").out
    fixed = cli("lead", "set", lead["id"], "phone=03-3333-4444", "next=mon 10:00", "--json").json
    assert fixed["phone_status"] is None and parking_reason(fixed, NOW_AT) is None and fixed["next_at"] == "2026-11-30T10:00:00+09:00"
    cli("log", "call", lead["id"], "-o", "wrong_number")
    found = cli("lead", "set", lead["id"], "phone=03-5555-6666", "--json").json
    assert found["next_at"] == "2026-11-27T10:30:00+09:00"  # back in the queue, due now

    lead = overdue_lead(cli, ws, "Booked")
    booked = cli("log", "call", lead["id"], "-o", "meeting_booked", "--json").json
    assert booked["lead"]["stage"] == "meeting" and booked["parked"] == "meeting_time_not_set"
    out = cli("log", "call", overdue_lead(cli, ws, "Booked 2")["id"], "-o", "6").out
    assert "meeting time not set" in out and "istui meeting" in out and "--at WHEN" in out
    assert cli("rep", "add", "sato", "--role", "field").code == 0  # those attending are on the roster
    timed = cli("log", "call", overdue_lead(cli, ws, "Booked 3")["id"], "-o", "6", "--meeting", "tue 14:00",
                "--with", "sato", "--json").json
    assert timed["lead"]["meeting_at"] == "2026-12-01T14:00:00+09:00" and timed["activity"]["with"] == ["sato"]
    assert timed["parked"] == "meeting_set"
    set_later = cli("lead", "set", lead["id"], "meeting=wed 10:00", "--json").json
    assert set_later["meeting_at"] == "2026-12-02T10:00:00+09:00"

    lead = overdue_lead(cli, ws, "Call me")
    refused = cli("log", "call", lead["id"], "-o", "callback")
    assert refused.code == 2 and refused.err.strip().endswith("e.g. --next 'tomorrow 15:00'.")
    assert len(ws.activities_of_lead(lead["id"])) == 0
    ok = cli("log", "call", lead["id"], "-o", "callback", "--next", "mon 15:00", "--json").json
    assert ok["lead"]["next_at"] == "2026-11-30T15:00:00+09:00" and ok["rule"] is None


def test_max_attempts_without_a_connect_moves_the_lead_to_nurturing(cli, ws: Workspace) -> None:
    lead = overdue_lead(cli, ws)
    for _ in range(5):
        assert cli("log", "call", lead["id"], "-o", "no_answer", "--json").json["lead"]["stage"] == "working"
    sixth = cli("log", "call", lead["id"], "-o", "no_answer", "--json").json
    assert sixth["lead"]["stage"] == "nurturing" and sixth["rule"] == "max_attempts"
    assert sixth["lead"]["next_at"] == "2027-02-25T10:30:00+09:00"


def test_do_not_call_is_enforced(cli, ws: Workspace) -> None:
    lead = overdue_lead(cli, ws)
    dnc = cli("log", "call", lead["id"], "-o", "do_not_call", "--json").json["lead"]
    assert dnc["dnc"] is True and dnc["stage"] == "disqualified" and dnc["next_at"] is None
    before = len(ws.activities_of_lead(lead["id"]))
    for args in (["log", "call", lead["id"], "-o", "2"], ["lead", "set", lead["id"], "next=mon 10:00"],
                 ["lead", "set", lead["id"], "next_at=mon 10:00"],
                 ["log", "email", lead["id"], "-o", "sent", "--next", "mon 10:00"]):
        refused = cli(*args)
        assert refused.code == 2 and "is marked do-not-call" in refused.err and refused.err.count(".") <= 3, args
    assert len(ws.activities_of_lead(lead["id"])) == before
    assert cli("log", "call", lead["id"], "-o", "2", "--force").code == 0
    # a flag set by hand on an open lead: out of every call queue and call list
    other = add_lead(cli, "Flagged", "--next", "today 15:00")
    flagged = cli("lead", "set", other["id"], "dnc=true", "--json").json
    assert flagged["dnc"] is True and flagged["next_at"] is None and parking_reason(flagged, NOW_AT) == "do_not_call"
    assert other["id"] not in [e["id"] for e in cli("today", "--all", "--json").json]
    assert cli("lead", "set", other["id"], "dnc=maybe").err.startswith("istui: dnc: 'maybe' is not true or false.")
    assert cli("lead", "set", other["id"], "next=mon 10:00", "--force").code == 0


def test_past_follow_ups_are_refused(cli, ws: Workspace) -> None:
    lead = add_lead(cli)
    before = ws.get_lead(lead["id"])
    for args in (["log", "call", lead["id"], "-o", "2", "--next", "yesterday"],
                 ["lead", "set", lead["id"], "next=2020-01-01"], ["lead", "add", "--company", "X", "--next", "today 9:00"],
                 ["log", "call", lead["id"], "-o", "6", "--meeting", "yesterday 15:00"]):
        refused = cli(*args)
        assert refused.code == 2 and "which is in the past" in refused.err, args
    assert "reads as Thu 2026-11-26 09:00" in cli("log", "call", lead["id"], "-o", "2", "--next", "yesterday").err
    assert ws.get_lead(lead["id"]) == before and ws.activities_of_lead(lead["id"]) == []


def test_a_yearless_past_date_in_december_suggests_next_year(tmp_path) -> None:
    from istui.domain.errors import BadInput
    from istui.domain.parsing import parse_follow_up

    december = datetime.fromisoformat("2026-12-15T10:00:00+09:00")
    try:
        parse_follow_up("11/1", december)
    except BadInput as exc:
        assert str(exc) == ("next: '11/1' reads as Sun 2026-11-01 09:00, which is in the past; "
                            "for next year type Mon 2027-11-01 09:00.")
    else:
        raise AssertionError("11/1 in December was taken")
    assert parse_follow_up("1/5", december).isoformat() == "2027-01-05T09:00:00+09:00"


def test_old_open_leads_without_a_next_step_are_still_queued(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Old data")
    ws.update_lead(lead["id"], {"stage": "nurturing", "next_at": None})
    queue = cli("today", "--json").json
    assert [e["reason"] for e in queue if e["id"] == lead["id"]] == ["no_next_step"]
    assert "1 worked lead(s) have no next step" in cli("today").out


class Clock:
    def __init__(self) -> None:
        self.now = NOW_AT

    def __call__(self, tz):
        return self.now.astimezone(tz)


OUTCOMES = [info.outcome.value for info in CALL_OUTCOMES]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(OUTCOMES), st.booleans(),
                                st.integers(0, 60 * 24 * 9)), min_size=1, max_size=14),
       starts=st.lists(st.sampled_from(["new", "working", "nurturing", "meeting"]), min_size=3, max_size=3))
def test_random_outcomes_never_lose_a_lead(tmp_path_factory, steps, starts) -> None:
    """Every open lead has a follow-up in the future or a stated parking reason after any sequence of
    outcomes, with and without a typed WHEN, at any time of day or week."""
    clock = Clock()
    root = tmp_path_factory.mktemp("queue")
    ws = Workspace.create(root / "ws", "alice", Settings(team="T", timezone="Asia/Tokyo"), clock=clock)
    ids = []
    for number, stage in enumerate(starts):
        lead = ws.add_lead({"company": f"Lead {number}", "stage": stage, "source": "web_inquiry", "motion": "sdr",
                            "next_at": "2026-11-20T10:00:00+09:00", "phone": "03-1234-5678"})
        ids.append(lead["id"])
    touched = set()
    for index, outcome, typed, minutes in steps:
        clock.now += timedelta(minutes=minutes)
        lead_id = ids[index]
        touched.add(lead_id)
        needs_when = outcome == "callback" or typed
        before = ws.get_lead(lead_id), len(ws.activities_of_lead(lead_id))
        try:
            if outcome == "meeting_booked" and typed:  # the meeting's time, which passes as the clock moves on
                log_activity(ws, lead_id, "call", outcome, meeting="+1d", force=True)
            else:
                log_activity(ws, lead_id, "call", outcome, force=True,
                             next_when="+2d" if needs_when and outcome != "do_not_call" else None)
        except BadInput as exc:  # a WHEN that would never come up (a closed lead, a flagged phone): refused, nothing written
            assert needs_when and ("a closed lead takes no follow-up" in str(exc) or "wrong number" in str(exc)), exc
            assert (ws.get_lead(lead_id), len(ws.activities_of_lead(lead_id))) == before
            continue
        assert has_next_step(ws.get_lead(lead_id), clock.now), outcome  # right after the log: ahead or parked
        if outcome == "wrong_number" and minutes % 3 == 0:  # sometimes the rep finds the new number: due now
            set_lead_fields(ws, lead_id, {"phone": "03-9999-0000"}, force=True, allow_duplicate=True)
        for lead in (ws.get_lead(touched_id) for touched_id in touched):  # later: still ahead, parked or queued
            queued = [e["reason"] for e in today_queue([lead], clock.now)]
            assert has_next_step(lead, clock.now) or queued in (["overdue"], ["due"], ["meeting_passed"]), (outcome, lead)


def test_a_backdated_call_keeps_an_agreed_callback(cli, ws: Workspace) -> None:
    """Finding 2: a call logged after the fact without a WHEN does not replace a follow-up already ahead."""
    lead = add_lead(cli, "Agreed")
    cli("log", "call", lead["id"], "-o", "callback", "--next", "mon 15:00")
    late = cli("log", "call", lead["id"], "-o", "no_answer", "--at", "yesterday 10:00", "--json").json
    assert late["lead"]["next_at"] == "2026-11-30T15:00:00+09:00" and late["rule"] == "kept"
    assert len(ws.activities_of_lead(lead["id"])) == 2
    out = cli("log", "call", lead["id"], "-o", "busy", "--at", "today 09:00").out
    assert "next 11-30 15:00 (the follow-up already set is kept)" in out
    now = cli("log", "call", lead["id"], "-o", "busy", "--json").json  # a call logged now follows the schedule
    assert now["lead"]["next_at"] == "2026-11-27T10:45:00+09:00"


def test_the_schedule_sets_no_follow_up_on_a_do_not_call_lead(cli, ws: Workspace) -> None:
    """Finding 3: only a typed WHEN with --force gives a do-not-call lead a follow-up; the reply says
    "marked do-not-call" only when this log marked it."""
    lead = add_lead(cli, "Flagged by hand")
    cli("lead", "set", lead["id"], "dnc=true")
    mailed = cli("log", "email", lead["id"], "-o", "sent", "--json").json
    assert mailed["lead"]["next_at"] is None and mailed["parked"] == "do_not_call"
    forced = cli("log", "call", lead["id"], "-o", "2", "--force", "--json").json
    assert forced["lead"]["next_at"] is None and forced["rule"] == "dnc"
    out = cli("log", "call", lead["id"], "-o", "2", "--force").out
    assert "marked do-not-call" not in out and "set no follow-up" in out and "next " not in out
    typed = cli("log", "call", lead["id"], "-o", "2", "--force", "--next", "mon 10:00", "--json").json
    assert typed["lead"]["next_at"] == "2026-11-30T10:00:00+09:00"
    other = add_lead(cli, "Asked")
    assert "marked do-not-call" in cli("log", "call", other["id"], "-o", "0").out


def test_a_flagged_phone_stays_parked_until_someone_answers(cli, ws: Workspace) -> None:
    """Finding 4: another call that reached nobody keeps a wrong-number lead parked; one that reached someone
    clears the flag, and the schedule applies."""
    lead = overdue_lead(cli, ws, "Wrong", "--phone", "03-1111-2222")
    cli("log", "call", lead["id"], "-o", "wrong_number")
    again = cli("log", "call", lead["id"], "-o", "2", "--json").json
    assert again["lead"]["next_at"] is None and again["parked"] == "wrong_number" and again["rule"] == "phone"
    out = cli("log", "call", lead["id"], "-o", "busy").out
    assert "phone flagged as a wrong number" in out and "next " not in out
    assert lead["id"] not in [e["id"] for e in cli("today", "--all", "--json").json]
    reached = cli("log", "call", lead["id"], "-o", "connected", "--json").json
    assert reached["lead"]["phone_status"] is None and reached["parked"] is None
    assert reached["lead"]["next_at"] == "2026-11-30T10:30:00+09:00" and reached["rule"] == "retry"
    assert "wrong-number flag is cleared" in cli("log", "call", lead["id"], "-o", "9").out + cli(
        "log", "call", lead["id"], "-o", "8", "--next", "mon 16:00").out


def test_lead_show_says_the_flags_and_why_a_lead_is_parked(cli, ws: Workspace) -> None:
    """Finding 6: `lead show` names do-not-call, a wrong-number flag and a missing meeting time, and shows no
    stale follow-up on a parked lead."""
    wrong = overdue_lead(cli, ws, "Wrong", "--phone", "03-1111-2222")
    ws.update_lead(wrong["id"], {"phone_status": "wrong_number", "dnc": True})
    out = cli("lead", "show", wrong["id"]).out
    assert f"! Do not call — `istui lead set {wrong['id']} dnc=false` clears the mark" in out
    assert "! Phone flagged as a wrong number — change the phone to call again" in out
    assert "Next" not in out  # its follow-up of 11-25 is stale while the phone is flagged
    booked = overdue_lead(cli, ws, "Booked")
    cli("log", "call", booked["id"], "-o", "6")
    out = cli("lead", "show", booked["id"]).out
    assert f"! Parked: meeting time not set — set it with `istui meeting {booked['id'][:10]} --at WHEN --with NAME`" in out
    cli("lead", "set", booked["id"], "meeting=tue 14:00")
    out = cli("lead", "show", booked["id"]).out
    assert "Parked" not in out and "Meeting time  12-01 14:00" in out
    plain = cli("lead", "show", overdue_lead(cli, ws, "Plain")["id"]).out
    assert "!" not in plain
