"""The KPI metrics of DESIGN.md section 4, named once: every count, the order amount and the rates,
with how each reads on screen. Targets, reports, labels, help texts and KPI counting derive from here
(the counting itself is `services.counting`).
"""

from __future__ import annotations

from typing import NamedTuple

from istui.domain.outcomes import EmailOutcome
from istui.i18n import N_


class Metric(NamedTuple):
    name: str
    label: str  # as a person reads it (the catalog gives the Japanese)
    kind: str  # count | amount | rate


METRICS: tuple[Metric, ...] = (
    Metric("calls", N_("calls"), "count"),
    Metric("connects", N_("connects"), "count"),
    Metric("emails", N_("emails"), "count"),
    Metric("opens", N_("opens"), "count"),
    Metric("clicks", N_("clicks"), "count"),
    Metric("replies", N_("replies"), "count"),
    Metric("meetings", N_("meetings"), "count"),
    Metric("leads_worked", N_("leads worked"), "count"),
    Metric("handoffs", N_("handoffs"), "count"),
    Metric("orders", N_("orders"), "count"),
    Metric("amount", N_("amount"), "amount"),
    Metric("lost", N_("lost"), "count"),
    Metric("target_accounts", N_("target accounts"), "count"),
    Metric("talk_seconds", N_("talk seconds"), "count"),
    Metric("talk_minutes", N_("talk minutes"), "count"),  # talk_seconds / 60: what a daily target is set in
    Metric("conversations", N_("conversations"), "count"),  # connected calls of at least a minute
    Metric("connect_seconds", N_("talk seconds of connects"), "count"),  # (voicemails and gatekeepers left out)
    Metric("timed_connects", N_("connects with a talk time"), "count"),  # (those logged without one left out)
    Metric("avg_talk_seconds", N_("average talk per connect (s)"), "average"),
    Metric("connect_rate", N_("connect rate"), "rate"),
    Metric("open_rate", N_("open rate"), "rate"),
    Metric("click_rate", N_("click rate"), "rate"),
    Metric("meeting_rate", N_("meeting rate"), "rate"),
    Metric("win_rate", N_("win rate"), "rate"),
)
METRIC = {metric.name: metric for metric in METRICS}
#: Every count and the amount, in the order reports list them.
COUNT_METRICS = tuple(m.name for m in METRICS if m.kind in ("count", "amount"))
RATE_METRICS = tuple(m.name for m in METRICS if m.kind in ("rate", "average"))
#: Metrics a target may be set on: every count of DESIGN.md section 4, and the order amount.
TARGET_METRICS = COUNT_METRICS
#: Counted per day from the activities themselves (the rest come from lead sets, closings or the cohort).
ACTIVITY_COUNTS = ("calls", "connects", "emails", "opens", "clicks", "replies", "meetings", "handoffs", "talk_seconds",
                   "conversations", "connect_seconds", "timed_connects")
#: The handoff figures' rates (`services.handoff_figures`): read in the handoff view, never a target.
HANDOFF_RATES = ("sal_rate", "show_rate", "handoff_win_rate")
#: A connected call at least this long is a conversation (DESIGN.md section 4).
CONVERSATION_SECONDS = 60
#: The e-mail outcomes counted, and the count each one adds to.
EMAIL_COUNTS = {EmailOutcome.SENT.value: "emails", EmailOutcome.OPENED.value: "opens", EmailOutcome.CLICKED.value: "clicks",
                EmailOutcome.REPLIED.value: "replies"}
#: The daily (and weekly) trend lines of a report.
TREND_METRICS = ("calls", "connects", "meetings")
#: The counts the header shows for today, and the month targets it shows the pace of.
STRIP_METRICS = ("calls", "connects", "meetings")
STRIP_MONTH_METRICS = ("calls", "connects", "emails", "meetings", "handoffs", "orders", "amount")
#: A source's row of the by-source cohort (its rates come with it).
SOURCE_COUNTS = ("leads", "meetings", "orders", "amount", "lost")
#: The changes against the previous period that a text report names.
HEADLINE_DELTAS = ("calls", "connects", "meetings", "orders", "meeting_rate")
#: A rep's row of the team's leaderboard.
LEADERBOARD_METRICS = ("calls", "connects", "connect_rate", "emails", "meetings", "meeting_rate", "orders", "amount")
#: The funnel of a period, step by step (each step's rate is from the step before).
FUNNEL = ("calls", "connects", "meetings", "handoffs", "orders")


def metrics_help() -> str:
    """`calls connects … target_accounts`: the metrics a target may be set on, for help texts."""
    return " ".join(TARGET_METRICS)
