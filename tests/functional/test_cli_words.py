"""Words that are true in the CLI: the KPI period in words and a Handoffs line that counts handoffs only, an
empty notes list told apart from a search that matched nothing, a count target refused with count examples."""

from __future__ import annotations

from conftest import add_lead


def test_kpi_says_the_period_in_words_and_orders_on_their_own_line(cli) -> None:
    lead = add_lead(cli, "Acme Labs")
    cli("lead", "stage", lead["id"], "won", "--amount", "1200000")
    out = cli("kpi").out
    assert out.splitlines()[0] == "KPI · alice · today, 27 Nov"
    assert "[2026-" not in out
    handoffs = next(line for line in out.splitlines() if line.strip().startswith("Handoffs"))
    orders = next(line for line in out.splitlines() if line.strip().startswith("Orders"))
    assert handoffs.split()[1] == "0" and "orders" not in handoffs.lower()
    assert orders.split()[1] == "1" and "win rate" in orders and "¥1,200,000" in orders
    assert cli("kpi", "--period", "month").out.splitlines()[0] == "KPI · alice · November 2026"
    assert cli("kpi", "--period", "week").out.splitlines()[0] == "KPI · alice · this week, 23 – 29 Nov"


def test_the_previous_period_is_said_in_words_in_both_languages(cli) -> None:
    lead = add_lead(cli, "Acme Labs")
    cli("log", "call", lead["id"], "-o", "connected")
    week = [line for line in cli("kpi", "--period", "week").out.splitlines() if line.startswith("vs ")]
    assert week and week[0].startswith("vs last week, 16 – ") and "week of" not in week[0]
    ja = cli("--lang", "ja", "kpi", "--period", "week").out
    assert "先週 11月16日〜" in ja and "week of" not in ja
    month = [line for line in cli("kpi", "--period", "month").out.splitlines() if line.startswith("vs ")]
    assert month[0].startswith("vs October 2026 through ")


def test_an_empty_notes_list_says_how_to_add_one(cli) -> None:
    assert cli("note", "list").out.strip() == "No notes yet — `istui note add --title TITLE` adds one."
    cli("note", "add", "--title", "Gatekeeper script", "--body", "Ask for the 担当者.")
    assert cli("note", "list", "--search", "no such words").out.strip() == "No notes match."


def test_a_calls_target_below_zero_is_refused_with_count_examples(cli) -> None:
    result = cli("target", "set", "calls", "-5", "--per", "day")
    assert result.code == 2
    assert result.err.strip() == "istui: value: '-5' is below zero; a count is 0 or more, e.g. 60."
