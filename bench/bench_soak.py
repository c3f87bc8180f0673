"""Soak benchmark at team-year scale (DESIGN.md section 7: an idle TUI uses at most 2 % of a core and does not
grow), run by hand, never in CI.

    .venv/bin/python bench/bench_soak.py [--minutes 30] [--dir bench/.cache]

Starts the real `istui` in a pseudo-terminal (160x48) on the team-year workspace of bench_cli.py, types
`4 1 3 2 c` right at the start (what a new user once saw leave the app busy for minutes), then for the given
minutes repeats a round: keys (tabs, moves, a filter typed and cleared, a call block opened and closed), an
outside write (`istui log call` from another process, which the app picks up), and a quiet spell. It samples
the app's CPU time and resident memory from /proc: CPU over each quiet spell (after a few seconds to settle)
is the idle figure; memory growth is the last sample against the one after the first round.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_cli import ISTUI, build_workspace, print_budgets  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / ".cache")
    args = parser.parse_args()
    workspace = build_workspace(args.dir)
    env = {**os.environ, "ISTUI_WORKSPACE": str(workspace), "ISTUI_REP": "sato", "TERM": "xterm-256color"}
    env.pop("ISTUI_NOW", None)
    queue = json.loads(subprocess.run([*ISTUI, "today", "--json"], env=env, capture_output=True, text=True,
                                      check=True).stdout)
    outside_lead = queue[-1]["id"]

    pid, master = pty.fork()
    if pid == 0:  # the app, in the pseudo-terminal
        os.execvpe(ISTUI[0], ISTUI, env)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    drained = threading.Event()

    def drain() -> None:  # read what the app draws, as a terminal would
        while True:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
        drained.set()

    threading.Thread(target=drain, daemon=True).start()

    def keys(*sequence: str, gap: float = 0.15) -> None:
        for key in sequence:
            os.write(master, key.encode())
            time.sleep(gap)

    time.sleep(0.5)
    keys("4", "1", "3", "2", "c", gap=0.05)  # right at the start
    time.sleep(3)
    keys("\x1b")
    idle: list[float] = []
    memory: list[tuple[float, float]] = []
    start = time.monotonic()
    rounds = 0
    try:
        while time.monotonic() - start < args.minutes * 60:
            rounds += 1
            keys("1", "j", "j", "j", "k", "/", "a", "c", "m", "e", "\x1b", "\x1b", "2", "j", "c")
            time.sleep(1)
            keys("\x1b", "4", "y", "T", "m", "3", "j", "2")
            subprocess.run([*ISTUI, "log", "call", outside_lead[:12], "-o", "2"], env={**env, "ISTUI_REP": "ben"},
                           capture_output=True)
            time.sleep(8)  # settle: the change picked up, reports made
            before, at = cpu_seconds(pid), time.monotonic()
            time.sleep(20)  # a quiet spell
            idle.append((cpu_seconds(pid) - before) / (time.monotonic() - at) * 100)
            memory.append((time.monotonic() - start, rss_mb(pid)))
            print(f"  round {rounds}: idle CPU {idle[-1]:.1f} % of a core, memory {memory[-1][1]:.0f} MB", flush=True)
    finally:
        os.write(master, b"\x11")  # ctrl+q
        time.sleep(1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)
        os.waitpid(pid, 0)
    growth = memory[-1][1] - memory[0][1] if len(memory) > 1 else 0.0
    print()
    print_budgets([("idle CPU of the TUI, median of the quiet spells", statistics.median(idle), 2.0, "%"),
                   ("idle CPU of the TUI, worst quiet spell", max(idle), None, "%"),
                   ("memory after the first round", memory[0][1], 400.0, "MB"),
                   (f"memory growth over {args.minutes:g} min ({rounds} rounds)", growth, None, "MB"),
                   ("peak memory sampled", max(m for _, m in memory), 400.0, "MB")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
