"""What the open app knows, in one plain object (no Textual): the workspace, the moment, the leads it
shows, the KPI reports it has made and the undo stack. The app owns it and hands it to every pane and
screen; testable without a terminal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from istui.i18n import _
from istui.services.kpi import COHORT_FIELDS
from istui.store.workspace import Record, Workspace
from istui.tui import keys


class Undo:
    """The app's one undo history (every pane and screen pushes here), the latest last. An entry whose
    `undo` is None is an action that cannot be taken back: ctrl+z says so instead of undoing something older.
    An `undo` may return a sentence to add to what ctrl+z says (how much it could take back)."""

    def __init__(self) -> None:
        self._done: list[tuple[str, Callable[[], str | None] | None]] = []

    def push(self, what: str, undo: Callable[[], str | None] | None) -> None:
        self._done.append((what, undo))

    def pop(self) -> tuple[str, Callable[[], str | None] | None] | None:
        return self._done.pop() if self._done else None

    @property
    def latest(self) -> str | None:
        return self._done[-1][0] if self._done else None

    def __len__(self) -> int:
        return len(self._done)


class AppState:
    """The app's shared state; every change of leads goes through `set_leads`, `lead_changed`, `lead_removed`."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.now = workspace.now()
        self.leads: list[Record] = []  # newest first once the table has them
        self.leads_by_id: dict[str, Record] = {}
        self.previous_by_id: dict[str, Record] = {}  # the leads of the load before (search keys are reused)
        self.fingerprint: tuple = ()
        self.cohorts: dict[tuple, Any] = {}  # the KPI reports' lead cohorts: replaced whenever leads change
        self.kpi_reports: dict[tuple, Any] = {}  # (period, rep, fingerprint, day) → the report and its drawn tables
        self.undo = Undo()

    @property
    def today_start_iso(self) -> str:
        return datetime.combine(self.now.date(), time(), tzinfo=self.ws.tz).isoformat(timespec="seconds")

    def tick(self) -> bool:
        """Take the time again; True when the day changed."""
        day = self.now.date()
        self.now = self.ws.now()
        return self.now.date() != day

    def set_leads(self, leads: list[Record], fingerprint: tuple) -> None:
        """Every lead, as just read from the workspace."""
        self.fingerprint = fingerprint
        self.previous_by_id = self.leads_by_id
        self.cohorts = {}
        self.leads = leads
        self.leads_by_id = {lead["id"]: lead for lead in leads}

    def lead(self, lead_id: str, fallback: Record | None = None) -> Record | None:
        """The latest record of a lead this app has (a table row may hold an older copy)."""
        return self.leads_by_id.get(lead_id, fallback)

    def lead_changed(self, lead: Record) -> None:
        """A lead was written by this app: keep the new record (added leads go first)."""
        old = self.leads_by_id.get(lead["id"])
        if old is None or any(old.get(name) != lead.get(name) for name in COHORT_FIELDS):
            self.cohorts = {}
        if old is not None:
            self.leads[self.leads.index(old)] = lead
        else:
            self.leads.insert(0, lead)
        self.leads_by_id[lead["id"]] = lead

    def lead_removed(self, lead_id: str) -> None:
        old = self.leads_by_id.pop(lead_id, None)
        self.cohorts = {}
        if old is not None:
            self.leads.remove(old)

    def wrote(self) -> None:
        """This app just wrote: the file signatures it has seen are the new ones (no reload for its own writes)."""
        self.fingerprint = self.ws.fingerprint()

    # --- KPI reports ---------------------------------------------------------------------------
    def answer_by(self, lead: Record | None) -> datetime | None:
        """When field sales should answer the lead's handoff (its SLA's end), while it waits; else None."""
        from istui.services.today import answer_by

        return answer_by(self.ws, lead) if lead is not None else None

    def kpi_key(self, period: str, rep: str | None) -> tuple:
        return (period, rep, self.fingerprint, self.now.date())

    def kept_report(self, key: tuple) -> Any:
        return self.kpi_reports.get(key)

    def keep_report(self, key: tuple, value: Any) -> None:
        """Keep a report (dropping those made against older files or another day)."""
        self.kpi_reports = {k: v for k, v in self.kpi_reports.items() if k[2:] == key[2:]}
        self.kpi_reports[key] = value


def undo_label(what: str, more: str | None = None) -> str:
    """`Undone: call no_answer for Acme.` (a name ending in a period gets no second one), then `more`."""
    text = _("Undone: {what}.").format(what=what.removesuffix("."))
    return f"{text} {more}" if more else text


def error_text(exc: Exception) -> str:
    """What the TUI says about a refused write: a do-not-call refusal in the TUI's terms (it has no --force)."""
    from istui.services.leads import DoNotCall

    if isinstance(exc, DoNotCall):
        return _("{company} is marked do-not-call, so {what} is refused; clear the do-not-call mark in the edit "
                 "form ({key}) first.").format(company=exc.company, what=_(exc.what), key=keys.key("lead-edit"))
    return str(exc)


def changed_since_label() -> str:
    """What ctrl+z adds when the lead was changed after the log: only the activity went."""
    return _("The lead was changed since, so only the logged activity was taken back; the lead stays as it is.")


def not_undoable_label(what: str, following: str | None) -> str:
    """What ctrl+z says on an action that cannot be taken back (and what pressing it again would undo)."""
    text = _("The latest action ({what}) cannot be undone.").format(what=what)
    if following:
        text += " " + _("{key} again undoes: {what}.").format(what=following, key=keys.key("undo"))
    return text
