"""`istui handoff show ID`: the handoff sheet of a lead handed off before, to read or copy again."""

from __future__ import annotations

from conftest import add_lead


def handed_off(cli) -> dict:
    lead = add_lead(cli, "株式会社東洋商事", "--contact", "山田 太郎", "--phone", "03-1234-5678")
    cli("rep", "add", "kimura", "--role", "field")
    assert cli("handoff", lead["id"], "--to", "kimura", "--budget", "300万円", "--need", "工数削減", "--authority", "部長", "--timeline", "来期").code == 0
    return lead


def test_the_sheet_is_shown_again_as_text_and_json(cli) -> None:
    lead = handed_off(cli)
    cli("log", "call", lead["id"], "-o", "1", "--note", "フィールドへ紹介済み")  # logged after the handoff
    shown = cli("handoff", "show", lead["id"][:8])
    assert shown.code == 0 and shown.out.startswith("# Handoff: 株式会社東洋商事")
    for expected in ("**kimura**", "**Budget**: 300万円", "工数削減", "03-1234-5678", "フィールドへ紹介済み"):
        assert expected in shown.out, expected
    document = cli("handoff", "show", lead["id"], "--json").json
    assert document["lead"]["id"] == lead["id"] and document["handoff"]["to"] == "kimura"
    assert document["sheet"] == shown.out
    assert cli("lead", "show", lead["id"], "--json").json["stage"] == "handed_off"  # showing writes nothing


def test_a_lead_never_handed_off_is_one_sentence(cli) -> None:
    lead = add_lead(cli, "Acme Labs")
    result = cli("handoff", "show", lead["id"])
    assert result.code == 2 and result.out == ""
    assert result.err.strip() == f"istui: Acme Labs ({lead['id'][:10]}) has not been handed off, so it has no handoff sheet."


def test_show_needs_a_lead_and_takes_no_handoff_options(cli) -> None:
    lead = handed_off(cli)
    missing = cli("handoff", "show")
    assert missing.code == 2 and "name the lead" in missing.err
    mixed = cli("handoff", "show", lead["id"], "--to", "kimura")
    assert mixed.code == 2 and "handoff show takes no --to" in mixed.err
    assert cli("handoff", lead["id"], "extra").code == 2
    assert cli("handoff", lead["id"]).err.strip() == "istui: to: name the field-sales rep who takes the lead, e.g. --to sato."
