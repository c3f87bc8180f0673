"""Call and e-mail outcomes (DESIGN.md section 4): the one table of call outcomes with their call-block
keys, the team's Japanese words and whether a person was reached; the e-mail outcomes; and reading an
outcome a rep typed. Help texts, forms, the call block, labels and KPI counting all derive from here.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import NamedTuple

from istui.domain.errors import BadInput
from istui.i18n import N_, _

MEETING_BOOKED = "meeting_booked"  # a call or an e-mail outcome; also moves the lead to stage `meeting`


class CallOutcome(StrEnum):
    CONNECTED = "connected"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    BUSY = "busy"
    GATEKEEPER = "gatekeeper"
    MEETING_BOOKED = MEETING_BOOKED
    NOT_INTERESTED = "not_interested"
    CALLBACK = "callback"
    WRONG_NUMBER = "wrong_number"
    DO_NOT_CALL = "do_not_call"


class CallOutcomeInfo(NamedTuple):
    """One row of the call-block table: the key a rep presses, the team's Japanese word, whether a person was reached."""

    outcome: CallOutcome
    key: str
    ja: str
    reached: bool


#: DESIGN.md section 4, pinned: the digit keys of a call block.
CALL_OUTCOMES: tuple[CallOutcomeInfo, ...] = (
    CallOutcomeInfo(CallOutcome.CONNECTED, "1", "通話", True),
    CallOutcomeInfo(CallOutcome.NO_ANSWER, "2", "不通", False),
    CallOutcomeInfo(CallOutcome.VOICEMAIL, "3", "留守電", False),
    CallOutcomeInfo(CallOutcome.BUSY, "4", "話し中", False),
    CallOutcomeInfo(CallOutcome.GATEKEEPER, "5", "受付止まり・担当不在", False),
    CallOutcomeInfo(CallOutcome.MEETING_BOOKED, "6", "アポ獲得", True),
    CallOutcomeInfo(CallOutcome.NOT_INTERESTED, "7", "担当NG", True),
    CallOutcomeInfo(CallOutcome.CALLBACK, "8", "折り返し・再架電", True),
    CallOutcomeInfo(CallOutcome.WRONG_NUMBER, "9", "番号違い・現アナ", False),
    CallOutcomeInfo(CallOutcome.DO_NOT_CALL, "0", "架電NG", True),
)
CALL_OUTCOME_BY_KEY = {info.key: info for info in CALL_OUTCOMES}
CALL_OUTCOME_INFO = {info.outcome.value: info for info in CALL_OUTCOMES}  # by outcome name
REACHED_OUTCOMES = frozenset(info.outcome.value for info in CALL_OUTCOMES if info.reached)


class EmailOutcome(StrEnum):
    SENT = "sent"
    OPENED = "opened"
    CLICKED = "clicked"
    REPLIED = "replied"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"
    MEETING_BOOKED = MEETING_BOOKED


#: How an e-mail outcome reads on screen (the catalog gives the Japanese).
EMAIL_OUTCOME_LABELS = {EmailOutcome.SENT: N_("sent"), EmailOutcome.OPENED: N_("opened"),
                        EmailOutcome.CLICKED: N_("clicked"), EmailOutcome.REPLIED: N_("replied"),
                        EmailOutcome.BOUNCED: N_("bounced"), EmailOutcome.UNSUBSCRIBED: N_("unsubscribed"),
                        EmailOutcome.MEETING_BOOKED: N_("meeting booked")}

#: A lead's `email_status` (DESIGN.md section 4): its address takes no more mail. An unsubscribe or a spam report
#: opts the person out; a hard bounce flags the address (a new address clears that flag, never an opt-out).
OPTED_OUT = "opted_out"
BOUNCED_ADDRESS = "bounced"
EMAIL_STATUS_BY_OUTCOME = {EmailOutcome.UNSUBSCRIBED.value: OPTED_OUT, EmailOutcome.BOUNCED.value: BOUNCED_ADDRESS}


def call_outcomes_help() -> str:
    """`connected(1) no_answer(2) …`: every call outcome with its key, for help texts."""
    return " ".join(f"{info.outcome.value}({info.key})" for info in CALL_OUTCOMES)


def email_outcomes_help() -> str:
    return " ".join(outcome.value for outcome in EmailOutcome)


def parse_call_outcome(text: str) -> str:
    """A call outcome by name (`no_answer`), by its call-block key (`2`) or by its Japanese word (`不通`)."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if cleaned in CALL_OUTCOME_BY_KEY:
        return CALL_OUTCOME_BY_KEY[cleaned].outcome.value
    for info in CALL_OUTCOMES:
        if cleaned == unicodedata.normalize("NFKC", info.ja):
            return info.outcome.value
    name = cleaned.lower().replace("-", "_")
    if name in CALL_OUTCOME_INFO:
        return name
    raise BadInput(_("outcome: '{text}' is not a call outcome; use one of {names} or its key 0-9.").format(
        text=text, names=", ".join(info.outcome.value for info in CALL_OUTCOMES)))


def parse_email_outcome(text: str) -> str:
    from istui.domain.labels import field  # labels names the outcomes: imported when a message needs it

    name = unicodedata.normalize("NFKC", text).strip().lower().replace("-", "_")
    if name in EmailOutcome._value2member_map_:
        return name
    raise BadInput(_("{field}: '{value}' is not one of {options}.").format(
        field=field("outcome"), value=text, options=", ".join(outcome.value for outcome in EmailOutcome)))
