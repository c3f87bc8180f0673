"""The commands of the CLI contract (DESIGN.md section 5), one module per group: each declares its
commands' arguments beside their handlers (`define(name, parser)`). Only the module of the command
being run is imported, so `istui log call` loads no more than it needs."""

from __future__ import annotations

import argparse
import importlib

from istui.i18n import N_

#: command: (summary, module in this package)
COMMANDS = {
    "init": (N_("create a workspace"), "workspace"),
    "demo": (N_("build a demo workspace and show it"), "workspace"),
    "lead": (N_("add, list, show and edit leads"), "lead"),
    "log": (N_("log a call or e-mail"), "log"),
    "today": (N_("today's queue: overdue, due, new inbound"), "today"),
    "note": (N_("the team's talk scripts, objections, materials"), "note"),
    "target": (N_("targets per day, week, month, quarter, fiscal year"), "target"),
    "kpi": (N_("KPIs and targets for a period"), "kpi"),
    "review": (N_("review a period: targets, funnel, sources, windows, focus"), "kpi"),
    "plan": (N_("KGI → KPI: the calls, meetings and orders a revenue goal takes"), "kpi"),
    "handoff": (N_("hand a lead to field sales with a BANT sheet"), "handoff"),
    "meeting": (N_("a lead's meeting: time, who attends, calendar invite; held or no-show"), "meeting"),
    "mail": (N_("send an e-mail template to a lead"), "mail"),
    "campaign": (N_("メルマガ: a template to many leads, sent and counted"), "mail"),
    "import": (N_("import leads from CSV"), "transfer"),
    "export": (N_("export records as CSV or JSON"), "transfer"),
    "sync": (N_("commit, fetch and merge the team's work, push"), "sync"),
    "remote": (N_("show or set the team's git remote"), "sync"),
    "doctor": (N_("check every workspace file"), "workspace"),
    "rep": (N_("the team roster: add, change and list people"), "rep"),
    "settings": (N_("list or change the workspace settings"), "rep"),
    "merge-driver": (N_("git's record-level merge driver (used by git)"), "sync"),
}


def define(name: str, parser: argparse.ArgumentParser) -> None:
    """Give the command `name` its arguments and handler (imports only its group's module)."""
    importlib.import_module(f"istui.cli.commands.{COMMANDS[name][1]}").define(name, parser)


def run_home(args: argparse.Namespace) -> int:
    """`istui` alone (the workspace group's handler, imported only when it runs)."""
    from istui.cli.commands.workspace import run_home as home

    return home(args)
