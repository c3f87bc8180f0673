"""KGI → KPI planning: the arithmetic on known rates, zero rates as a clear message, saving as targets."""

from __future__ import annotations

import pytest

from istui.domain.errors import BadInput
from istui.services.plan import observed_rates, plan

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


def test_zero_rates_are_a_clear_message() -> None:
    lookback = {"amount": 0, "orders": 0, "handoffs": 3, "meetings": 6, "connects": 30, "calls": 100}
    rates = observed_rates(lookback)
    assert rates == {"deal_size": None, "order_rate": 0.0, "handoff_rate": 0.5, "meeting_rate": 0.2, "connect_rate": 0.3}
    with pytest.raises(BadInput, match=r"no orders \(so no average deal size\); give the rate with --deal-size"):
        plan(5_000_000, rates, 20, 90)
    with pytest.raises(BadInput, match="--order-rate"):
        plan(5_000_000, {**rates, "deal_size": 1_000_000}, 20, 90)
    with pytest.raises(BadInput, match="greater than zero"):
        plan(0, RATES, 20, 90)


def test_plan_command_and_save(cli) -> None:
    lead = add_lead(cli)
    for outcome in ("1", "2", "2", "2", "6"):
        cli("log", "call", lead["id"], "-o", outcome)
    no_orders = cli("plan", "--revenue", "1000万", "--period", "month")
    assert no_orders.code == 2 and "no handoffs" not in no_orders.err and "--deal-size" in no_orders.err
    result = cli("plan", "--revenue", "1000万", "--period", "month", "--deal-size", "200万", "--order-rate", "50%",
                 "--handoff-rate", "0.5", "--save", "--json").json
    rows = {row["metric"]: row["needed"] for row in result["steps"]}
    # observed: 2 connects of 5 calls (40%), 1 meeting of 2 connects (50%)
    assert result["rates"]["connect_rate"] == 0.4 and result["rates"]["meeting_rate"] == 0.5
    assert rows == {"orders": 5, "handoffs": 10, "meetings": 20, "connects": 40, "calls": 100}
    assert result["working_days"] == 19 and result["elapsed_working_days"] == 18  # November 2026 in Japan
    targets = {(t["metric"], t["per"]): t["value"] for t in cli("target", "list", "--json").json if t["rep"] is None}
    assert targets == {("amount", "month"): 10_000_000, ("orders", "month"): 5, ("handoffs", "month"): 10,
                       ("meetings", "month"): 20, ("connects", "month"): 40, ("calls", "month"): 100}
    text = cli("plan", "--revenue", "1000万", "--period", "month", "--deal-size", "200万", "--order-rate", "50%",
               "--handoff-rate", "0.5").out
    assert "calls" in text and "100" in text and "5.3" in text  # 100 calls over 19 working days
    bad = cli("plan", "--revenue", "1000万", "--period", "month", "--order-rate", "150%")
    assert bad.code == 2 and "not a rate between 0 and 1" in bad.err
