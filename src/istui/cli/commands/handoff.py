"""`istui handoff ID --to NAME …`: hand a lead to field sales with its sheet; `istui handoff show ID`: that sheet
again; `istui handoff list|accept|reject|feedback`: the loop with field sales (DESIGN.md section 5)."""

from __future__ import annotations

import argparse
import sys

from istui.cli import render
from istui.cli.context import open_workspace
from istui.cli.parser import json_option
from istui.cli.render import emit_json
from istui.domain.errors import BadInput
from istui.domain.handoffs import SHEET_FIELDS
from istui.i18n import N_, _

# never a lead id: ids are ULIDs, which start with a digit (and Crockford base-32 has no O or L)
ACTIONS = ("show", "list", "accept", "reject", "feedback")
_SHEET_HELP = {"budget": N_("BANT: the budget (e.g. 300万円)"), "authority": N_("BANT: who decides"),
               "need": N_("BANT: the need, in the customer's words"), "timeline": N_("BANT: when they want it"),
               "decision_date": N_("when they decide"), "budget_range": N_("the budget range"),
               "competitors": N_("who else they talk to"), "current_tool": N_("what they use today")}
_ANSWER_OPTIONS = ("reason", "rating", "mine", "status")


def define(name: str, p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="ID", help=_("the lead to hand off; or list, accept ID, reject ID, feedback ID, show ID"))
    p.add_argument("shown", nargs="?", metavar="", help=argparse.SUPPRESS)
    p.add_argument("--to", default="", metavar="NAME", help=_("the field-sales person on the roster (`istui rep list`)"))
    for field, what in _SHEET_HELP.items():
        p.add_argument(f"--{field.replace('_', '-')}", dest=field, default="", help=_(what))
    p.add_argument("--note", default="", help=_("anything else field sales should know; with accept, reject, feedback: "
                                                "the answer's note (feedback: what information was missing)"))
    p.add_argument("--reason", default="", metavar="CODE", help=_("reject: why, a code of the workspace's list "
                                                                  "(reject_reasons setting)"))
    p.add_argument("--rating", default="", metavar="1-5", help=_("feedback: how good the handoff was, 1 to 5"))
    p.add_argument("--mine", action="store_true", help=_("list: only handoffs to or from you"))
    p.add_argument("--status", default="", metavar="STATUS",
                   help=_("list: only proposed, accepted or rejected (returned) ones"))
    json_option(p)
    p.set_defaults(handler=run_handoff)


def _refuse_options(args: argparse.Namespace, action: str, allowed: tuple[str, ...]) -> None:
    given = [f"--{name.replace('_', '-')}" for name in ("to", *SHEET_FIELDS, "note", *_ANSWER_OPTIONS)
             if getattr(args, name) and name not in allowed]
    if given:
        raise BadInput(_("handoff {action} takes no {options}.").format(action=action, options=", ".join(given)))


def run_handoff(args: argparse.Namespace) -> int:
    action = args.id if args.id in ACTIONS else "hand_off"
    if action == "hand_off":
        if args.shown is not None:
            raise BadInput(_("handoff: one lead id, then its options (--to NAME …); `istui handoff show ID` shows a sheet."))
        _refuse_options(args, "ID", ("to", *SHEET_FIELDS, "note"))
        return _hand_off(args)
    if action == "list":
        if args.shown is not None:
            raise BadInput(_("handoff list takes no lead id; `istui handoff show ID` shows one."))
        _refuse_options(args, "list", ("mine", "status"))
        return _list(args)
    if args.shown is None:
        raise BadInput(_("handoff {action}: name the lead, e.g. istui handoff {action} 01J8Q.").format(action=action))
    allowed = {"show": (), "accept": ("note",), "reject": ("reason", "note"), "feedback": ("rating", "note")}[action]
    _refuse_options(args, action, allowed)
    return _show(args) if action == "show" else _answer(args, action)


def _hand_off(args: argparse.Namespace) -> int:
    from istui.services.handoff import handoff_sheet
    from istui.services.handoff_loop import hand_off

    ws = open_workspace(args)
    lead_id = ws.resolve_lead(args.id)
    logged = hand_off(ws, lead_id, args.to, {k: getattr(args, k) for k in SHEET_FIELDS}, args.note)
    sheet = handoff_sheet(logged.lead, ws.activities_of_lead(lead_id), ws.settings.currency)
    if args.json:
        emit_json({"lead": logged.lead, "activity": logged.activity, "sheet": sheet})
    else:
        sys.stdout.write(sheet)
    return 0


def _show(args: argparse.Namespace) -> int:
    """The handoff sheet of a lead handed off before, as it reads now (its activities since included)."""
    from istui.services.handoff import sheet_of

    ws = open_workspace(args)
    lead = ws.get_lead(ws.resolve_lead(args.shown))
    sheet = sheet_of(ws, lead)
    if args.json:
        emit_json({"lead": lead, "handoff": lead["handoff"], "sheet": sheet})
    else:
        sys.stdout.write(sheet)
    return 0


def _answer(args: argparse.Namespace, action: str) -> int:
    from istui.domain.formatting import when
    from istui.domain.handoffs import reason_label
    from istui.services import handoff_loop

    ws = open_workspace(args)
    lead_id = ws.resolve_lead(args.shown)
    if action == "accept":
        logged = handoff_loop.accept(ws, lead_id, args.note)
        said = _("Accepted {company}: it is yours to work.")
    elif action == "reject":
        if not args.reason:
            raise BadInput(_("reason: say why the lead goes back, one of {options} (--reason CODE).").format(
                options=", ".join(ws.settings.reject_reasons)))
        logged = handoff_loop.reject(ws, lead_id, args.reason, args.note)
        said = _("Returned {company} to {owner} ({reason}); it is back in stage nurturing.")
    else:
        if not args.rating:
            raise BadInput(_("rating: rate the handoff from 1 to 5 (--rating N)."))
        logged = handoff_loop.rate(ws, lead_id, args.rating, args.note)
        said = _("Rated the handoff of {company}: {rating} of 5.")
    if args.json:
        emit_json({"lead": logged.lead, "activity": logged.activity})
        return 0
    handoff = logged.lead["handoff"]
    print(said.format(company=render.safe(logged.lead["company"]), owner=render.safe(logged.lead.get("owner") or handoff.get("by")),
                      reason=reason_label(handoff.get("reason")), rating=handoff.get("rating")))
    meeting = handoff_loop.called_off_at(logged)
    if meeting:
        print(_("Its meeting of {when} is called off; `istui meeting {id} --cancel --send` (or --ics FILE) tells those "
                "invited.").format(when=when(meeting, ws.now()), id=logged.lead["id"][:10]))
    return 0


def _list(args: argparse.Namespace) -> int:
    from istui.domain.formatting import when
    from istui.domain.handoffs import STATUS_LABELS, reason_label
    from istui.services.handoff_loop import handoff_rows

    ws = open_workspace(args)
    rows = handoff_rows(ws, ws.leads(), mine=args.mine, state=args.status)
    if args.json:
        emit_json({"handoffs": rows})
        return 0
    if not rows:
        print(_("No handoffs."))
        return 0
    now = ws.now()
    headers = [_("Lead"), _("Company"), _("Status"), _("To"), _("By"), _("Handed off"), _("SLA"), _("Why")]
    lines = []
    for row in rows:
        sla = (_("overdue") if row["overdue"] else when(row["sla_due"], now)) if row["status"] == "proposed" else ""
        lines.append([row["id"][:10], row["company"], _(STATUS_LABELS[row["status"]]) +
                      (f" #{row['round']}" if row["round"] > 1 else ""), row["to"] or "", row["by"] or "",
                      when(row["at"], now) if row["at"] else "", sla,
                      reason_label(row["reason"]) if row["status"] == "rejected" else ""])
    render.say(render.table(headers, lines))
    return 0
