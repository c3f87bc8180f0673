"""A Japanese rep at the CLI: WHEN typed in Japanese, dates shown in one style that can be typed back,
and leads found by their reading in romaji. (The clock is fixed at Fri 2026-11-27 10:30 Asia/Tokyo.)"""

from __future__ import annotations

import re

import pytest

from istui.store.workspace import Workspace

from conftest import add_lead


@pytest.mark.parametrize(("when", "stored"), [
    ("明日10:00", "2026-11-28T10:00:00+09:00"),
    ("あした", "2026-11-28T09:00:00+09:00"),
    ("来週月曜 14時", "2026-11-30T14:00:00+09:00"),
    ("3日後", "2026-11-30T10:30:00+09:00"),
    ("12月5日 14時", "2026-12-05T14:00:00+09:00"),
    ("午後3時", "2026-11-27T15:00:00+09:00"),
    ("１２月５日　１４時", "2026-12-05T14:00:00+09:00"),
])
def test_a_call_logged_with_a_japanese_follow_up(ws: Workspace, cli, when: str, stored: str) -> None:
    lead = add_lead(cli, "株式会社東洋商事")
    result = cli("log", "call", lead["id"], "-o", "no_answer", "--next", when)
    assert result.code == 0, result.err
    assert ws.get_lead(lead["id"])["next_at"] == stored


def test_today_by_the_end_of_the_workspaces_working_hours(ws: Workspace, cli) -> None:
    assert cli("settings", "working_hours=10:00-19:30").code == 0
    lead = add_lead(cli, "株式会社東洋商事")
    assert cli("lead", "set", lead["id"], "next=今日中").code == 0
    assert ws.get_lead(lead["id"])["next_at"] == "2026-11-27T19:30:00+09:00"
    assert cli("log", "call", lead["id"], "-o", "no_answer", "--next", "eod").code == 0
    assert ws.get_lead(lead["id"])["next_at"] == "2026-11-27T19:30:00+09:00"


def test_what_lead_show_says_can_be_typed_back(ws: Workspace, cli) -> None:
    lead = add_lead(cli, "株式会社東洋商事", "--next=12月5日 14時")
    cli("log", "call", lead["id"], "-o", "no_answer", "--next", "1月5日 10時", "--at", "昨日 15:05")
    shown = cli("--lang", "ja", "lead", "show", lead["id"]).out
    assert "1/5 10:00" in shown  # the short form: no year within half a year
    assert re.search(r"昨日 15:05\s+架電", shown)
    assert cli("lead", "set", lead["id"], "next=1/5 10:00").code == 0
    assert ws.get_lead(lead["id"])["next_at"] == "2027-01-05T10:00:00+09:00"


def test_the_handoff_sheet_says_when_in_the_long_form(ws: Workspace, cli) -> None:
    lead = add_lead(cli, "株式会社東洋商事")
    assert cli("rep", "add", "kimura", "--role", "field").code == 0
    cli("log", "call", lead["id"], "-o", "connected", "--at", "今日 9時")
    handed = cli("--lang", "ja", "handoff", lead["id"], "--to", "kimura", "--budget", "300万円", "--need", "工数削減", "--authority", "部長", "--timeline", "来期")
    assert handed.code == 0, handed.err
    sheet = handed.out
    assert "2026年11月27日(金) 09:00" in sheet and "2026年11月27日(金) 10:30" in sheet
    assert not re.search(r"2026-11-27[ T]", sheet)


def test_a_past_follow_up_names_the_moment_read(ws: Workspace, cli) -> None:
    lead = add_lead(cli, "株式会社東洋商事")
    refused = cli("--lang", "ja", "log", "call", lead["id"], "-o", "no_answer", "--next", "昨日")
    assert refused.code == 2 and "2026年11月26日(木) 09:00" in refused.err


@pytest.mark.parametrize("query", ["touyou", "toyo", "tōyō", "Toyo Shoji", "tohyoh"])
def test_lead_list_finds_a_lead_by_its_reading_in_romaji(ws: Workspace, cli, query: str) -> None:
    add_lead(cli, "株式会社東洋商事", "--company-kana=トウヨウショウジ")
    add_lead(cli, "株式会社大和工業", "--company-kana=ダイワコウギョウ")
    add_lead(cli, "Toyota Tsusho Ltd.")
    found = {lead["company"] for lead in cli("lead", "list", "--search", query, "--json").json}
    assert "株式会社東洋商事" in found and "株式会社大和工業" not in found
    assert found <= {"株式会社東洋商事", "Toyota Tsusho Ltd."}  # `toyo` is in Toyota too
