"""Names of the vocabulary as a person reads them, in the language in force (`istui.i18n`): metrics,
stages, temperatures, pace. Records keep the English identifiers; only what is shown changes. An identifier
that is not in the vocabulary is shown as it is, made safe for a terminal (`domain.text.terminal_safe`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from istui.domain.metrics import METRIC
from istui.domain.model import DEFAULT_SOURCES, ActivityKind, NoteKind, PeriodKind, Stage, Temperature
from istui.domain.outcomes import CALL_OUTCOME_INFO, EMAIL_OUTCOME_LABELS
from istui.domain.queue import PARKING_REASONS, QUEUE_REASONS
from istui.domain.text import terminal_safe
from istui.i18n import N_, _, language

# Display names by identifier; a test checks that each table names every member of its enumeration.
STAGES = {
    Stage.NEW: N_("new"), Stage.WORKING: N_("working"), Stage.NURTURING: N_("nurturing"), Stage.MEETING: N_("meeting"),
    Stage.HANDED_OFF: N_("handed_off"), Stage.WON: N_("won"), Stage.LOST: N_("lost"), Stage.DISQUALIFIED: N_("disqualified"),
}
TEMPERATURES = {Temperature.HOT: N_("hot"), Temperature.WARM: N_("warm"), Temperature.COLD: N_("cold")}
WEEKDAYS = {"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"), "sat": N_("Sat"),
            "sun": N_("Sun")}
PERIOD_KINDS = {PeriodKind.DAY: N_("day"), PeriodKind.WEEK: N_("week"), PeriodKind.MONTH: N_("month"),
                PeriodKind.QUARTER: N_("quarter"), PeriodKind.FISCAL_YEAR: N_("fiscal year")}
REASONS = dict(zip(QUEUE_REASONS, (N_("overdue"), N_("due"), N_("meeting passed"), N_("new"), N_("no next step")),
                   strict=True))  # why in today's queue
PARKED = dict(zip(PARKING_REASONS, (N_("do not call"), N_("wrong number: waits for a new phone number"),
                                    N_("meeting booked, time not set"), N_("meeting booked")), strict=True))
ACTIVITY_KINDS = {ActivityKind.CALL: N_("call"), ActivityKind.EMAIL: N_("email"), ActivityKind.STAGE: N_("stage"),
                  ActivityKind.NOTE: N_("note")}
NOTE_KINDS = {NoteKind.SCRIPT: N_("script"), NoteKind.OBJECTION: N_("objection"), NoteKind.MATERIAL: N_("material"),
              NoteKind.CASE: N_("case"), NoteKind.TIP: N_("tip")}
#: What a workspace holds, by kind (exports, sync's commit messages).
RECORD_KINDS = {"leads": N_("leads"), "activities": N_("activities"), "notes": N_("notes"), "targets": N_("targets"),
                "campaigns": N_("campaigns"), "teammates": N_("teammates' activities")}
PACE = {"ahead": N_("ahead"), "behind": N_("behind"), "on_pace": N_("on pace")}


def _named(names: Mapping[str, str], name: Any) -> str:
    """The display name of a known identifier; anything else (a value from a file: a teammate's newer
    vocabulary, a hand edit) as it is, but safe to show in a terminal."""
    try:
        return _(names[name])
    except (KeyError, TypeError):
        return terminal_safe(name)


def metric(name: str) -> str:
    info = METRIC.get(name) if isinstance(name, str) else None
    return _(info.label) if info else terminal_safe(name)


def stage(name: str) -> str:
    return _named(STAGES, name)


def temperature(name: str) -> str:
    return _named(TEMPERATURES, name)


def pace(status: str) -> str:
    return _named(PACE, status)


def pace_gap(status: str | None, gap: float | None, shown: Any = None) -> str:
    """`on pace`, `ahead by 124` or `behind by 12`: a pace as a person reads it, never `ahead 0` or `-0`
    (`shown` formats the size of the gap; whole numbers by default). Empty without a pace."""
    if status is None or gap is None:
        return ""
    text = shown(abs(gap)) if shown is not None else f"{abs(gap):,.0f}"
    if status == "on_pace" or text.strip("¥$€0,.円 ") == "":
        return _(PACE["on_pace"])
    return (_("ahead by {gap}") if status == "ahead" else _("behind by {gap}")).format(gap=text)


def daily_gap(gap: float | None) -> str:
    """A plan's gap per working day (needed − actual pace) as a person reads it: `behind by 6.1`,
    `ahead by 11.8` or `on pace`, never a negative gap; `–` without a pace."""
    if gap is None:
        return "–"
    status = "behind" if gap > 0 else "ahead"
    return pace_gap(status, gap, lambda value: f"{value:,.1f}")


def source(name: str) -> str:
    """A lead source: its Japanese name in ja (Webお問い合わせ, 資料DL …), its identifier in en."""
    if language() == "ja" and isinstance(name, str) and name in DEFAULT_SOURCES:
        return DEFAULT_SOURCES[name]
    return terminal_safe(name)  # an identifier from the workspace's settings or a file


def weekday(name: str) -> str:
    """`mon` → Mon / 月."""
    return _named(WEEKDAYS, name)


def period_kind(name: str) -> str:
    """`fiscal_year` → fiscal year / 年度."""
    return _named(PERIOD_KINDS, name)


def reason(name: str) -> str:
    return _named(REASONS, name)


def parked(name: str) -> str:
    """Why an open lead waits without a follow-up (`domain.queue.parking_reason`)."""
    return _named(PARKED, name)


def activity_kind(name: str) -> str:
    return _named(ACTIVITY_KINDS, name)


def note_kind(name: str) -> str:
    return _named(NOTE_KINDS, name)


def call_outcome(name: str) -> str:
    """`no_answer 不通` in English (the key's name and the team's word), `不通` in Japanese."""
    info = CALL_OUTCOME_INFO.get(name) if isinstance(name, str) else None
    if info is None:
        return terminal_safe(name)
    return info.ja if language() == "ja" else f"{name} {info.ja}"


def call_outcome_short(name: str) -> str:
    """`no_answer` in English, `不通` in Japanese: a call outcome where room is short (the keys' help)."""
    info = CALL_OUTCOME_INFO.get(name) if isinstance(name, str) else None
    return info.ja if info is not None and language() == "ja" else terminal_safe(name)


def outcome(activity: Mapping[str, Any]) -> str:
    """An activity's outcome as a person reads it: call outcomes, stages and e-mail events named."""
    value = activity.get("outcome") or ""
    if activity.get("kind") == "call":
        return call_outcome(value)
    if activity.get("kind") == "stage":
        return stage(value)
    return _named(EMAIL_OUTCOME_LABELS, value)
