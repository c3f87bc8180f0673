"""Issue 12 item 8, closed deals count once (DESIGN.md section 4): a lead's latest closing transition in the
period decides, with its amount; the headline, the by-source cohort, the rollups (cold and warm) and the
funnel agree — each checked against a count made here from the exported activities."""

from __future__ import annotations

import pytest

from istui.services.report import kpi_report
from istui.store.workspace import Workspace

from conftest import NOW, add_lead


def at_time(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("ISTUI_NOW", moment)


def stage(cli, monkeypatch, lead_id: str, moment: str, to: str, amount: str | None = None) -> None:
    at_time(monkeypatch, moment)
    extra = ("--amount", amount) if amount else ()
    result = cli("lead", "stage", lead_id, to, *extra)
    assert result.code == 0, result.err
    at_time(monkeypatch, NOW)


def closed_in(cli, first: str, last: str) -> dict[str, tuple[str, float]]:
    """An independent count: per lead, its latest won/lost stage activity with a local day in [first, last]."""
    latest: dict[str, tuple[str, str, float]] = {}
    for a in cli("export", "activities", "--format", "json").json:
        closing = a["kind"] == "stage" and a["outcome"] in ("won", "lost") and first <= a["at"][:10] <= last
        if closing and (a["lead"] not in latest or a["at"] > latest[a["lead"]][0]):
            latest[a["lead"]] = (a["at"], a["outcome"], a.get("amount") or 0)
    return {lead: (outcome, amount) for lead, (_at, outcome, amount) in latest.items()}


def figures(closed: dict[str, tuple[str, float]]) -> tuple[int, float, int, float | None]:
    """orders, amount, lost and win rate of an independent count."""
    won = [amount for outcome, amount in closed.values() if outcome == "won"]
    lost = sum(1 for outcome, _amount in closed.values() if outcome == "lost")
    return len(won), sum(won), lost, (round(len(won) / (len(won) + lost), 4) if won or lost else None)


def headline(report: dict) -> tuple[int, float, int, float | None]:
    m = report["metrics"]
    return m["orders"], m["amount"], m["lost"], m["win_rate"]


def test_won_lost_won_counts_one_order_of_the_last_amount_everywhere(cli, ws: Workspace, monkeypatch) -> None:
    at_time(monkeypatch, "2026-11-02T09:00:00+09:00")
    lead = add_lead(cli, "Reopened KK", "--source", "referral")
    other = add_lead(cli, "Plain KK", "--source", "referral")
    at_time(monkeypatch, NOW)
    for month in ("08", "09", "10"):  # files of earlier months, so that the first count keeps its tallies on disk
        assert cli("log", "call", other["id"], "-o", "2", "--at", f"2026-{month}-10 10:00").code == 0
    stage(cli, monkeypatch, lead["id"], "2026-11-05T10:00:00+09:00", "won", "30000")
    stage(cli, monkeypatch, lead["id"], "2026-11-10T10:00:00+09:00", "lost")
    stage(cli, monkeypatch, lead["id"], "2026-11-20T10:00:00+09:00", "won", "1000000")
    stage(cli, monkeypatch, other["id"], "2026-11-12T10:00:00+09:00", "lost")
    expected = figures(closed_in(cli, "2026-11-01", "2026-11-30"))
    assert expected == (1, 1_000_000, 1, 0.5)  # not 2 orders of ¥1,030,000

    assert not ws.local.rollups.exists()
    cold = cli("kpi", "--team", "--period", "month", "--json").json  # counts the files and keeps the tallies
    kept = ws.local.rollups.read_bytes()
    warm = cli("kpi", "--team", "--period", "month", "--json").json  # reads the kept tallies
    assert ws.local.rollups.read_bytes() == kept
    raw = kpi_report(Workspace.open(ws.root, "alice", clock=lambda tz: ws.now()), "month", None, analytics=True,
                     use_rollups=False)
    for report in (cold, warm, raw):
        assert headline(report) == expected
        row = report["by_source"]["referral"]
        assert (row["orders"], row["amount"], row["lost"], row["win_rate"]) == expected
        orders = report["funnel"][-1]
        assert orders["step"] == "orders" and orders["count"] == orders["leads"] == 1
    assert cold == warm
    text = cli("kpi", "--team", "--period", "month").out
    orders_line = next(line for line in text.splitlines() if line.strip().startswith("Orders"))
    assert orders_line.split()[1] == "1" and "lost 1 · win rate 50.0% · amount ¥1,000,000" in orders_line


def test_won_reopened_to_working_and_won_again_counts_once_with_the_last_amount(cli, monkeypatch) -> None:
    lead = add_lead(cli, "Twice Won KK")
    stage(cli, monkeypatch, lead["id"], "2026-11-05T10:00:00+09:00", "won", "500000")
    stage(cli, monkeypatch, lead["id"], "2026-11-09T10:00:00+09:00", "working")
    stage(cli, monkeypatch, lead["id"], "2026-11-16T10:00:00+09:00", "won", "800000")
    expected = figures(closed_in(cli, "2026-11-01", "2026-11-30"))
    assert expected == (1, 800_000, 0, 1.0)
    report = cli("kpi", "--team", "--period", "month", "--json").json
    assert headline(report) == expected
    assert report["funnel"][-1]["leads"] == report["funnel"][-1]["count"] == 1


def test_won_last_month_then_reopened_and_lost_this_month(cli, monkeypatch) -> None:
    at_time(monkeypatch, "2026-10-01T09:00:00+09:00")
    lead = add_lead(cli, "October Win KK", "--source", "webinar")
    stage(cli, monkeypatch, lead["id"], "2026-10-20T10:00:00+09:00", "won", "700000")
    stage(cli, monkeypatch, lead["id"], "2026-11-04T10:00:00+09:00", "working")
    stage(cli, monkeypatch, lead["id"], "2026-11-18T10:00:00+09:00", "lost")
    october, november = closed_in(cli, "2026-10-01", "2026-10-31"), closed_in(cli, "2026-11-01", "2026-11-30")
    assert figures(october) == (1, 700_000, 0, 1.0) and figures(november) == (0, 0, 1, 0.0)
    last = cli("kpi", "--team", "--period", "2026-10", "--json").json
    this = cli("kpi", "--team", "--period", "month", "--json").json
    # the latest closing transition *in the period*: October keeps its win, November has the loss
    assert headline(last) == figures(october) and headline(this) == figures(november)
    assert [s["leads"] for s in last["funnel"]][-1] == 1 and [s["leads"] for s in this["funnel"]][-1] == 0
    # the by-source cohort follows October's leads to the end of today's month (DESIGN.md section 4: the
    # cohort's orders are those leads' outcomes): its latest closing so far is the loss
    followed = figures(closed_in(cli, "2026-10-01", "2026-11-30"))
    row = last["by_source"]["webinar"]
    assert (row["orders"], row["amount"], row["lost"], row["win_rate"]) == followed == (0, 0, 1, 0.0)
    assert this["by_source"] == {}  # no lead was created in November


def test_a_cohort_created_last_month_that_orders_this_month(cli, monkeypatch) -> None:
    at_time(monkeypatch, "2026-10-15T09:00:00+09:00")
    older = add_lead(cli, "Created October KK", "--source", "trade_show")
    at_time(monkeypatch, "2026-11-02T09:00:00+09:00")
    newer = add_lead(cli, "Created November KK", "--source", "trade_show")
    at_time(monkeypatch, NOW)
    stage(cli, monkeypatch, older["id"], "2026-11-10T10:00:00+09:00", "won", "400000")
    stage(cli, monkeypatch, newer["id"], "2026-11-11T10:00:00+09:00", "won", "250000")
    this = cli("kpi", "--team", "--period", "month", "--json").json
    last = cli("kpi", "--team", "--period", "2026-10", "--json").json
    assert headline(this) == figures(closed_in(cli, "2026-11-01", "2026-11-30")) == (2, 650_000, 0, 1.0)
    assert headline(last) == (0, 0, 0, None)  # nothing closed in October
    # by source is a cohort of leads created in the period: November's row has only the lead created then
    november_row, october_row = this["by_source"]["trade_show"], last["by_source"]["trade_show"]
    assert (november_row["leads"], november_row["orders"], november_row["amount"]) == (1, 1, 250_000)
    # October's cohort is followed to the end of today's month: its lead's November order counts there
    assert (october_row["leads"], october_row["orders"], october_row["amount"], october_row["win_rate"]) == (1, 1, 400_000, 1.0)


def test_an_empty_period_has_no_rates_and_no_error(cli) -> None:
    add_lead(cli, "Quiet KK")
    report = cli("kpi", "--team", "--period", "2026-08", "--json").json
    m = report["metrics"]
    assert all(m[name] is None for name in ("connect_rate", "open_rate", "click_rate", "meeting_rate", "win_rate"))
    assert (m["orders"], m["amount"], m["lost"]) == (0, 0, 0)
    assert all(step["rate_from_previous"] is None for step in report["funnel"])
    assert report["by_source"] == {}
    text = cli("kpi", "--team", "--period", "2026-08")
    assert text.code == 0 and "win rate – · amount ¥0" in text.out and "(0.0%)" not in text.out


def test_a_running_period_counts_what_closed_so_far(cli, monkeypatch) -> None:
    lead = add_lead(cli, "Today KK")
    stage(cli, monkeypatch, lead["id"], "2026-11-24T10:00:00+09:00", "lost")
    stage(cli, monkeypatch, lead["id"], "2026-11-27T09:00:00+09:00", "won", "1200000")  # this morning
    week = cli("kpi", "--team", "--period", "week", "--json").json
    month = cli("kpi", "--team", "--period", "month", "--json").json
    expected = figures(closed_in(cli, "2026-11-23", "2026-11-27"))
    assert expected == (1, 1_200_000, 0, 1.0)
    assert headline(week) == headline(month) == expected
    assert week["by_source"]["other"]["orders"] == month["by_source"]["other"]["orders"] == 1
