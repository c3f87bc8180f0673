"""Names of the vocabulary as a person reads them, in the language in force (`istui.i18n`): metrics,
stages, temperatures, motions, sources, outcomes, pace, and the fields that messages name. Records keep the
English identifiers; only what is shown changes. An identifier that is not in the vocabulary is shown as it
is, made safe for a terminal (`domain.text.terminal_safe`). Forms take their choices from here (`options`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from istui.domain.handoffs import TASK_REASONS
from istui.domain.metrics import METRIC
from istui.domain.model import DEFAULT_SOURCES, ActivityKind, Motion, NoteKind, PeriodKind, Stage, Temperature
from istui.domain.outcomes import CALL_OUTCOME_INFO, CALL_OUTCOMES, EMAIL_OUTCOME_LABELS, EmailOutcome
from istui.domain.queue import PARKING_REASONS, QUEUE_REASONS
from istui.domain.text import terminal_safe
from istui.i18n import N_, NP_, _, language, pgettext

# Display names by identifier; a test checks that each table names every member of its enumeration.
STAGES = {
    Stage.NEW: N_("new"), Stage.WORKING: N_("working"), Stage.NURTURING: N_("nurturing"), Stage.MEETING: N_("meeting"),
    Stage.HANDED_OFF: N_("handed_off"), Stage.WON: N_("won"), Stage.LOST: N_("lost"), Stage.DISQUALIFIED: N_("disqualified"),
}
TEMPERATURES = {Temperature.HOT: N_("hot"), Temperature.WARM: N_("warm"), Temperature.COLD: N_("cold")}
MOTIONS = {Motion.SDR: N_("sdr"), Motion.BDR: N_("bdr")}  # what a rep types in English: `--motion sdr`
WEEKDAYS = {"mon": N_("Mon"), "tue": N_("Tue"), "wed": N_("Wed"), "thu": N_("Thu"), "fri": N_("Fri"), "sat": N_("Sat"),
            "sun": N_("Sun")}
PERIOD_KINDS = {PeriodKind.DAY: N_("day"), PeriodKind.WEEK: N_("week"), PeriodKind.MONTH: N_("month"),
                PeriodKind.QUARTER: N_("quarter"), PeriodKind.FISCAL_YEAR: N_("fiscal year")}
REASONS = dict(zip((*QUEUE_REASONS, *TASK_REASONS),  # why in today's queue
                   (N_("returned"), N_("set the meeting time"), N_("overdue"), N_("due"), N_("meeting passed"), N_("new"), N_("no next step"),
                    N_("handoff overdue"), N_("handoff to answer"), N_("meeting to mark"), N_("meeting today")),
                   strict=True))
PARKED = dict(zip(PARKING_REASONS, (N_("do not call"), N_("wrong number: waits for a new phone number"),
                                    N_("meeting booked, time not set"), N_("meeting booked")), strict=True))
ACTIVITY_KINDS = {ActivityKind.CALL: N_("call"), ActivityKind.EMAIL: N_("email"), ActivityKind.STAGE: N_("stage"),
                  ActivityKind.NOTE: N_("note"), ActivityKind.HANDOFF: N_("handoff"),
                  ActivityKind.MEETING: N_("meeting")}
#: The outcomes of the handoff loop's activities (`domain.handoffs`).
LOOP_OUTCOMES = {"accepted": N_("accepted"), "rejected": N_("returned"), "rated": N_("rated"),
                 "set": N_("meeting set"), "held": N_("held"), "no_show": N_("no-show")}
NOTE_KINDS = {NoteKind.SCRIPT: N_("script"), NoteKind.OBJECTION: N_("objection"), NoteKind.MATERIAL: N_("material"),
              NoteKind.CASE: N_("case"), NoteKind.TIP: N_("tip"), NoteKind.TEMPLATE: N_("e-mail template")}
#: What a workspace holds, by kind (exports, sync's commit messages).
RECORD_KINDS = {"leads": N_("leads"), "activities": N_("activities"), "notes": N_("notes"), "targets": N_("targets"),
                "campaigns": N_("campaigns"), "teammates": N_("teammates' activities")}
PACE = {"ahead": N_("ahead"), "behind": N_("behind"), "on_pace": N_("on pace")}
#: The fields a message names at its start ("phone: '12' is not a phone number", "company is required"): in
#: English the identifier a rep types (`lead set ID phone=…`, `--phone`), in Japanese the field's name. In the
#: catalog's context "field", so a field's name may differ from the same word elsewhere (the stage `meeting`
#: 商談化, the field `meeting` 商談日時); a note's title is a field of its own (役職 is a lead's title).
FIELDS = {
    "company": NP_("field", "company"), "company_kana": NP_("field", "company_kana"),
    "contact": NP_("field", "contact"), "contact_kana": NP_("field", "contact_kana"), "title": NP_("field", "title"),
    "phone": NP_("field", "phone"), "email": NP_("field", "email"), "source": NP_("field", "source"),
    "motion": NP_("field", "motion"), "temp": NP_("field", "temp"), "stage": NP_("field", "stage"),
    "owner": NP_("field", "owner"), "next": NP_("field", "next"), "next_action": NP_("field", "next_action"),
    "tags": NP_("field", "tags"), "memo": NP_("field", "memo"), "amount": NP_("field", "amount"),
    "meeting": NP_("field", "meeting"), "dnc": NP_("field", "dnc"), "note": NP_("field", "note"),
    "outcome": NP_("field", "outcome"), "at": NP_("field", "at"), "duration": NP_("field", "duration"),
    "with": NP_("field", "with"), "WHEN": NP_("field", "WHEN"), "to": NP_("field", "field-sales rep"),
    "budget": NP_("field", "budget"), "authority": NP_("field", "authority"), "need": NP_("field", "need"),
    "timeline": NP_("field", "timeline"), "value": NP_("field", "value"), "metric": NP_("field", "metric"),
    "per": NP_("field", "per"), "revenue": NP_("field", "revenue"), "rep": NP_("field", "rep"),
    "name": NP_("field", "name"), "display": NP_("field", "display"), "role": NP_("field", "role"),
    "team": NP_("field", "team"), "kind": NP_("field", "kind"), "body": NP_("field", "body"),
    "note_title": NP_("note field", "title"), "subject": NP_("field", "subject"),
    "reason": NP_("field", "reason"), "rating": NP_("field", "rating"), "minutes": NP_("field", "minutes"),
    "place": NP_("field", "place"),
}
_FIELD_CONTEXTS = {"note_title": "note field"}  # the rest are in the context "field"
#: A lead record's key → the field's name as people type and read it (`lead set next=…`, "next follow-up")
FIELD_OF_KEY = {"next_at": "next", "meeting_at": "meeting"}


def field(name: str) -> str:
    """The name of a field at the start of a message: `phone` in English, 電話番号 in Japanese; a name that is
    not in `FIELDS` (an option such as `--rep`, a setting's key, a column already named) as it is."""
    message = FIELDS.get(name) if isinstance(name, str) else None
    return pgettext(_FIELD_CONTEXTS.get(name, "field"), message) if message else name


def options(values: Iterable[str], shown: Callable[[str], str]) -> list[tuple[str, str]]:
    """(label, value) pairs of a form's choice, each value shown as `shown` names it."""
    return [(shown(value), str(value)) for value in values]


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


def motion(name: str) -> str:
    """`sdr` / `bdr` in English (as typed), 反響型 / 新規開拓型 in Japanese."""
    return _named(MOTIONS, name)


def motion_option(name: str) -> str:
    """A motion in a form's choice: `sdr` in English, 反響型 (SDR) in Japanese (the word and the team's acronym)."""
    return f"{motion(name)} ({name.upper()})" if language() == "ja" and name in MOTIONS else motion(name)


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


def needed(target: Mapping[str, Any], shown: Any = None) -> str:
    """A target's NEEDED as a person reads it: `8.4/day` to finish on target, or for a day's target what is
    left of it, `60 more today` (a rate per day of a day nearly gone reads as nonsense: 0 of 60 at noon is not
    "90/day"). Empty when nothing more is needed. `shown` formats a figure (one decimal by default)."""
    per_day = target.get("needed_per_day")
    if not per_day:
        return ""
    shown = shown or (lambda value: f"{value:,.1f}".removesuffix(".0"))
    if target.get("per") == "day":
        return _("{count} more today").format(count=shown(max(target["target"] - target["actual"], 0)))
    return _("{rate}/day").format(rate=shown(per_day))


def daily_gap(gap: float | None) -> str:
    """A plan's gap per working day (needed − actual pace) as a person reads it: `behind by 6.1`,
    `ahead by 11.8` or `on pace`, never a negative gap; `–` without a pace. A gap under one a day keeps two
    decimals: 0.04 orders a day short is nearly one order a month, not "on pace"."""
    if gap is None:
        return "–"
    status = "behind" if gap > 0 else "ahead"
    from istui.domain.formatting import per_day  # (formatting reads labels through parsing: imported here)

    return pace_gap(status, gap, per_day)


def source(name: str) -> str:
    """A lead source: its Japanese name in ja (Webお問い合わせ, 資料DL …), its identifier in en."""
    if language() == "ja" and isinstance(name, str) and name in DEFAULT_SOURCES:
        return DEFAULT_SOURCES[name]
    return terminal_safe(name)  # an identifier from the workspace's settings or a file


def source_option(name: str) -> str:
    """A lead source in a form's choice: `web_inquiry (Webお問い合わせ)` in English (the glossary gives both:
    the identifier is what the CLI and imports take, the Japanese what the team says), Webお問い合わせ in Japanese."""
    if language() != "ja" and isinstance(name, str) and name in DEFAULT_SOURCES:
        return f"{name} ({DEFAULT_SOURCES[name]})"
    return source(name)


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


def call_outcome_option(name: str) -> str:
    """A call outcome in a form's choice, with its call-block key: `2 no_answer 不通` / `2 不通`."""
    info = CALL_OUTCOME_INFO.get(name) if isinstance(name, str) else None
    return f"{info.key} {call_outcome(name)}" if info is not None else terminal_safe(name)


def email_outcome(name: str) -> str:
    return _named(EMAIL_OUTCOME_LABELS, name)


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
        recipient = activity.get("to")  # a handoff names who received the lead
        return f"{stage(value)} → {terminal_safe(recipient)}" if recipient else stage(value)
    if activity.get("kind") in ("handoff", "meeting"):
        text = _named(LOOP_OUTCOMES, value)
        if activity.get("reason"):
            from istui.domain.handoffs import reason_label

            text += f" ({reason_label(activity['reason'])})"
        if type(activity.get("rating")) is int:
            text += f" {'★' * activity['rating']}"
        return text
    return email_outcome(value)


#: Every value of each vocabulary a form offers, in its order (the catalog test checks each has its Japanese).
CALL_OUTCOME_VALUES = tuple(info.outcome.value for info in CALL_OUTCOMES)
EMAIL_OUTCOME_VALUES = tuple(outcome.value for outcome in EmailOutcome)
