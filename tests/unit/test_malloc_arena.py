"""The TUI has all its threads allocate from one malloc arena (`tui.memory.one_malloc_arena`, glibc): counted with
glibc's own report (`malloc_info`) in a process whose worker threads allocate, with and without it."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAM = r"""
import ctypes, sys, threading
from istui.tui.memory import one_malloc_arena
if sys.argv[1] == "one":
    assert one_malloc_arena()
def work():
    kept = [bytes(4096) for _ in range(2000)]  # (larger than Python's small-object allocator takes)
    del kept
threads = [threading.Thread(target=work) for _ in range(4)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
stream = libc.fopen(sys.argv[2].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(stream))
libc.fclose(ctypes.c_void_p(stream))
"""

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")


def arenas(tmp_path: Path, mode: str) -> int:
    report = tmp_path / f"{mode}.xml"
    subprocess.run([sys.executable, "-c", PROGRAM, mode, str(report)], check=True)
    return report.read_text().count("<heap nr=")


@glibc
def test_worker_threads_share_one_arena(tmp_path: Path) -> None:
    assert arenas(tmp_path, "default") > 1  # (what the setting is for: each thread its own arena)
    assert arenas(tmp_path, "one") == 1
