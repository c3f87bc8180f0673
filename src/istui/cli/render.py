"""Plain-text output for the terminal: width-aware tables (Japanese is two columns wide), numbers and
rates, and the printers of the commands that show records (leads, today's queue, KPIs, imports).

Text from records, files and messages is printed through `safe` (`domain.text.terminal_safe`): no control
character reaches the terminal, whatever a file holds."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from istui.domain import labels
from istui.domain.columns import pad
from istui.domain.formatting import (
    duration,
    money,
    number,
    percent,
    previous_period_words,
    report_period_words,
    short_money,
    talk_detail,
    through,
    when,
)
from istui.domain.handoffs import TASK_REASONS
from istui.domain.metrics import HEADLINE_DELTAS
from istui.domain.queue import QUEUE_REASONS
from istui.domain.text import cell_width, clip, json_safe, terminal_safe
from istui.i18n import N_, _, pgettext

if TYPE_CHECKING:
    from istui.store.workspace import Record, Workspace





width, clip = cell_width, clip  # the CLI's names for `domain.text`'s


def safe(text: Any, multiline: bool = False) -> str:
    """Text as it may reach the terminal: control characters shown as `�`, never run (no escape sequences
    from a teammate's commit or a hand-edited file); one line unless `multiline`."""
    return terminal_safe(text, multiline)


def say(text: Any = "", file: Any = None) -> None:
    """Print a line (or lines) made safe for the terminal: what every message quoting a value goes through."""
    print(safe(text, multiline=True), file=file, flush=file is sys.stderr)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = (), max_width: int | None = None,
          shrink_first: Sequence[int] = ()) -> str:
    """`domain.columns.table` as wide as the terminal (unless `max_width`)."""
    import shutil

    from istui.domain.columns import table as columns_table

    return columns_table(headers, rows, right, max_width or shutil.get_terminal_size((120, 24)).columns, shrink_first)


def funnel_line(funnel: list[dict[str, Any]]) -> str:
    """`calls 54 → connects 34 (34/54 63.0%) → …`: each step's leads, and of the previous step's leads how
    many reached it (the cohort rate), so the numbers shown give the rate shown."""
    parts = []
    for before, step in zip([None, *funnel], funnel, strict=False):
        text = f"{labels.metric(step['step'])} {number(step['leads'])}"
        if before is not None and step.get("rate_from_previous") is not None:
            text += f" ({number(step.get('converted', 0))}/{number(before['leads'])} {percent(step['rate_from_previous'])})"
        parts.append(text)
    return " → ".join(parts)


def emit_json(document: Any) -> None:
    sys.stdout.write(json_safe(document) + "\n")


# --- printers of records ------------------------------------------------------------------------

def short_ids(ws: Workspace, ids: list[str]) -> dict[str, str]:
    from istui.domain.ids import short_ids

    every = ws.lead_ids()
    shorts = short_ids(every)
    return {i: shorts.get(i, i) for i in ids}


def print_leads(ws: Workspace, leads: list[Record], now: datetime, reasons: dict[str, str] | None = None) -> None:
    shorts = short_ids(ws, [lead["id"] for lead in leads])
    headers = [_(h) for h in (N_("ID"), N_("COMPANY"), N_("CONTACT"), N_("PHONE"), N_("STAGE"), N_("TEMP"), N_("SOURCE"),
                              N_("OWNER"), N_("NEXT"))]
    rows = []
    for lead in leads:
        row = [shorts[lead["id"]], lead["company"], lead.get("contact", ""), lead.get("phone", ""), labels.stage(lead["stage"]),
               labels.temperature(lead.get("temp", "")), labels.source(lead["source"]), lead.get("owner", ""),
               when(lead.get("next_at"), now)]
        if reasons is not None:
            row.insert(0, labels.reason(reasons[lead["id"]]))
        rows.append(row)
    if reasons is not None:
        headers.insert(0, _("WHY"))
    print(table(headers, rows))


def print_today(ws: Workspace, queue: list[dict[str, Any]], limit: int = 0) -> None:
    counts = {reason: sum(1 for e in queue if e["reason"] == reason) for reason in (*QUEUE_REASONS, *TASK_REASONS)}
    print(_("Today's queue: {overdue} overdue · {due} due today · {new} new inbound").format(**counts))
    waiting = counts["handoff_overdue"] + counts["handoff_proposed"]
    if waiting:
        print(_("{count} handoff(s) to answer ({late} past the SLA): `istui handoff accept ID`, or `istui handoff reject "
                "ID --reason CODE`.").format(count=waiting, late=counts["handoff_overdue"]))
    if counts["meeting_unmarked"]:
        print(_("{count} meeting(s) to mark: `istui meeting held ID` or `istui meeting noshow ID`.").format(
            count=counts["meeting_unmarked"]))
    if counts["returned"]:
        print(_("{count} lead(s) returned by field sales: the reason is on each (`istui lead show ID`).").format(
            count=counts["returned"]))
    if counts["set_meeting"]:
        print(_("{count} meeting(s) booked without a time: `istui meeting ID --at WHEN --with NAME`.").format(
            count=counts["set_meeting"]))
    if counts["no_next_step"]:
        print(_("{count} worked lead(s) have no next step: give each a follow-up with `istui lead set ID next=WHEN`.")
              .format(count=counts["no_next_step"]))
    if counts["meeting_passed"]:
        print(_("{count} meeting(s) passed — hand off or log the result: `istui handoff ID --to NAME`, a new time with "
                "`istui lead set ID meeting=WHEN`, or `istui lead stage ID STAGE`.").format(count=counts["meeting_passed"]))
    if not queue:
        print(_("Nothing due. Add follow-ups with `istui log call ID -o OUTCOME --next WHEN`."))
        return
    shown = queue[:limit] if limit else queue
    print_leads(ws, [e["lead"] for e in shown], ws.now(), reasons={e["lead"]["id"]: e["reason"] for e in shown})
    if len(shown) < len(queue):
        print(_("… {more} more: `istui today`.").format(more=len(queue) - len(shown)))


def bar(progress: float | None, size: int = 20) -> str:
    filled = 0 if progress is None else min(size, round(progress * size))
    return "█" * filled + "░" * (size - filled)


def print_kpi_report(ws: Workspace, report: dict[str, Any]) -> None:
    m, cur = report["metrics"], ws.settings.currency
    num, pct = number, percent
    scope = _("team") if report["scope"]["team"] else safe(report["scope"]["rep"])
    print(f"KPI · {scope} · {report_period_words(report, ws.now().date())}")

    def line(label: str, value: str, detail: str) -> None:
        print(f"  {pad(label, 16)} {value:>8}   {detail}")

    line(pgettext("headline", "Calls"), num(m["calls"]), _("connects {connects} ({rate})").format(connects=num(m["connects"]),
                                                                                rate=pct(m["connect_rate"])))
    line(pgettext("headline", "E-mails"), num(m["emails"]), _("opens {opens} ({open_rate}) · clicks {clicks} ({click_rate}) · replies {replies}").format(
        opens=num(m["opens"]), open_rate=pct(m["open_rate"]), clicks=num(m["clicks"]), click_rate=pct(m["click_rate"]),
        replies=num(m["replies"])))
    line(pgettext("headline", "Meetings"), num(m["meetings"]), _("of {worked} leads worked ({rate})").format(worked=num(m["leads_worked"]),
                                                                                         rate=pct(m["meeting_rate"])))
    line(pgettext("headline", "Handoffs"), num(m["handoffs"]), _("leads handed to field sales"))
    handoff = report.get("handoff")
    if handoff and (handoff["handoffs"] or handoff["accepted"] or handoff["rejected"] or handoff["meetings_held"]):
        from istui.services.handoff_text import summary_lines

        for text in summary_lines(handoff, cur):
            print(f"  {' ' * 16} {'':>8}   {text}")
    line(pgettext("headline", "Orders"), num(m["orders"]), _("lost {lost} · win rate {rate} · amount {amount}").format(
        lost=num(m["lost"]), rate=pct(m["win_rate"]), amount=money(m["amount"], cur)))
    line(pgettext("headline", "Target accounts"), num(m["target_accounts"]), _("BDR companies created in the period"))
    line(pgettext("headline", "Talk time"), duration(m["talk_seconds"]), talk_detail(m))
    if "funnel" in report:
        print("\n" + _("Funnel (leads)") + "  " + funnel_line(report["funnel"]))
        changes = []
        for name in HEADLINE_DELTAS:
            d = report["deltas"][name]
            if d["delta"] is None:
                continue
            shown = pct(d["delta"]).replace("%", " pt") if name.endswith("_rate") else num(d["delta"])
            arrow = {"up": "↑", "down": "↓", "same": "="}[d["direction"]]
            title = _("meeting rate") if name == "meeting_rate" else labels.metric(name)
            changes.append(f"{title} {arrow}{shown.lstrip('-')}")
        previous = previous_period_words(report)
        if report["previous"].get("through"):
            previous = _("{previous} through {day}").format(previous=previous, day=through(report["previous"]["through"]))
        print(_("vs {previous}: ").format(previous=previous) + " · ".join(changes))
    if report["targets"]:
        print("\n" + _("Targets"))
        rows = []
        for t in report["targets"]:
            fmt = (lambda v: money(v, cur)) if t["metric"] == "amount" else num
            short = (lambda v: short_money(v, cur)) if t["metric"] == "amount" else num  # the pace cells stay narrow
            pace = ""
            if t.get("expected") is not None:
                pace = labels.pace_gap(t["status"], t["ahead"], short if t["metric"] == "amount" else None)
            need = labels.needed(t, short)
            rows.append([labels.metric(t["metric"]) + (f" ({labels.motion(t['motion'])})" if t["motion"] else ""), fmt(t["actual"]),
                         fmt(t["target"]), pct(t["progress"]), fmt(t.get("expected")), pace, need, bar(t["progress"])])
        headers = [_(h) for h in (N_("METRIC"), N_("ACTUAL"), N_("TARGET"), N_("PROGRESS"), N_("BY NOW"), N_("PACE"), N_("NEEDED"))]
        print(table(["  " + headers[0], *headers[1:], ""], [["  " + r[0], *r[1:]] for r in rows], right=(1, 2, 3, 4, 6),
                    shrink_first=(7, 0)))
    elif report["scope"]["team"]:  # the reps' own targets are theirs: `kpi --rep NAME` shows them
        print("\n" + _("No team targets for this period: `istui target set METRIC VALUE --per PERIOD --team` sets "
                       "one; `istui kpi --rep NAME` shows a rep's own."))
    if report["by_source"]:
        print("\n" + _("Leads created in the period, by source"))
        rows = [[f"  {labels.source(source)}", num(r["leads"]), num(r["meetings"]), pct(r["meeting_rate"]), num(r["orders"]),
                 money(r["amount"], cur), pct(r["win_rate"])] for source, r in report["by_source"].items()]
        headers = [_(h) for h in (N_("SOURCE"), N_("LEADS"), N_("MEETINGS"), N_("RATE"), N_("ORDERS"), N_("AMOUNT"), N_("WIN"))]
        print(table(["  " + headers[0], *headers[1:]], rows, right=(1, 2, 3, 4, 5, 6)))


def print_import(report: dict[str, Any], verbose: bool, failed: bool) -> None:
    columns = ", ".join(f"{safe(k)}→{v}" for k, v in report["columns"].items())
    print(f"{safe(report['file'])} ({report['encoding']}): " + _("columns {columns}").format(columns=columns))
    if report["ignored_columns"]:
        print(_("Ignored columns (no lead field; name one with --map COLUMN=field): {columns}").format(
            columns=", ".join(safe(name) for name in report["ignored_columns"])))
    for row in report["rows"]:
        if not verbose and row["status"] == "ok" and not row["warnings"]:
            continue
        company = safe(row["lead"].get("company", ""))
        detail = row["reason"] + ("; " if row["reason"] and row["warnings"] else "") + "; ".join(row["warnings"])
        print("  " + _("row {number}").format(number=f"{row['row']:>4}") + f"  {row['status']:<9} {row['action']:<6} {company}"
              + (f" — {safe(detail)}" if detail else ""))
    s = report["summary"]
    if report["dry_run"] and failed:
        print(_("Dry run: {rows} rows · {ok} ok · {duplicate} duplicate · {error} error. A real run would import "
                "nothing (below). Nothing was written.").format(**s))
    elif report["dry_run"] and s["to_reject"]:
        print(_("Dry run: {rows} rows · {ok} ok · {duplicate} duplicate · {error} error. A real run would add {to_add}, "
                "update {to_update} and reject {to_reject} (written to {path}). Nothing was written.").format(
            path=safe(report["rejected_file"]), **s))
    elif report["dry_run"]:
        print(_("Dry run: {rows} rows · {ok} ok · {duplicate} duplicate · {error} error. A real run would add {to_add} "
                "and update {to_update}. Nothing was written.").format(**s))
    elif failed:
        print(_("Not imported: {rows} rows · {ok} ok · {duplicate} duplicate · {error} error.").format(**s))
    else:
        print(_("Imported: added {added}, updated {updated}, skipped {skipped} ({duplicate} duplicates).").format(
            skipped=s["rows"] - s["added"] - s["updated"] - s["rejected"], **s))
        if s["rejected"]:
            print(_("Rejected {rejected} row(s) with their reasons to {path}.").format(
                rejected=s["rejected"], path=safe(report["rejected_file"])))
