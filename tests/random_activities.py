"""Random activities for property tests (hypothesis): a few leads and reps over about seven weeks,
every kind and outcome, amounts on stage moves."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from istui.domain.outcomes import CALL_OUTCOMES
from istui.domain.periods import month_of

TOKYO = ZoneInfo("Asia/Tokyo")
NOVEMBER = month_of(date(2026, 11, 1))
START = datetime(2026, 10, 20, tzinfo=TOKYO)
LEADS = [f"L{i:02d}" for i in range(6)]
REPS = ("alice", "bob")
OUTCOMES = {"call": [info.outcome.value for info in CALL_OUTCOMES],
            "email": ["sent", "opened", "clicked", "replied", "bounced", "meeting_booked"],
            "stage": ["handed_off", "won", "lost", "nurturing"]}

activity = st.builds(
    lambda n, lead, rep, kind, pick, minutes, amount, duration: {
        "id": f"A{n:05d}", "lead": lead, "rep": rep, "kind": kind, "outcome": OUTCOMES[kind][pick % len(OUTCOMES[kind])],
        "at": (START + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
        **({"amount": amount} if kind == "stage" else {}),
        **({"duration": duration} if kind == "call" and duration is not None else {})},
    st.integers(0, 99_999), st.sampled_from(LEADS), st.sampled_from(REPS), st.sampled_from(sorted(OUTCOMES)),
    st.integers(0, 20), st.integers(0, 60 * 24 * 50), st.integers(0, 5_000_000),
    st.none() | st.integers(0, 3_600) | st.sampled_from([59, 60, 61]))
activities = st.lists(activity, max_size=60, unique_by=lambda a: a["id"])
