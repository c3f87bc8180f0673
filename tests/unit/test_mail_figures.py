"""E-mail figures (DESIGN.md section 4) against a count by hand: per send, across the period's edges, machine opens
left out, a click counting as an open, hard and soft bounces, a campaign's events kept with its send, meetings
within 14 days; and invariants over random rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from istui.services.mail_figures import HARD, MACHINE, figures

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 1, tzinfo=TOKYO)
END = datetime(2026, 12, 1, tzinfo=TOKYO)


def at(day: int, hour: int = 10, month: int = 11) -> float:
    return datetime(2026, month, day, hour, tzinfo=TOKYO).timestamp()


def row(when: float, lead: str, outcome: str, campaign: str = "", template: str = "", flags: int = 0, url: str = "") -> tuple:
    return (when, lead, outcome, campaign, template, flags, url)


ROWS = [
    row(at(20, month=10), "old", "sent", "", "T1"),  # before the period: its open in the period is not the period's
    row(at(2), "old", "opened"),
    row(at(3), "a", "sent", "C1", "T1"),
    row(at(3, 11), "a", "opened", "C1", flags=MACHINE),  # a machine open only: not opened
    row(at(3), "b", "sent", "C1", "T1"),
    row(at(4, 9), "b", "opened", "C1"),
    row(at(4, 9), "b", "opened", "C1"),  # twice: one unique open
    row(at(4, 10), "b", "clicked", "C1", url="https://x.example/a"),
    row(at(4, 10), "b", "clicked", "C1", url="https://x.example/a"),  # the same link again: one
    row(at(3), "c", "sent", "C1", "T1"),
    row(at(3, 12), "c", "bounced", "C1", flags=HARD),
    row(at(3), "d", "sent", "C1", "T1"),
    row(at(3, 12), "d", "bounced", "C1", flags=0),  # soft: not delivered, not a (hard) bounce
    row(at(3), "e", "sent", "C1", "T1"),
    row(at(5), "e", "sent", "", "T2"),  # a later one-to-one mail to the same lead
    row(at(6, 14), "e", "clicked", "C1", url="https://x.example/b", flags=0),  # the campaign's: a click is an open
    row(at(6, 15), "e", "unsubscribed", "C1"),
    row(at(16), "e", "meeting_booked"),  # 11 days after the one-to-one mail: that send's
    row(at(29), "f", "sent", "", "T2"),
    row(at(2, 9, month=12), "f", "opened"),  # after the period: still the period's send
    row(at(29), "g", "sent", "", "T2"),
    row(at(14, 10, month=12) + 3600, "g", "meeting_booked"),  # 15 days later: not the mail's
    row(at(10), "h", "opened"),  # no send known: nothing
]


def test_the_figures_count_what_followed_each_send_of_the_period() -> None:
    result = figures(ROWS, START.timestamp(), END.timestamp(), TOKYO)
    totals = result["totals"]
    assert {k: totals[k] for k in ("sent", "bounced", "bounces", "delivered", "unique_opens", "machine_opens",
                                   "unique_clicks", "unsubscribes", "meetings")} == {
        "sent": 8, "bounced": 2, "bounces": 1, "delivered": 6, "unique_opens": 3, "machine_opens": 1,
        "unique_clicks": 2, "unsubscribes": 1, "meetings": 1}
    assert totals["open_rate"] == round(3 / 6, 4) and totals["click_rate"] == round(2 / 6, 4)
    assert totals["click_to_open"] == round(2 / 3, 4) and totals["bounce_rate"] == round(1 / 6, 4)
    c1 = result["campaigns"]["C1"]
    assert (c1["sent"], c1["delivered"], c1["unique_opens"], c1["unique_clicks"], c1["unsubscribes"], c1["meetings"]) == (
        5, 3, 2, 2, 1, 0)
    t2 = result["templates"]["T2"]
    assert (t2["sent"], t2["unique_opens"], t2["meetings"]) == (3, 1, 1)
    assert result["links"] == {"https://x.example/a": 1, "https://x.example/b": 1}
    assert result["best"]["opens"] == {"weekday": 2, "hour": 9, "count": 3}  # Wed 09:00: Nov 4 twice (b), Dec 2 (f)
    assert result["heat"]["clicks"][4][14] == 1  # Fri Nov 6 14:00 (e); Wed Nov 4 10:00 twice (b)
    assert result["heat"]["clicks"][2][10] == 2


def test_no_send_is_no_rate() -> None:
    result = figures([row(at(2), "x", "opened")], START.timestamp(), END.timestamp(), TOKYO)
    assert result["totals"]["sent"] == 0 and result["totals"]["open_rate"] is None
    assert result["totals"]["click_to_open"] is None and result["best"] == {"opens": None, "clicks": None}
    only = figures(ROWS, START.timestamp(), END.timestamp(), TOKYO, campaign="C1")["totals"]
    assert only["sent"] == 5 and only["unique_opens"] == 2


EVENTS = ("sent", "opened", "clicked", "bounced", "unsubscribed", "replied", "meeting_booked")


@given(st.lists(st.tuples(st.integers(0, 60 * 24), st.sampled_from("abcd"), st.sampled_from(EVENTS),
                          st.sampled_from(["", "C1", "C2"]), st.integers(0, 3)), max_size=60))
def test_invariants_hold_for_any_rows(drawn: list) -> None:
    base = START - timedelta(days=15)
    rows = [row((base + timedelta(hours=hours)).timestamp(), lead, outcome, campaign, "T", flags, "u")
            for hours, lead, outcome, campaign, flags in drawn]
    result = figures(rows, START.timestamp(), END.timestamp(), TOKYO)
    totals = result["totals"]
    sent_in_period = sum(1 for r in rows if r[2] == "sent" and START.timestamp() <= r[0] < END.timestamp())
    assert totals["sent"] == sent_in_period and totals["delivered"] == totals["sent"] - totals["bounced"]
    assert 0 <= totals["unique_clicks"] <= totals["unique_opens"] <= totals["sent"]
    for name in ("open_rate", "click_rate", "click_to_open", "unsubscribe_rate", "bounce_rate", "meeting_rate"):
        assert totals[name] is None or 0 <= totals[name] <= 1
    assert sum(c["sent"] for c in result["campaigns"].values()) <= totals["sent"]
    assert sum(sum(hours) for hours in result["heat"]["opens"]) <= sum(1 for r in rows if r[2] == "opened")
