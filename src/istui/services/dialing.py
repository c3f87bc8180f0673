"""Dialing a lead from istui and timing the call.

The person's `dial_command` (user config, `[phone]`; never the workspace's: each rep has their own softphone) is
run with the lead's number filled in: `{e164}` (`+81312345678`), `{national}` (`03-1234-5678`), `{ext}`. The
default hands a `tel:` link to the desktop (`xdg-open`, `open` on macOS), which opens whatever softphone is
registered for it; any softphone with a command line works (`baresip -e "/dial {e164}"`, `linphonec -c
"call {e164}"`). The command is split into words before the number goes in, so a number never becomes an option
or a second command. `CallTimer` measures a call from the dial (or `t`) to its outcome key, so its `duration` is
recorded without typing.
"""

from __future__ import annotations

import shlex
import shutil
import string
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from istui import locations
from istui.domain.errors import BadInput, IstuiError
from istui.domain.phones import dial_fields
from istui.i18n import _
from istui.store.settings import user_config


def default_command() -> str | None:
    """The desktop's handler of `tel:` links, when this machine has one."""
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    return f"{opener} tel:{{e164}}" if shutil.which(opener) else None


def dial_command() -> str | None:
    """The person's `[phone] dial_command`, else the desktop's `tel:` handler, else None (the number is copied)."""
    table = user_config().get("phone")
    configured = table.get("dial_command") if isinstance(table, dict) else None
    if isinstance(configured, str) and configured.strip():
        return configured
    return default_command()


class Dialed(NamedTuple):
    number: str  # as dialed (E.164)
    national: str  # as the rep reads it
    command: list[str] | None  # the words run, or None: nothing to run, the caller copies the number


def command_words(template: str, fields: dict[str, str]) -> list[str]:
    """The command's words with the number filled in (after splitting, so the number stays one word)."""
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise BadInput(_("dial_command: '{command}' is not a command line ({reason}); fix [phone] dial_command in "
                         "{config}.").format(command=template, reason=exc, config=locations.config_file())) from None
    try:
        named = {name for word in words for _text, name, _spec, _conv in string.Formatter().parse(word) if name is not None}
    except ValueError:  # an unmatched brace
        named = {"{"}
    unknown = sorted(named - set(fields))
    if unknown:
        raise BadInput(_("dial_command: '{command}' names '{field}'; it may name {{e164}}, {{national}} and {{ext}}.")
                       .format(command=template, field=unknown[0]))
    return [word.format(**fields) for word in words]


def dial(lead: dict[str, Any], region: str, template: str | None,
         run: Callable[[list[str]], Any] | None = None) -> Dialed:
    """Dial the lead's number with `template` (None: nothing is run). BadInput when the lead has no number that
    reads; IstuiError, one sentence, when the command cannot be started."""
    fields = dial_fields(lead, region)
    if fields is None and str(lead.get("phone") or "").strip():
        raise BadInput(_("{company}: '{phone}' is not a number istui can dial; correct it with `istui lead set ID "
                         "phone=NUMBER`.").format(company=lead.get("company", ""), phone=lead.get("phone")))
    if fields is None:
        raise BadInput(_("{company} has no phone number to dial.").format(company=lead.get("company", "")))
    if template is None:
        return Dialed(fields["e164"], fields["national"], None)
    words = command_words(template, fields)
    if not words:
        return Dialed(fields["e164"], fields["national"], None)
    try:
        (run or _start)(words)
    except OSError as exc:
        raise IstuiError(_("The dial command could not be started ({reason}); check [phone] dial_command in "
                           "{config}.").format(reason=exc.strerror or exc, config=locations.config_file())) from None
    return Dialed(fields["e164"], fields["national"], words)


def _start(words: list[str]) -> None:
    """Start the softphone and leave it running (no terminal of ours: it must not draw over the TUI)."""
    subprocess.Popen(words, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


class CallTimer:
    """The time on one call: started at the dial (or by hand), stopped at the outcome key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started: float | None = None

    @property
    def running(self) -> bool:
        return self.started is not None

    def start(self) -> None:
        self.started = self.clock()

    def elapsed(self) -> float:
        return 0.0 if self.started is None else max(0.0, self.clock() - self.started)

    def stop(self) -> int | None:
        """The whole seconds since the start (None when it was not running); the timer is reset."""
        if self.started is None:
            return None
        seconds = round(self.elapsed())
        self.started = None
        return seconds
