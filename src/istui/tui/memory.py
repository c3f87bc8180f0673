"""The TUI process's memory allocator (DESIGN.md section 7: peak memory of the TUI ≤ 400 MB)."""

from __future__ import annotations

import ctypes
import sys

_M_ARENA_MAX = -8  # glibc's malloc.h


def one_malloc_arena() -> bool:
    """Have every thread of this process allocate from one malloc arena (glibc; elsewhere nothing).

    glibc gives each thread that allocates its own arena, and what a worker thread frees (the lead load, a KPI
    report) stays in that arena, unused by the other threads: at 50,000 leads that was 20–40 MB of the TUI's
    peak. Python threads run one at a time (the GIL), so sharing one arena costs them no speed. Takes effect for
    threads that have not allocated yet: called before the app starts its workers. Whether it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 1) == 1
    except (OSError, AttributeError):  # not glibc (musl has no libc.so.6): its own allocator, left as it is
        return False
