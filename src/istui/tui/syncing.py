"""Sync in the TUI: the `S` key and palette action, the header's sync status, the conflict report
(conflicts this merge settled, and this rep's values that lost a teammate's merge), and optional auto-sync (`[sync] every_minutes = N` in the user config), never while a form or
another modal screen is open."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work

from istui.domain.errors import IstuiError
from istui.domain.formatting import md_escape, when
from istui.i18n import _
from istui.tui import keys

if TYPE_CHECKING:
    from istui.tui.app import IstuiApp


def status_text(status: dict[str, Any] | None, running: bool, now: datetime) -> str:
    """`sync: 10:42 · ↑2 ↓1 · changes` for the header ('' outside a git repository)."""
    if running:
        return _("syncing …")
    if not status or not status.get("repository"):
        return ""
    parts = []
    last = status.get("last_sync")
    if last:
        parts.append(_("synced {time}").format(time=when(last["at"], now)))
    else:
        parts.append(_("never synced"))
    if status.get("remote") is None:
        parts.append(_("no remote"))
    else:
        parts.append(f"↑{status['ahead']} ↓{status['behind']}")
    if status.get("changes"):
        parts.append(_("unsynced changes"))
    return " · ".join(parts)


def conflicts_title() -> str:
    return _("Sync conflicts ({key} closes)").format(key=keys.key("sheet-close"))


def has_conflicts(report: dict[str, Any] | None) -> bool:
    """Whether a sync report has conflicts to show: settled by this merge, or lost by this rep elsewhere."""
    return bool(report and (report.get("conflicts") or report.get("lost")))


def conflict_markdown(report: dict[str, Any]) -> str:
    """The conflicts a sync settled and this rep's values that lost a teammate's merge, as Markdown (every
    value escaped: it is data, not markup)."""
    from istui.services.sync_conflicts import conflict_line, lost_line

    lines = ["# " + _("Sync: conflicts settled"), ""]
    if report.get("conflicts"):
        lines += [_("{count} field(s) were changed on both sides. The newer edit was kept; the other value is listed "
                    "here and stays in `.istui/conflicts.jsonl`.").format(count=len(report["conflicts"])), ""]
        lines += [f"- {md_escape(conflict_line(conflict))}" for conflict in report["conflicts"]]
    if report.get("lost"):
        if report.get("conflicts"):
            lines.append("")
        lines += [_("{count} of your values lost a conflict in a teammate's merge (the value that lost is shown):")
                  .format(count=len(report["lost"])), ""]
        lines += [f"- {md_escape(lost_line(entry))}" for entry in report["lost"]]
    return "\n".join(lines) + "\n"


class SyncMixin:
    """The app's sync actions (mixed into IstuiApp)."""

    sync_status: dict[str, Any] | None = None
    syncing = False
    _last_auto_sync = 0.0

    def action_sync(self: IstuiApp) -> None:  # type: ignore[misc]
        if self.syncing:
            self.notify(_("A sync is already running."), markup=False)
            return
        self.syncing = True
        self.update_header()
        self.notify(_("Syncing with the team …"), markup=False, timeout=3)
        self._run_sync()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _run_sync(self: IstuiApp) -> None:  # type: ignore[misc]
        from istui.services.sync import sync

        report = sync(self.ws)  # a failure reaches on_worker_state_changed, which calls sync_failed
        self.call_from_thread(self._sync_done, report)

    def sync_failed(self: IstuiApp, message: str) -> None:  # type: ignore[misc]
        self.syncing = False
        self.notify(message, title=_("Sync failed"), severity="error", timeout=15, markup=False)
        self.refresh_sync_status()

    def _sync_done(self: IstuiApp, report: dict[str, Any]) -> None:  # type: ignore[misc]
        from istui.tui.screens.forms import SheetScreen

        self.syncing = False
        self.last_sync_report = report
        summary = report["message"].split("\n")
        title = _("Synced") if report.get("remote") else _("Saved locally, no remote")  # nothing left this computer
        self.notify("\n".join(summary[:3]), title=title, timeout=8, markup=False)
        if report["received"]:
            self.load_workspace()  # what came in
        if has_conflicts(report) and len(self.screen_stack) == 1:
            self.push_screen(SheetScreen(conflicts_title(), conflict_markdown(report)))
        self.refresh_sync_status()

    def action_sync_conflicts(self: IstuiApp) -> None:  # type: ignore[misc]
        from istui.tui.screens.forms import SheetScreen

        report = self.last_sync_report
        if not has_conflicts(report):
            self.notify(_("The last sync in this session settled no conflicts."), markup=False)
            return
        self.push_screen(SheetScreen(conflicts_title(), conflict_markdown(report)))

    @work(thread=True, exclusive=True, group="sync-status")
    def refresh_sync_status(self: IstuiApp) -> None:  # type: ignore[misc]
        from istui.services.sync import status

        try:
            found = status(self.ws)
        except IstuiError:
            found = None
        self.call_from_thread(self._show_sync_status, found)

    def _show_sync_status(self: IstuiApp, found: dict[str, Any] | None) -> None:  # type: ignore[misc]
        self.sync_status = found
        self.update_header()

    def auto_sync(self: IstuiApp) -> None:  # type: ignore[misc]
        """Called every minute: sync when the configured interval has passed and nothing is open."""
        import time

        minutes = self.auto_sync_minutes
        if not minutes or self.syncing or len(self.screen_stack) > 1:
            return
        if time.monotonic() - self._last_auto_sync >= minutes * 60:
            self._last_auto_sync = time.monotonic()
            self.syncing = True
            self.update_header()
            self._run_sync()
