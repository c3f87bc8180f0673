"""`istui import activities FILE`: call logs from dialers and call-centre tools (MiiTel, BIZTEL, Twilio, a CSV a
rep keeps) into call activities.

Each row is a call: when, the number called, the result, how long, who called. The number finds the lead (by its
E.164 form, `domain.phones`); the result word becomes one of istui's outcomes, Japanese call-centre words included
(不通, 留守電, 受付NG, アポ …), and `--map-outcome WORD=outcome` names the rest. A real run writes every call or none:
a result word no rule maps, a caller not on the roster or a row whose time or duration does not read refuses it in
one sentence (the dry run lists them with their counts). Each call's record is made from the row alone (its id from
the call's id, or its time, number and caller), so importing the same log again, here or in a teammate's clone,
adds nothing.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from istui.domain.checks import MAX_CALL_SECONDS
from istui.domain.errors import BadInput
from istui.domain.ids import source_id
from istui.domain.model import ActivityKind
from istui.domain.outcomes import CALL_OUTCOME_BY_KEY, CALL_OUTCOMES, CallOutcome
from istui.domain.parsing import multiline_text, parse_rep
from istui.domain.phones import e164_guess, parse_phone, phone_key
from istui.domain.roster import find_person
from istui.domain.text import drop_invisible, terminal_safe
from istui.i18n import _
from istui.services.import_columns import column_key, find_columns, parse_file_time, read_table
from istui.services.leads import outcome_changes, schedule_rules
from istui.store.workspace import Record, Workspace, iso

FIELDS = ("time", "date", "clock", "phone", "result", "duration", "rep", "note", "call_id")
_HEADERS: dict[str, tuple[str, ...]] = {
    "time": ("日時", "架電日時", "発信日時", "着信日時", "通話日時", "通話開始日時", "開始日時", "コール日時", "対応日時",
             "datetime", "calltime", "calldatetime", "starttime", "startedat", "timestamp", "callstart", "dateandtime",
             "createdat", "calledat"),
    "date": ("日付", "架電日", "通話日", "date", "calldate"),
    "clock": ("時刻", "開始時刻", "架電時刻", "time"),
    "phone": ("電話番号", "発信先", "発信先番号", "発信先電話番号", "相手先番号", "相手先電話番号", "相手電話番号", "架電先",
              "架電先番号", "phone", "phonenumber", "number", "to", "tonumber", "callee", "dialednumber", "destination",
              "customernumber", "contactnumber"),
    "result": ("結果", "応対結果", "コール結果", "通話結果", "架電結果", "対応結果", "result", "outcome", "disposition",
               "callresult", "calloutcome", "calldisposition", "status"),
    "duration": ("通話時間", "通話秒数", "会話時間", "通話時間秒", "duration", "talktime", "callduration", "billsec",
                 "durationseconds", "durations", "talkseconds", "talkduration"),
    "rep": ("担当者", "担当者名", "発信者", "発信者名", "オペレーター", "オペレーター名", "ユーザー", "ユーザー名", "架電者",
            "agent", "agentname", "user", "username", "rep", "caller", "callername", "owner", "calledby"),
    "note": ("メモ", "備考", "コメント", "通話メモ", "note", "notes", "comment", "comments", "memo", "summary"),
    "call_id": ("通話id", "コールid", "callid", "id", "recordid", "callsid", "uniqueid", "通話記録id"),
}
_HEADER_INDEX = {column_key(alias): name for name, aliases in _HEADERS.items() for alias in aliases}

#: result words (folded by `column_key`) → outcome; the outcomes' own names and Japanese labels are added below
_WORDS: dict[str, tuple[str, ...]] = {
    CallOutcome.CONNECTED: ("通話", "接続", "通話済", "通話完了", "対応", "対応済", "応答", "会話", "見込み", "見込",
                            "見込みあり", "answered", "talked", "reached", "contacted", "completed"),
    CallOutcome.NO_ANSWER: ("不通", "応答なし", "不在", "呼出不応答", "出ない", "noanswer", "unanswered", "noresponse",
                            "missed", "ringnoanswer", "canceled", "cancelled"),
    CallOutcome.VOICEMAIL: ("留守電", "留守番電話", "留守", "留守電メッセージ", "vm", "leftvoicemail", "answeringmachine",
                            "machine"),
    CallOutcome.BUSY: ("話し中", "話中", "通話中", "busy"),
    CallOutcome.GATEKEEPER: ("受付ng", "受付止まり", "受付", "担当不在", "担当者不在", "受付拒否", "受付ブロック", "受付突破不可",
                             "gatekeeper", "receptionist", "blockedbygatekeeper"),
    CallOutcome.MEETING_BOOKED: ("アポ", "アポ獲得", "アポイント", "アポイント獲得", "商談化", "商談獲得", "appointment",
                                 "appointmentset", "meeting", "meetingset", "booked"),
    CallOutcome.NOT_INTERESTED: ("担当ng", "断り", "お断り", "興味なし", "ニーズなし", "notinterested", "rejected", "declined"),
    CallOutcome.CALLBACK: ("再コール", "折り返し", "折返し", "再架電", "後日", "後日連絡", "callback", "callbacklater", "recall",
                           "followup"),
    CallOutcome.WRONG_NUMBER: ("現アナ", "番号違い", "現在使われておりません", "使われていない", "不正番号", "wrongnumber",
                               "invalidnumber", "disconnected", "badnumber"),
    CallOutcome.DO_NOT_CALL: ("架電ng", "架電禁止", "電話ng", "donotcall", "dnc", "optout"),
}
SKIP = "skip"  # `--map-outcome WORD=skip`: rows with that result are no call of istui's (a system error, a test)
_OUTCOME_INDEX = {column_key(word): str(outcome) for outcome, words in _WORDS.items() for word in words}
for _info in CALL_OUTCOMES:
    _OUTCOME_INDEX[column_key(_info.outcome.value)] = _info.outcome.value
    for _label in re.split(r"[・/]", _info.ja):
        _OUTCOME_INDEX.setdefault(column_key(_label), _info.outcome.value)

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:\.\d+)?$")
_WORDED = re.compile(r"^(?:(\d+)\s*(?:時間|h|hr|hours?))?\s*(?:(\d+)\s*(?:分|m|min|mins|minutes?))?\s*"
                     r"(?:(\d+(?:\.\d+)?)\s*(?:秒|s|sec|secs|seconds?))?$", re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """Whole seconds from `125`, `125.4`, `2:05`, `00:02:05`, `2分5秒`, `1時間2分`, `2m 5s`; None for an empty cell;
    ValueError for anything else, minutes or seconds of 60 and more on a clock, and a call longer than a day."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    seconds: float | None = None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        seconds = float(text)
    elif found := _CLOCK.match(text):
        hours, minutes, rest = (int(part or 0) for part in found.groups())
        if (found.group(1) is not None and minutes >= 60) or rest >= 60:
            raise ValueError(text)
        seconds = hours * 3600 + minutes * 60 + rest
    elif (found := _WORDED.match(text)) and any(found.groups()):
        hours, minutes, rest = found.groups()
        seconds = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(rest or 0)
    if seconds is None or seconds > MAX_CALL_SECONDS:
        raise ValueError(text)
    return round(seconds)


def outcome_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """`--map-outcome WORD=outcome` → {folded word: outcome}; BadInput, one sentence, for a malformed one."""
    names = [info.outcome.value for info in CALL_OUTCOMES]
    mapped = {}
    for pair in pairs:
        word, sep, outcome = pair.rpartition("=")
        outcome = outcome.strip().lower()
        outcome = CALL_OUTCOME_BY_KEY[outcome].outcome.value if outcome in CALL_OUTCOME_BY_KEY else outcome
        if not sep or not word.strip():
            raise BadInput(_("map-outcome: '{text}' should look like WORD=outcome, e.g. '資料送付=connected'.").format(
                text=pair))
        if outcome not in (*names, SKIP):
            raise BadInput(_("map-outcome: '{outcome}' is not an outcome; use one of {names}, or skip.").format(
                outcome=outcome, names=", ".join(names)))
        mapped[column_key(word)] = outcome
    return mapped


def _columns(header: list[str], overrides: Iterable[str]) -> dict[str, int]:
    found = find_columns(header, _HEADER_INDEX, overrides, FIELDS)
    if "clock" in found and "date" not in found and "time" not in found:
        found["time"] = found.pop("clock")  # a lone `Time` column holds the whole moment
    missing = [name for name in ("phone", "result") if name not in found]
    if "time" not in found and "date" not in found:
        missing.insert(0, "time")
    if missing:
        raise BadInput(_("The file has no {fields} column (e.g. 日時, 電話番号, 結果); name it with --map COLUMN=field. "
                         "Its columns are: {columns}.").format(fields=", ".join(missing), columns=", ".join(header)))
    return found


@dataclass(slots=True)
class CallPlan:
    calls: list[Record] = field(default_factory=list)  # the activities a real run adds
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # lead → what its imported calls change
    rows: int = 0
    duplicates: int = 0  # imported before (or twice in the file)
    skipped: int = 0  # results mapped to skip
    unmatched: Counter[str] = field(default_factory=Counter)  # number → calls to no lead's number
    unmapped: Counter[str] = field(default_factory=Counter)  # result word → rows
    unknown_reps: Counter[str] = field(default_factory=Counter)  # caller → rows
    problems: list[tuple[int, str]] = field(default_factory=list)  # row → why it does not read

    def refusal(self) -> str | None:
        """Why a real run writes nothing, in one sentence, or None."""
        if self.unmapped:
            words = ", ".join(f"{terminal_safe(word)} ({count})" for word, count in self.unmapped.most_common())
            return _("{count} result word(s) are not mapped to an outcome: {words}; name them with --map-outcome "
                     "WORD=outcome (or WORD=skip) and run again.").format(count=len(self.unmapped), words=words)
        if self.unknown_reps:
            names = ", ".join(f"{terminal_safe(name)} ({count})" for name, count in self.unknown_reps.most_common())
            return _("{count} caller(s) are not on the team roster: {names}; add them with `istui rep add NAME "
                     "--display \"NAME AS THE LOG WRITES IT\"` and run again.").format(count=len(self.unknown_reps),
                                                                                     names=names)
        if self.problems:
            row, reason = self.problems[0]
            return _("{count} row(s) do not read (row {row}: {reason}); fix them and run again.").format(
                count=len(self.problems), row=row, reason=reason)
        return None

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "calls": len(self.calls), "outcomes": dict(Counter(c["outcome"] for c in self.calls)),
                "talk_seconds": round(sum(c.get("duration", 0) for c in self.calls)), "already_imported": self.duplicates,
                "skipped": self.skipped, "unmatched": dict(self.unmatched.most_common()),
                "unmapped": dict(self.unmapped.most_common()), "unknown_reps": dict(self.unknown_reps.most_common()),
                "problems": [{"row": row, "reason": reason} for row, reason in self.problems],
                "do_not_call": sum(1 for change in self.changes.values() if change.get("dnc")),
                "stages": dict(Counter(change["stage"] for change in self.changes.values() if "stage" in change)),
                "refusal": self.refusal()}


def plan(ws: Workspace, raw: bytes, overrides: Iterable[str] = (), outcome_map: Iterable[str] = ()) -> CallPlan:
    """What importing the call log adds; nothing is written."""
    words = {**_OUTCOME_INDEX, **outcome_overrides(outcome_map)}
    header, rows = read_table(raw, _("The file is empty; export the call log as CSV and import that."))
    where = _columns(header, overrides)
    region, roster = ws.settings.phone_region, ws.settings.roster
    result = CallPlan()
    by_number = _numbers(ws, region)
    seen: set[str] = set()

    def cell(cells: list[str], name: str) -> str:
        index = where.get(name)
        return drop_invisible(cells[index]).strip() if index is not None and index < len(cells) else ""

    try:
        for number, cells in enumerate(rows, start=2):
            if not any(str(value).strip() for value in cells):
                continue
            result.rows += 1
            call = _read_row(number, cells, cell, words, region, roster, ws, result, by_number)
            if call is None:
                continue
            leads = by_number.get(call.pop("e164"))
            if not leads:
                result.unmatched[call.pop("shown")] += 1
                continue
            call.pop("shown")
            own = [lead for lead in leads if lead[0] == leads[0][0]]  # those without an extension, when any
            lead_id = next((lead[1] for lead in own if lead[2] == call["rep"]), own[0][1])
            call["lead"] = lead_id
            call["id"] = source_id(call["at"], call["event_id"])
            if call["id"] in seen:
                result.duplicates += 1
                continue
            seen.add(call["id"])
            result.calls.append(call)
    except csv.Error as exc:
        raise BadInput(_("The file is not readable as CSV: {reason}.").format(reason=exc)) from None
    _drop_imported(ws, result)
    return result


def _numbers(ws: Workspace, region: str) -> dict[str, list[tuple[bool, str, str, str]]]:
    """Number (E.164) → its leads as (has an extension, id, owner, updated_at): those without an extension first (a
    call log has none: the number called is theirs), then the latest updated."""
    by_number: dict[str, list[tuple[bool, str, str, str]]] = {}
    for lead in ws.leads():
        key, _sep, ext = phone_key(lead, region).partition(";")
        if key:
            by_number.setdefault(key, []).append((bool(ext), lead["id"], lead.get("owner") or "",
                                                  lead.get("updated_at") or ""))
    for held in by_number.values():
        held.sort(key=lambda lead: lead[3], reverse=True)
        held.sort(key=lambda lead: lead[0])
    return by_number


def _read_row(number: int, cells: list[str], cell: Any, words: dict[str, str], region: str,
              roster: dict[str, Any] | None, ws: Workspace, result: CallPlan, numbers: dict[str, Any]) -> dict[str, Any] | None:
    """One row as a call (with its number's `e164` and `shown` form to match it by), or None when it is no call
    of a lead: unreadable, unmapped, skipped or by someone not on the roster (noted in `result`)."""
    word = cell(cells, "result")
    outcome = words.get(column_key(word)) if word else None
    if outcome is None:
        result.unmapped[word or _("(empty)")] += 1
        return None
    if outcome == SKIP:
        result.skipped += 1
        return None
    moment_text = cell(cells, "time") or " ".join(filter(None, (cell(cells, "date"), cell(cells, "clock"))))
    try:
        moment = parse_file_time(moment_text, ws.tz)
    except (ValueError, OverflowError):
        result.problems.append((number, _("'{value}' is not a date and time").format(value=terminal_safe(moment_text)[:40])))
        return None
    if moment > ws.now():
        result.problems.append((number, _("'{value}' lies ahead; a call log holds calls made").format(
            value=terminal_safe(moment_text)[:40])))
        return None
    try:
        seconds = parse_duration(cell(cells, "duration"))
    except ValueError:
        result.problems.append((number, _("'{value}' is not a duration of a day at most (seconds, m:ss or 2分5秒)").format(
            value=terminal_safe(cell(cells, "duration"))[:40])))
        return None
    caller = cell(cells, "rep")
    rep = ws.rep
    if caller:
        rep = find_person(roster, caller) or ""
        if not rep and not roster:
            try:
                rep = parse_rep(caller.replace(" ", "-"))
            except BadInput:
                rep = ""
        if not rep:
            result.unknown_reps[caller] += 1
            return None
    shown = cell(cells, "phone")
    e164 = e164_guess(shown, region)
    if e164 not in numbers:  # the guess names no lead's number: read it properly
        try:
            e164 = parse_phone(shown, region).e164
        except BadInput:
            e164 = ""  # (非通知, an internal line): a call to no lead
    call_id = cell(cells, "call_id")
    at = iso(moment.replace(microsecond=0))
    call: dict[str, Any] = {"kind": ActivityKind.CALL.value, "outcome": outcome, "at": at, "rep": rep,
                            "event_id": f"call:{call_id}" if call_id else
                            f"call:{at}|{e164 or shown}|{rep}|{outcome}|{seconds}",  # (as read: CSV and .xlsx alike)
                            "e164": e164, "shown": terminal_safe(shown) or _("(no number)")}
    if seconds is not None:
        call["duration"] = seconds
    note = cell(cells, "note")
    if note:
        try:
            call["note"] = multiline_text(note, "note")
        except BadInput as exc:
            result.problems.append((number, str(exc).rstrip(".")))
            return None
    return call


def _drop_imported(ws: Workspace, result: CallPlan) -> None:
    """Leave out the calls a run before added (their ids are made from the rows alone); then what the others change
    on their leads, as the latest of them would logged after the fact (`services.leads.outcome_changes`): the
    stage, the follow-up of the retry schedule (a follow-up the lead has ahead is kept), a do-not-call mark."""
    if not result.calls:
        return
    months = {ws.month_of(call["at"]) for call in result.calls}
    reps = {call["rep"] for call in result.calls}
    known = {activity["id"] for activity in ws.activities(months=months, reps=reps)}
    kept = [call for call in result.calls if call["id"] not in known]
    result.duplicates += len(result.calls) - len(kept)
    result.calls = kept
    result.changes = {}
    by_lead: dict[str, list[Record]] = {}
    for call in sorted(kept, key=lambda call: call["at"]):
        by_lead.setdefault(call["lead"], []).append(call)
    rules = schedule_rules(ws)
    for lead_id, calls in by_lead.items():  # each call, in turn, as if logged after the fact
        before = ws.get_lead(lead_id)
        lead = dict(before)
        for call in calls:
            changes: dict[str, Any] = {}
            outcome_changes(ws, lead, ActivityKind.CALL.value, call["outcome"], datetime.fromisoformat(call["at"]),
                            changes, calls=lead.get("call_attempts") or 0, after_the_fact=True, rules=rules)
            if call["outcome"] == CallOutcome.DO_NOT_CALL:
                changes["dnc"] = True  # the person asked: it stays, whatever later calls say
            lead.update(changes)
        changes = {key: value for key, value in lead.items() if before.get(key) != value}
        if changes:
            result.changes[lead_id] = changes


def apply(ws: Workspace, planned: CallPlan) -> None:
    """Write the calls (and the do-not-call marks) all together, or nothing when the plan is refused."""
    refused = planned.refusal()
    if refused:
        raise BadInput(refused)
    for call in planned.calls:  # (in place: a log of 100,000 calls is not copied)
        call.update(created_at=call["at"], updated_at=call["at"], updated_by=call["rep"])
    with ws.transaction():
        if planned.calls:
            ws.bulk_insert(activities=planned.calls)
        if planned.changes:
            ws.update_leads(planned.changes)
