"""E-mail figures (DESIGN.md section 4; issue 15), pure: from e-mail rows (`mail_rows`) to each send's fate and the
period's figures, in total, per campaign and per template.

Everything is counted per send: an event (open, click, bounce, unsubscribe, reply) belongs to the send it follows
(the latest send of the same campaign to the lead when the event names one, else the lead's latest send before it),
and a meeting booked within 14 days of a send is that send's. A period's figures are those of the sends made in it,
with what followed them (also after the period's end).
- `delivered` = sent − bounced; `bounces` are hard bounces (a soft bounce or a dropped mail is not delivered, and
  does not flag the address);
- `unique_opens`: sends opened at least once by a person (a machine open, Apple Mail Privacy Protection, is not; a
  click is: whoever clicked opened it, so click-to-open never exceeds 100 %);
  `open_rate` = unique_opens / delivered; `unique_clicks`, `click_rate` = unique_clicks / delivered;
  `click_to_open` = unique_clicks / unique_opens; `unsubscribes` and `bounces` per delivered;
- `links`: per link, the sends whose reader clicked it; the weekday × hour cells count the opens and clicks by a
  person at the time they happened (the workspace's timezone).
A rate with a zero denominator is None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from operator import itemgetter
from typing import Any, NamedTuple

from istui.domain.outcomes import MEETING_BOOKED, EmailOutcome
from istui.services.counting import rate

WINDOW = timedelta(days=14)  # a meeting this soon after a send is the send's
MACHINE, HARD = 1, 2  # flag bits of a row

SENT, OPENED, CLICKED, BOUNCED, UNSUBSCRIBED, REPLIED = (o.value for o in (
    EmailOutcome.SENT, EmailOutcome.OPENED, EmailOutcome.CLICKED, EmailOutcome.BOUNCED, EmailOutcome.UNSUBSCRIBED,
    EmailOutcome.REPLIED))


class Row(NamedTuple):
    """One e-mail activity (or a meeting booked by call), as the figures need it."""

    at: float  # seconds since the epoch
    lead: str
    outcome: str
    campaign: str
    template: str
    flags: int
    url: str


COUNTS = ("sent", "bounced", "bounces", "delivered", "unique_opens", "machine_opens", "unique_clicks", "unsubscribes",
          "replies", "meetings")


class _Send:
    __slots__ = ("at", "bounce", "campaign", "click", "counted", "hard", "machine", "meeting", "open", "reply", "template",
                 "unsub")

    def __init__(self, at: float, campaign: str, template: str) -> None:
        self.at, self.campaign, self.template = at, campaign, template
        self.open = self.click = self.bounce = self.hard = self.unsub = self.reply = self.meeting = False
        self.machine = self.counted = False


def _empty() -> dict[str, Any]:
    return dict.fromkeys(COUNTS, 0)


def _add(counts: dict[str, Any], send: _Send) -> None:
    counts["sent"] += 1
    counts["bounced"] += send.bounce
    counts["bounces"] += send.hard
    counts["unique_opens"] += send.open
    counts["machine_opens"] += send.machine and not send.open
    counts["unique_clicks"] += send.click
    counts["unsubscribes"] += send.unsub
    counts["replies"] += send.reply
    counts["meetings"] += send.meeting


def with_rates(counts: dict[str, Any]) -> dict[str, Any]:
    delivered = counts["sent"] - counts["bounced"]
    return {**counts, "delivered": delivered, "open_rate": rate(counts["unique_opens"], delivered),
            "click_rate": rate(counts["unique_clicks"], delivered),
            "click_to_open": rate(counts["unique_clicks"], counts["unique_opens"]),
            "unsubscribe_rate": rate(counts["unsubscribes"], delivered), "bounce_rate": rate(counts["bounces"], delivered),
            "reply_rate": rate(counts["replies"], delivered), "meeting_rate": rate(counts["meetings"], delivered)}


def _cell(at: float, tz: tzinfo) -> tuple[int, int]:
    local = datetime.fromtimestamp(at, tz)
    return local.weekday(), local.hour


def best(grid: list[list[int]]) -> dict[str, int] | None:
    """The weekday (0 Monday) and hour with the most events, or None without any."""
    count, weekday, hour = max((grid[d][h], d, h) for d in range(7) for h in range(24))
    return {"weekday": weekday, "hour": hour, "count": count} if count else None


def figures(rows: Iterable[Row], start: float, end: float, tz: tzinfo, campaign: str | None = None) -> dict[str, Any]:
    """The figures of the sends made in [start, end) (seconds since the epoch), from `rows`: every e-mail row and
    meeting of the leads, from before the period (earlier sends take earlier events) to after it (what followed).
    `campaign`: only that campaign's sends."""
    return finish(count(rows, start, end, tz, campaign))


def count(rows: Iterable[Row], start: float, end: float, tz: tzinfo, campaign: str | None = None) -> dict[str, Any]:
    """`figures` before its rates: counts that add up across parts (`merge`), e.g. one rep's sends and another's."""
    latest: dict[str, list[_Send]] = defaultdict(list)  # lead → its sends, oldest first
    in_period: list[_Send] = []
    grids = {"opens": [[0] * 24 for _ in range(7)], "clicks": [[0] * 24 for _ in range(7)]}
    links: dict[str, int] = defaultdict(int)
    clicked_links: set[tuple[int, str]] = set()
    window = WINDOW.total_seconds()
    for at, lead, outcome, row_campaign, template, flags, url, *_more in sorted(rows, key=itemgetter(0)):  # by time
        sends = latest[lead]
        if outcome == SENT:
            send = _Send(at, row_campaign, template)
            sends.append(send)
            if start <= at < end and (campaign is None or row_campaign == campaign):
                send.counted = True
                in_period.append(send)
            continue
        if not sends:
            continue  # an event of no known send (or a meeting before any mail)
        if outcome == MEETING_BOOKED:
            send = sends[-1]
            if at - send.at <= window:
                send.meeting = True
            continue
        send = next((s for s in reversed(sends) if s.campaign == row_campaign), sends[-1]) if row_campaign else sends[-1]
        if outcome == OPENED:
            if flags & MACHINE:
                send.machine = True
                continue
            send.open = True
            if send.counted:
                weekday, hour = _cell(at, tz)
                grids["opens"][weekday][hour] += 1
        elif outcome == CLICKED:
            send.click = True
            if send.counted:
                weekday, hour = _cell(at, tz)
                grids["clicks"][weekday][hour] += 1
                if url and (id(send), url) not in clicked_links:
                    clicked_links.add((id(send), url))
                    links[url] += 1
        elif outcome == BOUNCED:
            send.bounce = True
            send.hard = send.hard or bool(flags & HARD)
        elif outcome == UNSUBSCRIBED:
            send.unsub = True
        elif outcome == REPLIED:
            send.reply = True
    totals = _empty()
    campaigns: dict[str, dict[str, Any]] = defaultdict(_empty)
    templates: dict[str, dict[str, Any]] = defaultdict(_empty)
    for send in in_period:
        send.open = send.open or send.click  # whoever clicked opened it (even behind a machine open)
        _add(totals, send)
        if send.campaign:
            _add(campaigns[send.campaign], send)
        if send.template:
            _add(templates[send.template], send)
    return {"totals": totals, "campaigns": dict(campaigns), "templates": dict(templates), "links": dict(links), "heat": grids}


def merge(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The counts of several parts (`count`) added up."""
    merged: dict[str, Any] = {"totals": _empty(), "campaigns": defaultdict(_empty), "templates": defaultdict(_empty),
                              "links": defaultdict(int), "heat": {"opens": [[0] * 24 for _ in range(7)],
                                                                  "clicks": [[0] * 24 for _ in range(7)]}}
    for part in parts:
        _sum(merged["totals"], part["totals"])
        for group in ("campaigns", "templates"):
            for key, counts in part[group].items():
                _sum(merged[group][key], counts)
        for url, clicks in part["links"].items():
            merged["links"][url] += clicks
        for name, grid in part["heat"].items():
            for day, hours in enumerate(grid):
                merged["heat"][name][day] = [a + b for a, b in zip(merged["heat"][name][day], hours, strict=True)]
    return merged


def _sum(into: dict[str, Any], counts: dict[str, Any]) -> None:
    for name in COUNTS:
        into[name] += counts[name]


def finish(counted: dict[str, Any]) -> dict[str, Any]:
    """The rates, the links most clicked first, and the best weekday × hour of counts (`count`, `merge`)."""
    grids = counted["heat"]
    return {"totals": with_rates(counted["totals"]),
            "campaigns": {k: with_rates(v) for k, v in counted["campaigns"].items()},
            "templates": {k: with_rates(v) for k, v in counted["templates"].items()},
            "links": dict(sorted(counted["links"].items(), key=lambda item: (-item[1], item[0]))),
            "heat": grids, "best": {"opens": best(grids["opens"]), "clicks": best(grids["clicks"])}}
