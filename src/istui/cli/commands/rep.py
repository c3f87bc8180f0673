"""`istui rep add|set|list` (the team roster) and `istui settings [KEY=VALUE]...` (the workspace settings)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from istui.cli import render
from istui.cli.context import open_workspace, reply
from istui.cli.parser import actions, json_option
from istui.cli.render import emit_json
from istui.domain.roster import ROLES
from istui.i18n import _


def define(name: str, command: argparse.ArgumentParser) -> None:
    if name == "settings":
        command.add_argument("assignments", nargs="*", metavar="KEY=VALUE",
                             help=_("settings to change, e.g. timezone=Asia/Tokyo week_start=sunday"))
        command.epilog = _("Lists are comma-separated (sources=web_inquiry,referral), table keys dotted "
                           "(roster.alice.display=Alice).")
        json_option(command)
        command.set_defaults(handler=run_settings)
        return
    command.set_defaults(any_rep=True)  # someone not on the roster yet adds themselves
    rep = actions(command)
    for action in ("add", "set"):
        p = rep.add_parser(action, help=_("put someone on the roster") if action == "add" else _("change someone on the roster"))
        if action == "add":
            p.add_argument("names", nargs="+", metavar="NAME", help=_("one or more names (the same options for each)"))
        else:
            p.add_argument("name")
        p.add_argument("--role", help=_("is (inside sales), field (field sales, who receive handoffs) or manager"))
        p.add_argument("--email", metavar="E")
        p.add_argument("--display", metavar="TEXT", help=_("the name people see"))
        json_option(p)
        p.set_defaults(handler=run_save, new=action == "add", any_rep=True)
    p = rep.add_parser("list", help=_("the team roster"))
    json_option(p)
    p.set_defaults(handler=run_list, any_rep=True)


def member_json(name: str, entry: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "display": entry.get("display") or name, "email": entry.get("email", ""),
            "role": entry.get("role", "is")}


def run_save(args: argparse.Namespace) -> int:
    from istui.store.roster import add_new_members, save_member

    ws = open_workspace(args)
    fields = {"role": args.role, "email": args.email, "display": args.display}
    if args.new and len(args.names) > 1:
        added = add_new_members(ws, args.names, fields)
        if args.json:
            emit_json([member_json(name, entry) for name, entry in added])
        else:
            for name, entry in added:
                render.say(_("Added {name} ({display}, {role}) to the roster.").format(
                    name=name, display=entry["display"], role=_(ROLES[entry["role"]])))
        return 0
    name, entry = save_member(ws, args.names[0] if args.new else args.name, fields, new=args.new)
    text = (_("Added {name} ({display}, {role}) to the roster.") if args.new else _("Changed {name} ({display}, {role}).")).format(
        name=name, display=entry["display"], role=_(ROLES[entry["role"]]))
    reply(args, member_json(name, entry), text)
    return 0


def run_list(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    roster = ws.settings.roster or {}
    members = [member_json(name, roster[name]) for name in sorted(roster, key=str.casefold)]
    if args.json:
        emit_json(members)
    elif not members:
        print(_("Nobody is on the roster yet; add someone with `istui rep add NAME --role is`."))
    else:
        rows = [[m["name"], m["display"], _(ROLES.get(m["role"], m["role"])), m["email"]] for m in members]
        print(render.table([_("NAME"), _("DISPLAY"), _("ROLE"), _("E-MAIL")], rows))
    return 0


def run_settings(args: argparse.Namespace) -> int:
    from istui.services.workspace_settings import change_settings, setting_rows

    ws = open_workspace(args)
    if not args.assignments:
        if args.json:
            emit_json(ws.settings.to_dict())
        else:
            print(render.table([_("SETTING"), _("VALUE")], [[key, shown(value)] for key, value in setting_rows(ws.settings)]))
        return 0
    changed, notes = change_settings(ws, args.assignments)
    if args.json:
        emit_json({"changed": {name: {"before": old, "after": new} for name, (old, new) in changed.items()},
                   "notes": notes, "settings": ws.settings.to_dict()})
        return 0
    if not changed:
        print(_("No setting changed (they already had these values)."))
    for name, (old, new) in changed.items():
        render.say(_("{name}: {old} → {new}").format(name=name, old=shown(old), new=shown(new)))
    for note in notes:
        render.say(note)
    return 0


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)
