"""The handoff figures against a count made here, over random leads: rounds proposed and decided on either side of
the period (a round proposed before it and decided in it, one still running), re-handoffs, meetings marked and not,
reopened deals (the closings given are the period's latest), ratings; and the invariants (rates within 0–1, a zero
denominator is None)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from istui.services.handoff_figures import handoff_figures

TZ = ZoneInfo("Asia/Tokyo")
START, END = datetime(2026, 11, 1, tzinfo=TZ), datetime(2026, 12, 1, tzinfo=TZ)
NOW = datetime(2026, 11, 20, 12, tzinfo=TZ)
REPS, FIELD = ("alice", "ben"), ("kimura", "mori")
DAY = st.integers(min_value=-20, max_value=45)  # days from START: before, in and after the period


def when(day: int, hour: int = 10) -> str:
    return (START + timedelta(days=day, hours=hour)).isoformat()


@st.composite
def a_round(draw):
    proposed = draw(DAY)
    status = draw(st.sampled_from(("proposed", "accepted", "rejected")))
    r = {"to": draw(st.sampled_from(FIELD)), "by": draw(st.sampled_from(REPS)), "at": when(proposed), "status": status}
    if status != "proposed":
        r.update(decided_at=when(proposed + draw(st.integers(0, 6)), 15), reason=draw(st.sampled_from(("no_budget", "other"))))
    if draw(st.booleans()):
        r.update(rating=draw(st.integers(1, 5)), rated_at=when(proposed + draw(st.integers(0, 10)), 16),
                 feedback=draw(st.sampled_from(("", "budget basis"))))
    return r


@st.composite
def a_lead(draw, number: int):
    lead = {"id": f"L{number:04d}", "company": f"Co {number}", "source": draw(st.sampled_from(("seminar", "web")))}
    rounds = draw(st.lists(a_round(), max_size=3))
    if rounds:
        lead["handoff"] = rounds[-1]
        lead["handoff_history"] = rounds[:-1]
        lead["stage"] = "nurturing" if rounds[-1]["status"] == "rejected" else draw(st.sampled_from(("handed_off", "won")))
    meetings = draw(st.lists(st.tuples(DAY, st.sampled_from((None, "held", "no_show")), st.sampled_from(REPS)), max_size=2))
    if meetings:
        *earlier, (day, status, by) = meetings
        lead["meeting_history"] = [{"at": when(d), "status": s or "held", "by": b, "with": ["kimura"]} for d, s, b in earlier]
        lead["meeting_at"], lead["meeting"] = when(day), {"status": status, "by": by, "with": ["kimura"]}
    return lead


@st.composite
def workspaces(draw):
    leads = [draw(a_lead(n)) for n in range(draw(st.integers(0, 12)))]
    closings = {}
    for lead in leads:
        if draw(st.booleans()):
            won = draw(st.booleans())
            closings[lead["id"]] = (0.0, "a", "won" if won else "lost", draw(st.integers(1, 9)) * 100_000 if won else 0)
    return leads, closings


def sla_due(handoff):  # a plain 2-day SLA (the working-hour SLA is tested with the workspace's calendar)
    return datetime.fromisoformat(handoff["at"]) + timedelta(days=2)


def inside(text: str | None) -> bool:
    return text is not None and START <= datetime.fromisoformat(text) < END


def count(leads, closings, rep):
    """The figures counted the plain way: every round of every lead, one by one."""
    expected = {"handoffs": 0, "accepted": 0, "rejected": 0, "sla_breaches": 0, "meetings_held": 0, "no_shows": 0,
                "handoff_orders": 0, "handoff_closed": 0, "handoff_amount": 0}
    ratings, hours, reasons = [], [], {}
    for lead in leads:
        rounds = [*lead.get("handoff_history", []), *([lead["handoff"]] if "handoff" in lead else [])]
        mine = [r for r in rounds if rep is None or rep in (r["by"], r["to"])]
        for r in mine:
            if inside(r["at"]):
                expected["handoffs"] += 1
                waiting = r["status"] == "proposed" and lead.get("stage") == "handed_off"  # (closed: waits no longer)
                decided = datetime.fromisoformat(r["decided_at"]) if r.get("decided_at") else NOW if waiting else None
                if decided is not None and decided > sla_due(r):
                    expected["sla_breaches"] += 1
            if r["status"] != "proposed" and inside(r["decided_at"]):
                expected[r["status"]] += 1
                if r["status"] == "accepted":
                    hours.append((datetime.fromisoformat(r["decided_at"]) - datetime.fromisoformat(r["at"])).total_seconds() / 3600)
                else:
                    reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
            if "rating" in r and inside(r["rated_at"]):
                ratings.append(r["rating"])
        if mine and lead["id"] in closings:
            expected["handoff_closed"] += 1
            if closings[lead["id"]][2] == "won":
                expected["handoff_orders"] += 1
                expected["handoff_amount"] += closings[lead["id"]][3]
        meetings = [*lead.get("meeting_history", [])]
        if "meeting_at" in lead:
            meetings.append({**lead["meeting"], "at": lead["meeting_at"]})
        for m in meetings:
            if (rep is None or rep in (m["by"], *m["with"])) and inside(m["at"]) and m["status"]:
                expected["meetings_held" if m["status"] == "held" else "no_shows"] += 1
    return expected, ratings, sorted(hours), reasons


@settings(max_examples=150, deadline=None)
@given(workspaces(), st.sampled_from((None, "alice", "kimura")))
def test_figures_equal_a_count_by_hand(workspace, rep) -> None:
    leads, closings = workspace
    figures = handoff_figures(leads, START, END, now=NOW, sla_due=sla_due, closings=closings, rep=rep)
    expected, ratings, hours, reasons = count(leads, closings, rep)
    assert {key: figures[key] for key in expected} == expected
    assert figures["rejected_by_reason"] == reasons
    assert figures["ratings"] == len(ratings)
    assert figures["avg_rating"] == (round(sum(ratings) / len(ratings), 2) if ratings else None)
    middle = len(hours) // 2
    median = None if not hours else (hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2)
    assert figures["median_hours_to_accept"] == (None if median is None else round(median, 1))
    decided = expected["accepted"] + expected["rejected"]
    assert figures["sal_rate"] == (None if not decided else round(expected["accepted"] / decided, 4))
    shows = expected["meetings_held"] + expected["no_shows"]
    assert figures["show_rate"] == (None if not shows else round(expected["meetings_held"] / shows, 4))
    for name in ("sal_rate", "show_rate", "handoff_win_rate"):
        assert figures[name] is None or 0 <= figures[name] <= 1
    if rep is None:  # the team's rounds split by who handed off add up to the team's
        assert sum(row["handoffs"] for row in figures["by_rep"].values()) == figures["handoffs"]
        assert sum(row["handoffs"] for row in figures["by_source"].values()) == figures["handoffs"]
        assert sum(row["accepted"] for row in figures["by_source"].values()) == figures["accepted"]


def test_an_empty_period_is_all_zero_and_no_rate() -> None:
    figures = handoff_figures([], START, END, now=NOW, sla_due=sla_due, closings={})
    assert figures["handoffs"] == 0 and figures["sal_rate"] is None and figures["show_rate"] is None
    assert figures["handoff_win_rate"] is None and figures["avg_rating"] is None and figures["median_hours_to_accept"] is None
