"""The inside-sales records and their enumerations: stages, motions, temperatures, activity and note
kinds, period kinds, sources, and the four record types.

Records live on disk and in memory as plain dicts (JSON objects); the TypedDicts here are their
schema. The one home of the stage list (outcomes: `domain.outcomes`; metrics: `domain.metrics`).
(No dataclasses: `istui log call` must start fast, and `dataclasses` pulls in `inspect`.)
"""

from __future__ import annotations

from enum import StrEnum
from typing import NotRequired, TypedDict


class Stage(StrEnum):
    NEW = "new"
    WORKING = "working"
    NURTURING = "nurturing"
    MEETING = "meeting"
    HANDED_OFF = "handed_off"
    WON = "won"
    LOST = "lost"
    DISQUALIFIED = "disqualified"


#: Stages in which a lead is still being worked by inside sales (it can be queued for a call).
OPEN_STAGES = frozenset({Stage.NEW, Stage.WORKING, Stage.NURTURING, Stage.MEETING})
#: Stages that close a deal (a lead's latest closing transition decides orders and lost).
CLOSING_STAGES = frozenset({Stage.WON, Stage.LOST})


class Motion(StrEnum):
    SDR = "sdr"
    BDR = "bdr"


class Temperature(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


TEMPERATURE_RANK = {Temperature.HOT: 0, Temperature.WARM: 1, Temperature.COLD: 2}


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    STAGE = "stage"
    NOTE = "note"


#: Default lead sources with their Japanese names; the workspace may configure its own list.
DEFAULT_SOURCES: dict[str, str] = {
    "web_inquiry": "Webお問い合わせ",
    "download": "資料DL",
    "webinar": "ウェビナー",
    "seminar": "セミナー",
    "trade_show": "展示会",
    "referral": "紹介",
    "partner": "パートナー",
    "outbound_list": "リスト",
    "other": "その他",
}

#: Sources whose leads came to us (SDR work); the rest are prospected (BDR work).
INBOUND_SOURCES = frozenset({"web_inquiry", "download", "webinar", "seminar", "trade_show"})


class NoteKind(StrEnum):
    SCRIPT = "script"
    OBJECTION = "objection"
    MATERIAL = "material"
    CASE = "case"
    TIP = "tip"


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    FISCAL_YEAR = "fiscal_year"


#: Lead fields a rep may set by name (`istui lead set ID FIELD=VALUE`).
EDITABLE_LEAD_FIELDS = (
    "company",
    "company_kana",
    "contact",
    "contact_kana",
    "title",
    "phone",
    "email",
    "source",
    "motion",
    "temp",
    "owner",
    "next",
    "next_action",
    "tags",
    "memo",
)


class Handoff(TypedDict):
    """What field sales receives with a qualified lead: BANT and free notes."""

    to: str
    at: str
    by: str
    budget: str
    authority: str
    need: str
    timeline: str
    note: str


class Lead(TypedDict):
    id: str
    company: str
    company_kana: NotRequired[str]  # reading (会社名カナ), for sorting and search
    contact: str
    contact_kana: NotRequired[str]  # reading (担当者カナ)
    title: str
    phone: str
    email: str
    source: str
    motion: str  # Motion
    stage: str  # Stage
    temp: str  # Temperature
    owner: str
    next_at: str | None  # ISO 8601 with offset
    next_action: str
    tags: list[str]
    amount: int | None  # order amount once won
    memo: str
    handoff: Handoff | None
    created_at: str
    updated_at: str
    updated_by: str


class Activity(TypedDict):
    id: str
    lead: str
    rep: str
    kind: str  # ActivityKind
    at: str
    outcome: NotRequired[str]  # CallOutcome, EmailOutcome, or the new Stage for kind "stage"
    duration: NotRequired[int]  # seconds
    note: NotRequired[str]
    script: NotRequired[str]  # id of the talk note used
    amount: NotRequired[int]  # stage → won
    from_stage: NotRequired[str]
    created_at: str
    updated_at: str
    updated_by: str


class Note(TypedDict):
    id: str
    title: str
    kind: str  # NoteKind
    tags: list[str]
    body: str  # Markdown
    pinned: bool
    created_at: str
    updated_at: str
    updated_by: str


class Target(TypedDict):
    id: str
    metric: str  # one of TARGET_METRICS
    value: float
    per: str  # PeriodKind
    rep: str | None  # None: the whole team
    motion: str | None
    created_at: str
    updated_at: str
    updated_by: str


REQUIRED_FIELDS = {
    "leads": ("id", "company", "stage", "source", "motion", "created_at", "updated_at", "updated_by"),
    "activities": ("id", "lead", "rep", "kind", "at", "created_at", "updated_at", "updated_by"),
    "notes": ("id", "title", "created_at", "updated_at", "updated_by"),
    "targets": ("id", "metric", "value", "per", "created_at", "updated_at", "updated_by"),
}
