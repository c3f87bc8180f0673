"""The one count of activities (DESIGN.md section 4). Every KPI figure comes from `tally`: the raw
report tallies the activities it reads, the rollups (`services.rollups`) tally each activity file once
and keep the result, and both combine tallies with the same `combine` — so a report from rollups
equals the raw report by construction.

A tally holds, for the activities in its bounds:
- `days`: per local day (date ordinal), the activity counts of `domain.metrics.ACTIVITY_COUNTS` (talk time: the
  seconds of the calls' durations, those of connected calls, and the connected calls of at least a minute), and
  `counts`, their sum (an open the mail service flags as a machine's is no open: it is left out of the opens);
- `worked` / `booked`: the leads with a call or e-mail / with a `meeting_booked`;
- `closings`: per lead, its latest closing transition (won or lost) as (timestamp, id, outcome, amount):
  a deal reopened and closed again counts once, with its last outcome and amount;
- `heat_calls`: per (weekday, hour), [calls, connects];
- `heat_mails`: per (weekday, hour) of the send, [e-mails sent, of those opened]: a send counts as
  opened when the next e-mail event of the same rep for the same lead in the same month is an open;
- `notes`: per talk note, [calls that used it, of those booking a meeting].

Lead sets and closings are keyed by lead id, or by the lead's number in a numbering (`number`), where
sets become integer bitsets so that combining a year of tallies is ORs and bit counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from istui.domain.metrics import ACTIVITY_COUNTS, CONVERSATION_SECONDS, EMAIL_COUNTS, FUNNEL
from istui.domain.model import ActivityKind, Stage
from istui.domain.outcomes import MEETING_BOOKED, REACHED_OUTCOMES, EmailOutcome

Record = Mapping[str, Any]
Tally = dict[str, Any]
_SENT, _OPENED = EmailOutcome.SENT.value, EmailOutcome.OPENED.value
_MACHINE_OPEN = "machine_open"  # an open flagged by the mail service as a machine's (Apple Mail Privacy Protection)
_CALL, _EMAIL, _STAGE = ActivityKind.CALL.value, ActivityKind.EMAIL.value, ActivityKind.STAGE.value
_WON, _LOST, _HANDED_OFF = Stage.WON.value, Stage.LOST.value, Stage.HANDED_OFF.value


def file_key(rep: str, month: str) -> str:
    """`rep/YYYY-MM`: the key of one rep's month, the unit a tally is kept per (an activity file)."""
    return f"{rep}/{month}"


_INDEX = {name: index for index, name in enumerate(ACTIVITY_COUNTS)}  # positions only inside the loop below
_CALLS, _CONNECTS = _INDEX["calls"], _INDEX["connects"]
_MEETINGS, _HANDOFFS = _INDEX["meetings"], _INDEX["handoffs"]
_TALK, _CONVERSATIONS, _CONNECT_TALK = _INDEX["talk_seconds"], _INDEX["conversations"], _INDEX["connect_seconds"]
_TIMED = _INDEX["timed_connects"]
_EMAIL_INDEX = {outcome: _INDEX[name] for outcome, name in EMAIL_COUNTS.items()}


#: The lead sets of a tally: worked (a call or e-mail), booked (a meeting), and the funnel's called, connected
#: (a call that reached a person) and handed (handed off).
LEAD_SETS = ("worked", "booked", "called", "connected", "handed")


def pairing_key(rep: str, lead: str, local: datetime) -> tuple[str, int, int, str]:
    """The e-mail events a send pairs with share this: the rep, the local month and the lead."""
    return rep, local.year, local.month, lead


class LocalHours:
    """The local day (ordinal), weekday and hour in `tz` of an activity's time (ISO 8601 text), remembered per
    hour of text: the activities of one hour share them, unless a clock change falls inside that hour."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.known: dict[str, tuple[int, int, int] | None] = {}

    def __call__(self, at: str) -> tuple[int, int, int]:
        key = at[:13] + at[19:] if len(at) == 25 else None  # "2026-11-04T10" and "+09:00"
        found = self.known.get(key) if key is not None else None
        if found is None:
            if key is not None and key not in self.known:
                first = datetime.fromisoformat(f"{at[:13]}:00:00{at[19:]}").astimezone(self.tz)
                last = datetime.fromisoformat(f"{at[:13]}:59:59{at[19:]}").astimezone(self.tz)
                same = first.date() == last.date() and first.hour == last.hour
                self.known[key] = (first.toordinal(), first.weekday(), first.hour) if same else None
                found = self.known[key]
            if found is None:
                local = datetime.fromisoformat(at).astimezone(self.tz)
                return local.toordinal(), local.weekday(), local.hour
        return found


#: What a tally reads of an activity, in the order of a row (`rows`, `tally_rows`): (name, type[, default]).
ROW_FIELDS: tuple[tuple[Any, ...], ...] = (
    ("at", str), ("kind", str), ("lead", str), ("rep", str), ("id", str),
    ("outcome", str | None, None), ("script", str | None, None), ("amount", int | float | None, None),
    ("machine", bool | None, None), ("duration", int | float | None, None))
Row = tuple[str, str, str, str, str, "str | None", "str | None", "float | None", "bool | None", "float | None"]


def rows(activities: Iterable[Record]) -> Iterator[Row]:
    """The activities as the rows `tally_rows` counts (a whole file is decoded straight into rows by the rollups)."""
    for record in activities:
        yield (record["at"], record["kind"], record["lead"], record.get("rep"), record.get("id"),  # type: ignore[misc]
               record.get("outcome"), record.get("script"), record.get("amount"), record.get("machine"),
               record.get("duration"))


def tally(activities: Iterable[Record], tz: tzinfo, start: datetime | None = None,
          end: datetime | None = None) -> Tally:
    """Count the activities in [start, end) (every one without bounds); see the module's docstring."""
    return tally_rows(rows(activities), tz, start, end)


def tally_rows(activities: Iterable[Row], tz: tzinfo, start: datetime | None = None,
               end: datetime | None = None) -> Tally:
    """`tally` of activities as rows (`ROW_FIELDS`)."""
    days: dict[int, list[int]] = {}
    worked: set[str] = set()
    booked: set[str] = set()
    called: set[str] = set()
    connected: set[str] = set()
    handed: set[str] = set()
    closings: dict[str, tuple[float, str, str, float]] = {}
    heat_calls: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    heat_mails: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    notes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    mails: dict[tuple[str, int, int, str], list[tuple[datetime, str]]] = defaultdict(list)
    bounded = start is not None or end is not None
    size = len(ACTIVITY_COUNTS)
    local_hour = LocalHours(tz)
    slots: dict[str, tuple[list[int], list[int]]] = {}  # an hour's text → its day's counts and its call heat cell
    for at, kind, lead, rep, activity_id, outcome, script, amount, machine, duration in activities:
        if machine is True and outcome == _OPENED:
            outcome = _MACHINE_OPEN  # kept, but no open: left out of the open rate and of a send's pairing
        if kind == _EMAIL and outcome in (_SENT, _OPENED):
            # pairing looks at every e-mail event given, in or out of bounds
            local = datetime.fromisoformat(at).astimezone(tz)
            mails[pairing_key(rep, lead, local)].append((local, outcome))
        if bounded:
            moment = datetime.fromisoformat(at)
            if (start is not None and moment < start) or (end is not None and moment >= end):
                continue
        hour_key = at[:13] + at[19:]
        slot = slots.get(hour_key)
        if slot is None:
            ordinal, weekday, hour = local_hour(at)
            counts = days.get(ordinal)
            if counts is None:
                counts = days[ordinal] = [0] * size
            slot = (counts, heat_calls[(weekday, hour)])
            if len(at) == 25 and local_hour.known.get(hour_key) is not None:
                slots[hour_key] = slot  # the whole hour has one local day and hour
        counts, cell = slot
        if kind == _CALL:
            reached = outcome in REACHED_OUTCOMES
            counts[_CALLS] += 1
            counts[_CONNECTS] += reached
            worked.add(lead)
            called.add(lead)
            if reached:
                connected.add(lead)
            cell[0] += 1
            cell[1] += reached
            if duration and type(duration) in (int, float) and duration > 0:  # (a bool is no duration)
                counts[_TALK] += round(duration)
                if reached:
                    counts[_CONNECT_TALK] += round(duration)
                    counts[_TIMED] += 1
                    counts[_CONVERSATIONS] += duration >= CONVERSATION_SECONDS
            if script:
                usage = notes[script]
                usage[0] += 1
                usage[1] += outcome == MEETING_BOOKED
        elif kind == _EMAIL:
            worked.add(lead)
            index = _EMAIL_INDEX.get(outcome)  # type: ignore[arg-type]
            if index is not None:
                counts[index] += 1
        elif kind == _STAGE:
            if outcome == _HANDED_OFF:
                counts[_HANDOFFS] += 1
                handed.add(lead)
            elif outcome in (_WON, _LOST):
                if amount is not None and type(amount) not in (int, float):  # (a record read unchecked: its file
                    raise TypeError(f"amount {amount!r} is not a number")  # was noted clean by mistake)
                closing = (datetime.fromisoformat(at).timestamp(), activity_id, outcome, amount or 0)
                known = closings.get(lead)
                if known is None or closing[:2] > known[:2]:
                    closings[lead] = closing
        if outcome == MEETING_BOOKED:
            counts[_MEETINGS] += 1
            booked.add(lead)
    for events in mails.values():
        events.sort()
        for index, (local, outcome) in enumerate(events):
            if outcome != _SENT:
                continue
            if (start is not None and local < start) or (end is not None and local >= end):
                continue
            cell = heat_mails[(local.weekday(), local.hour)]
            cell[0] += 1
            cell[1] += index + 1 < len(events) and events[index + 1][1] == _OPENED
    totals = [sum(column) for column in zip(*days.values(), strict=True)] if days else [0] * size
    return {"counts": dict(zip(ACTIVITY_COUNTS, totals, strict=True)),
            "days": {ordinal: dict(zip(ACTIVITY_COUNTS, counts, strict=True)) for ordinal, counts in days.items()},
            "worked": worked, "booked": booked, "called": called, "connected": connected, "handed": handed,
            "closings": closings,
            "heat_calls": {cell: calls for cell, calls in heat_calls.items() if calls[0]},  # (other work's cells left out)
            "heat_mails": dict(heat_mails), "notes": dict(notes)}


def tally_by_file(activities: Iterable[Record], tz: tzinfo, start: datetime | None = None,
                  end: datetime | None = None) -> dict[str, Tally]:
    """One tally per rep's month (`file_key`), as the rollups keep them."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in activities:
        local = datetime.fromisoformat(record["at"]).astimezone(tz)
        groups[file_key(record["rep"], f"{local:%Y-%m}")].append(record)
    return {key: tally(records, tz, start, end) for key, records in groups.items()}


def lead_ids(counted: Tally) -> Iterator[str]:
    """The lead ids a tally keyed by lead id names (its lead sets and closings): what `number` needs numbered."""
    for name in LEAD_SETS:
        yield from counted[name]
    yield from counted["closings"]


def localize(counted: Tally, leads: dict[str, int]) -> Tally:
    """`counted` with each lead id as its place in `leads` (the next place on first sight) and its lead sets as
    lists: what a rollup child sends back, each lead id once for all its files instead of once per file and set
    (`number` then takes the places' numbers as a list)."""
    def place(lead: str) -> int:
        found = leads.get(lead)
        if found is None:
            found = leads[lead] = len(leads)
        return found

    return {**counted, **{name: [place(lead) for lead in counted[name]] for name in LEAD_SETS},
            "closings": {place(lead): closing for lead, closing in counted["closings"].items()}}


def number(counted: Tally, numbers: Mapping[str, int] | list[int]) -> Tally:
    """`counted` with its lead sets as bitsets and its closings keyed by lead number (every lead must
    have a number): `numbers` maps its lead ids (or, after `localize`, their places) to numbers."""
    return {**counted, **{name: bitset(counted[name], numbers) for name in LEAD_SETS},
            "closings": {numbers[lead]: closing for lead, closing in counted["closings"].items()}}


def bitset(leads: Iterable[Any], numbers: Mapping[str, int] | list[int]) -> int:
    """The leads as an integer bitset over their numbers (built in a bytearray: OR-ing big ints one
    lead at a time is quadratic)."""
    return bits([numbers[lead] for lead in leads])


def bits(positions: list[int]) -> int:
    """The integer with the bits at `positions` set."""
    if not positions:
        return 0
    buffer = bytearray((max(positions) >> 3) + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


class Combined:
    """Several tallies added up: the counts, the lead sets and the closings of all of them."""

    __slots__ = ("_days", "_pairs", "_tallies", "booked", "called", "closings", "connected", "counts", "handed", "worked")

    def __init__(self, tallies: Iterable[Tally]) -> None:
        self._tallies = list(tallies)
        self._days: dict[int, dict[str, int]] | None = None
        self.counts = dict.fromkeys(ACTIVITY_COUNTS, 0)
        self.worked: Any = None  # a set of lead ids, or a bitset of numbered tallies; None before any tally
        self.booked: Any = None
        self.called: Any = None
        self.connected: Any = None
        self.handed: Any = None
        self.closings: dict[Any, tuple[float, str, str, float]] = {}
        self._pairs: dict[str, dict[Any, list[int]]] = {}
        for counted in self._tallies:
            for name, value in counted["counts"].items():
                self.counts[name] += value
            for name in LEAD_SETS:
                setattr(self, name, _union(getattr(self, name), counted[name]))
            theirs = counted["closings"]
            both = self.closings.keys() & theirs.keys()  # a lead closed in two files: the later closing stays
            later = {lead: self.closings[lead] for lead in both if self.closings[lead][:2] > theirs[lead][:2]}
            self.closings.update(theirs)
            self.closings.update(later)

    def metrics(self) -> dict[str, Any]:
        """The activity metrics of DESIGN.md section 4 (all but the cohort's `target_accounts`), with rates."""
        metrics: dict[str, Any] = dict(self.counts)
        metrics["leads_worked"] = size(self.worked)
        won = [closing for closing in self.closings.values() if closing[2] == _WON]
        metrics["orders"] = len(won)
        metrics["amount"] = round(sum(closing[3] for closing in won), 3)  # cents added without float noise (ints stay ints)
        metrics["lost"] = len(self.closings) - len(won)
        return add_rates(metrics)

    def funnel_sets(self) -> dict[str, Any]:
        """Per funnel step (`domain.metrics.FUNNEL`), the leads that reached it in these tallies: called,
        connected, booked a meeting, handed off, and whose latest closing is a win."""
        won = [lead for lead, closing in self.closings.items() if closing[2] == _WON]
        numbered = self.worked is not None and not isinstance(self.worked, set)
        orders: Any = sum(1 << lead for lead in won) if numbered else set(won)
        return dict(zip(FUNNEL, (self.called, self.connected, self.booked, self.handed, orders), strict=True))

    def _summed(self, name: str) -> dict[Any, list[int]]:
        """The [first, second] pairs of `name` (heat cells, note usage) added up when first asked for."""
        summed = self._pairs.get(name)
        if summed is None:
            summed = self._pairs[name] = {}
            for counted in self._tallies:
                for key, (first, second) in counted[name].items():
                    cell = summed.get(key)
                    if cell is None:
                        summed[key] = [first, second]
                    else:
                        cell[0] += first
                        cell[1] += second
        return summed

    @property
    def heat_calls(self) -> dict[tuple[int, int], list[int]]:
        return self._summed("heat_calls")

    @property
    def heat_mails(self) -> dict[tuple[int, int], list[int]]:
        return self._summed("heat_mails")

    @property
    def notes(self) -> dict[str, list[int]]:
        return self._summed("notes")

    @property
    def days(self) -> dict[int, dict[str, int]]:
        """Per local day (date ordinal), the activity counts (added up when first asked for)."""
        if self._days is None:
            self._days = {}
            for counted in self._tallies:
                for ordinal, counts in counted["days"].items():
                    day = self._days.get(ordinal)
                    if day is None:
                        day = self._days[ordinal] = dict.fromkeys(ACTIVITY_COUNTS, 0)
                    for name, value in counts.items():
                        day[name] += value
        return self._days

    def daily(self, first: date, last: date, names: Iterable[str]) -> list[dict[str, Any]]:
        """The counts `names` of each day in [first, last) (days with nothing count zero)."""
        names = list(names)
        days, rows = self.days, []
        for ordinal in range(first.toordinal(), last.toordinal()):
            day = days.get(ordinal, {})
            rows.append({"day": date.fromordinal(ordinal).isoformat(), **{name: day.get(name, 0) for name in names}})
        return rows


def _union(a: Any, b: Any) -> Any:
    if a is None:
        return set(b) if isinstance(b, set) else b
    return a | b


def overlap(a: Any, b: Any) -> int:
    """How many leads two lead sets (or bitsets) share."""
    if a is None or b is None:
        return 0
    return size(a & b)


def size(leads: Any) -> int:
    if leads is None:
        return 0
    return len(leads) if isinstance(leads, set) else leads.bit_count()


def rate(numerator: float, denominator: float) -> float | None:
    """A ratio, or None (JSON null, '–' on screen) when the denominator is zero."""
    return None if not denominator else round(numerator / denominator, 4)


def add_rates(counts: dict[str, Any]) -> dict[str, Any]:
    """The rates of DESIGN.md section 4 from the counts (in place; also returns them)."""
    counts["connect_rate"] = rate(counts["connects"], counts["calls"])
    counts["open_rate"] = rate(counts["opens"], counts["emails"])
    counts["click_rate"] = rate(counts["clicks"], counts["emails"])
    counts["meeting_rate"] = rate(counts["meetings"], counts["leads_worked"])
    counts["win_rate"] = rate(counts["orders"], counts["orders"] + counts["lost"])
    counts["talk_minutes"] = round(counts["talk_seconds"] / 60, 1)
    average = rate(counts["connect_seconds"], counts["timed_connects"])  # talk per connected call that was timed
    counts["avg_talk_seconds"] = None if average is None else round(average)
    return counts
