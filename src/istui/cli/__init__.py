"""The `istui` command line (DESIGN.md section 5). Never imports textual: quick logging starts fast.

Errors print one sentence to stderr: exit status 2 for bad input, 1 for other failures.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from istui.cli.parser import build_parser
from istui.domain.errors import IstuiError


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        from istui.cli import commands

        handler = getattr(commands, args.handler)
        return handler(args) or 0
    except IstuiError as exc:
        print(f"istui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("istui: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `istui lead list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except PermissionError as exc:
        print(f"istui: permission denied: {exc.filename}; check the workspace's owner and mode.", file=sys.stderr)
        return 1
