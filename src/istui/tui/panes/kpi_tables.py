"""The KPI tab's tables of figures: the period's metrics (calls … talk time) and the by-source cohort."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from istui.domain import labels
from istui.domain.formatting import duration, money, percent, talk_detail
from istui.i18n import N_, _, pgettext


def metrics_table(report: dict[str, Any], currency: str) -> Table:
    m = report["metrics"]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", overflow="fold")  # words without spaces (Japanese) fold, never end in "…"
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column(style="dim", overflow="fold")
    rows = [
        (pgettext("headline", "Calls"), f"{m['calls']:,}", _("connects {connects} · connect rate {rate}").format(
            connects=f"{m['connects']:,}", rate=percent(m["connect_rate"]))),
        (pgettext("headline", "E-mails"), f"{m['emails']:,}", _("opens {opens} ({open_rate}) · clicks {clicks} ({click_rate}) · "
                                                    "replies {replies}").format(
            opens=f"{m['opens']:,}", open_rate=percent(m["open_rate"]), clicks=f"{m['clicks']:,}",
            click_rate=percent(m["click_rate"]), replies=f"{m['replies']:,}")),
        (pgettext("headline", "Meetings"), f"{m['meetings']:,}", _("of {worked} leads worked · meeting rate {rate}").format(
            worked=f"{m['leads_worked']:,}", rate=percent(m["meeting_rate"]))),
        (pgettext("headline", "Handoffs"), f"{m['handoffs']:,}", ""),
        (pgettext("headline", "Orders"), f"{m['orders']:,}", _("lost {lost} · win rate {rate}").format(
            lost=f"{m['lost']:,}", rate=percent(m["win_rate"]))),
        (pgettext("headline", "Amount"), money(m["amount"], currency), ""),
        (pgettext("headline", "Target accounts"), f"{m['target_accounts']:,}", _("BDR companies created in the period")),
        (pgettext("headline", "Talk time"), duration(m["talk_seconds"]), talk_detail(m)),
    ]
    for label, value, detail in rows:
        table.add_row(Text(label), Text(value), Text(detail))
    return table


def source_table(report: dict[str, Any], currency: str) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold")
    for name in (N_("Source"), N_("Leads"), N_("Meetings"), N_("Rate"), N_("Orders"), N_("Amount"), N_("Win")):
        table.add_column(_(name), justify="left" if name == "Source" else "right", no_wrap=name != "Source", overflow="fold")
    for source, row in report["by_source"].items():
        table.add_row(Text(labels.source(source)), f"{row['leads']:,}", f"{row['meetings']:,}", percent(row["meeting_rate"]),
                      f"{row['orders']:,}", money(row["amount"], currency), percent(row["win_rate"]))
    return table
