"""The KPI report through the CLI: `istui kpi --json` carries the analytics."""

from __future__ import annotations


def test_kpi_json_carries_the_analytics(cli) -> None:
    from conftest import add_lead

    lead = add_lead(cli)
    for outcome in ("2", "1", "6"):
        cli("log", "call", lead["id"], "-o", outcome)
    report = cli("kpi", "--period", "week", "--json").json
    assert [s["count"] for s in report["funnel"]] == [3, 2, 1, 0, 0]
    assert report["previous"]["label"] == "week of 2026-11-16" and report["previous"]["metrics"]["calls"] == 0
    assert report["deltas"]["calls"]["direction"] == "up"
    assert report["leaderboard"] == []  # a rep's own report has no leaderboard
    assert sum(day["calls"] for day in report["trend"]) == 3 and len(report["trend"]) == 7
    team = cli("kpi", "--team", "--period", "week", "--json").json
    assert [row["rep"] for row in team["leaderboard"]] == ["alice"]
    assert "Funnel (leads)  calls 1 → connects 1 (1/1 100.0%)" in cli("kpi", "--period", "week").out
