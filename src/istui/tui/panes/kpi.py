"""The KPI tab: every metric for a period and scope, targets vs actuals as bars, a daily trend line; the review
(振り返り), the e-mail view and the plan from here. Reports are made in a worker and kept in the app's state."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from istui.domain import labels
from istui.domain.formatting import money, percent, previous_period_words, report_period_words, short_day, short_money
from istui.domain.parsing import minor_digits
from istui.domain.text import clip, terminal_safe
from istui.i18n import N_, _
from istui.services.report import kpi_report
from istui.tui import keys
from istui.tui.panes.kpi_tables import metrics_table, source_table
from istui.tui.screens.forms import SheetScreen
from istui.tui.state import AppState
from istui.tui.widgets.flow import fitting
from istui.tui.widgets.frozen import frozen, widths

PERIODS = {"t": ("today", N_("Today")), "w": ("week", N_("This week")), "m": ("month", N_("This month")),
           "q": ("quarter", N_("This quarter")), "y": ("fy", N_("This fiscal year"))}


def targets_table(report: dict[str, Any], currency: str, narrow: bool = False) -> Table:
    """Each target of the period and scope: actual of target, expected by today, ahead or behind, and
    what each remaining working day needs. The pace is never split from its number (only the target's name
    wraps); `narrow`: amounts in a few columns (`¥1.8M`, `180万円`) so a row fits below 100 columns."""
    table = Table(box=None, padding=(0, 1), header_style="bold", title=_("Targets and pace"), title_justify="left",
                  title_style="bold")
    for name in (N_("Target"), N_("Actual"), N_("Of"), N_("Expected"), N_("Pace"), N_("Needed")):
        table.add_column(_(name), justify="left" if name == "Target" else "right", no_wrap=name != "Target", overflow="fold")

    def value(metric: str, number: float | None) -> str:  # estimates of an amount in the currency's own units
        if number is not None and metric == "amount" and narrow:
            return short_money(number, currency)
        return ("–" if number is None else money(round(number, minor_digits(currency)), currency) if metric == "amount"
                else f"{number:,.0f}")

    for target in report["targets"]:
        metric = target["metric"]
        name = labels.metric(metric) + (f" ({labels.motion(target['motion'])})" if target.get("motion") else "")
        status = target.get("status")
        pace = Text("")
        if status is not None:
            pace = Text(labels.pace_gap(status, target["ahead"], lambda gap, metric=metric: value(metric, gap)),
                        style="red" if status == "behind" else "green")
        needed = labels.needed(target, (lambda amount: value("amount", amount)) if metric == "amount" else None)
        table.add_row(Text(name), value(metric, target["actual"]), value(metric, target["target"]),
                      value(metric, target.get("expected")), pace, Text(needed))
    if not report["targets"]:
        table.add_row(Text(_("none for this period and scope (istui target set …)"), style="dim"))
    return table


PANEL_GROUPS = {"#kpi-top": ("#kpi-metrics", "#kpi-sources"),
                "#kpi-analytics": ("#kpi-funnel", "#kpi-heatmap", "#kpi-board")}
GUTTER = 2  # cells between panels side by side
CHART_WIDTH = 46  # the narrowest a chart is drawn at while another could go beside it
CHART_HEIGHT = 16  # the lowest a chart is drawn at; a tall screen with lines to spare gives them to the charts


class Tables:
    """A report's tables drawn once (see `widgets.frozen`) for a pane `width` cells wide, and the grid columns
    of each group of panels (as many side by side as fit; the rest on the next rows)."""

    __slots__ = ("columns", "texts", "width")

    def __init__(self, texts: dict[str, Text], width: int, columns: dict[str, list[int]]) -> None:
        self.texts = texts
        self.width = width
        self.columns = columns


def grid_columns(naturals: list[int], floors: list[int], width: int, gutter: int = GUTTER) -> list[int]:
    """The column widths of a grid showing panels in order, as many to a row as fit in `width`: each panel
    `naturals` cells wide, or squeezed down to its `floors` (its text wraps, its figures stay whole). A panel
    wider than `width` is alone on its rows, drawn at `width`."""
    for per_row in range(len(naturals), 1, -1):
        columns = [max(naturals[i::per_row]) for i in range(per_row)]
        least = [max(floors[i::per_row]) for i in range(per_row)]
        room = width - gutter * (per_row - 1)
        if sum(least) > room:
            continue
        if sum(columns) <= room:
            return columns
        spare, give = room - sum(least), [column - low for column, low in zip(columns, least, strict=True)]
        return [low + spare * extra // max(sum(give), 1) for low, extra in zip(least, give, strict=True)]
    return [max(1, min(max(naturals, default=1), width))]


def draw_tables(report: dict[str, Any], currency: str, width: int) -> Tables:
    """Every table of the KPI tab for `report`, laid out for a pane `width` cells wide (safe off the UI thread)."""
    renderables = {
        "#kpi-metrics": _stack(metrics_table(report, currency), Text(""), targets_table(report, currency, width < 100)),
        "#kpi-sources": _stack(Text(_("Leads created in the period, by source"), style="bold"), Text(""),
                               source_table(report, currency)),
        "#kpi-funnel": funnel_view(report),
        "#kpi-heatmap": heatmap_view(report["heatmaps"]["connect_rate"]),
        "#kpi-board": board_view(report, currency),
    }
    measured = {selector: widths(renderable, width) for selector, renderable in renderables.items()}
    natural = {selector: most for selector, (most, _least) in measured.items()}
    floor = {selector: max(least, most * 4 // 5) for selector, (most, least) in measured.items()}  # a mild squeeze
    texts, columns = {}, {}
    for group, selectors in PANEL_GROUPS.items():
        columns[group] = grid_columns([natural[s] for s in selectors], [floor[s] for s in selectors], width)
        for index, selector in enumerate(selectors):
            texts[selector] = frozen(renderables[selector], columns[group][index % len(columns[group])])
    return Tables(texts, width, columns)


PLOT_FILLER = "\u200b"  # counted by plotext, dropped before the terminal sees the chart (`without_fillers`)


def plot_text(text: str) -> str:
    """Text for plotext, which counts one column per character: each full-width character gets a filler
    after it, so plotext's count matches the two cells the terminal draws; `SafePlot` drops the fillers from
    what it draws, so no invisible character reaches the screen (or a copy of it)."""
    return "".join(ch + PLOT_FILLER if unicodedata.east_asian_width(ch) in "WF" else ch for ch in text)


def without_fillers(drawn: Text) -> Text:
    """The chart as plotext drew it, less the fillers of `plot_text`: every wide character still takes the
    two cells plotext counted for it and its filler, so labels and bars stay where they were."""
    plain = drawn.plain
    if PLOT_FILLER not in plain:
        return drawn
    cuts = [offset for index, ch in enumerate(plain) if ch == PLOT_FILLER for offset in (index, index + 1)]
    kept = drawn.divide(cuts)[::2]  # the pieces between the fillers, their styles kept
    return Text("", style=drawn.style, end=drawn.end, no_wrap=drawn.no_wrap).join(kept)


class SafePlot(PlotextPlot):
    """A chart drawn once per data and size (Textual asks again on every layout pass), showing a
    one-line notice instead of failing when plotext cannot draw at its size (plotext raises for bars
    that do not fit). Each drawing starts from a clear figure: plotext keeps state from draws at other
    sizes, so the same data at the same size always looks the same."""

    version = 0  # bumped whenever the data is replaced
    draw: Callable[[Any, int], None] | None = None  # puts the data on a clear plotext figure `width` cells wide

    def show(self, draw: Callable[[Any, int], None]) -> None:
        self.draw = draw
        self.version += 1
        self.refresh()

    def render(self) -> Any:
        key = (self.version, self.size, self.app.theme)
        cached = getattr(self, "_drawn", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        self.plt.clear_data()
        self.plt.clear_figure()
        try:
            if self.draw is not None:
                self.draw(self.plt, self.size.width)
            drawn = without_fillers(super().render())
        except (ValueError, IndexError, ZeroDivisionError):
            drawn = Text(_("(too small to draw this chart)"), style="dim")
        self._drawn = (key, drawn)
        return drawn


class KpiPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"period('{spec}')", label, id=f"kpi-period-{spec}") for key, (spec, label) in PERIODS.items()),
        Binding("T", "toggle_team", "Me/team", id="kpi-team"),
        Binding("R", "review", "Review", id="kpi-review"),
        Binding("E", "email", "E-mail", id="kpi-email"),
        Binding("H", "handoffs", "Handoffs", id="kpi-handoffs"),
        Binding("P", "plan", "Plan", id="kpi-plan"),
    ]

    def __init__(self, state: AppState) -> None:
        super().__init__(id="kpi-pane")
        self.state = state
        self.period = "today"
        self.team = False
        self.report: dict[str, Any] | None = None
        self._drawn_width: int | None = None  # the pane width the shown tables were laid out for
        self.laid_out = False  # the charts sized to the screen's height after the last tables

    def compose(self) -> ComposeResult:
        yield Static(id="kpi-title")
        with VerticalScroll(id="kpi-scroll"):
            with Container(id="kpi-top", classes="panels"):
                yield Static(id="kpi-metrics")
                yield Static(id="kpi-sources")
            with Container(id="kpi-charts"):
                yield SafePlot(id="kpi-targets")
                yield SafePlot(id="kpi-trend")
                yield SafePlot(id="kpi-source-chart")
            with Container(id="kpi-analytics", classes="panels"):
                yield Static(id="kpi-funnel")
                yield Static(id="kpi-heatmap")
                yield Static(id="kpi-board")

    def scope(self) -> str | None:
        return None if self.team else self.state.ws.rep

    def width(self) -> int:
        """The width the tables are laid out for: the pane's, less padding and scrollbar (or the screen's)."""
        return max((self.size.width or self.app.size.width) - 4, 20)

    def show(self, report: dict[str, Any], tables: Tables | None = None) -> None:
        """Show a report; `tables` are its tables drawn beforehand (in a worker) for `width()`."""
        if report is self.report:
            return  # already on screen: widgets keep their rendering
        self.report = report
        self._show_title()
        self._show_tables(tables)
        self._plot_targets(report)
        self._plot_trend(report)
        self._plot_sources(report)

    def _show_title(self) -> None:
        """`KPI · sato · November 2026` and the keys of this tab, as many as fit on one line (the period keys go
        first: the footer shows them too)."""
        if self.report is None:
            return
        who = _("team") if self.team else terminal_safe(self.state.ws.rep)
        title = f"KPI · {who} · {report_period_words(self.report, self.state.now.date())}"
        others = _("{team}: me/team · {review}: review · {email}: e-mail · {handoffs}: handoffs · {plan}: plan").format(
            team=keys.key("kpi-team"), review=keys.key("kpi-review"), email=keys.key("kpi-email"),
            handoffs=keys.key("kpi-handoffs"), plan=keys.key("kpi-plan"))
        periods = " ".join(keys.key(f"kpi-period-{spec}") for spec, _label in PERIODS.values())
        hints = (_("{periods}: period").format(periods=periods) + " · " + others, others)
        line = fitting([*(f"{title}   —   {hint}" for hint in hints), title], self.width())
        self.query_one("#kpi-title", Static).update(Text(line))

    def _show_tables(self, tables: Tables | None) -> None:
        if self.report is None:
            return
        width = self.width()
        if tables is None or tables.width != width:
            tables = draw_tables(self.report, self.state.ws.settings.currency, width)
        for selector, text in tables.texts.items():
            self.query_one(selector, Static).update(text)
        for group, columns in tables.columns.items():  # side by side when they fit, else on the next rows
            styles = self.query_one(group).styles
            styles.grid_size_columns = len(columns)
            styles.grid_columns = columns
        charts = max(1, min(3, (width + 1) // CHART_WIDTH))
        self.query_one("#kpi-charts").styles.grid_size_columns = charts
        self._drawn_width = width
        self.laid_out = False
        self.call_after_refresh(self._fill_height, charts)

    def _fill_height(self, charts: int, passes: int = 8, steady: int = 0) -> None:
        """Charts in one row, on a screen taller than the tab's content: the charts take the lines to spare, measured
        until the height holds twice (tables just updated may not be laid out yet: they were left scrolled)."""
        scroll = self.query_one("#kpi-scroll", VerticalScroll)
        plots = list(self.query(SafePlot))
        now = plots[0].outer_size.height or CHART_HEIGHT
        spare = scroll.scrollable_content_region.height - sum(child.outer_size.height for child in scroll.children)
        height = CHART_HEIGHT if charts < len(plots) else max(CHART_HEIGHT, now + spare)
        if height != now:
            for plot in plots:
                plot.styles.height = height
        if (steady := steady + 1 if height == now else 0) < 2 and passes > 1:
            self.call_after_refresh(self._fill_height, charts, passes - 1, steady)
            return
        self.laid_out = True  # (tests wait for it before a picture)

    def on_resize(self) -> None:
        if self.report is not None and self.width() != self._drawn_width:
            self._show_title()
            self.call_after_refresh(self._show_tables, None)
        elif self.report is not None:  # taller or lower only
            self.call_after_refresh(self._fill_height, self.query_one("#kpi-charts").styles.grid_size_columns)

    def _plot_sources(self, report: dict[str, Any]) -> None:
        rows = [(source, row) for source, row in report["by_source"].items() if row["meeting_rate"] is not None]
        values = [round(100 * row["meeting_rate"], 1) for _source, row in rows]
        names = [plot_text(labels.source(source)) for source, _row in rows]
        title = plot_text(_("No leads created in the period") if not rows else _("Meeting rate % by source (cohort)")
                          + (_(": no meeting yet") if not any(values) else ""))  # bars of 0 draw nothing: say so

        def draw(plt: Any, _width: int) -> None:
            if rows:
                plt.bar(names, values, orientation="horizontal", width=0.4)
                plt.xlim(0, max(10, *values))  # all zero: an axis from 0, not around it
            plt.title(title)

        self.query_one("#kpi-source-chart", SafePlot).show(draw)

    def _plot_targets(self, report: dict[str, Any]) -> None:
        targets = report["targets"]
        progress = [round(100 * (t["progress"] or 0), 1) for t in targets]
        names = [plot_text(clip(terminal_safe(labels.metric(t["metric"]) + (f" ({labels.motion(t['motion'])})" if t["motion"] else "")), 18)
                           + f" {p:.0f}%") for t, p in zip(targets, progress, strict=True)]  # short: room for the bars
        title = plot_text(_("Targets: % of target reached") if targets
                          else _("No targets for this period and scope (istui target set …)"))

        def draw(plt: Any, _width: int) -> None:
            if targets:
                plt.bar(names, progress, orientation="horizontal", width=0.4)
                plt.xlim(0, max(100, *progress))
            plt.title(title)

        self.query_one("#kpi-targets", SafePlot).show(draw)

    def _plot_trend(self, report: dict[str, Any]) -> None:
        """Daily lines for up to two months, weekly beyond (a year of days is unreadable in a pane); the lines
        stop at today (days to come have no count yet, not a count of 0), the axis runs to the period's end."""
        daily = report.get("trend") or []
        weekly = len(daily) > 62 and report.get("weekly_trend")
        rows, key, title = (weekly, "week", _("Weekly trend")) if weekly else (daily, "day", _("Daily trend"))
        today = self.state.now.date()
        drawn = [row for row in rows if row[key] <= today.isoformat()]
        points = list(range(len(rows)))
        names = {name: plot_text(labels.metric(name)) for name in ("calls", "connects", "meetings")}
        ticks = [short_day(date.fromisoformat(row[key]), today, relative=False) for row in rows]

        def draw(plt: Any, width: int) -> None:
            if not drawn:
                return
            for name, label in names.items():
                plt.plot(points[:len(drawn)], [row[name] for row in drawn], label=label, marker="braille")
            if len(drawn) < len(rows):
                plt.xlim(0, len(rows) - 1)
            # ticks 8 cells apart or more: plotext places colliding labels in an order that changes between runs
            step = max(1, len(rows) // 6, -(-8 * max(len(rows) - 1, 1) // max(width - 10, 8)))
            plt.xticks(points[::step], ticks[::step])
            plt.title(plot_text(title))

        self.query_one("#kpi-trend", SafePlot).show(draw)

    # --- reports ---------------------------------------------------------------------------------
    def refresh_report(self) -> None:
        """Show the period and scope: at once when nothing changed since that report was made (the key
        holds every file's signature), else made (and its tables drawn) in a worker."""
        key = self.state.kpi_key(self.period, self.scope())
        kept = self.state.kept_report(key)
        if kept is not None:
            self.show(*kept)
        else:
            self._load(key, self.width())

    @work(thread=True, exclusive=True, group="kpi", exit_on_error=False)
    def _load(self, key: tuple, width: int) -> None:
        period, rep = key[:2]
        state = self.state
        report = kpi_report(state.ws, period, rep, leads=state.leads, analytics=True, cohorts=state.cohorts)
        tables = draw_tables(report, state.ws.settings.currency, width)
        self.app.call_from_thread(self._loaded, key, report, tables)

    def _loaded(self, key: tuple, report: dict[str, Any], tables: Tables) -> None:
        self.state.keep_report(key, (report, tables))
        self.app.show_notices()  # what the workspace noticed while the report was made (a cache it cannot write)
        if (self.period, self.scope()) == key[:2]:  # the user may have moved on while it was made
            self.show(report, tables)

    def action_period(self, spec: str) -> None:
        self.period = spec
        self.refresh_report()

    def action_toggle_team(self) -> None:
        self.team = not self.team
        self.refresh_report()

    def action_review(self, period: str | None = None) -> None:
        """The review (振り返り) of this tab's period and scope (or of `period`), as Markdown."""
        self._load_sheet("review", period or ("week" if self.period == "today" else self.period), self.scope())

    def action_email(self) -> None:  # the sends of this tab's period and scope, and what followed them
        self._load_sheet("email", self.period, self.scope())

    def action_handoffs(self) -> None:  # the handoffs of this tab's period and scope: accepted, returned, and after
        self._load_sheet("handoff", self.period, self.scope())

    @work(thread=True, exclusive=True, group="sheet", exit_on_error=False)
    def _load_sheet(self, kind: str, period: str, rep: str | None) -> None:
        from istui.tui.screens.sheets import sheet_of

        self.app.call_from_thread(self.app.push_screen, SheetScreen(*sheet_of(self.state, kind, period, rep, self.width())))

    def action_plan(self) -> None:
        """KGI → KPI: a revenue goal for the month, quarter or fiscal year, turned into daily numbers."""
        from istui.tui.screens.plan import PlanScreen, plan_form

        def chosen(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.app.push_screen(PlanScreen(self.state, values["revenue"], values["period"]))

        self.app.push_screen(plan_form(self.state.ws.settings.currency), chosen)


def funnel_view(report: dict[str, Any]) -> Any:
    """The funnel in leads, as its rates are (DESIGN.md section 4): the leads that reached each step, the step's
    cohort rate with the leads it is made of (of the previous step's leads, those that reached this one:
    `converted/leads`), and the change of the leads against the previous period."""
    from istui.services.analytics import funnel_changes

    table = Table(box=None, padding=(0, 1), header_style="bold", title=_("Funnel (leads) · vs {previous}").format(
        previous=previous_period_words(report)), title_justify="left", title_style="bold")
    for name in (N_("Step"), N_("Leads"), N_("Step rate"), N_("Previous"), N_("Change")):
        table.add_column(_(name), justify="left" if name == "Step" else "right", no_wrap=name != "Step", overflow="fold")
    changes = funnel_changes(report["funnel"], report["previous"]["funnel"])
    reached_before = None
    for step, change in zip(report["funnel"], changes, strict=True):
        arrow = {"up": "↑", "down": "↓", "same": "="}[change["direction"]]
        shown = percent(step["rate_from_previous"])
        if reached_before is not None:
            shown = f"{step.get('converted', 0):,}/{reached_before:,} {shown}"
        table.add_row(labels.metric(step["step"]), f"{step['leads']:,}", shown, f"{change['previous']:,}",
                      f"{arrow}{abs(change['delta']):,}")
        reached_before = step["leads"]
    return table


def heatmap_view(cells: list[dict[str, Any]]) -> Any:
    """Connect rate by weekday × hour; '·' marks cells with too few calls to judge."""
    hours = sorted({c["hour"] for c in cells})
    table = Table(box=None, padding=(0, 0, 0, 1), header_style="bold")
    table.add_column("", no_wrap=True)
    for hour in hours:
        table.add_column(f"{hour:>3}", justify="right", no_wrap=True)
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
        table.add_row(labels.weekday(weekday), *row)
    return _stack(Text(_("Connect rate % by weekday × hour (· too few calls)"), style="bold"), table)


def board_view(report: dict[str, Any], currency: str) -> Any:
    """The team's leaderboard, or this rep's talk notes and how calls using them ended."""
    if report.get("leaderboard"):
        table = Table(box=None, padding=(0, 1), header_style="bold", title=_("Leaderboard"), title_justify="left",
                      title_style="bold")
        for name in (N_("Rep"), N_("Calls"), N_("Connect"), N_("Meetings"), N_("Orders"), N_("Amount")):
            table.add_column(_(name), justify="left" if name == "Rep" else "right", no_wrap=name != "Rep", overflow="fold")
        for row in report["leaderboard"][:10]:
            table.add_row(Text(terminal_safe(row["rep"])), f"{row['calls']:,}", percent(row["connect_rate"]), f"{row['meetings']:,}",
                          f"{row['orders']:,}", money(row["amount"], currency))
        return table
    table = Table(box=None, padding=(0, 1), header_style="bold", title=_("Talk notes used in calls"), title_justify="left", title_style="bold")
    for name in (N_("Talk note"), N_("Calls"), N_("Meetings"), N_("Rate")):
        table.add_column(_(name), justify="left" if name == "Talk note" else "right", no_wrap=name != "Talk note", overflow="fold")
    for row in report.get("notes", [])[:8]:
        table.add_row(Text(terminal_safe(row["title"])), f"{row['calls']:,}", f"{row['meetings']:,}", percent(row["meeting_rate"]))
    return table


def _stack(*renderables: Any) -> Any:
    from rich.console import Group

    return Group(*renderables)
