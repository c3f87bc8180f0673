"""Turning typed or imported field values into clean record fields (one home for lead field rules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time
from typing import Any

from istui.domain import labels
from istui.domain.errors import BadInput
from istui.domain.model import EDITABLE_LEAD_FIELDS, MAX_LENGTH, Motion, NoteKind, Stage, Temperature
from istui.domain.parsing import (
    multiline_text,
    normalize_email,
    optional_text,
    parse_amount,
    parse_choice,
    parse_follow_up,
    parse_tags,
    parse_when,
    require_text,
)
from istui.domain.roster import require_member
from istui.domain.when import DAY_END
from istui.i18n import _


def clean_lead_field(name: str, value: Any, *, sources: Iterable[str], now: datetime,
                     roster: Mapping[str, Any] | None = None, future_only: bool = False,
                     currency: str = "JPY", day_end: time = DAY_END, region: str = "JP") -> dict[str, Any]:
    """Validate one editable lead field; returns the record fields it sets (`next` sets `next_at`, `meeting`
    sets `meeting_at`, `phone` sets `phone_e164` and `phone_ext` too, read in the workspace's `region`). An owner must be on the `roster` (when the workspace has one). `future_only`: a
    follow-up a rep types must lie ahead (an import may carry old ones). `day_end`: the end of the working
    hours (`今日中`, `eod`)."""
    text = value if isinstance(value, str) else ""
    if name == "company":
        return {"company": require_text(text, "company")}
    if name in ("contact", "title", "next_action"):
        return {name: optional_text(text, name)}
    if name in ("company_kana", "contact_kana"):
        return {name: optional_text(text, name)}
    if name == "memo":
        return {"memo": multiline_text(text, "memo")}
    if name == "phone":
        from istui.domain.phones import parse_phone  # (its patterns: not compiled for a quick `log call`)

        return parse_phone(text, region).fields()
    if name == "email":
        return {"email": normalize_email(text)}
    if name == "source":
        return {"source": parse_choice(text, sources, "source")}
    if name == "motion":
        return {"motion": parse_choice(text, [m.value for m in Motion], "motion")}
    if name == "temp":
        return {"temp": parse_choice(text, [t.value for t in Temperature], "temp")}
    if name == "stage":
        return {"stage": parse_choice(text, [s.value for s in Stage], "stage")}
    if name == "owner":
        if not text.strip() and not roster:
            return {"owner": ""}
        return {"owner": require_member(roster, text, "owner")}
    if name == "next":
        if not text.strip() or text.strip().lower() in ("none", "clear", "-"):
            return {"next_at": None}
        read = parse_follow_up if future_only else parse_when
        moment = read(text, now, "next", day_end=day_end)
        return {"next_at": moment.isoformat(timespec="seconds")}
    if name == "meeting":
        if not text.strip() or text.strip().lower() in ("none", "clear", "-"):
            return {"meeting_at": None}
        return {"meeting_at": parse_follow_up(text, now, "meeting", day_end=day_end).isoformat(timespec="seconds")}
    if name == "dnc":
        return {"dnc": parse_flag(value, "dnc")}
    if name == "tags":
        return {"tags": parse_tags(value if isinstance(value, list) else [text])}
    if name == "amount":
        return {"amount": parse_amount(value, currency=currency) if str(value).strip() else None}
    raise BadInput(_("'{name}' is not a lead field; fields are {fields}.").format(name=name, fields=", ".join(EDITABLE_LEAD_FIELDS)))


def clean_lead_fields(fields: Mapping[str, Any], *, sources: Iterable[str], now: datetime,
                      roster: Mapping[str, Any] | None = None, future_only: bool = False,
                      currency: str = "JPY", day_end: time = DAY_END, region: str = "JP") -> dict[str, Any]:
    """Validate several fields; the first bad one raises BadInput naming it."""
    sources = list(sources)
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        clean.update(clean_lead_field(name, value, sources=sources, now=now, roster=roster, future_only=future_only,
                                      currency=currency, day_end=day_end, region=region))
    return clean


def parse_flag(value: Any, field: str) -> bool:
    """true/false, yes/no, 1/0 (or a bool) → a bool; anything else is bad input naming the field."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off", ""):
        return False
    raise BadInput(_("{field}: '{value}' is not true or false.").format(field=labels.field(field), value=str(value)[:40]))


def blank_lead(sources: Iterable[str], rep: str) -> dict[str, Any]:
    """Every lead field with its default (no id or timestamps)."""
    sources = list(sources)
    return {
        "company": "", "contact": "", "title": "", "phone": "", "email": "",
        "source": "other" if "other" in sources else sources[0], "motion": Motion.SDR.value,
        "stage": Stage.NEW.value, "temp": Temperature.WARM.value, "owner": rep,
        "next_at": None, "next_action": "", "tags": [], "amount": None, "memo": "", "handoff": None,
    }


def new_lead_record(fields: Mapping[str, Any], *, sources: Iterable[str], now: datetime, rep: str,
                    roster: Mapping[str, Any] | None = None, currency: str = "JPY",
                    day_end: time = DAY_END, region: str = "JP") -> dict[str, Any]:
    """A complete new lead record (without id and timestamps) from typed fields (a follow-up must lie ahead)."""
    sources = list(sources)
    record = blank_lead(sources, rep)
    if "company" not in fields:
        raise BadInput(_("{field} is required and cannot be empty.").format(field=labels.field("company")))
    record.update(clean_lead_fields(fields, sources=sources, now=now, roster=roster, future_only=True,
                                    currency=currency, day_end=day_end, region=region))
    return record


NOTE_FIELDS = ("title", "kind", "tags", "body", "pinned", "subject")


def clean_note_field(name: str, value: Any) -> Any:
    """Validate one note field; returns its clean value (BadInput names the field and what is accepted)."""
    if name == "title":
        return require_text(value if isinstance(value, str) else "", "note_title", MAX_LENGTH["note_title"])
    if name == "kind":
        return parse_choice(value if isinstance(value, str) else "", [kind.value for kind in NoteKind], "kind")
    if name == "tags":
        return parse_tags(value if isinstance(value, list) else [value if isinstance(value, str) else ""])
    if name == "body":
        return multiline_text(value if isinstance(value, str) else "", "body", strip=False)  # Markdown: as written
    if name == "pinned":
        return bool(value)
    if name == "subject":  # one line: a line break in a subject would start a header of its own
        return optional_text(value if isinstance(value, str) else "", "subject", MAX_LENGTH["subject"])
    raise BadInput(_("'{name}' is not a note field; fields are {fields}.").format(name=name, fields=", ".join(NOTE_FIELDS)))


def clean_note_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate several note fields; the first bad one raises BadInput naming it."""
    return {name: clean_note_field(name, value) for name, value in fields.items()}
