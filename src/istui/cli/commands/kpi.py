"""`istui kpi`, `istui review`, `istui plan`: the figures of a period."""

from __future__ import annotations

import argparse
import sys

from istui.cli import render
from istui.cli.context import open_workspace, report_rep
from istui.cli.parser import json_option, scope_options
from istui.cli.render import emit_json
from istui.domain import labels
from istui.domain.errors import BadInput
from istui.domain.formatting import money, per_day, report_period_words
from istui.i18n import N_, _


def define(name: str, p: argparse.ArgumentParser) -> None:
    if name == "kpi":
        p.add_argument("--period", default="today", help=_("today, week, month, quarter, fy, YYYY-MM or FROM..TO"))
        scope_options(p, "kpi_rep")
        p.add_argument("--email", action="store_true", help=_("the e-mail view: delivered, opens, clicks, bounces, "
                                                              "unsubscribes, meetings, per campaign and template, best hour"))
        p.set_defaults(handler=run_kpi)
    elif name == "review":
        p.add_argument("--period", default="week", help=_("week, last_week, month, last_month, quarter, fy, YYYY-MM or FROM..TO"))
        scope_options(p, "review_rep")
        p.add_argument("--format", choices=("text", "md"), default="text", help=_("md: Markdown for the team meeting"))
        p.set_defaults(handler=run_review)
    else:  # plan
        p.add_argument("--revenue", required=True, metavar="AMOUNT", help=_("the goal (KGI): 30000000, ¥30,000,000, 3000万"))
        p.add_argument("--period", required=True, choices=("month", "quarter", "fy"), help=_("the period the goal is for"))
        p.add_argument("--lookback", type=int, metavar="DAYS",
                       help=_("history the rates come from: DAYS before this month (default: the last 3 closed months, "
                              "6 or 12 where a step has fewer than 20 leads)"))
        p.add_argument("--deal-size", metavar="AMOUNT", help=_("average order amount instead of the observed one"))
        for option, what in (("order-rate", N_("orders per handoff")), ("handoff-rate", N_("handoffs per meeting")),
                             ("meeting-rate", N_("meetings per connect")), ("connect-rate", N_("connects per call"))):
            p.add_argument(f"--{option}", metavar="RATE", help=_("{what}, e.g. 0.25 or 25%%").format(what=_(what)))
        p.add_argument("--save", action="store_true", help=_("save the result as the team's targets for the period"))
        p.set_defaults(handler=run_plan)
    json_option(p)


def run_kpi(args: argparse.Namespace) -> int:
    from istui.services.report import kpi_report

    ws = open_workspace(args)
    if args.email:
        import shutil

        from istui.services.mail_rows import email_report
        from istui.services.mail_text import email_text

        mail = email_report(ws, args.period, report_rep(args, ws, args.kpi_rep))
        if args.json:
            emit_json(mail)
        else:
            sys.stdout.write(email_text(mail, shutil.get_terminal_size((120, 24)).columns))
        return 0
    report = kpi_report(ws, args.period, report_rep(args, ws, args.kpi_rep), analytics=True)
    if args.json:
        emit_json(report)
        return 0
    render.print_kpi_report(ws, report)
    return 0


def run_review(args: argparse.Namespace) -> int:
    from istui.services.review import render_review, review_of

    ws = open_workspace(args)
    findings = review_of(ws, args.period, report_rep(args, ws, args.review_rep))
    if args.json:
        emit_json(findings)
    else:
        sys.stdout.write(render_review(findings, args.format))
    return 0


def parse_rate(text: str, option: str) -> float:
    cleaned = text.strip().rstrip("%")
    try:
        value = float(cleaned) / (100 if text.strip().endswith("%") else 1)
    except ValueError:
        raise BadInput(_("{option}: '{text}' is not a rate; use 0.25 or 25%.").format(option=option, text=text)) from None
    if not 0 < value <= 1:
        raise BadInput(_("{option}: '{text}' is not a rate between 0 and 1 (or 0% and 100%).").format(option=option, text=text))
    return value


def run_plan(args: argparse.Namespace) -> int:
    from istui.domain.parsing import parse_amount
    from istui.services.plan import plan_report, rate_lines, save_plan_as_targets

    ws = open_workspace(args)
    revenue = parse_amount(args.revenue, "revenue", ws.settings.currency)
    if args.lookback is not None and args.lookback < 7:
        raise BadInput(_("lookback: use at least 7 days of history."))
    overrides: dict[str, float] = {}
    if args.deal_size:
        overrides["deal_size"] = parse_amount(args.deal_size, "--deal-size", ws.settings.currency)
        if overrides["deal_size"] <= 0:
            raise BadInput(_("--deal-size: the average order amount must be greater than zero."))
    for name in ("order_rate", "handoff_rate", "meeting_rate", "connect_rate"):
        value = getattr(args, name)
        if value:
            overrides[name] = parse_rate(value, "--" + name.replace("_", "-"))
    result = plan_report(ws, revenue, {"fy": "fiscal_year"}.get(args.period, args.period), args.lookback, overrides)
    if args.save:
        result["saved_targets"] = save_plan_as_targets(ws, result)
    if args.json:
        emit_json(result)
        return 0
    cur = ws.settings.currency
    print(_("Plan · team · ") + _("{period}: goal {goal} · {days} working days ({gone} gone)").format(
        period=report_period_words(result, ws.now().date()), goal=money(revenue, cur), days=result["working_days"],
        gone=render.number(result["elapsed_working_days"])))
    print("\n".join(rate_lines(result, cur)) + "\n")
    rows = [[labels.metric(row["metric"]), render.number(row["needed"]), render.number(row.get("leads_needed")),
             per_day(row["per_working_day"]),
             render.number(row.get("actual")), per_day(row.get("actual_per_working_day")),
             labels.daily_gap(row.get("gap_per_working_day"))] for row in result["steps"]]
    headers = [_(h) for h in (N_("STEP"), N_("NEEDED"), N_("LEADS"), N_("PER DAY"), N_("SO FAR"), N_("PACE/DAY"),
                              N_("GAP/DAY"))]
    print(render.table(headers, rows, right=(1, 2, 3, 4, 5, 6)))
    if args.save:
        print("\n" + _("Saved the plan as the team's targets per {period}.").format(
            period=labels.period_kind(result["period"]["kind"])))
    return 0
