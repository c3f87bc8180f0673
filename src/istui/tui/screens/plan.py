"""The planning view: a revenue goal (KGI) turned into the calls, connects, meetings, handoffs and orders it takes."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Static

from istui.domain import labels
from istui.domain.errors import IstuiError
from istui.domain.formatting import money, number, per_day, report_period_words
from istui.domain.parsing import parse_amount
from istui.domain.text import terminal_safe
from istui.i18n import N_, _
from istui.services.plan import rate_lines
from istui.tui import keys
from istui.tui.messages import Wrote
from istui.tui.screens.dialog import Dialog
from istui.tui.screens.forms import ConfirmScreen, Field, FormScreen, select
from istui.tui.sizes import NARROW_BELOW
from istui.tui.state import AppState


def plan_form(currency: str = "JPY") -> FormScreen:
    def revenue(value: str) -> int | float:
        return parse_amount(value, "revenue", currency)

    fields = [
        Field("revenue", N_("Revenue goal (KGI): 30000000, ¥30,000,000, 3000万"), Input(id="field-revenue"), revenue),
        Field("period", N_("For"), select([(_("this month"), "month"), (_("this quarter"), "quarter"),
                                           (_("this fiscal year"), "fiscal_year")], "month"), lambda v: v),
    ]
    return FormScreen(_("Plan: from a revenue goal to daily KPIs"), fields, submit_label=N_("Plan"))


PER_NAMES = {"month": N_("month"), "quarter": N_("quarter"), "fiscal_year": N_("fiscal year")}


class PlanScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "save", "Save as team targets", id="plan-save"),
        Binding("escape,q", "close", "Close", id="plan-close"),
    ]

    def __init__(self, state: AppState, revenue: int, period: str) -> None:
        super().__init__()
        self.state, self.revenue, self.period = state, revenue, period
        self.result: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Static(Text(_("Plan ({save} saves the numbers as the team's targets · {close} closes)").format(
                save=keys.key("plan-save"), close=keys.key("plan-close"))), classes="title")
            yield Static(Text("Working it out…"), id="plan-body")

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def compute(self) -> None:
        from istui.services.plan import plan_report

        try:
            result = plan_report(self.state.ws, self.revenue, self.period)
        except IstuiError as exc:  # shown in the view itself (the plan cannot be made), not as a toast
            self.app.call_from_thread(self.query_one("#plan-body", Static).update, Text(terminal_safe(exc), style="bold red"))
            return
        self.app.call_from_thread(self.show, result)

    def show(self, result: dict[str, Any]) -> None:
        self.result = result
        currency = self.state.ws.settings.currency
        table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
        narrow = self.app.size.width < NARROW_BELOW
        for name in (N_("Step"), N_("Needed"), N_("Leads"), N_("Per working day"), N_("So far"), N_("Pace/day"),
                     N_("Gap/day")):  # narrow: the long header in two lines, so the gap's words stay on one
            header = _(name)
            if narrow and name == "Per working day":
                header = header.replace(" ", "\n", 1)
            table.add_column(header, justify="left" if name == "Step" else "right", no_wrap=True)
        for row in result["steps"]:
            table.add_row(labels.metric(row["metric"]), f"{row['needed']:,}", number(row.get("leads_needed")),
                          per_day(row["per_working_day"]), number(row.get("actual")),
                          per_day(row.get("actual_per_working_day")), labels.daily_gap(row.get("gap_per_working_day")))
        head = Text(_("{period}: goal {goal} · {days} working days ({gone} gone)").format(
            period=report_period_words(result, self.state.now.date()), goal=money(result["revenue"], currency), days=result["working_days"],
            gone=number(result["elapsed_working_days"])) + "\n" + "\n".join(rate_lines(result, currency)) + "\n")
        from rich.console import Group

        self.query_one("#plan-body", Static).update(Group(head, table))

    def action_save(self) -> None:
        """Ask first, showing old → new per metric; a confirmed save goes on the app's undo history."""
        if self.result is None:
            return
        from istui.services.plan import plan_target_changes

        result = self.result
        try:
            changes = plan_target_changes(self.state.ws, result)
        except IstuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.save(result)

        self.app.push_screen(SavePlanScreen(changes, self.state.ws.settings.currency), answered)

    def save(self, result: dict[str, Any]) -> None:
        from istui.services.plan import save_plan_with_undo
        from istui.services.targets import restore_targets

        ws, per = self.state.ws, result["period"]["kind"]
        try:
            saved = save_plan_with_undo(ws, result)
        except IstuiError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        app = self.app
        period = _(PER_NAMES.get(per, per))

        def undo() -> None:
            restore_targets(ws, saved)
            app.post_message(Wrote())

        self.state.undo.push(_("save of the plan as the team's targets per {period}").format(period=period), undo)
        app.post_message(Wrote())  # the screen goes away: tell the app directly
        self.notify(_("Saved the plan as the team's targets per {period}.").format(period=period) + " "
                    + _("{key} undoes.").format(key=keys.key("undo")), markup=False)
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class SavePlanScreen(ConfirmScreen):
    """Saving a plan overwrites the team's targets: each metric's old → new value first, then yes or no."""

    def __init__(self, changes: list[dict[str, Any]], currency: str) -> None:
        super().__init__(_("Save the plan as the team's targets? These targets change:"))
        self.changes, self.currency = changes, currency

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), header_style="bold")
        for name in (N_("Target"), N_("Now"), N_("Plan")):
            table.add_column(_(name), justify="left" if name == "Target" else "right")
        for change in self.changes:
            show = (lambda v: money(v, self.currency)) if change["metric"] == "amount" else number
            old = _("none") if change["old"] is None else show(change["old"])
            table.add_row(f"{labels.metric(change['metric'])} / {_(PER_NAMES.get(change['per'], change['per']))}",
                          old, "→ " + show(change["new"]))
        with Vertical(classes="form", id="plan-save"):
            yield Static(Text(self.question), classes="title")
            yield Static(table, id="plan-save-changes")
            yield Static(Text(_("{key} undoes a save.").format(key=keys.key("undo")), style="dim"))
            with Horizontal(classes="buttons"):
                yield Button(_("No ({key})").format(key=keys.key("confirm-no")), id="no")
                yield Button(_("Yes ({key})").format(key=keys.key("confirm-yes")), variant="error", id="yes")
