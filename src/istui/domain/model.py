"""The inside-sales records and their enumerations: stages, motions, temperatures, activity and note
kinds, period kinds, sources, and the four record types.

Records live on disk and in memory as plain dicts (JSON objects); the field types here are their
schema (`SCHEMA`). The one home of the stage list (outcomes: `domain.outcomes`; metrics: `domain.metrics`).
(No dataclasses: `istui log call` must start fast, and `dataclasses` pulls in `inspect`.)
"""

from __future__ import annotations

from enum import StrEnum


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
    HANDOFF = "handoff"  # field sales' answer to a handoff: accepted, rejected, rated (domain.handoffs)
    MEETING = "meeting"  # a meeting set, held or a no-show


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
    TEMPLATE = "template"  # an e-mail template: `subject` and body with merge fields (`services.mail_templates`)


class CampaignState(StrEnum):
    READY = "ready"  # created: its audience fixed, nothing sent
    SENDING = "sending"  # a send is under way (or was killed: `campaign send` again resumes it)
    PAUSED = "paused"  # the transport failed (no connection, login refused): `campaign send` again resumes it
    SENT = "sent"  # every recipient got it or was refused


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    FISCAL_YEAR = "fiscal_year"


#: A target is one per metric, period kind, scope (rep; None: the team) and motion.
TARGET_KEY = ("metric", "per", "rep", "motion")

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
    "dnc",
    "meeting",
)


#: Lead fields whose values repeat from lead to lead (a stage, an owner, a source, a company, a tag), and those of
#: a lead's handoff and meeting objects (who, which status, which reason; who attends): a read keeps each such
#: value once (`store.sharing`), tens of MB at 50,000 leads.
REPEATED_LEAD_FIELDS = ("source", "stage", "owner", "updated_by", "motion", "temp", "title", "company", "company_kana",
                        "next_action", "tags")
REPEATED_OBJECT_FIELDS = {"handoff": ("by", "to", "status", "reason", "decided_by", "rated_by"),
                          "meeting": ("by", "with", "status", "place", "marked_by")}

# --- the records' schema: each table's fields and the JSON types their values may have --------------
# (records are plain dicts; doctor checks every value against this; None: the value may be null)
_TEXT, _WHEN, _NUMBER = str, str, (int, float)
_STAMPS = {"created_at": _WHEN, "updated_at": _WHEN, "updated_by": str}
HANDOFF_FIELDS = ("to", "at", "by", "budget", "authority", "need", "timeline", "note")  # what field sales receives
SCHEMA: dict[str, dict[str, object]] = {
    "leads": {
        "id": str, "company": _TEXT, "company_kana": _TEXT, "contact": _TEXT, "contact_kana": _TEXT, "title": _TEXT,
        "phone": _TEXT, "phone_e164": (_TEXT, None), "phone_ext": (_TEXT, None), "email": _TEXT, "source": str, "motion": str, "stage": str, "temp": str, "owner": str,
        "next_at": (_WHEN, None), "next_action": _TEXT, "tags": list, "amount": (*_NUMBER, None), "memo": _TEXT,
        "handoff": (dict, None), "dnc": (bool, None), "phone_status": (_TEXT, None), "meeting_at": (_WHEN, None),
        "meeting": (dict, None), "handoff_history": (list, None), "meeting_history": (list, None),  # domain.handoffs
        "call_attempts": (int, None),  # calls in a row without a connect (the retry schedule's max_attempts)
        "email_status": (str, None),  # opted_out | bounced: no mail goes to the address (domain.outcomes)
        "external_id": (_TEXT, None),  # its record id in the CRM it was imported from: a re-import updates it
        **_STAMPS,
    },
    "activities": {
        "id": str, "lead": str, "rep": str, "kind": str, "at": _WHEN, "outcome": str, "duration": _NUMBER,
        "note": _TEXT, "script": str, "amount": _NUMBER, "from_stage": str, "with": list,
        "to": str,  # a handoff's recipient (stage handed_off)
        "reason": str, "rating": int, "of": str,  # a handoff's answer: why it was returned, its rating, who handed off
        # e-mail: the template and campaign of a send, its Message-ID and address; an event's link, its id at the
        # mail service, a machine open (Apple Mail Privacy Protection), a hard bounce, an unsubscribe by spam report
        "template": str, "campaign": str, "message_id": _TEXT, "address": _TEXT, "url": _TEXT, "event_id": _TEXT,
        "machine": bool, "hard": bool, "spam": bool,
        **_STAMPS,
    },
    "notes": {"id": str, "title": _TEXT, "kind": str, "tags": list, "body": _TEXT, "pinned": bool,
              "subject": (_TEXT, None),  # an e-mail template's subject line
              **_STAMPS},
    "targets": {"id": str, "metric": str, "value": _NUMBER, "per": str, "rep": (str, None), "motion": (str, None),
                **_STAMPS},
    # a メルマガ: its template and sender, the audience as created (lead ids) and who was left out and why
    # (reason → lead ids), the lead-list filters it was made with, where the send stands, refusals by lead
    "campaigns": {"id": str, "name": _TEXT, "template": str, "rep": str, "audience": list, "excluded": dict,
                  "filters": dict, "state": str, "paused": (_TEXT, None), "refused": dict, "started_at": (_WHEN, None),
                  "finished_at": (_WHEN, None), "uncertain": list,  # leads whose mail a kill left unanswered
                  **_STAMPS},
}


#: The longest text each field accepts, in characters: far beyond what a rep types or a CRM exports, so
#: that a runaway paste or a hostile file is refused with a sentence instead of filling screens and files.
#: (Names as the validators name the fields; `note` is an activity's or a handoff's note.)
MAX_LENGTH: dict[str, int] = {
    "company": 200, "company_kana": 200, "contact": 200, "contact_kana": 200, "title": 200, "phone": 40,
    "email": 254, "next_action": 200, "memo": 4000, "note": 4000, "to": 200, "budget": 2000, "authority": 2000,
    "need": 2000, "timeline": 2000, "tag": 50, "note_title": 200, "body": 100_000,
    "subject": 250, "url": 2000, "message_id": 250, "address": 254,
}
MAX_TAGS = 30  # tags on one lead or note
DEFAULT_MAX_LENGTH = 200  # any other one-line text


REQUIRED_FIELDS = {
    "leads": ("id", "company", "stage", "source", "motion", "created_at", "updated_at", "updated_by"),
    "activities": ("id", "lead", "rep", "kind", "at", "created_at", "updated_at", "updated_by"),
    "notes": ("id", "title", "created_at", "updated_at", "updated_by"),
    "targets": ("id", "metric", "value", "per", "created_at", "updated_at", "updated_by"),
    "campaigns": ("id", "name", "template", "rep", "audience", "state", "created_at", "updated_at", "updated_by"),
}
