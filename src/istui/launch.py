"""The `istui` command's entry point (and `python -m istui`'s): the cycle collector is paused while istui starts.

Starting makes tens of thousands of long-lived objects (modules, classes, functions) and no garbage, and the collector
would walk them again and again as they are made: ~3 ms of a quick `istui log call`. `cli.run` turns it back on once
the command is known, with what the start made frozen (never walked again).
"""

import gc

gc.disable()

from istui.cli import run  # noqa: E402  (after the collector is paused: this import is the start)

__all__ = ["run"]
