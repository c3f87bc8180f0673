"""The retry schedule (DESIGN.md section 4): what happens to a lead after an outcome logged without a
typed WHEN, so that the queue never loses a lead. Pure: the caller gives the moment, the working hours
and which days are working days.

A delay in `retry_schedule` (istui.toml) is a number and a unit: `min` (minutes, moved into working
time), `wh` (working hours), `wd` (working days, same time of day, kept within working hours) or `d`
(calendar days, landing on a working day). `max_attempts` calls in a row without a connect move the lead
to `nurturing` with the `not_interested` delay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from istui.domain.errors import BadInput
from istui.domain.model import Stage
from istui.domain.outcomes import MEETING_BOOKED, REACHED_OUTCOMES, CallOutcome
from istui.domain.patterns import lazy
from istui.i18n import _

WorkingDay = Callable[[date], bool]

EMAIL_KEY = "email"  # the delay after an e-mail outcome when the lead has no future follow-up
MAX_ATTEMPTS = "max_attempts"
#: The workspace's defaults; `retry_schedule` in istui.toml overrides any of them.
DEFAULT_RETRY_SCHEDULE: dict[str, Any] = {
    CallOutcome.CONNECTED.value: "1wd",
    CallOutcome.NO_ANSWER.value: "2wh",
    CallOutcome.VOICEMAIL.value: "1wd",
    CallOutcome.BUSY.value: "15min",
    CallOutcome.GATEKEEPER.value: "2wh",
    CallOutcome.NOT_INTERESTED.value: "90d",
    EMAIL_KEY: "2wd",
    MAX_ATTEMPTS: 6,
}
#: Outcomes that never take a delay: they ask the rep, or flag the lead.
ASKS_FOR_WHEN = CallOutcome.CALLBACK.value
ASKS_FOR_MEETING = MEETING_BOOKED
FLAGS_PHONE = CallOutcome.WRONG_NUMBER.value
FLAGS_DNC = CallOutcome.DO_NOT_CALL.value
WRONG_NUMBER = "wrong_number"  # the value of a lead's `phone_status` after a wrong-number call

_DELAY = lazy(r"^\s*(\d{1,4})\s*(min|wh|wd|d)\s*$")
_SEARCH_DAYS = 400  # a calendar without a working day in this many days is taken as all working days


class Decision(NamedTuple):
    """What the schedule does after an outcome: the next follow-up (None: none), the stage the lead moves
    to, lead fields it sets (flags), what it asks the rep for (`next` or `meeting`) and the rule applied."""

    next_at: datetime | None
    stage: str | None = None
    fields: Mapping[str, Any] | None = None
    ask: str | None = None
    rule: str = ""


def parse_delay(value: Any, key: str) -> tuple[int, str]:
    """`"2wh"` → (2, "wh"); anything else is bad input naming `retry_schedule.KEY`."""
    match = _DELAY.match(value) if isinstance(value, str) else None
    if not match:
        raise BadInput(_("retry_schedule.{key}: {value} is not a delay like 15min, 2wh (working hours), "
                         "1wd (working days) or 90d.").format(key=key, value=repr(value)[:40]))
    amount, unit = int(match[1]), match[2]
    if amount < 1:
        raise BadInput(_("retry_schedule.{key}: a delay must be at least 1{unit}.").format(
            key=key, unit=unit))
    return amount, unit


def validate_schedule(table: Any) -> dict[str, Any]:
    """The full schedule (defaults filled in) from istui.toml's `retry_schedule` table; one sentence for a
    wrong key or value."""
    if not isinstance(table, Mapping):
        raise BadInput(_("retry_schedule: write it as a table, e.g. [retry_schedule] busy = \"15min\"."))
    schedule = dict(DEFAULT_RETRY_SCHEDULE)
    for key, value in table.items():
        if key not in DEFAULT_RETRY_SCHEDULE:
            raise BadInput(_("retry_schedule.{key}: not a schedule entry; entries are {keys}.").format(
                key=key, keys=", ".join(DEFAULT_RETRY_SCHEDULE)))
        if key == MAX_ATTEMPTS:
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
                raise BadInput(_("retry_schedule.max_attempts: {value} is not a whole number from 1 to 100.").format(
                    value=repr(value)[:40]))
        else:
            parse_delay(value, key)
        schedule[key] = value
    return schedule


# --- working-time arithmetic ---------------------------------------------------------------------

def _at(day: date, clock: time, tz: Any) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def next_working_day(day: date, is_working_day: WorkingDay) -> date:
    """The first working day after `day`."""
    for offset in range(1, _SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    return day + timedelta(days=1)


def into_working_time(moment: datetime, hours: tuple[time, time], is_working_day: WorkingDay) -> datetime:
    """`moment` if it falls within working time; else the start of the next working time."""
    start, end = hours
    day, clock = moment.date(), moment.timetz().replace(tzinfo=None)
    if is_working_day(day) and clock < end:
        return moment if clock >= start else _at(day, start, moment.tzinfo)
    return _at(next_working_day(day, is_working_day), start, moment.tzinfo)


def add_working_minutes(moment: datetime, minutes: int, hours: tuple[time, time], is_working_day: WorkingDay) -> datetime:
    """`minutes` of working time after `moment` (17:30 + 2 working hours with 09:00-18:00 → next working
    day 10:30)."""
    if hours[0] >= hours[1]:
        raise ValueError(f"working hours {hours} end before they start")
    current = into_working_time(moment, hours, is_working_day)
    remaining = timedelta(minutes=minutes)
    while True:  # each turn uses up one working day's hours (start < end): ends for any amount, exactly
        left_today = _at(current.date(), hours[1], current.tzinfo) - current
        if remaining < left_today:
            return current + remaining
        remaining -= left_today
        current = _at(next_working_day(current.date(), is_working_day), hours[0], current.tzinfo)


def add_working_days(moment: datetime, days: int, hours: tuple[time, time], is_working_day: WorkingDay) -> datetime:
    """The working day `days` working days after `moment`'s day, at the same time of day kept within working
    hours (before the start: the start; at or after the end: the start)."""
    day = moment.date()
    for _count in range(days):
        day = next_working_day(day, is_working_day)
    clock = moment.timetz().replace(tzinfo=None)
    if not hours[0] <= clock < hours[1]:
        clock = hours[0]
    return _at(day, clock, moment.tzinfo)


def apply_delay(moment: datetime, delay: str, hours: tuple[time, time], is_working_day: WorkingDay) -> datetime:
    """`moment` moved by one schedule delay (see the module's docstring for the units)."""
    amount, unit = parse_delay(delay, "delay")
    if unit == "min":
        return into_working_time(moment + timedelta(minutes=amount), hours, is_working_day)
    if unit == "wh":
        return add_working_minutes(moment, amount * 60, hours, is_working_day)
    if unit == "wd":
        return add_working_days(moment, amount, hours, is_working_day)
    later = moment + timedelta(days=amount)
    clock = later.timetz().replace(tzinfo=None)
    if not hours[0] <= clock < hours[1]:
        later = _at(later.date(), hours[0], later.tzinfo)
    return later if is_working_day(later.date()) else _at(next_working_day(later.date(), is_working_day), hours[0], later.tzinfo)


def decide(outcome: str, moment: datetime, schedule: Mapping[str, Any], hours: tuple[time, time],
           is_working_day: WorkingDay, *, attempts: int = 0, email: bool = False) -> Decision:
    """What follows `outcome` logged at `moment` without a typed WHEN. `attempts`: calls in a row without a
    connect, this one included; `email`: an e-mail outcome (takes the `email` delay)."""
    schedule = {**DEFAULT_RETRY_SCHEDULE, **schedule}

    def later(key: str) -> datetime:
        return apply_delay(moment, schedule[key], hours, is_working_day)

    if outcome == ASKS_FOR_MEETING:
        return Decision(None, ask="meeting", rule="meeting")
    if email:
        return Decision(later(EMAIL_KEY), rule=EMAIL_KEY)
    if outcome == FLAGS_DNC:
        return Decision(None, fields={"dnc": True}, rule="dnc")
    if outcome == FLAGS_PHONE:
        return Decision(None, fields={"phone_status": WRONG_NUMBER}, rule="phone")
    if outcome == ASKS_FOR_WHEN:  # asked for; until it is typed, a working day later keeps the lead queued
        return Decision(add_working_days(moment, 1, hours, is_working_day), ask="next", rule="callback")
    nurture = CallOutcome.NOT_INTERESTED.value
    if outcome == nurture:
        return Decision(later(nurture), stage=Stage.NURTURING.value, rule="nurture")
    if outcome not in REACHED_OUTCOMES and attempts >= int(schedule[MAX_ATTEMPTS]):
        return Decision(later(nurture), stage=Stage.NURTURING.value, rule=MAX_ATTEMPTS)
    return Decision(later(outcome if outcome in schedule else CallOutcome.CONNECTED.value), rule="retry")


def describe(decision: Decision, now: datetime) -> str:
    """What a decision does, in a few words for the call block: `retry today 14:30`, `nurturing, 02-23`,
    `asks for WHEN`."""
    from istui.domain.formatting import short_day, short_moment

    if decision.next_at is None:
        moment = ""
    elif decision.stage:  # nurturing months ahead: the day is what counts
        moment = short_day(decision.next_at.astimezone(now.tzinfo).date(), now.date())
    else:
        moment = short_moment(decision.next_at, now)
    words = {"callback": _("asks for WHEN"), "meeting": _("asks for the meeting time"), "phone": _("flags the phone"),
             "dnc": _("do not call again")}
    if decision.rule in words:
        return words[decision.rule]
    if decision.stage:
        return _("nurturing, {when}").format(when=moment)
    return _("retry {when}").format(when=moment)


def attempts_without_connect(outcomes: list[str]) -> int:
    """Calls at the end of `outcomes` (a lead's call outcomes, oldest first) that reached nobody."""
    count = 0
    for outcome in reversed(outcomes):
        if outcome in REACHED_OUTCOMES:
            break
        count += 1
    return count
