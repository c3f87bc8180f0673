"""The argparse tree of the CLI contract: global options, and each command's options from its group
module (`istui.cli.commands`); shared option helpers for those modules."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from istui import __version__
from istui.cli.commands import COMMANDS, define, run_home
from istui.domain.patterns import lazy
from istui.domain.text import terminal_safe
from istui.domain.when import WHEN_HELP, WHEN_WORDS
from istui.i18n import _

GLOBAL_OPTIONS = ("--workspace", "--rep", "--lang")
#: The options that take a WHEN (`--next -1d` must reach the WHEN reader, which says why it is refused).
WHEN_OPTIONS = ("--next", "--at", "--meeting")
_DASH_VALUE = lazy(r"-\d")


def when_help() -> str:
    """The WHEN forms, for the epilog of a command that takes one (in the language in force)."""
    return _("{forms}; {more}").format(forms=_(WHEN_HELP), more=_(WHEN_WORDS))


class Parser(argparse.ArgumentParser):
    def _get_formatter(self) -> argparse.HelpFormatter:
        """argparse makes a formatter for each option it adds, and its own asks shutil (imported for that
        alone: ~2 ms of every command) for the terminal's width each time; this asks the terminal directly."""
        try:
            columns = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            columns = 0
        if columns <= 0:
            try:
                columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                columns = 80
        return self.formatter_class(prog=self.prog, width=columns - 2)

    def error(self, message: str) -> None:  # one sentence (quoting what was typed, made safe), exit status 2
        self.print_usage(sys.stderr)
        self.exit(2, f"istui: {terminal_safe(message)}.\n")


def json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON document instead of text"))


def scope_options(p: argparse.ArgumentParser, rep_dest: str) -> None:
    """`--rep NAME | --team` of a report (kpi, review): one rep (default: you) or the whole team."""
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--rep", dest=rep_dest, metavar="NAME", help=_("this rep (default: you)"))
    scope.add_argument("--team", action="store_true", help=_("the whole team"))


def actions(command: argparse.ArgumentParser, metavar: str = "ACTION") -> argparse._SubParsersAction:
    """The sub-commands of a command (`lead add`, `lead list` …)."""
    return command.add_subparsers(metavar=metavar, parser_class=Parser, required=True)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = Parser(prog="istui", description=_("A keyboard-driven workspace for inside-sales reps."),
                    epilog=_("Run 'istui COMMAND --help' for a command's options."))
    parser.add_argument("--version", action="version", version=f"istui {__version__}",
                        help=_("show program's version number and exit"))  # argparse 3.11 fixes its own in English
    parser.set_defaults(handler=run_home)
    sub = parser.add_subparsers(title=_("commands"), metavar="COMMAND", parser_class=Parser)
    wanted = command_in(argv)
    for name, (summary, _module) in COMMANDS.items():
        command = sub.add_parser(name, help=_(summary))
        if wanted is None or wanted == name:  # only the command being run gets its options: a faster start
            define(name, command)
    global_options(parser)
    return parser


def global_options(parser: argparse.ArgumentParser, top: bool = True, seen: set[int] | None = None) -> None:
    """`--workspace`, `--rep` and `--lang` on the top parser and on every command at any depth, so they may
    stand before or after the command (`istui today --rep bob` = `istui --rep bob today`). Below the top they
    default to SUPPRESS: a value given before the command is not overwritten. A command with its own option of
    that name (`kpi --rep`: whose KPIs) keeps its own meaning."""
    seen = set() if seen is None else seen
    if id(parser) in seen:
        return
    seen.add(id(parser))
    where = parser if top else parser.add_argument_group(_("global options (before or after the command)"))
    extra: dict = {} if top else {"default": argparse.SUPPRESS}
    known = parser._option_string_actions
    if "--workspace" not in known:
        where.add_argument("--workspace", metavar="PATH", help=_("workspace folder (env ISTUI_WORKSPACE)"), **extra)
    if "--rep" not in known:
        where.add_argument("--rep", metavar="NAME", help=_("who is working (env ISTUI_REP)"), **extra)
    if "--lang" not in known:
        where.add_argument("--lang", choices=("en", "ja"),
                           help=_("language (default: the config's `language`, then the locale)"), **extra)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                global_options(command, top=False, seen=seen)


def join_when_values(argv: Sequence[str]) -> list[str]:
    """argv with `--next -1d` written as `--next=-1d`: argparse takes a value that starts with '-' and a digit
    (but is not a plain negative number) for an option and says "expected one argument"; joined, the value
    reaches the WHEN reader, which names the real problem ("-1d ... is in the past"). After `--` nothing changes."""
    args = list(argv)
    joined: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            joined += args[index:]
            break
        if arg in WHEN_OPTIONS and index + 1 < len(args) and _DASH_VALUE.match(args[index + 1]):
            joined.append(f"{arg}={args[index + 1]}")
            index += 2
            continue
        joined.append(arg)
        index += 1
    return joined


def command_in(argv: Sequence[str] | None) -> str | None:
    """The command named in argv (global options skipped), or None to build every command."""
    args = list(sys.argv[1:] if argv is None else argv)
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in GLOBAL_OPTIONS:
            index += 2
        elif arg.startswith("-"):
            if arg in ("-h", "--help"):
                return None
            index += 1
        else:
            return arg if arg in COMMANDS else None
    return None
