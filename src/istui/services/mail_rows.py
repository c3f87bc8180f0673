"""The e-mail rows of the activity files (`mail_figures.Row` as plain tuples), kept per file against its signature in
`.istui/cache/mail-rows.pickle`, so the e-mail view reads again only the files that changed; and the e-mail report
of a period (`mail_report`), remembered while no file it read changes."""

from __future__ import annotations

import contextlib
import pickle
import threading
from datetime import datetime, timedelta
from typing import Any

from istui import locations
from istui.domain.model import ActivityKind
from istui.domain.outcomes import MEETING_BOOKED
from istui.domain.periods import month_keys
from istui.services.mail_figures import HARD, MACHINE, figures
from istui.services.rollups import safe_unpickle
from istui.store import files
from istui.store.storages import JsonLinesStorage
from istui.store.workspace import Record, Workspace

VERSION = 1


def row_of(activity: Record) -> tuple | None:
    """The row of an e-mail activity or a meeting booked by call; None for any other activity."""
    outcome = activity.get("outcome")
    if activity.get("kind") != ActivityKind.EMAIL and outcome != MEETING_BOOKED:
        return None
    try:
        at = datetime.fromisoformat(activity["at"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return None
    flags = (MACHINE if activity.get("machine") is True else 0) | (HARD if activity.get("hard", True) is not False else 0)
    return (at, str(activity.get("lead", "")), str(outcome), str(activity.get("campaign") or ""),
            str(activity.get("template") or ""), flags, str(activity.get("url") or ""))


class MailRows:
    """Rows per activity file, fresh against file signatures; one per workspace (`Workspace.cached`)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.path = locations.Local(ws.root).cache / "mail-rows.pickle"
        self.by_file: dict[str, tuple[list[int], list[tuple]]] = {}
        self.loaded = False
        self.reports: dict[Any, tuple[Any, dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def _load(self) -> None:
        self.loaded = True
        with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, KeyError):
            cached = safe_unpickle(files.read_bytes(self.path))
            if isinstance(cached, dict) and cached.get("version") == VERSION and isinstance(cached.get("files"), dict):
                self.by_file = cached["files"]

    def _save(self) -> None:
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            files.atomic_write(self.path, pickle.dumps({"version": VERSION, "files": self.by_file},
                                                       protocol=pickle.HIGHEST_PROTOCOL))

    def rows(self, months: list[str], reps: list[str] | None) -> tuple[list[tuple], tuple]:
        """The rows of the files of `months` and `reps` (None: all), and those files' signatures."""
        if not self.loaded:
            self._load()
        found: list[tuple] = []
        signatures = []
        changed = False
        for path in self.ws.activity_files(months, reps):
            key = locations.relative(self.ws.root, path)
            sig = files.signature(path)
            signatures.append((key, sig))
            kept = self.by_file.get(key)
            if kept is None or sig is None or list(kept[0]) != list(sig):
                storage = JsonLinesStorage(path, "activities", self.ws.file_checks)
                rows = [row for row in map(row_of, storage.records().values()) if row is not None]
                self.by_file[key] = kept = (list(sig or ()), rows)
                changed = True
            found.extend(kept[1])
        if changed:
            self._save()
        return found, tuple(signatures)


def mail_report(ws: Workspace, start: datetime, end: datetime, rep: str | None, campaign: str | None = None) -> dict[str, Any]:
    """The e-mail figures of the sends made in [start, end) by `rep` (None: the team): the rows of two months before
    the period (earlier sends take their events) to one after it (what followed)."""
    keeper: MailRows = ws.cached("mail-rows", lambda: MailRows(ws))
    months = month_keys((start - timedelta(days=62)).astimezone(ws.tz).date(),
                            (end + timedelta(days=31)).astimezone(ws.tz).date())
    with keeper.lock:
        rows, signatures = keeper.rows(months, [rep] if rep else None)
        key = (start, end, rep, campaign)
        remembered = keeper.reports.get(key)
        if remembered is not None and remembered[0] == signatures:
            return remembered[1]
        report = figures(rows, start.timestamp(), end.timestamp(), ws.tz, campaign)
        keeper.reports[key] = (signatures, report)
        return report


def email_report(ws: Workspace, period_spec: str, rep: str | None) -> dict[str, Any]:
    """`istui kpi --email` and the KPI tab's e-mail view: the period, the scope, the figures (total, per campaign with
    its name, per template with its title), the links and the best weekday × hour."""
    from istui.domain.periods import parse_period
    from istui.services.campaigns import campaigns

    settings = ws.settings
    period = parse_period(period_spec, ws.now().date(), settings.week_start_index, settings.fiscal_year_start_month)
    start, end = period.bounds(ws.tz)
    report = mail_report(ws, start, end, rep)
    names = {c["id"]: c["name"] for c in campaigns(ws)}
    titles = {n["id"]: n.get("title", "") for n in ws.notes()}
    return {"period": {"label": period.label, "kind": period.kind.value if period.kind else None,
                       "start": start.isoformat(), "end": end.isoformat()},
            "scope": {"rep": rep, "team": rep is None}, **report,
            "campaigns": [{"id": key, "name": names.get(key, ""), **value} for key, value in report["campaigns"].items()],
            "templates": [{"id": key, "title": titles.get(key, ""), **value} for key, value in report["templates"].items()]}
