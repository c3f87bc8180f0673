"""The KPI tab: every metric for a period and scope, targets vs actuals as bars, a daily trend line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from istui.domain.formatting import money, percent

if TYPE_CHECKING:
    from istui.tui.app import IstuiApp

PERIODS = {"t": ("today", "today"), "w": ("week", "this week"), "m": ("month", "this month"),
           "q": ("quarter", "this quarter"), "y": ("fy", "this fiscal year")}


def metrics_table(report: dict[str, Any], currency: str) -> Table:
    m = report["metrics"]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(justify="right", style="bold")
    table.add_column(style="dim")
    rows = [
        ("Calls 架電数", f"{m['calls']:,}", f"connects {m['connects']:,} · 接続率 {percent(m['connect_rate'])}"),
        ("E-mails メール数", f"{m['emails']:,}", f"opens {m['opens']:,} ({percent(m['open_rate'])}) · clicks "
                                               f"{m['clicks']:,} ({percent(m['click_rate'])}) · replies {m['replies']:,}"),
        ("Meetings 商談数", f"{m['meetings']:,}", f"of {m['leads_worked']:,} leads worked · 商談化率 {percent(m['meeting_rate'])}"),
        ("Handoffs", f"{m['handoffs']:,}", ""),
        ("Orders 受注数", f"{m['orders']:,}", f"lost {m['lost']:,} · 受注率 {percent(m['win_rate'])}"),
        ("Amount 受注金額", money(m["amount"], currency), ""),
        ("Target accounts", f"{m['target_accounts']:,}", "BDR companies created in the period"),
    ]
    for label, value, detail in rows:
        table.add_row(Text(label), Text(value), Text(detail))
    return table


def source_table(report: dict[str, Any], currency: str) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold")
    for name in ("Source", "Leads", "Meetings", "Rate", "Orders", "Amount", "Win"):
        table.add_column(name, justify="left" if name == "Source" else "right")
    for source, row in report["by_source"].items():
        table.add_row(Text(source), f"{row['leads']:,}", f"{row['meetings']:,}", percent(row["meeting_rate"]),
                      f"{row['orders']:,}", money(row["amount"], currency), percent(row["win_rate"]))
    return table


class KpiPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"period('{spec}')", label.title(), id=f"kpi-period-{spec}") for key, (spec, label) in PERIODS.items()),
        Binding("T", "toggle_team", "Me/team", id="kpi-team"),
        Binding("R", "app.review", "Review", id="kpi-review"),
        Binding("P", "app.plan", "Plan", id="kpi-plan"),
    ]
    DEFAULT_CSS = """
    KpiPane #kpi-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    KpiPane #kpi-top { height: auto; }
    KpiPane #kpi-metrics { width: 1fr; padding: 1 1; height: auto; }
    KpiPane #kpi-sources { width: 1fr; padding: 1 1; height: auto; }
    KpiPane #kpi-analytics { height: auto; }
    KpiPane #kpi-funnel { width: 1fr; padding: 0 1; height: auto; }
    KpiPane #kpi-heatmap { width: 1fr; padding: 0 1; height: auto; }
    KpiPane #kpi-board { width: 1fr; padding: 0 1; height: auto; }
    KpiPane #kpi-charts { height: 1fr; min-height: 16; }
    KpiPane PlotextPlot { height: 1fr; min-height: 12; }
    """

    def __init__(self) -> None:
        super().__init__(id="kpi-pane")
        self.period = "today"
        self.team = False
        self.report: dict[str, Any] | None = None

    @property
    def istui(self) -> IstuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="kpi-title")
        with VerticalScroll(id="kpi-scroll"):
            with Horizontal(id="kpi-top"):
                yield Static(id="kpi-metrics")
                yield Static(id="kpi-sources")
            with Horizontal(id="kpi-charts"):
                yield PlotextPlot(id="kpi-targets")
                yield PlotextPlot(id="kpi-trend")
                yield PlotextPlot(id="kpi-source-chart")
            with Horizontal(id="kpi-analytics"):
                yield Static(id="kpi-funnel")
                yield Static(id="kpi-heatmap")
                yield Static(id="kpi-board")

    def scope(self) -> str | None:
        return None if self.team else self.istui.ws.rep

    def show(self, report: dict[str, Any]) -> None:
        self.report = report
        app = self.istui
        currency = app.ws.settings.currency
        who = "team" if self.team else app.ws.rep
        period = report["period"]
        self.query_one("#kpi-title", Static).update(Text(
            f"KPI · {who} · {period['label']} [{period['start'][:10]} .. {period['end'][:10]})"
            "   —   t w m q y: period · T: me/team · R: review · P: plan"))
        self.query_one("#kpi-metrics", Static).update(metrics_table(report, currency))
        sources = Text("Leads created in the period, by source\n", style="bold")
        self.query_one("#kpi-sources", Static).update(_stack(sources, source_table(report, currency)))
        self._plot_targets(report)
        self._plot_trend(report)
        self._plot_sources(report)
        self.query_one("#kpi-funnel", Static).update(funnel_view(report))
        self.query_one("#kpi-heatmap", Static).update(heatmap_view(report["heatmaps"]["connect_rate"]))
        self.query_one("#kpi-board", Static).update(board_view(report, currency))

    def _plot_sources(self, report: dict[str, Any]) -> None:
        plot, plt = self._blank("#kpi-source-chart")
        rows = [(source, row) for source, row in report["by_source"].items() if row["meeting_rate"] is not None]
        if rows:
            plt.bar([source for source, _ in rows], [round(100 * row["meeting_rate"], 1) for _, row in rows],
                    orientation="horizontal", width=0.4)
            plt.title("Meeting rate by source (%), leads created in the period")
        else:
            plt.title("No leads created in the period")
        plot.refresh()

    def _blank(self, plot_id: str) -> tuple[PlotextPlot, Any]:
        """A chart cleared of the previous report's data, and its plotext interface."""
        plot = self.query_one(plot_id, PlotextPlot)
        plot.plt.clear_data()
        plot.plt.clear_figure()
        return plot, plot.plt

    def _plot_targets(self, report: dict[str, Any]) -> None:
        plot, plt = self._blank("#kpi-targets")
        targets = report["targets"]
        if targets:
            progress = [round(100 * (t["progress"] or 0), 1) for t in targets]
            labels = [t["metric"] + (f" ({t['motion']})" if t["motion"] else "") + f" {p:.0f}%" + _pace(t)
                      for t, p in zip(targets, progress, strict=True)]
            plt.bar(labels, progress, orientation="horizontal", width=0.4)
            plt.title("Targets: % of target reached")
            plt.xlim(0, max(100, *progress))
        else:
            plt.title("No targets for this period and scope (istui target set …)")
        plot.refresh()

    def _plot_trend(self, report: dict[str, Any]) -> None:
        plot, plt = self._blank("#kpi-trend")
        trend = report.get("trend") or []
        if trend:
            days = list(range(len(trend)))
            plt.plot(days, [d["calls"] for d in trend], label="calls", marker="braille")
            plt.plot(days, [d["connects"] for d in trend], label="connects", marker="braille")
            plt.plot(days, [d["meetings"] for d in trend], label="meetings", marker="braille")
            step = max(1, len(trend) // 6)
            plt.xticks(days[::step], [d["day"][5:] for d in trend][::step])
            plt.title("Daily trend")
        plot.refresh()

    def action_period(self, spec: str) -> None:
        self.period = spec
        self.istui.refresh_kpi()

    def action_toggle_team(self) -> None:
        self.team = not self.team
        self.istui.refresh_kpi()


def funnel_view(report: dict[str, Any]) -> Any:
    """The funnel with step rates, and the change of every count against the previous period."""
    table = Table(box=None, padding=(0, 1), header_style="bold", title=f"Funnel · vs {report['previous']['label']}",
                  title_justify="left", title_style="bold")
    for name in ("Step", "Count", "Step rate", "Previous", "Change"):
        table.add_column(name, justify="left" if name == "Step" else "right")
    for step, before in zip(report["funnel"], report["previous"]["funnel"], strict=True):
        delta = report["deltas"][step["step"]]
        arrow = {"up": "↑", "down": "↓", "same": "=", None: ""}[delta["direction"]]
        table.add_row(step["step"], f"{step['count']:,}", percent(step["rate_from_previous"]),
                      f"{before['count']:,}", f"{arrow}{abs(delta['delta'] or 0):,.0f}")
    return table


def heatmap_view(cells: list[dict[str, Any]]) -> Any:
    """Connect rate by weekday × hour; '·' marks cells with too few calls to judge."""
    hours = sorted({c["hour"] for c in cells})
    table = Table(box=None, padding=(0, 0, 0, 1), header_style="bold", title="Connect rate % by weekday × hour (· too few calls)",
                  title_justify="left", title_style="bold")
    table.add_column("")
    for hour in hours:
        table.add_column(f"{hour:>3}", justify="right")
    by_key = {(c["weekday"], c["hour"]): c for c in cells}
    for weekday in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        if not any((weekday, h) in by_key for h in hours):
            continue
        row = []
        for hour in hours:
            cell = by_key.get((weekday, hour))
            if cell is None or cell["rate"] is None:
                row.append(Text("  ·", style="dim"))
            else:
                value = round(cell["rate"] * 100)
                row.append(Text(f"{value:>3}", style="bold green" if value >= 40 else "yellow" if value >= 25 else "red"))
        table.add_row(weekday.title(), *row)
    return table


def board_view(report: dict[str, Any], currency: str) -> Any:
    """The team's leaderboard, or this rep's talk notes and how calls using them ended."""
    if report.get("leaderboard"):
        table = Table(box=None, padding=(0, 1), header_style="bold", title="Leaderboard", title_justify="left",
                      title_style="bold")
        for name in ("Rep", "Calls", "Connect", "Meetings", "Orders", "Amount"):
            table.add_column(name, justify="left" if name == "Rep" else "right")
        for row in report["leaderboard"][:10]:
            table.add_row(Text(row["rep"]), f"{row['calls']:,}", percent(row["connect_rate"]), f"{row['meetings']:,}",
                          f"{row['orders']:,}", money(row["amount"], currency))
        return table
    table = Table(box=None, padding=(0, 1), header_style="bold", title="Talk notes used in calls", title_justify="left",
                  title_style="bold")
    for name in ("Note", "Calls", "Meetings", "Rate"):
        table.add_column(name, justify="left" if name == "Note" else "right")
    for row in report.get("notes", [])[:8]:
        table.add_row(Text(row["title"]), f"{row['calls']:,}", f"{row['meetings']:,}", percent(row["meeting_rate"]))
    return table


def _pace(target: dict[str, Any]) -> str:
    """`, behind 8` / `, ahead 2` / `, need 3.5/day` for a bar label ('' without pace)."""
    if target.get("status") in (None, "on_pace"):
        return ""
    text = f", {target['status']} {abs(target['ahead']):,.0f}"
    if target["status"] == "behind" and target.get("needed_per_day"):
        text += f", need {target['needed_per_day']:,.1f}/day"
    return text


def _stack(*renderables: Any) -> Any:
    from rich.console import Group

    return Group(*renderables)
