"""`istui settings`, `init` and `doctor` against hostile or unknown values (issue 12 fix round: control
characters in text settings, ISO currency codes, holiday countries the holidays package knows)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from istui.domain.formatting import money, short_money
from istui.store.workspace import Workspace

from conftest import add_lead

ESCAPE = "\x1b[31mRED\x1b]0;pwned\x07"


def settings_bytes(ws: Workspace) -> bytes:
    return (ws.root / "istui.toml").read_bytes()


@pytest.mark.parametrize("assignment, message", [
    (f"currency={ESCAPE}", "istui: currency: the value holds a control character or a line break; type plain text on one line."),
    ("team=Sales\nrm -rf", "istui: team: the value holds a control character or a line break; type plain text on one line."),
    (f"team=A{ESCAPE}", "istui: team: the value holds a control character or a line break; type plain text on one line."),
    ("sources=web,\x1b[2Jx", "istui: sources: the value holds a control character or a line break; type plain text on one line."),
    ("currency=banana", "istui: currency: 'BANANA' is not an ISO 4217 currency code such as JPY or USD."),
    ("currency=¥", "istui: currency: '¥' is not an ISO 4217 currency code such as JPY or USD."),
    ("holiday_country=XX", "istui: holiday_country: 'XX' is not a country the holidays package has a calendar for; use a "
                           "code such as JP or US, or leave it empty for none."),
])
def test_bad_text_settings_are_refused_and_write_nothing(cli, ws: Workspace, assignment: str, message: str) -> None:
    before = settings_bytes(ws)
    result = cli("settings", assignment)
    assert (result.code, result.err.strip(), result.out) == (2, message, "")
    assert settings_bytes(ws) == before
    assert "\x1b" not in result.err


def test_codes_are_upper_cased_and_known_countries_accepted(cli, ws: Workspace) -> None:
    result = cli("settings", "currency=usd", "holiday_country=us", "--json")
    assert result.code == 0, result.err
    saved = tomllib.loads((ws.root / "istui.toml").read_text())
    assert (saved["currency"], saved["holiday_country"]) == ("USD", "US")
    lead = add_lead(cli)
    won = cli("lead", "stage", lead["id"], "won", "--amount", "5")
    assert won.code == 0 and "$5" in won.out


def test_money_never_prints_a_raw_currency_escape() -> None:
    assert "\x1b" not in money(5, ESCAPE) and "\x07" not in short_money(50_000, ESCAPE)
    assert money(5, "CHF") == "5 CHF"


def test_a_hand_edited_escape_is_shown_safe_and_reported_by_doctor(cli, ws: Workspace) -> None:
    lead = add_lead(cli)
    path = ws.root / "istui.toml"
    path.write_text(path.read_text().replace('currency = "JPY"', 'currency = "\\u001b[31mRED\\u0007"'))
    for args in (("kpi", "--period", "fy"), ("lead", "stage", lead["id"], "won", "--amount", "5"), ("lead", "show", lead["id"])):
        result = cli(*args)
        assert result.code == 0, result.err
        assert "\x1b" not in result.err + result.out and "\x07" not in result.out
    assert "5 �[31mRED�" in result.out
    doctor = cli("doctor")
    assert doctor.code == 1 and "\x1b" not in doctor.out
    assert ("error: istui.toml: currency: the value holds a control character or a line break; type plain text on one "
            "line. — fix the value in istui.toml with `istui settings`") in doctor.out
    refused = cli("settings", "team=Sales")  # a change writes nothing while a setting is unusable
    assert refused.code == 2 and "currency: the value holds a control character" in refused.err


def test_doctor_reports_an_unknown_holiday_country(cli, ws: Workspace) -> None:
    assert "all files are fine" in cli("doctor").out
    path = ws.root / "istui.toml"
    path.write_text(path.read_text().replace('holiday_country = "JP"', 'holiday_country = "XX"'))
    doctor = cli("doctor")
    assert doctor.code == 1
    assert ("error: istui.toml: holiday_country: 'XX' is not a country the holidays package has a calendar for" in doctor.out)
    assert "istui settings holiday_country=JP" in doctor.out


def test_init_on_a_utc_machine_names_the_calendar_and_how_to_change_it(cli, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Etc/UTC")
    result = cli("init", str(tmp_path / "fresh"), "--rep", "sato")
    assert result.code == 0, result.err
    assert "(timezone Etc/UTC, no public holiday calendar)" in result.out
    assert ("This machine's timezone is UTC (or unknown), so the workspace counts days in UTC with no public holiday "
            "calendar; change them with `istui settings timezone=Asia/Tokyo holiday_country=JP`.") in result.out
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    tokyo = cli("init", str(tmp_path / "tokyo"), "--rep", "sato")
    assert "(timezone Asia/Tokyo, the holiday calendar of JP)" in tokyo.out and "This machine's" not in tokyo.out


def test_roster_names_compare_after_nfkc_and_case_folding(cli, ws: Workspace) -> None:
    assert cli("rep", "add", "tanaka").code == 0
    for look_alike, existing in (("ｔａｎａｋａ", "tanaka"), ("TANAKA", "tanaka")):
        before = settings_bytes(ws)
        refused = cli("rep", "add", look_alike)
        assert refused.code == 2 and f"'{look_alike}' is already on the roster as '{existing}'" in refused.err
        assert settings_bytes(ws) == before
    assert cli("rep", "add", "İstanbul").code == 0
    assert cli("rep", "add", "istanbul").code == 2
    lead = add_lead(cli, "Acme", "--owner", "ＴＡＮＡＫＡ")
    assert lead["owner"] == "tanaka"  # the roster's spelling
    assert add_lead(cli, "Beta", "--owner", "istanbul")["owner"] == "İstanbul"


def test_rep_add_takes_several_names_and_writes_none_when_one_is_refused(cli, ws: Workspace) -> None:
    before = settings_bytes(ws)
    refused = cli("rep", "add", "ben", "carol", "ＢＥＮ")
    assert refused.code == 2 and "'ＢＥＮ' is already on the roster as 'ben'" in refused.err
    assert settings_bytes(ws) == before
    added = cli("rep", "add", "ben", "carol", "--role", "field", "--json")
    assert added.code == 0 and [m["name"] for m in added.json] == ["ben", "carol"]
    roster = tomllib.loads((ws.root / "istui.toml").read_text())["roster"]
    assert roster["ben"]["role"] == roster["carol"]["role"] == "field" and "alice" in roster


def test_lead_set_checks_duplicates_as_lead_add_does(cli, ws: Workspace) -> None:
    first = add_lead(cli, "Acme", "--phone", "03-1111-2222", "--email", "a@example.com")
    second = add_lead(cli, "Beta")
    for assignment in ("phone=03-1111-2222", "email=A@Example.com"):
        refused = cli("lead", "set", second["id"], assignment)
        assert refused.code == 2
        assert refused.err.strip().startswith(f"istui: Lead {first['id'][:10]} (Acme) already has this ")
        assert refused.err.strip().endswith("; add it anyway with --allow-duplicate.")
        assert ws.get_lead(second["id"])["phone"] == "" and ws.get_lead(second["id"])["email"] == ""
    assert cli("lead", "set", first["id"], "phone=03-1111-2222", "memo=same number").code == 0  # its own number
    allowed = cli("lead", "set", second["id"], "phone=03-1111-2222", "--allow-duplicate", "--json")
    assert allowed.code == 0 and allowed.json["phone"] == ws.get_lead(first["id"])["phone"]


def test_lead_list_refuses_an_owner_not_on_the_roster(cli, ws: Workspace) -> None:
    add_lead(cli, "Acme")
    refused = cli("lead", "list", "--owner", "nobody")
    assert (refused.code, refused.err.strip()) == (2, "istui: owner: 'nobody' is not on the team roster (alice); add them "
                                                      "with `istui rep add nobody`.")
    assert [lead["company"] for lead in cli("lead", "list", "--owner", "ＡＬＩＣＥ", "--json").json] == ["Acme"]


@pytest.mark.parametrize("value, reason", [("[" * 5000 + "]" * 5000, "a value is nested too deeply"),
                                           ("9" * 5000, "a number has too many digits")])
def test_a_settings_file_tomllib_cannot_read_gets_one_sentence(cli, ws: Workspace, value: str, reason: str) -> None:
    """Lists nested thousands deep or a number of thousands of digits: tomllib fails with other errors than its own
    (a RecursionError, Python's hint about int digits); istui says which file and why, and writes nothing — and a
    teammate's commit holding such a file is refused by sync's check."""
    from istui.services.sync_commit import unreadable

    path = ws.root / "istui.toml"
    path.write_text(path.read_text("utf-8") + f"extra_holidays_x = {value}\n", "utf-8")
    before = {p: p.read_bytes() for p in ws.root.rglob("*") if p.is_file() and ".git" not in p.parts}
    result = cli("lead", "list")
    assert result.code != 0 and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert str(path) in result.err and reason in result.err and "set_int_max_str_digits" not in result.err
    assert {p: p.read_bytes() for p in before} == before
    found = unreadable("istui.toml", path.read_bytes())
    assert found is not None and reason in found.reason
