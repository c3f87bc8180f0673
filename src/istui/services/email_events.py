"""E-mail events from a mail service's export (issue 15: `istui import email-events FILE`).

Reads SendGrid event exports (CSV or the event webhook's JSON), Mailchimp campaign activity, HubSpot e-mail events
and generic or Japanese CSVs (`メールアドレス`, `開封日時`, `クリック日時`, `URL`, `状態`; `--map COLUMN=field` for the rest).
Each event is matched to a lead by address (without regard to case and width) and to the send it follows: by
Message-ID, else by the istui campaign of that name, else the lead's latest send before it. It becomes an e-mail
activity of the rep who sent the mail (the lead's owner when no send is known): opened (a machine open flagged),
clicked (with its link), bounced (hard or soft), unsubscribed (a spam report too). Unsubscribes and spam reports opt
the lead out; hard bounces flag the address. Re-importing adds nothing: each event keeps its id (the service's, or a
hash of address, event, time and link). A dry run plans exactly what a real run writes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from istui.domain.errors import BadInput
from istui.domain.ids import source_id
from istui.domain.model import ActivityKind
from istui.domain.outcomes import EMAIL_STATUS_BY_OUTCOME, OPTED_OUT, EmailOutcome
from istui.i18n import _
from istui.services.import_columns import column_key, decode, find_columns, is_workbook, parse_file_time, read_table
from istui.services.mail_rows import MailRows, months_around
from istui.services.outbox import address_key
from istui.store.workspace import Record, Workspace, iso

FORMATS = ("auto", "sendgrid", "mailchimp", "hubspot", "generic")
FIELDS = ("email", "time", "event", "url", "event_id", "message_id", "campaign", "machine", "bounce_type",
          "open_time", "click_time")

#: header (folded by `column_key`) → field; the formats' own names and the Japanese ones
_HEADERS = {
    "email": ("email", "emailaddress", "e-mail", "recipient", "to", "メールアドレス", "メール", "宛先", "送信先"),
    "time": ("timestamp", "time", "date", "created", "eventtime", "datetime", "日時", "イベント日時", "発生日時"),
    "event": ("event", "action", "eventtype", "type", "状態", "イベント", "ステータス", "アクション"),
    "url": ("url", "link", "clickedurl", "リンク", "クリックurl"),
    "event_id": ("sgeventid", "eventid", "id", "イベントid"),
    "message_id": ("messageid", "sgmessageid", "メッセージid"),
    "campaign": ("marketingcampaignname", "campaign", "campaignname", "emailcampaign", "キャンペーン", "キャンペーン名", "配信名"),
    "machine": ("sgmachineopen", "machineopen"),
    "bounce_type": ("bouncetype", "bounceclassification"),
    "open_time": ("開封日時", "opentime", "openedat", "firstopen"),
    "click_time": ("クリック日時", "clicktime", "clickedat", "firstclick"),
}
_HEADER_INDEX = {}
for _field, _names in _HEADERS.items():
    for _name in _names:
        _HEADER_INDEX.setdefault(column_key(_name), _field)

#: the services' event names (folded) → (outcome, flags); None: nothing to record (delivered = sent − bounced)
_EVENTS: dict[str, tuple[str, dict[str, Any]] | None] = {
    **dict.fromkeys(("processed", "sent", "send", "送信", "送信済み", "配信"), (EmailOutcome.SENT.value, {})),
    **dict.fromkeys(("delivered", "delivery", "配信成功", "到達", "deferred", "statuschange"), None),
    **dict.fromkeys(("open", "opened", "opens", "開封"), (EmailOutcome.OPENED.value, {})),
    **dict.fromkeys(("click", "clicked", "clicks", "クリック"), (EmailOutcome.CLICKED.value, {})),
    **dict.fromkeys(("bounce", "bounced", "hardbounce", "hard", "エラー", "バウンス", "不達", "ハードバウンス"),
                    (EmailOutcome.BOUNCED.value, {"hard": True})),
    **dict.fromkeys(("softbounce", "soft", "blocked", "dropped", "ソフトバウンス"), (EmailOutcome.BOUNCED.value, {"hard": False})),
    **dict.fromkeys(("unsubscribe", "unsubscribed", "groupunsubscribe", "unsub", "配信停止", "配信解除", "購読解除"),
                    (EmailOutcome.UNSUBSCRIBED.value, {})),
    **dict.fromkeys(("spamreport", "spam", "abuse", "迷惑メール報告", "スパム報告"), (EmailOutcome.UNSUBSCRIBED.value, {"spam": True})),
}


_CONTROL = re.compile("[\x00-\x1f\x7f]")
#: an event's own time column, in files with one per kind (開封日時, クリック日時)
_TIME_OF = {"open": "open_time", "opened": "open_time", "開封": "open_time", "click": "click_time",
            "clicked": "click_time", "クリック": "click_time"}


class Event(NamedTuple):
    """One event as read: which row, the address, what happened and when, and what the service says of it."""

    row: int
    address: str
    outcome: str
    at: datetime
    url: str
    event_id: str
    message_id: str
    campaign: str
    flags: dict[str, Any]
    name: str  # the service's word for it


class Plan(NamedTuple):
    activities: list[Record]  # to append (each to its rep's file)
    lead_changes: dict[str, dict[str, Any]]  # lead id → email_status
    duplicates: int  # events imported before
    skipped: dict[str, int]  # the service's word → events with nothing to record (delivered, …)
    unmatched: dict[str, int]  # address → events for no lead
    problems: list[tuple[int, str]]  # row → the sentence: a row that could not be read
    format: str


def _rows(raw: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV (any of its encodings and separators), an .xlsx workbook, or a JSON array / JSON lines
    of objects."""
    text = "" if is_workbook(raw) else decode(raw)[0]
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            items = json.loads(stripped) if stripped.startswith("[") else [json.loads(line) for line in stripped.splitlines() if line.strip()]
        except (ValueError, RecursionError) as error:
            raise BadInput(_("The file looks like JSON but does not parse: {error}.").format(
                error=" ".join(str(error).split())[:200] or _("nested too deep"))) from None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise BadInput(_("The JSON file must hold a list of event objects (as SendGrid's event webhook sends)."))
        header = list(dict.fromkeys(key for item in items for key in item))
        return header, [["" if item.get(key) is None else str(item.get(key)) for key in header] for item in items]
    header, reader = read_table(raw, _("The file is empty; export the e-mail events as CSV and import that."))
    try:
        return header, [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:  # a field beyond the csv module's limit (128 KiB), a NUL byte
        raise BadInput(_("The file is not readable as CSV at line {line}: {error}.").format(
            line=getattr(reader, "line_num", "?"), error=error)) from None


def detect(header: list[str]) -> str:
    keys = {column_key(name) for name in header}
    if "sgeventid" in keys or "sgmessageid" in keys:
        return "sendgrid"
    if "emailaddress" in keys and "action" in keys:
        return "mailchimp"
    if "recipient" in keys and ("eventtype" in keys or "type" in keys):
        return "hubspot"
    return "generic"


def columns(header: list[str], overrides: Iterable[str]) -> dict[str, int]:
    """field → column index: the known names, then `--map COLUMN=field`."""
    found = find_columns(header, _HEADER_INDEX, overrides, FIELDS)
    if "email" not in found:
        raise BadInput(_("The file has no address column (e.g. email, Recipient, メールアドレス); name it with --map "
                         "COLUMN=email. Its columns are: {columns}.").format(columns=", ".join(header)))
    if "event" not in found and "open_time" not in found and "click_time" not in found:
        raise BadInput(_("The file has no event column (e.g. event, Action, 状態) and no 開封日時 / クリック日時; name it "
                         "with --map COLUMN=event. Its columns are: {columns}.").format(columns=", ".join(header)))
    return found


def read_events(raw: bytes, fmt: str, overrides: Iterable[str], tz: tzinfo) -> tuple[list[Event], dict[str, int], list[tuple[int, str]], str]:
    """(events, skipped events by the service's word, rows that could not be read, the format)."""
    if fmt not in FORMATS:
        raise BadInput(_("format: '{value}' is not one of {options}.").format(value=fmt, options=", ".join(FORMATS)))
    header, rows = _rows(raw)
    fmt = detect(header) if fmt == "auto" else fmt
    where = columns(header, overrides)
    events: list[Event] = []
    skipped: dict[str, int] = defaultdict(int)
    problems: list[tuple[int, str]] = []

    width = len(header) + 1
    at = {field: where.get(field, width - 1) for field in FIELDS}  # a field the file lacks: the empty last cell

    def cell(cells: list[str], field: str) -> str:
        return cells[at[field]].strip()

    for number, cells in enumerate(rows, start=2):
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        address = unicodedata.normalize("NFKC", cell(cells, "email"))  # (ｓａｔｏ＠… is sato@…)
        named = cell(cells, "event")
        if named:  # an event row; its time, or the time column of its kind (状態 開封 with 開封日時)
            wanted = [(named, cell(cells, "time") or cell(cells, _TIME_OF.get(column_key(named), "time")))]
        else:  # one row per recipient: an open and a click when their times are filled in
            wanted = [(name, cell(cells, f"{name}_time")) for name in ("open", "click") if cell(cells, f"{name}_time")]
            if not wanted and "open_time" not in where and "click_time" not in where:
                wanted = [("", "")]  # an event row without its event: said as such
        for name, when in wanted:
            if _CONTROL.search(address) or _CONTROL.search(name):
                problems.append((number, _("a control character in the row")))
                continue
            meaning = _EVENTS.get(column_key(name), False)
            if meaning is False:
                problems.append((number, _("'{name}' is not an e-mail event istui knows (open, click, bounce, unsubscribe, "
                                           "spamreport, …)").format(name=name[:40])))
                continue
            if meaning is None:
                skipped[name.lower()] += 1
                continue
            if not address or "@" not in address:
                problems.append((number, _("no e-mail address")))
                continue
            try:
                moment = parse_file_time(when, tz)
            except (ValueError, OverflowError, OSError):
                problems.append((number, _("'{value}' is not a time").format(value=when[:40])))
                continue
            outcome, flags = meaning
            flags = dict(flags)
            if outcome == EmailOutcome.OPENED and column_key(cell(cells, "machine")) in ("true", "1", "yes"):
                flags["machine"] = True
            if outcome == EmailOutcome.BOUNCED and column_key(cell(cells, "bounce_type")) in ("blocked", "soft", "softbounce", "transient"):
                flags["hard"] = False
            url = cell(cells, "url") if outcome == EmailOutcome.CLICKED else ""
            given = cell(cells, "event_id") if "event" in where else ""
            event_id = f"e:{given}" if given else "h:" + hashlib.sha256(  # (the same whatever --format says)
                "\0".join((address_key(address), outcome, moment.isoformat(), url)).encode()).hexdigest()[:24]
            events.append(Event(number, address, outcome, moment, url, event_id, cell(cells, "message_id"),
                                cell(cells, "campaign"), flags, name))
    return events, dict(skipped), problems, fmt


def plan(ws: Workspace, raw: bytes, fmt: str = "auto", overrides: Iterable[str] = ()) -> Plan:
    """What importing the file adds (see the module's docstring); nothing is written."""
    from istui.services.campaigns import campaigns

    events, skipped, problems, fmt = read_events(raw, fmt, overrides, ws.tz)
    by_address: dict[str, list[Record]] = defaultdict(list)
    for lead in ws.leads():
        if lead.get("email"):
            by_address[address_key(lead["email"])].append(lead)
    campaign_ids = {c["name"]: c["id"] for c in campaigns(ws)}
    known_ids: set[str] = set()
    sends: dict[str, list[dict[str, Any]]] = defaultdict(list)  # lead → its sends, oldest first ("at": epoch seconds)
    keeper = ws.cached("mail-rows", lambda: MailRows(ws))
    with keeper.lock:  # the e-mail rows of the months around the events, kept per file (`mail_rows`)
        months = months_around(min(e.at for e in events), max(e.at for e in events), ws.tz) if events else []
        rows, _signatures = keeper.rows(months, None)
    for at, lead_id, outcome, campaign, template, _flags, _url, rep, event_id, message_id in rows:
        if event_id:
            known_ids.add(event_id)
        if outcome == EmailOutcome.SENT:
            sends[lead_id].append({"at": at, "campaign": campaign, "template": template, "message_id": message_id, "rep": rep})
    for kept in sends.values():
        kept.sort(key=_at)
    activities: list[Record] = []
    lead_changes: dict[str, dict[str, Any]] = {}
    unmatched: dict[str, int] = defaultdict(int)
    duplicates = 0
    for event in sorted(events, key=lambda e: e.at):
        if event.event_id in known_ids:
            duplicates += 1
            continue
        leads = by_address.get(address_key(event.address))
        if not leads:
            unmatched[event.address] += 1
            continue
        lead, send = _match(leads, sends, event, campaign_ids)
        if event.outcome == EmailOutcome.SENT and send is not None and abs(send["at"] - event.at.timestamp()) <= 2 * 86400:
            known_ids.add(event.event_id)  # istui sent it and logged it: the service's copy adds nothing
            duplicates += 1
            continue
        known_ids.add(event.event_id)
        activity: Record = {"lead": lead["id"], "kind": ActivityKind.EMAIL.value, "outcome": event.outcome,
                            "at": iso(event.at.replace(microsecond=0)), "event_id": event.event_id,
                            "address": event.address, "rep": (send or {}).get("rep") or lead.get("owner") or ws.rep}
        for name in ("campaign", "template", "message_id"):
            if send is not None and send.get(name):
                activity[name] = send[name]
        if event.url:
            activity["url"] = _CONTROL.sub("", event.url)[:2000]
        activity.update(event.flags)  # machine (open), hard (bounce), spam (an unsubscribe by spam report)
        if event.outcome == EmailOutcome.SENT:
            insort(sends[lead["id"]], {**activity, "at": event.at.timestamp()}, key=_at)
        activities.append(activity)
        status = EMAIL_STATUS_BY_OUTCOME.get(event.outcome)
        if status and not (event.outcome == EmailOutcome.BOUNCED and not event.flags.get("hard", True)):
            for holder in leads:  # the address's: every lead of it takes no more mail
                current = lead_changes.get(holder["id"], {}).get("email_status", holder.get("email_status"))
                if current != OPTED_OUT and current != status:
                    lead_changes[holder["id"]] = {"email_status": status}
    return Plan(activities, lead_changes, duplicates, skipped, dict(unmatched), problems, fmt)


def _match(leads: list[Record], sends: dict[str, list[dict[str, Any]]], event: Event,
           campaign_ids: dict[str, str]) -> tuple[Record, dict[str, Any] | None]:
    """The lead and the send an event follows: by Message-ID, by campaign, else the latest send before it (a lead's
    sends are in time order; a service's own `sent` event may come a moment before istui's record of the send)."""
    at = event.at.timestamp()
    campaign = campaign_ids.get(event.campaign)
    wanted = event.message_id.strip("<>")
    best: tuple[Record, dict[str, Any] | None] = (max(leads, key=lambda lead: lead.get("created_at", "")), None)
    for lead in leads:
        kept = sends.get(lead["id"])
        if not kept:
            continue
        before = kept if event.outcome == EmailOutcome.SENT else kept[:bisect_right(kept, at, key=_at)]
        if wanted:
            for send in before:
                if send.get("message_id", "").strip("<>") == wanted:
                    return lead, send
        if campaign:
            for send in reversed(before):
                if send.get("campaign") == campaign:
                    return lead, send
        if before and (best[1] is None or before[-1]["at"] > best[1]["at"]):
            best = (lead, before[-1])
    return best


def _at(send: dict[str, Any]) -> float:
    return send["at"]


def apply(ws: Workspace, planned: Plan) -> None:
    """Write the plan all together (the activities and the leads' flags) or not at all. Each event's record is made
    from the event alone (its id from the event's id, its stamps its time and rep), so the same file imported in two
    clones makes the same records, which git's record-level merge keeps once."""
    stamped = [{**a, "id": source_id(a["at"], a["event_id"]), "created_at": a["at"], "updated_at": a["at"], "updated_by": a["rep"]}
               for a in planned.activities]
    with ws.transaction():
        if stamped:
            ws.bulk_insert(activities=stamped)
        if planned.lead_changes:
            ws.update_leads(planned.lead_changes)

