"""Kill -9 rounds (DESIGN.md section 3), as many as asked; run by hand, never in CI.

    .venv/bin/python bench/crash.py [N] [--seed S] [--only log,meeting,...] [--keep DIR]

N kills (default 140) shared by the commands `log call`, `log call -o meeting_booked`, `lead set`,
`note edit`, `handoff`, `import leads` (2,000 rows) and `sync`, each killed with SIGKILL at a random
moment of its measured run; after each, doctor must report no error, no earlier record may be lost,
multi-record changes must be all or nothing, and the same command must succeed again (see
tests/crash_support.py). Prints each failure with what was lost, a table per command, and
"tried N, survived M". The same seed gives the same delays (the timing of a machine still varies).
Exit status 1 when any round failed; the workspaces of failed rounds are kept for a look.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from crash_support import COMMANDS, CrashLab, Outcome, run_rounds  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=140, help="number of kills in all (default 140)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", default=",".join(COMMANDS), help="commands to kill, comma-separated: " + ", ".join(COMMANDS))
    parser.add_argument("--keep", metavar="DIR", help="build the workspaces here (default: a temporary folder)")
    args = parser.parse_args(argv)
    commands = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(commands) - set(COMMANDS))
    if unknown:
        parser.error(f"--only: unknown command(s) {', '.join(unknown)}; choose from {', '.join(COMMANDS)}")
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="istui-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Building the known workspaces in {folder} (seed {args.seed}) …", flush=True)
    lab = CrashLab(folder)
    counts = {name: args.n // len(commands) + (index < args.n % len(commands)) for index, name in enumerate(commands)}
    results: dict[str, list[Outcome]] = {}
    for name in commands:
        if not counts[name]:
            continue
        results[name] = run_rounds(lab, name, counts[name], args.seed)
        for outcome in results[name]:
            if not outcome.survived:
                print(outcome, flush=True)
        survived = sum(o.survived for o in results[name])
        print(f"  {name}: {survived}/{len(results[name])} survived (run {lab.durations[name] * 1000:.0f} ms)", flush=True)
    print()
    print(f"{'command':<10} {'tried':>5} {'mid-run':>7} {'survived':>8}  run")
    for name, outcomes in results.items():
        print(f"{name:<10} {len(outcomes):>5} {sum(o.killed for o in outcomes):>7} {sum(o.survived for o in outcomes):>8}  "
              f"{lab.durations[name] * 1000:.0f} ms")
    everything = [o for outcomes in results.values() for o in outcomes]
    survived = sum(o.survived for o in everything)
    print(f"\ntried {len(everything)}, survived {survived}")
    return 0 if survived == len(everything) else 1


if __name__ == "__main__":
    sys.exit(main())
