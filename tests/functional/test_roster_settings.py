"""The team roster (`istui rep`), owners and recipients from it, its migration, duplicate leads on entry,
and `istui settings` (issue 12 items 4, 5, 18)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from istui.store.settings import load_settings
from istui.store.workspace import Workspace

from conftest import fixed_clock

SHEET = {"budget": "300万円", "authority": "部長", "need": "工数削減", "timeline": "来期"}


BANT = ("--budget", "300万円", "--authority", "部長", "--need", "工数削減", "--timeline", "来期")


def toml(ws: Workspace) -> dict:
    return tomllib.loads((ws.root / "istui.toml").read_text())


def test_rep_add_list_and_set(cli, ws: Workspace) -> None:
    assert toml(ws)["roster"] == {"alice": {"display": "alice", "email": "", "role": "is"}}  # init puts the rep on it
    added = cli("rep", "add", "kimura", "--role", "field", "--email", "Kimura@Example.COM", "--display", "Kimura Ken", "--json")
    assert added.code == 0, added.err
    assert added.json == {"name": "kimura", "display": "Kimura Ken", "email": "Kimura@example.com", "role": "field"}
    changed = cli("rep", "set", "ALICE", "--display", "Alice Liddell", "--role", "manager")
    assert changed.code == 0 and "Changed alice" in changed.out
    listed = cli("rep", "list", "--json").json
    assert [(m["name"], m["display"], m["role"]) for m in listed] == [("alice", "Alice Liddell", "manager"),
                                                                      ("kimura", "Kimura Ken", "field")]
    assert "Kimura Ken" in cli("rep", "list").out


@pytest.mark.parametrize("args, message", [
    (["rep", "add", "Alice"], "'Alice' is already on the roster as 'alice'"),
    (["rep", "add", "carol", "--role", "boss"], "role: 'boss' is not one of is, field, manager"),
    (["rep", "add", "carol", "--email", "not-mail"], "not an e-mail address"),
    (["rep", "add", "a b"], "not a usable rep name"),
    (["rep", "set", "nobody", "--role", "field"], "'nobody' is not on the team roster (alice)"),
])
def test_bad_roster_input_writes_nothing(cli, ws: Workspace, args: list[str], message: str) -> None:
    before = (ws.root / "istui.toml").read_bytes()
    result = cli(*args)
    assert result.code == 2 and message in result.err
    assert (ws.root / "istui.toml").read_bytes() == before


def test_an_unknown_owner_is_refused_with_the_roster(cli, ws: Workspace) -> None:
    cli("rep", "add", "bob")
    result = cli("lead", "add", "--company", "Acme", "--owner", "nobody")
    assert result.code == 2
    assert result.err.strip() == ("istui: owner: 'nobody' is not on the team roster (alice, bob); add them with "
                                  "`istui rep add nobody`.")
    assert list(ws.leads()) == []
    lead = cli("lead", "add", "--company", "Acme", "--owner", "BOB", "--json").json
    assert lead["owner"] == "bob"  # the roster's spelling
    refused = cli("lead", "set", lead["id"], "owner=nobody")
    assert refused.code == 2 and "(alice, bob)" in refused.err
    assert Workspace.open(ws.root, "alice").get_lead(lead["id"])["owner"] == "bob"
    assert cli("target", "set", "calls", "50", "--per", "day", "--rep", "zed").code == 2
    assert Workspace.open(ws.root, "alice").targets() == []


def test_an_unknown_rep_is_refused_but_can_add_themselves(cli, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISTUI_REP", "carol")
    result = cli("today")
    assert result.code == 2 and "rep: 'carol' is not on the team roster (alice)" in result.err
    assert cli("rep", "add", "carol").code == 0
    assert cli("today").code == 0
    monkeypatch.setenv("ISTUI_REP", "CAROL")
    lead = cli("lead", "add", "--company", "Acme", "--json").json
    assert lead["owner"] == "carol" and lead["updated_by"] == "carol"


def test_handoff_goes_to_field_sales_on_the_roster(cli, ws: Workspace) -> None:
    lead = cli("lead", "add", "--company", "Acme", "--json").json
    unknown = cli("handoff", lead["id"], "--to", "kimura")
    assert unknown.code == 2 and "'kimura' is not on the team roster (alice)" in unknown.err
    cli("rep", "add", "kimura")
    inside = cli("handoff", lead["id"], "--to", "kimura")
    assert inside.code == 2 and "'kimura' is not in field sales" in inside.err and "--role field" in inside.err
    cli("rep", "set", "kimura", "--role", "field")
    assert cli("handoff", lead["id"], "--to", "Kimura", *BANT).code == 0
    assert cli("lead", "show", lead["id"], "--json").json["handoff"]["to"] == "kimura"


def test_a_workspace_without_a_roster_gets_one_from_its_records(ws: Workspace) -> None:
    from istui.services.handoff_loop import hand_off
    from istui.services.leads import create_lead, log_activity

    bob = Workspace.open(ws.root, "bob", clock=fixed_clock)
    lead = create_lead(bob, {"company": "Acme"})
    log_activity(bob, lead["id"], "call", "no_answer")
    other = create_lead(ws, {"company": "Beta"})
    ws.settings.roster = {"alice": {"display": "alice", "email": "", "role": "is"},
                          "tanaka": {"display": "tanaka", "email": "", "role": "field"}}
    hand_off(ws, other["id"], "tanaka", SHEET)
    ws.update_lead(lead["id"], {"owner": "dan"})
    text = (ws.root / "istui.toml").read_text()
    (ws.root / "istui.toml").write_text(text[:text.index("[roster")])  # as an istui before the roster wrote it
    assert load_settings(ws.root).roster is None

    opened = Workspace.open(ws.root, "alice", clock=fixed_clock)
    expected = {"alice": "is", "bob": "is", "dan": "is", "tanaka": "field"}
    assert {name: entry["role"] for name, entry in opened.settings.roster.items()} == expected
    assert {name: entry["role"] for name, entry in toml(ws)["roster"].items()} == expected
    assert load_settings(ws.root).schema == 1  # no schema change: an older istui still opens it


def test_duplicates_on_entry_need_allow_duplicate(cli, ws: Workspace) -> None:
    first = cli("lead", "add", "--company", "Acme", "--phone", "03-1234-5678", "--email", "Ken@Acme.co.jp", "--json").json
    for args in (["--phone", "+81 3 1234 5678"], ["--email", "ken@ACME.co.jp"]):
        result = cli("lead", "add", "--company", "Acme Tokyo", *args)
        assert result.code == 2
        assert f"Lead {first['id'][:10]} (Acme) already has this" in result.err and "--allow-duplicate" in result.err
    assert [lead["id"] for lead in ws.leads()] == [first["id"]]
    again = cli("lead", "add", "--company", "Acme Tokyo", "--phone", "0312345678", "--allow-duplicate", "--json")
    assert again.code == 0 and len(list(Workspace.open(ws.root, "alice").leads())) == 2
    assert cli("lead", "add", "--company", "Other", "--phone", "03-9999-0000").code == 0


def test_settings_list_and_change(cli, ws: Workspace) -> None:
    listed = cli("settings", "--json").json
    assert (listed["timezone"], listed["week_start"], listed["phone_region"]) == ("Asia/Tokyo", "monday", "JP")
    text = cli("settings").out
    assert "fiscal_year_start_month" in text and "roster.alice.role" in text
    changed = cli("settings", "week_start=sunday", "fiscal_year_start_month=1", "timezone=Europe/Berlin", "--json")
    assert changed.code == 0, changed.err
    assert changed.json["changed"]["week_start"] == {"before": "monday", "after": "sunday"}
    assert any("UTC offsets" in note for note in changed.json["notes"])
    settings = load_settings(ws.root)
    assert (settings.week_start, settings.fiscal_year_start_month, settings.timezone) == ("sunday", 1, "Europe/Berlin")


def test_settings_nested_keys_lists_and_what_they_migrate(cli, ws: Workspace) -> None:
    cli("lead", "add", "--company", "Acme", "--source", "trade_show")
    result = cli("settings", "roster.alice.display=Alice L.", "sources=web_inquiry, referral,other")
    assert result.code == 0, result.err
    assert "roster.alice.display: alice → Alice L." in result.out
    assert "1 lead(s) keep the removed source(s)" in result.out and "trade_show" in result.out
    values = toml(ws)
    assert values["roster"]["alice"] == {"display": "Alice L.", "email": "", "role": "is"}
    assert values["sources"] == ["web_inquiry", "referral", "other"]
    assert cli("settings", "demo=true").code == 2


@pytest.mark.parametrize("args, message", [
    (["timezone=Mars/Base"], "not an IANA timezone"),
    (["week_start=sunday", "fiscal_year_start_month=13"], "fiscal_year_start_month must be a month number"),
    (["fiscal_year_start_month=april"], "not a whole number"),
    (["colour=blue"], "'colour' is not a setting"),
    (["timezone"], "is not KEY=VALUE"),
    (["roster.alice.role=boss"], "role: 'boss' is not one of"),
    (["roster=x"], "roster is a table"),
    (["phone_region=Japan"], "not a two-letter country code"),
])
def test_a_bad_setting_writes_nothing(cli, ws: Workspace, args: list[str], message: str) -> None:
    before = (ws.root / "istui.toml").read_bytes()
    result = cli("settings", *args)
    assert result.code == 2 and message in result.err
    assert (ws.root / "istui.toml").read_bytes() == before


def test_init_on_a_utc_machine_says_what_it_chose(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    result = cli("init", str(tmp_path / "new"), "--rep", "dan")
    assert result.code == 0, result.err
    assert "timezone is UTC" in result.out and "no public holiday calendar" in result.out
    assert "istui settings timezone=Asia/Tokyo holiday_country=JP" in result.out
    assert tomllib.loads((tmp_path / "new" / "istui.toml").read_text())["roster"]["dan"]["role"] == "is"
    quiet = cli("init", str(tmp_path / "tokyo"), "--rep", "dan", "--timezone", "Asia/Tokyo")
    assert "istui settings" not in quiet.out


def test_the_demo_roster_has_reps_field_sales_and_a_manager(tmp_path: Path, cli) -> None:
    result = cli("demo", str(tmp_path / "demo"), "--no-open", "--json")
    assert result.code == 0, result.err
    roster = tomllib.loads((tmp_path / "demo" / "istui.toml").read_text())["roster"]
    roles = {entry["role"] for entry in roster.values()}
    assert roles == {"is", "field", "manager"} and roster["sato"]["display"] == "Sato"
    demo = Workspace.open(tmp_path / "demo", "sato")
    recipients = {lead["handoff"]["to"] for lead in demo.leads() if lead.get("handoff")}
    assert recipients and all(roster[name]["role"] == "field" for name in recipients)
    owners = {lead["owner"] for lead in demo.leads()}
    assert owners <= set(roster)
    json.dumps(roster)
