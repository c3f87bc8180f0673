"""The last edges of the working day (issue 12): amounts in the workspace's currency (cents kept, another
currency refused), a follow-up on a lead whose phone is flagged, call counts after an undo, doctor on a
do-not-call lead with a follow-up, reports on a rep not on the roster, activity exports for scripts, and one
count of the working days gone shared by pace and the plan."""

from __future__ import annotations

import json

import pytest

from istui.domain.errors import BadInput
from istui.domain.formatting import money
from istui.domain.parsing import parse_amount
from istui.services.leads import log_activity, set_lead_fields, undo_log
from istui.store.workspace import Workspace

from conftest import add_lead


@pytest.mark.parametrize(("text", "currency", "value"), [
    ("$99.99", "USD", 99.99), ("99.99", "USD", 99.99), ("USD 1,200.50", "USD", 1200.5), ("€5", "EUR", 5),
    ("100 jpy", "JPY", 100), ("5 yen", "JPY", 5), ("1.2億", "JPY", 120_000_000), ("0.125", "KWD", 0.125),
    ("1.5k", "USD", 1500),
])
def test_amounts_keep_the_decimals_their_currency_has(text: str, currency: str, value: float) -> None:
    assert parse_amount(text, currency=currency) == value


@pytest.mark.parametrize(("text", "currency", "words"), [
    ("$100", "JPY", "another currency than JPY"), ("100 usd", "JPY", "another currency than JPY"),
    ("¥100", "USD", "another currency than USD"), ("1.5", "JPY", "JPY amounts are whole numbers"),
    ("1.999", "USD", "more than 2 decimal places"), ("$5", None, "a number of things"),
])
def test_an_amount_in_another_currency_or_too_precise_is_one_sentence(text: str, currency: str | None, words: str) -> None:
    with pytest.raises(BadInput, match=r"^amount: ") as caught:
        parse_amount(text, currency=currency)
    assert words in str(caught.value) and str(caught.value).count(". ") == 0


def test_a_usd_workspace_keeps_cents_in_the_order_and_the_figures(cli, ws: Workspace) -> None:
    assert cli("settings", "currency=USD").code == 0
    lead = add_lead(cli, "Dollar Inc")
    assert cli("lead", "stage", lead["id"], "won", "--amount", "$99.99").code == 0
    other = add_lead(cli, "Cent Co")
    assert cli("lead", "stage", other["id"], "won", "--amount", "0.02").code == 0
    report = cli("kpi", "--team", "--json").json
    assert report["metrics"]["orders"] == 2 and report["metrics"]["amount"] == 100.01  # not 100.00999999
    assert money(99.99, "USD") == "$99.99" and money(100, "USD") == "$100"
    assert "$100.01" in cli("kpi", "--team").out


def test_a_yen_workspace_refuses_dollars_and_writes_nothing(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Yen KK")
    before = len(list(ws.activities()))
    result = cli("lead", "stage", lead["id"], "won", "--amount", "$100")
    assert result.code == 2 and "another currency than JPY" in result.err
    assert len(list(ws.activities())) == before and ws.get_lead(lead["id"])["stage"] == "new"
    result = cli("target", "set", "calls", "$60", "--per", "day")
    assert result.code == 2 and "a number of things" in result.err and ws.targets() == []


def test_a_follow_up_for_a_flagged_phone_is_refused_until_the_phone_changes(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Wrong KK", "--phone", "03-1234-5678")
    assert cli("log", "call", lead["id"], "-o", "wrong_number").code == 0
    calls = len(list(ws.activities()))
    refused = cli("log", "call", lead["id"], "-o", "no_answer", "--next", "tomorrow 10:00")
    assert refused.code == 2 and "flagged as a wrong number" in refused.err
    assert len(list(ws.activities())) == calls  # nothing written
    assert cli("log", "call", lead["id"], "-o", "wrong_number", "--next", "tomorrow 10:00").code == 2
    assert cli("lead", "set", lead["id"], "next=tomorrow 10:00").code == 2
    assert ws.get_lead(lead["id"])["next_at"] is None
    assert cli("lead", "set", lead["id"], "phone=03-1234-0000", "next=tomorrow 10:00").code == 0
    saved = ws.get_lead(lead["id"])
    assert saved["phone_status"] is None and saved["next_at"] == "2026-11-28T10:00:00+09:00"


def test_undoing_a_call_after_the_lead_changed_counts_the_calls_again(ws: Workspace) -> None:
    lead = add_lead_ws(ws)
    log_activity(ws, lead["id"], "call", "no_answer")
    second = log_activity(ws, lead["id"], "call", "no_answer")
    assert second.lead["call_attempts"] == 2
    set_lead_fields(ws, lead["id"], {"memo": "Reception says mornings."})  # changed since: not put back
    undone = undo_log(ws, second)
    assert not undone.restored
    assert undone.lead["call_attempts"] == 1 == ws.get_lead(lead["id"])["call_attempts"]
    assert ws.get_lead(lead["id"])["memo"] == "Reception says mornings."


def add_lead_ws(ws: Workspace) -> dict:
    from istui.services.leads import create_lead

    return create_lead(ws, {"company": "Attempts KK", "phone": "03-5555-1234"})


def test_doctor_warns_of_a_do_not_call_lead_with_a_follow_up(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Merged KK", "--next", "tomorrow 10:00")
    assert "all files are fine" in cli("doctor").out
    ws.update_lead(lead["id"], {"dnc": True})  # as a merge of two teammates' edits can leave it
    found = cli("doctor", "--json").json["problems"]
    assert [(p["severity"], lead["id"] in p["message"], "do-not-call" in p["message"]) for p in found] == [
        ("warning", True, True)]


def test_a_report_on_a_rep_not_on_the_roster_is_refused(cli, ws: Workspace) -> None:
    assert [m["name"] for m in cli("rep", "list", "--json").json] == ["alice"]
    for command in (("kpi", "--rep", "nobody"), ("review", "--rep", "nobody")):
        result = cli(*command)
        assert result.code == 2 and "'nobody' is not on the team roster" in result.err, command
    assert cli("kpi", "--rep", "ALICE").code == 0


def test_the_json_activity_export_names_the_lead_and_the_local_time(cli, ws: Workspace) -> None:
    lead = add_lead(cli, "Export KK", "--contact", "山田 太郎")
    assert cli("log", "call", lead["id"], "-o", "connected").code == 0
    rows = json.loads(cli("export", "activities", "--format", "json").out)
    assert [(r["lead"], r["company"], r["contact"], r["at_local"]) for r in rows] == [
        (lead["id"], "Export KK", "山田 太郎", "2026-11-27T10:30:00+09:00")]


def test_pace_and_the_plan_count_the_working_days_gone_alike(cli, ws: Workspace) -> None:
    assert cli("target", "set", "calls", "100", "--per", "month", "--team").code == 0
    report = cli("kpi", "--team", "--period", "month", "--json").json
    (target,) = [t for t in report["targets"] if t["metric"] == "calls"]
    plan = cli("plan", "--revenue", "1000000", "--period", "month", "--deal-size", "500000", "--json",
               "--meeting-rate", "0.5", "--connect-rate", "0.5", "--handoff-rate", "0.5", "--order-rate", "0.5")
    assert plan.code == 0, plan.err
    # Friday 27 November 10:30, working hours 09:00-18:00: 1.5 of today's 9 hours gone
    assert plan.json["elapsed_working_days"] == round(target["working_days"]["elapsed_now"], 2)
    assert target["working_days"]["elapsed_now"] == pytest.approx(target["working_days"]["elapsed"] - 1 + 1.5 / 9, abs=1e-3)
