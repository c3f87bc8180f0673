"""Names of the vocabulary as a person reads them, in the language in force (`istui.i18n`): metrics,
stages, temperatures, pace. Records keep the English identifiers; only what is shown changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from istui.domain.model import CALL_OUTCOMES, DEFAULT_SOURCES
from istui.i18n import N_, _, language

METRICS = {
    "calls": N_("calls"), "connects": N_("connects"), "emails": N_("emails"), "opens": N_("opens"),
    "clicks": N_("clicks"), "replies": N_("replies"), "meetings": N_("meetings"), "handoffs": N_("handoffs"),
    "orders": N_("orders"), "amount": N_("amount"), "lost": N_("lost"), "target_accounts": N_("target accounts"),
    "leads_worked": N_("leads worked"),
}
STAGES = {
    "new": N_("new"), "working": N_("working"), "nurturing": N_("nurturing"), "meeting": N_("meeting"),
    "handed_off": N_("handed_off"), "won": N_("won"), "lost": N_("lost"), "disqualified": N_("disqualified"),
}
TEMPERATURES = {"hot": N_("hot"), "warm": N_("warm"), "cold": N_("cold")}
WEEKDAYS = {"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"), "sat": N_("Sat"),
            "sun": N_("Sun")}
OUTCOMES = {  # call outcomes, as the keys' help names them (Japanese: the CALL_OUTCOMES labels)
    "connected": N_("connected"), "no_answer": N_("no_answer"), "voicemail": N_("voicemail"), "busy": N_("busy"),
    "gatekeeper": N_("gatekeeper"), "meeting_booked": N_("meeting_booked"), "not_interested": N_("not_interested"),
    "callback": N_("callback"), "wrong_number": N_("wrong_number"), "do_not_call": N_("do_not_call"),
}
PERIOD_KINDS = {"day": N_("day"), "week": N_("week"), "month": N_("month"), "quarter": N_("quarter"),
                "fiscal_year": N_("fiscal year")}
REASONS = {"overdue": N_("overdue"), "due": N_("due"), "new": N_("new")}  # why a lead is in today's queue
ACTIVITY_KINDS = {"call": N_("call"), "email": N_("email"), "stage": N_("stage"), "note": N_("note")}
NOTE_KINDS = {"script": N_("script"), "objection": N_("objection"), "material": N_("material"), "case": N_("case"),
              "tip": N_("tip")}
EMAIL_OUTCOMES = {"sent": N_("sent"), "opened": N_("opened"), "clicked": N_("clicked"), "replied": N_("replied"),
                  "bounced": N_("bounced"), "meeting_booked": N_("meeting booked")}
_CALL_JA = {info.outcome.value: info.ja for info in CALL_OUTCOMES}
PACE = {"ahead": N_("ahead"), "behind": N_("behind"), "on_pace": N_("on pace")}


def metric(name: str) -> str:
    return _(METRICS.get(name, name))


def stage(name: str) -> str:
    return _(STAGES.get(name, name))


def temperature(name: str) -> str:
    return _(TEMPERATURES.get(name, name))


def pace(status: str) -> str:
    return _(PACE.get(status, status))


def source(name: str) -> str:
    """A lead source: its Japanese name in ja (Webお問い合わせ, 資料DL …), its identifier in en."""
    return DEFAULT_SOURCES.get(name, name) if language() == "ja" else name


def weekday(name: str) -> str:
    """`mon` → Mon / 月."""
    return _(WEEKDAYS.get(name, name))


def period_kind(name: str) -> str:
    """`fiscal_year` → fiscal year / 年度."""
    return _(PERIOD_KINDS.get(name, name))


def reason(name: str) -> str:
    return _(REASONS.get(name, name))


def activity_kind(name: str) -> str:
    return _(ACTIVITY_KINDS.get(name, name))


def note_kind(name: str) -> str:
    return _(NOTE_KINDS.get(name, name))


def call_outcome(name: str) -> str:
    """`no_answer 不通` in English (the key's name and the team's word), `不通` in Japanese."""
    ja = _CALL_JA.get(name)
    if ja is None:
        return name
    return ja if language() == "ja" else f"{name} {ja}"


def outcome(activity: Mapping[str, Any]) -> str:
    """An activity's outcome as a person reads it: call outcomes, stages and e-mail events named."""
    value = activity.get("outcome") or ""
    if activity.get("kind") == "call":
        return call_outcome(value)
    if activity.get("kind") == "stage":
        return stage(value)
    return _(EMAIL_OUTCOMES.get(value, value))
