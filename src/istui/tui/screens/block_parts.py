"""What the call block shows besides the lead: its counts and clock, the outcome keys, the prompt's words, and the
notes relevant to the lead."""

from __future__ import annotations

import time
from typing import Any

from rich.table import Table
from rich.text import Text

from istui.domain import labels
from istui.domain.outcomes import CALL_OUTCOMES, CallOutcomeInfo
from istui.i18n import N_, _, language
from istui.tui import keys

Record = dict[str, Any]


ESC_HINT = N_("{close}: close, the call stays logged (typed text dropped) · {end} again: end the block")


RATE_AFTER = 300  # seconds of a block before its calls per hour are said


def outcome_key(info: CallOutcomeInfo) -> str:
    """The key in force for an outcome (the domain's digit, or the user's `[keymap]` key for it)."""
    return keys.key(f"call-outcome-{info.key}")


def prompt_text() -> str:
    """What the prompt says before an outcome is logged, naming the outcome keys in force."""
    names = [outcome_key(info) for info in CALL_OUTCOMES]
    shown = f"{names[0]}-{names[-1]}" if names == [info.key for info in CALL_OUTCOMES] else " ".join(names)
    return _("Press an outcome key ({keys}); then a note and follow-up here, and Enter.").format(keys=shown)


def outcome_keys(previews: dict[str, str] | None = None, narrow: bool = False) -> Table:
    """The outcome keys; with `previews`, what the retry schedule does after each without a WHEN (left out
    when `narrow`: one line per key, in the language in force)."""
    table = Table.grid(padding=(0, 1))
    for info in CALL_OUTCOMES:
        after = Text("→ " + previews[info.outcome.value], style="italic") if previews else Text("")
        key = Text(outcome_key(info), style="bold reverse")
        if narrow:
            table.add_row(key, Text(labels.call_outcome_short(info.outcome.value)))
        elif language() == "ja":
            table.add_row(key, Text(info.ja), after)
        else:
            table.add_row(key, Text(info.outcome.value), Text(info.ja, style="dim"), after)
    return table


def relevant_notes(notes: list[Record], lead: Record) -> list[Record]:
    """Notes whose tags name the lead's source or share a tag with it; then scripts and objections; pinned first."""
    wanted = {lead.get("source", "")} | set(lead.get("tags") or [])
    def score(note: Record) -> tuple:
        matches = len(wanted & set(note.get("tags") or []))
        return (-matches, not note.get("pinned"), note.get("kind") not in ("script", "objection"), note["title"])
    chosen = [n for n in notes if wanted & set(n.get("tags") or []) or n.get("kind") in ("script", "objection") or n.get("pinned")]
    return sorted(chosen, key=score)[:12]


class BlockStats:
    """Counts of one call block."""

    clock = staticmethod(time.monotonic)  # replaceable, so pictures of a block do not depend on the second

    def __init__(self) -> None:
        self.started = self.clock()
        self.dials = self.connects = self.meetings = 0

    def add(self, outcome: str, reached: bool, sign: int = 1) -> None:
        self.dials += sign
        self.connects += sign * reached
        self.meetings += sign * (outcome == "meeting_booked")

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def summary(self) -> str:
        return " · ".join(self.parts())

    def parts(self) -> list[str]:
        """`0:12:05`, `dials 14`, `connects 4`, `meetings 1`, `70 calls/h`."""
        minutes, seconds = divmod(int(self.elapsed), 60)
        hours, minutes = divmod(minutes, 60)
        steady = self.elapsed >= RATE_AFTER and self.dials >= 3  # one dial in a minute is not "60 calls/h"
        rate = f"{self.dials / (self.elapsed / 3600):.0f}" if steady else "–"
        return [f"{hours:d}:{minutes:02d}:{seconds:02d}", *_(
            "dials {dials} · connects {connects} · meetings {meetings} · {rate} calls/h").format(
            dials=self.dials, connects=self.connects, meetings=self.meetings, rate=rate).split(" · ")]
