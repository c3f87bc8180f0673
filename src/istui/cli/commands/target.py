"""`istui target set|list|remove`."""

from __future__ import annotations

import argparse

from istui.cli import render
from istui.cli.context import open_workspace
from istui.cli.parser import actions, json_option
from istui.cli.render import emit_json
from istui.domain import labels
from istui.domain.metrics import metrics_help
from istui.domain.parsing import parse_rep
from istui.i18n import _


def define(name: str, command: argparse.ArgumentParser) -> None:
    target = actions(command)
    p = target.add_parser("set", help=_("set a target"), epilog=_("Metrics: {names}.").format(names=metrics_help()))
    p.add_argument("metric")
    p.add_argument("value")
    p.add_argument("--per", required=True, help=_("day, week, month, quarter or fiscal_year"))
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--rep", dest="target_rep", metavar="NAME", help=_("this rep's target (default: yours)"))
    scope.add_argument("--team", action="store_true", help=_("the team's target"))
    p.add_argument("--motion", help=_("only sdr or bdr leads"))
    json_option(p)
    p.set_defaults(handler=run_set)
    p = target.add_parser("list", help=_("list targets"))
    json_option(p)
    p.set_defaults(handler=run_list)
    p = target.add_parser("remove", help=_("remove a target"))
    p.add_argument("id")
    p.add_argument("--all", action="store_true", dest="every", help=_("remove every target whose id starts with ID"))
    json_option(p)
    p.set_defaults(handler=run_remove)


def run_set(args: argparse.Namespace) -> int:
    from istui.services.targets import clean_target, set_target

    ws = open_workspace(args)
    metric, value, per, motion = clean_target(args.metric, args.value, args.per, args.motion, ws.settings.currency)
    rep = None if args.team else parse_rep(args.target_rep) if args.target_rep else ws.rep
    target = set_target(ws, metric, per, value, rep, motion)
    if args.json:
        emit_json(target)
    else:
        print(_("Target: {metric} {value} per {per} for {scope}").format(
            metric=labels.metric(metric), value=render.number(value), per=labels.period_kind(per), scope=rep or _("team"))
              + (f" ({labels.motion(motion)})" if motion else "") + _("."))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from istui.services.targets import short_target_ids, sorted_targets

    ws = open_workspace(args)
    targets = sorted_targets(ws.targets())
    if args.json:
        emit_json(targets)
        return 0
    if not targets:
        print(_("No targets yet; set one with `istui target set meetings 20 --per month`."))
        return 0
    shown = short_target_ids(targets)
    rows = [[shown[t["id"]], t.get("rep") or _("team"), labels.period_kind(t["per"]), labels.metric(t["metric"]),
             render.number(t["value"]), labels.motion(t["motion"]) if t.get("motion") else ""] for t in targets]
    print(render.table([_("ID"), _("SCOPE"), _("PER"), _("METRIC"), _("VALUE"), _("MOTION")], rows, right=(4,)))
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from istui.services.targets import remove_target, remove_targets

    ws = open_workspace(args)
    removed = remove_targets(ws, args.id) if args.every else [remove_target(ws, args.id)]
    if args.json:
        emit_json(removed if args.every else removed[0])
        return 0
    for target in removed:
        print(_("Removed target {metric} per {per} for {scope}.").format(
            metric=labels.metric(target["metric"]), per=labels.period_kind(target["per"]),
            scope=render.safe(target.get("rep")) or _("team")))
    return 0
