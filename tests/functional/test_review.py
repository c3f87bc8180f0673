"""The review (振り返り): findings from known numbers, each citing its figure; Markdown and text."""

from __future__ import annotations

import re

from conftest import add_lead


def test_review_of_a_known_week(cli) -> None:
    leads = [add_lead(cli, f"Co {i}", "--source", "web_inquiry") for i in range(4)]
    for lead in leads:  # 12 calls: 4 connects, 1 meeting
        for outcome in ("2", "3", "1"):
            assert cli("log", "call", lead["id"], "-o", outcome).code == 0
    cli("log", "call", leads[0]["id"], "-o", "6")
    cli("log", "email", leads[1]["id"], "-o", "sent")
    cli("target", "set", "calls", "20", "--per", "week")
    cli("target", "set", "meetings", "1", "--per", "week")
    findings = cli("review", "--json").json
    assert findings["period"]["label"] == "week of 2026-11-23" and findings["previous"] == "week of 2026-11-16"
    assert findings["targets_hit"] == ["meetings: 1 of 1 (100.0%)"]
    # Mon 23 is a holiday in Japan: 4 working days; at 10:30 on Friday the 27th (the 4th), 3 + 1.5/9 of them have
    # gone by → expected 20 × 3.1667 / 4 = 15.8, behind by 3
    assert findings["targets_missed"] == ["calls: 13 of 20 (65.0%), behind by 3"]
    assert findings["weakest_step"]["step"] == "handoffs"  # 1 meeting, none handed off yet: 0 %
    assert findings["weakest_step"]["sentence"] == ("The weakest step is meetings → handoffs: 0.0% of the leads with "
        "meetings went on to handoffs, team 0.0%.")
    assert findings["lowest_response"]["sentence"] == "The lowest response is the open rate of e-mails: 0.0% of 1."
    assert findings["focus"][0] == "Catch up on calls: 8.4 per working day is needed to reach 20 (1 working days left)."  # 7 over 5/6 of a day
    for sentence in findings["focus"]:
        assert re.search(r"\d", sentence), sentence  # every suggestion cites a figure


def test_review_formats(cli) -> None:
    lead = add_lead(cli, "Acme | *Bold* #1")
    cli("note", "add", "--title", "Script *star* [x](y)", "--kind", "script")
    note = cli("note", "list", "--json").json[0]
    for _ in range(5):
        cli("log", "call", lead["id"], "-o", "6", "--script", note["id"])
    md = cli("review", "--format", "md").out
    assert md.startswith("# Review · alice · this week, 23 – 29 Nov (vs last week, 16 – 22 Nov through Thu 2026-11-19 10:30)")
    assert "## Focus for the next period" in md
    assert "Script \\*star\\* \\[x\\](y): 5 meetings from 5 calls (100.0%)" in md  # user text stays literal
    text = cli("review").out
    assert text.startswith("Review · alice") and "Script *star* [x](y): 5 meetings" in text
    assert cli("review", "--period", "someday").code == 2
