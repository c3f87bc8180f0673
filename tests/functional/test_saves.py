"""Saves write only the fields changed, re-read under the lock: another writer's change of another field
of the same record (another terminal, a sync) survives. The TUI's forms are tested in tests/tui/test_tui_saves.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from istui.domain.errors import NotFound
from istui.services.leads import amend_log, create_lead, log_activity, undo_log
from istui.services.notes import add_note, edit_note, toggle_pin
from istui.store.workspace import Workspace

from conftest import fixed_clock


def elsewhere(ws: Workspace) -> Workspace:
    """The workspace as another process opens it."""
    return Workspace.open(ws.root, "alice", clock=fixed_clock)


def test_amending_a_logged_call_keeps_a_concurrent_change_of_the_call(ws: Workspace) -> None:
    lead = create_lead(ws, {"company": "Acme"})
    logged = log_activity(ws, lead["id"], "call", "callback", ask_later=True)  # as the call block logs it
    started = (datetime.fromisoformat(logged.activity["at"]) - timedelta(seconds=40)).isoformat()
    elsewhere(ws).update_activity(logged.activity, {"at": started, "duration": 70})  # a dialer's log, say
    amended = amend_log(ws, logged, note="折り返し待ち", next_when="tomorrow 10am")
    saved = elsewhere(ws).activities_of_lead(lead["id"])
    assert len(saved) == 1 and saved[0] == amended.activity
    assert (saved[0]["note"], saved[0]["at"], saved[0]["duration"], saved[0]["outcome"]) == (
        "折り返し待ち", started, 70, "callback")


def test_amending_a_call_undone_elsewhere_says_so_and_writes_nothing(ws: Workspace) -> None:
    lead = create_lead(ws, {"company": "Acme"})
    logged = log_activity(ws, lead["id"], "call", "no_answer")
    undo_log(elsewhere(ws), logged)
    with pytest.raises(NotFound, match=f"no activity with id {logged.activity['id']}"):
        amend_log(ws, logged, note="too late")
    assert elsewhere(ws).activities_of_lead(lead["id"]) == []


def test_note_edit_and_pin_keep_the_other_fields_as_they_are_on_disk(ws: Workspace) -> None:
    note = add_note(ws, {"title": "Opening", "body": "Say who you are.\n", "tags": ["inbound"]})
    edit_note(elsewhere(ws), note["id"], {"tags": ["inbound", "web_inquiry"]})
    edit_note(ws, note["id"], {"title": "Opening v2"})
    toggle_pin(ws, note["id"])
    saved = elsewhere(ws).get_note(note["id"])
    assert (saved["title"], saved["tags"], saved["body"], saved["pinned"]) == (
        "Opening v2", ["inbound", "web_inquiry"], "Say who you are.\n", True)


def test_cli_note_edit_changes_only_the_options_given(cli, ws: Workspace) -> None:
    note = cli("note", "add", "--title", "Objection: price", "--kind", "objection", "--tag", "price", "--json").json
    edit_note(elsewhere(ws), note["id"], {"body": "Ask what they compare it with.\n"})
    assert cli("note", "edit", note["id"][:8], "--title", "Objection: too expensive").code == 0
    saved = elsewhere(ws).get_note(note["id"])
    assert (saved["title"], saved["kind"], saved["tags"], saved["body"]) == (
        "Objection: too expensive", "objection", ["price"], "Ask what they compare it with.\n")


def test_undoing_a_log_keeps_what_another_writer_changed_since(ws: Workspace) -> None:
    lead = create_lead(ws, {"company": "Acme"})
    logged = log_activity(ws, lead["id"], "call", "callback", next_when="tomorrow 10am")
    assert (logged.lead["stage"], logged.lead["next_at"]) == ("working", "2026-11-28T10:00:00+09:00")
    elsewhere(ws).update_lead(lead["id"], {"next_at": "2026-12-01T09:00:00+09:00", "memo": "Rescheduled by phone."})
    undone = undo_log(ws, logged)
    saved = elsewhere(ws).get_lead(lead["id"])
    assert saved == undone.lead and elsewhere(ws).activities_of_lead(lead["id"]) == []
    assert not undone.restored  # the lead was changed since: only the call goes, the lead stays as it is
    assert (saved["stage"], saved["next_at"], saved["memo"]) == ("working", "2026-12-01T09:00:00+09:00", "Rescheduled by phone.")


def test_undoing_a_log_restores_the_lead_it_left_unchanged(ws: Workspace) -> None:
    lead = create_lead(ws, {"company": "Acme"})
    logged = log_activity(ws, lead["id"], "call", "no_answer")
    undone = undo_log(ws, logged)
    saved = elsewhere(ws).get_lead(lead["id"])
    assert undone.restored and saved == undone.lead
    assert (saved["stage"], saved.get("next_at"), saved.get("call_attempts")) == ("new", None, None)


def test_undo_after_later_logs_that_wrote_the_same_values_keeps_the_worked_lead(cli, ws: Workspace) -> None:
    """Finding 1: a later log wrote the same stage and follow-up; undoing the first must not make the lead new."""
    lead = create_lead(ws, {"company": "Acme"})
    first = log_activity(ws, lead["id"], "call", "no_answer")  # as the call block logs `2`
    assert (first.lead["stage"], first.lead["next_at"]) == ("working", "2026-11-27T12:30:00+09:00")
    for args in (["-o", "no_answer"], ["-o", "busy", "--next", "+2d"], ["-o", "no_answer"]):
        assert cli("log", "call", lead["id"], *args).code == 0
    assert elsewhere(ws).get_lead(lead["id"])["next_at"] == first.lead["next_at"]  # the same value again
    undone = undo_log(ws, first)
    saved = elsewhere(ws).get_lead(lead["id"])
    assert not undone.restored and saved == undone.lead
    assert (saved["stage"], saved["next_at"]) == ("working", "2026-11-27T12:30:00+09:00")
    assert len(elsewhere(ws).activities_of_lead(lead["id"])) == 3


def test_an_edit_of_a_field_changed_elsewhere_since_it_began_is_refused(ws: Workspace) -> None:
    """Two terminals edit the same lead: the second save of the same field says what the first wrote, and
    writes nothing; another field, or the same value, saves."""
    from istui.domain.errors import BadInput
    from istui.services.leads import set_lead_fields

    seen = create_lead(ws, {"company": "Acme", "phone": "03-1234-5678"})
    set_lead_fields(elsewhere(ws), seen["id"], {"company": "Acme A"})
    with pytest.raises(BadInput, match=r"Acme A changed since you opened it \(company: now Acme A\)"):
        set_lead_fields(ws, seen["id"], {"company": "Acme B", "phone": "03-9999-0000"}, seen=seen)
    kept = elsewhere(ws).get_lead(seen["id"])
    assert (kept["company"], kept["phone"]) == ("Acme A", "03-1234-5678")
    assert set_lead_fields(ws, seen["id"], {"phone": "03-9999-0000"}, seen=seen)["company"] == "Acme A"
    assert set_lead_fields(ws, seen["id"], {"company": "Acme A", "tags": "x"}, seen=seen)["tags"] == ["x"]
