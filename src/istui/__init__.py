"""istui: a keyboard-driven terminal workspace for inside-sales reps."""

__version__ = "0.1.0"
