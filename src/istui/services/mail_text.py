"""The e-mail view as text (`istui kpi --email`, `campaign show`, the KPI tab's e-mail view): the figures of
`mail_figures`, per campaign and template, the links clicked and the best weekday × hour."""

from __future__ import annotations

from typing import Any

from istui.domain.columns import table
from istui.domain.formatting import number, percent
from istui.domain.text import terminal_safe
from istui.i18n import N_, _

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def best_words(cell: dict[str, int] | None) -> str:
    """`Tue 10:00–11:00 (12)`, or `–` without any event."""
    if not cell:
        return "–"
    return f"{_(WEEKDAYS[cell['weekday']])} {cell['hour']:02d}:00–{cell['hour'] + 1:02d}:00 ({number(cell['count'])})"


def summary_lines(figures: dict[str, Any]) -> list[str]:
    f = figures
    return [
        _("Sent {sent} · delivered {delivered} · bounces {bounces} ({bounce_rate}) · soft bounces and drops {soft}").format(
            sent=number(f["sent"]), delivered=number(f["delivered"]), bounces=number(f["bounces"]),
            bounce_rate=percent(f["bounce_rate"]), soft=number(f["bounced"] - f["bounces"])),
        _("Unique opens {opens} ({open_rate}) · machine opens {machine} · unique clicks {clicks} ({click_rate}) · "
          "click-to-open {cto}").format(opens=number(f["unique_opens"]), open_rate=percent(f["open_rate"]),
                                        machine=number(f["machine_opens"]), clicks=number(f["unique_clicks"]),
                                        click_rate=percent(f["click_rate"]), cto=percent(f["click_to_open"])),
        _("Unsubscribes {unsubscribes} ({rate}) · replies {replies} · meetings within 14 days {meetings}").format(
            unsubscribes=number(f["unsubscribes"]), rate=percent(f["unsubscribe_rate"]), replies=number(f["replies"]),
            meetings=number(f["meetings"])),
    ]


def _groups(title: str, groups: list[dict[str, Any]], name: str, width: int) -> list[str]:
    if not groups:
        return []
    rows = [[g.get(name) or g["id"][:10], number(g["sent"]), number(g["delivered"]), percent(g["open_rate"]),
             percent(g["click_rate"]), percent(g["click_to_open"]), number(g["unsubscribes"]), number(g["meetings"])]
            for g in sorted(groups, key=lambda g: -g["sent"])]
    headers = [_(title), _("SENT"), _("DELIVERED"), _("OPEN"), _("CLICK"), _("CTO"), _("UNSUB"), _("MEETINGS")]
    return ["", table(headers, rows, right=range(1, 8), max_width=width, shrink_first=(0,))]


def email_text(report: dict[str, Any], width: int = 120, heading: str | None = None) -> str:
    """The whole view; `heading` replaces the period line (a campaign's name)."""
    scope = _("team") if report["scope"]["team"] else terminal_safe(report["scope"]["rep"])
    lines = [heading or _("E-mail · {scope} · {period}").format(scope=scope, period=report["period"]["label"])]
    if not report["totals"]["sent"]:
        lines.append(_("No e-mail was sent in this period."))
        return "\n".join(lines) + "\n"
    lines += summary_lines(report["totals"])
    lines.append(_("Best time: opens {opens} · clicks {clicks}").format(
        opens=best_words(report["best"]["opens"]), clicks=best_words(report["best"]["clicks"])))
    lines += _groups(N_("CAMPAIGN"), report.get("campaigns", []), "name", width)
    lines += _groups(N_("TEMPLATE"), report.get("templates", []), "title", width)
    if report["links"]:
        rows = [[url, number(count)] for url, count in list(report["links"].items())[:10]]
        lines += ["", table([_("LINK"), _("CLICKS")], rows, right=(1,), max_width=width, shrink_first=(0,))]
    return "\n".join(lines) + "\n"
