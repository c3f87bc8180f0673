"""KGI → KPI planning: the arithmetic on known rates, the funnel's cohort rates of closed months (with the
window and the leads each came from, a longer window where a step has too few leads, and never a rate above
100 %), missing data as one clear sentence, saving as targets — checked against counts made here."""

from __future__ import annotations

import math

import pytest

from istui.domain.errors import BadInput
from istui.services.leads import create_lead
from istui.services.plan import MIN_LEADS, plan

from conftest import add_lead

RATES = {"deal_size": 1_000_000, "order_rate": 0.25, "handoff_rate": 0.5, "meeting_rate": 0.2, "connect_rate": 0.25}


def test_plan_arithmetic() -> None:
    result = plan(10_000_000, RATES, working_days=20, lookback_days=90,
                  current={"calls": 300, "connects": 75, "meetings": 15, "handoffs": 8, "orders": 2}, elapsed_days=10)
    rows = {row["metric"]: row for row in result["steps"]}
    # 10 orders of ¥1M → 40 handoffs at 25% → 80 meetings at 50% → 400 connects at 20% → 1,600 calls at 25%
    assert [rows[m]["needed"] for m in ("orders", "handoffs", "meetings", "connects", "calls")] == [10, 40, 80, 400, 1600]
    assert rows["calls"]["per_working_day"] == 80.0 and rows["orders"]["per_working_day"] == 0.5
    assert (rows["calls"]["actual_per_working_day"], rows["calls"]["gap_per_working_day"]) == (30.0, 50.0)
    assert plan(1, RATES, 20, 90)["steps"][-1] == {"metric": "orders", "needed": 1, "per_working_day": 0.05}  # rounds up
    # with activities per lead: 400 connected leads × 1.5 connects each, 1,600 called leads × 2 calls each
    steps = {r["metric"]: r for r in plan(10_000_000, RATES, 20, 90, per_lead={"calls": 2.0, "connects": 1.5})["steps"]}
    assert (steps["calls"]["leads_needed"], steps["calls"]["needed"], steps["connects"]["needed"]) == (1600, 3200, 600)


def test_missing_or_impossible_rates_are_one_clear_sentence() -> None:
    with pytest.raises(BadInput, match=r"no rate for average order amount; give it with --deal-size"):
        plan(5_000_000, {**RATES, "deal_size": None}, 20, 90)
    with pytest.raises(BadInput, match="--order-rate"):
        plan(5_000_000, {**RATES, "order_rate": 0.0}, 20, 90)
    with pytest.raises(BadInput, match=r"^Cannot plan: there are no rates for average order amount, handoffs → "
                                       r"orders; give them with --deal-size, --order-rate\.$"):
        plan(5_000_000, {**RATES, "deal_size": None, "order_rate": None}, 20, 90)  # both named at once
    with pytest.raises(BadInput, match=r"above 100 %; give the rate with --order-rate"):
        plan(5_000_000, {**RATES, "order_rate": 6.5}, 20, 90)  # "orders/handoff 650 %" is never planned with
    with pytest.raises(BadInput, match="greater than zero"):
        plan(0, RATES, 20, 90)


def at(day: str, hour: int) -> str:
    return f"{day}T{hour:02d}:00:00+09:00"


def seed_history(ws) -> list[dict]:
    """Closed months before November 2026 (the clock): October — 30 leads called once without answer, 24 of
    them connected, 12 of those booked a meeting by phone, 6 handed off, 5 won (one won ¥1M, lost, won ¥2M)
    and one won then lost; June — 10 leads connected and booked, 5 handed off. Returns the activities."""
    activities = []

    def add(lead: str, kind: str, outcome: str, moment: str, **extra) -> None:
        activities.append(ws.add_activity({"lead": lead, "kind": kind, "outcome": outcome, "at": moment, **extra}))

    october = [create_lead(ws, {"company": f"October {i} KK"})["id"] for i in range(30)]
    for i, lead in enumerate(october):
        add(lead, "call", "no_answer", at("2026-10-05", 10))
        if i < 24:
            add(lead, "call", "connected", at("2026-10-06", 11))
        if i < 12:
            add(lead, "call", "meeting_booked", at("2026-10-07", 14))
        if i < 6:
            add(lead, "stage", "handed_off", at("2026-10-15", 10))
    for lead in october[:4]:
        add(lead, "stage", "won", at("2026-10-20", 10), amount=1_000_000)
    add(october[4], "stage", "won", at("2026-10-20", 10), amount=1_000_000)
    add(october[4], "stage", "lost", at("2026-10-22", 10))
    add(october[4], "stage", "won", at("2026-10-28", 10), amount=2_000_000)  # reopened: counts once, ¥2M
    add(october[5], "stage", "won", at("2026-10-20", 10), amount=900_000)
    add(october[5], "stage", "lost", at("2026-10-23", 10))  # its latest closing is a loss
    june = [create_lead(ws, {"company": f"June {i} KK"})["id"] for i in range(10)]
    for i, lead in enumerate(june):
        add(lead, "call", "connected", at("2026-06-10", 10))
        add(lead, "call", "meeting_booked", at("2026-06-11", 10))
        if i < 5:
            add(lead, "stage", "handed_off", at("2026-06-20", 10))
    return activities


def independent_cohort(activities: list[dict], first: str, last: str) -> dict[str, object]:
    """The funnel cohort of [first, last] months counted here: leads per step, calls and connects."""
    inside = [a for a in activities if first <= a["at"][:7] <= last]
    called = {a["lead"] for a in inside if a["kind"] == "call"}
    connected = {a["lead"] for a in inside if a["kind"] == "call" and a["outcome"] != "no_answer"}
    booked = {a["lead"] for a in inside if a["outcome"] == "meeting_booked"}
    handed = {a["lead"] for a in inside if a["outcome"] == "handed_off"}
    latest: dict[str, dict] = {}
    for a in sorted((a for a in inside if a["outcome"] in ("won", "lost")), key=lambda a: a["at"]):
        latest[a["lead"]] = a
    won = {lead for lead, a in latest.items() if a["outcome"] == "won"}
    return {"called": called, "connected": connected, "booked": booked, "handed": handed, "won": won,
            "amount": sum(latest[lead]["amount"] for lead in won),
            "calls": sum(1 for a in inside if a["kind"] == "call"),
            "connects": sum(1 for a in inside if a["kind"] == "call" and a["outcome"] != "no_answer")}


def test_plan_uses_cohort_rates_of_closed_months_with_enough_leads(cli, ws) -> None:
    activities = seed_history(ws)
    three = independent_cohort(activities, "2026-08", "2026-10")
    six = independent_cohort(activities, "2026-05", "2026-10")
    twelve = independent_cohort(activities, "2025-11", "2026-10")
    assert (len(three["called"]), len(three["connected"]), len(three["booked"])) == (30, 24, 12)
    assert len(three["booked"]) < MIN_LEADS <= len(six["booked"]) and len(twelve["handed"]) < MIN_LEADS

    # handoffs → orders has 11 leads even over 12 months: named, with the option, nothing planned
    short = cli("plan", "--revenue", "1200万", "--period", "month")
    assert short.code == 2 and short.out == ""
    assert short.err.strip() == ("istui: Cannot plan: not enough data for handoffs → orders (11 leads in "
                                 "2025-11..2026-10, at least 20 needed); give the rate with --order-rate.")

    result = cli("plan", "--revenue", "1200万", "--period", "month", "--order-rate", "50%", "--json").json
    sources = result["rate_sources"]
    connect = len(three["connected"]) / len(three["called"])
    meeting = len(three["booked"] & three["connected"]) / len(three["connected"])
    handoff = len(six["handed"] & six["booked"]) / len(six["booked"])
    deal = three["amount"] / len(three["won"])
    assert (len(three["won"]), three["amount"], deal) == (5, 6_000_000, 1_200_000)  # the latest win per lead
    assert result["rates"] == {"deal_size": deal, "order_rate": 0.5, "handoff_rate": handoff,
                               "meeting_rate": meeting, "connect_rate": connect}
    assert all(0 < value <= 1 for name, value in result["rates"].items() if name != "deal_size")
    assert {name: (s["window"], s["leads"], s["converted"], s["source"]) for name, s in sources.items()} == {
        "deal_size": ("2026-08..2026-10", 5, None, "history"),
        "order_rate": ("2025-11..2026-10", 11, 5, "given"),
        "handoff_rate": ("2026-05..2026-10", 22, 11, "history"),
        "meeting_rate": ("2026-08..2026-10", 24, 12, "history"),
        "connect_rate": ("2026-08..2026-10", 30, 24, "history"),
    }
    # 10 orders → 20 leads handed off → 40 with a meeting → 80 connected → 100 called; in activities:
    # connects per connected lead and calls per called lead, as observed in the same window
    orders = math.ceil(12_000_000 / deal)
    handed = math.ceil(orders / 0.5)
    booked = math.ceil(handed / handoff)
    connected = math.ceil(booked / meeting)
    called = math.ceil(connected / connect)
    steps = {row["metric"]: (row["leads_needed"], row["needed"]) for row in result["steps"]}
    assert steps == {"orders": (orders, orders), "handoffs": (handed, handed), "meetings": (booked, booked),
                     "connects": (connected, math.ceil(connected * three["connects"] / len(three["connected"]))),
                     "calls": (called, math.ceil(called * three["calls"] / len(three["called"])))}
    assert steps["calls"] == (100, 220) and steps["connects"] == (80, 120)
    assert result["lookback_days"] == 184 and result["min_leads"] == MIN_LEADS  # the longest window used: 2026-05..2026-10

    text = cli("plan", "--revenue", "1200万", "--period", "month", "--order-rate", "50%").out
    assert "calls → connects 80.0% (24 of 30 leads, Aug – Oct 2026)" in text
    assert "meetings → handoffs 50.0% (11 of 22 leads, May – Oct 2026)" in text
    assert "handoffs → orders 50.0% (given)" in text
    assert "average order amount ¥1,200,000 (5 orders, Aug – Oct 2026)" in text


def test_plan_command_and_save(cli) -> None:
    lead = add_lead(cli)
    for outcome in ("1", "2", "2", "2", "6"):
        cli("log", "call", lead["id"], "-o", outcome)
    no_history = cli("plan", "--revenue", "1000万", "--period", "month")  # this month's calls are not history yet
    assert no_history.code == 2 and no_history.err == (  # every missing rate in one sentence, not one per run
        "istui: Cannot plan: too little history (2025-11..2026-10) for 5 rates: average order amount (0 orders, at "
        "least 3 needed); handoffs → orders (0 leads, at least 20 needed); meetings → handoffs (0 leads, at least 20 "
        "needed); connects → meetings (0 leads, at least 20 needed); calls → connects (0 leads, at least 20 needed); "
        "give them with --deal-size, --order-rate, --handoff-rate, --meeting-rate, --connect-rate.\n")
    two = cli("plan", "--revenue", "1000万", "--period", "month", "--deal-size", "200万", "--order-rate", "50%",
              "--handoff-rate", "0.5")
    assert two.code == 2 and two.err.count("istui: ") == 1 and "for 2 rates: connects → meetings" in two.err
    assert two.err.endswith("give them with --meeting-rate, --connect-rate.\n")
    result = cli("plan", "--revenue", "1000万", "--period", "month", "--deal-size", "200万", "--order-rate", "50%",
                 "--handoff-rate", "0.5", "--meeting-rate", "50%", "--connect-rate", "40%", "--save", "--json").json
    rows = {row["metric"]: row["needed"] for row in result["steps"]}
    assert {s["source"] for s in result["rate_sources"].values()} == {"given"}
    assert rows == {"orders": 5, "handoffs": 10, "meetings": 20, "connects": 40, "calls": 100}
    # November 2026 in Japan; Friday 27th 10:30: 17 whole working days and 1.5 of today's 9 working hours gone
    assert result["working_days"] == 19 and result["elapsed_working_days"] == round(17 + 1.5 / 9, 2)
    calls = next(row for row in result["steps"] if row["metric"] == "calls")
    assert (calls["actual"], calls["leads_needed"]) == (5, 100)  # so far: this month's 5 calls
    targets = {(t["metric"], t["per"]): t["value"] for t in cli("target", "list", "--json").json if t["rep"] is None}
    assert targets == {("amount", "month"): 10_000_000, ("orders", "month"): 5, ("handoffs", "month"): 10,
                       ("meetings", "month"): 20, ("connects", "month"): 40, ("calls", "month"): 100}
    text = cli("plan", "--revenue", "1000万", "--period", "month", "--deal-size", "200万", "--order-rate", "50%",
               "--handoff-rate", "0.5", "--meeting-rate", "0.5", "--connect-rate", "0.4").out
    assert "calls" in text and "100" in text and "5.3" in text  # 100 calls over 19 working days
    bad = cli("plan", "--revenue", "1000万", "--period", "month", "--order-rate", "150%")
    assert bad.code == 2 and "not a rate between 0 and 1" in bad.err
