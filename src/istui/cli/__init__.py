"""The `istui` command line (DESIGN.md section 5). Never imports textual: quick logging starts fast.

Errors print one sentence to stderr: exit status 2 for bad input, 1 for other failures. A message may
quote what was typed or read, so it is made safe for the terminal first (`domain.text.terminal_safe`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from istui.cli.parser import build_parser, join_when_values
from istui.domain.errors import IstuiError
from istui.domain.parsing import parse_rep
from istui.domain.text import terminal_safe
from istui.i18n import N_

ARGPARSE_MESSAGES = (  # marked here so the catalog test knows them; argparse asks for them by these exact texts
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"), N_("expected one argument"),
)


def setup_language(argv: Sequence[str] | None) -> None:
    """The language (`--lang`, the user config's `language`, ISTUI_LANG, the locale) and the amount
    style (`amounts = "compact"` in the user config), before any text is made."""
    from istui import locations
    from istui.domain.formatting import AMOUNT_STYLES, set_amount_style
    from istui.i18n import detect, set_language

    args = list(sys.argv[1:] if argv is None else argv)
    given = None
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            given = args[index + 1]
        elif arg.startswith("--lang="):
            given = arg.split("=", 1)[1]
    config: dict = {}
    try:  # parse the config only when it sets one of these
        text = locations.config_file().read_text("utf-8")
        if "language" in text or "amounts" in text:
            from istui.store.plain_toml import loads

            config = loads(text)
    except Exception:  # missing or broken: reported where it is used; text still needs a language
        config = {}
    language = config.get("language")
    set_language(detect(given, language if isinstance(language, str) else None))
    import argparse

    from istui.i18n import _

    argparse._ = _  # type: ignore[attr-defined]  # argparse's own words (ARGPARSE_MESSAGES) from the same catalog
    if config.get("amounts") in AMOUNT_STYLES:
        set_amount_style(config["amounts"])


def run() -> int:
    """The `istui` command (`istui.launch`): `main`, then the process ends without Python's cycle collector walking
    every object it made at exit (frozen instead: ~6 ms of a quick command). Tests call `main` in-process."""
    code = main(started=True)
    gc.freeze()
    return code


def main(argv: Sequence[str] | None = None, started: bool = False) -> int:
    """`started`: this process is the command (`run`), started with the cycle collector paused (`istui.launch`),
    which is turned back on once the command's modules are loaded, what they made frozen."""
    argv = join_when_values(sys.argv[1:] if argv is None else argv)  # `--next -1d`: the WHEN reader says why not
    setup_language(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if started and not gc.isenabled():
        gc.freeze()
        gc.enable()
    from istui.cli.context import OPENED, report_read_problems

    try:
        if args.rep is not None:  # `--rep ""` is refused, never taken as "not given"
            args.rep = parse_rep(args.rep, "--rep")
        code = args.handler(args) or 0
        report_read_problems()
        return code
    except IstuiError as exc:
        print(f"istui: {terminal_safe(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("istui: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `istui lead list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except PermissionError as exc:
        print(f"istui: permission denied: {terminal_safe(exc.filename)}; check the workspace's owner and mode.",
              file=sys.stderr)
        return 1
    finally:
        OPENED.clear()
