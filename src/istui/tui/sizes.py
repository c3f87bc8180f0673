"""The terminal sizes the layout changes at: every screen gets a width class (-narrow, -normal, -wide) and a
height class (-short, -tall) that istui.tcss lays it out by; widgets that adapt in code use the same numbers."""

from __future__ import annotations

NARROW_BELOW = 120  # columns: the lead detail goes below the table, the footer and forms get compact
WIDE_FROM = 200  # columns: the lead detail takes a share of the width
SHORT_BELOW = 32  # rows: inputs lose their borders, the call block hides the big phone number

HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-normal"), (WIDE_FROM, "-wide")]
VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_BELOW, "-tall")]
