"""The KPI tab's funnel is in leads, as its rates are: each step's rate cell shows the leads it is made of
(`converted/leads`), and those numbers give the rate shown."""

from __future__ import annotations

import re

from rich.console import Console

from istui.services.report import kpi_report
from istui.store.workspace import Workspace
from istui.tui.panes.kpi import funnel_view


def test_the_funnel_shows_the_leads_its_rates_are_made_of(demo_ws: Workspace) -> None:
    report = kpi_report(demo_ws, "month", None, analytics=True)
    console = Console(width=100, record=True)
    console.print(funnel_view(report))
    lines = console.export_text().splitlines()
    shown = {}
    for line in lines:
        match = re.match(r"\s*(\w+)\s+([\d,]+)\s+(?:([\d,]+)/([\d,]+)\s+([\d.]+)%|–)\s+([\d,]+)\s+([↑↓=])([\d,]+)", line)
        if match:
            shown[match[1]] = match.groups()[1:]
    assert list(shown) == [step["step"] for step in report["funnel"]]
    for before, step in zip(report["funnel"], report["funnel"][1:], strict=False):
        leads, converted, base, percent, previous, _arrow, _change = shown[step["step"]]
        assert int(leads) == step["leads"] and int(base) == before["leads"] and int(converted) == step["converted"]
        assert converted is not None and int(converted) <= int(base)
        assert float(percent) == round(100 * int(converted) / int(base), 1)  # the rate is its numbers
    previous = {step["step"]: step["leads"] for step in report["previous"]["funnel"]}
    assert {name: int(values[4]) for name, values in shown.items()} == previous
