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
from istui.services.mail_figures import HARD, MACHINE, WINDOW, count, finish, merge
from istui.services.rollups import safe_unpickle
from istui.store import files
from istui.store.storages import JsonLinesStorage
from istui.store.workspace import Record, Workspace

VERSION = 3
#: What a row reads of an activity (decoded straight from a clean file, `JsonLinesStorage.clean_rows`)
FIELDS: tuple[tuple[Any, ...], ...] = (
    ("id", str), ("at", str), ("kind", str), ("lead", str), ("rep", str), ("outcome", str | None, None),
    ("campaign", str | None, None), ("template", str | None, None), ("machine", bool | None, None),
    ("hard", bool | None, None), ("url", str | None, None), ("event_id", str | None, None),
    ("message_id", str | None, None))
_EMAIL, _MEETING = ActivityKind.EMAIL.value, MEETING_BOOKED


def row_of(activity: Record) -> tuple | None:
    """The row of an e-mail activity or a meeting booked by call (`mail_figures.Row`, then the rep, the event's id at
    the mail service and the Message-ID); None for any other activity."""
    return _row(tuple(activity.get(field[0]) for field in FIELDS))


def _row(values: tuple) -> tuple | None:
    _id, at, kind, lead, rep, outcome, campaign, template, machine, hard, url, event_id, message_id = values
    if kind != _EMAIL and outcome != _MEETING:
        return None
    try:
        moment = datetime.fromisoformat(at).timestamp()
    except (TypeError, ValueError):
        return None
    flags = (MACHINE if machine is True else 0) | (HARD if hard is not False else 0)
    return (moment, str(lead or ""), str(outcome), str(campaign or ""), str(template or ""), flags, str(url or ""),
            str(rep or ""), str(event_id or ""), str(message_id or ""))


class MailRows:
    """Rows per activity file, fresh against file signatures; one per workspace (`Workspace.cached`)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.path = locations.Local(ws.root).cache / "mail-rows.pickle"
        self.by_file: dict[str, tuple[list[int], list[tuple], list[tuple]]] = {}  # key → (signature, rows, meetings)
        self.loaded = self.changed = False
        self.reports: dict[Any, tuple[Any, Any, dict[str, Any]]] = {}
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

    def _file(self, path: Any) -> tuple[str, Any, tuple[list[tuple], list[tuple]]]:
        """(key, signature, (the file's e-mail rows, its meetings)), read again only when the file changed."""
        key = locations.relative(self.ws.root, path)
        sig = files.signature(path)
        kept = self.by_file.get(key)
        if kept is None or sig is None or list(kept[0]) != list(sig):
            storage = JsonLinesStorage(path, "activities", self.ws.file_checks)
            clean = storage.clean_rows(FIELDS)  # a clean file is decoded straight into tuples
            found = [row for row in (map(row_of, storage.records().values()) if clean is None else map(_row, clean))
                     if row is not None]
            kept = self.by_file[key] = (list(sig or ()), [r for r in found if r[2] != _MEETING], [r for r in found if r[2] == _MEETING])
            self.changed = True
        return key, sig, (kept[1], kept[2])

    def rows(self, months: list[str], reps: list[str] | None) -> tuple[list[tuple], tuple]:
        """The e-mail rows but meetings (`meetings` has those) of the files of `months` and `reps` (None: all), and
        those files' signatures."""
        found: list[tuple] = []
        signatures = []
        for path in self._paths(months, reps):
            key, sig, (rows, _meetings) = self._file(path)
            signatures.append((key, sig))
            found.extend(rows)
        self._saved()
        return found, tuple(signatures)

    def meetings(self, months: list[str]) -> list[tuple]:
        """Every meeting booked in the files of `months` (whoever booked it: a meeting follows anyone's mail)."""
        found: list[tuple] = []
        for path in self._paths(months, None):
            found.extend(self._file(path)[2][1])
        self._saved()
        return found

    def _paths(self, months: list[str], reps: list[str] | None) -> list[Any]:
        if not self.loaded:
            self._load()
        return self.ws.activity_files(months, reps)

    def _saved(self) -> None:
        if self.changed:
            self._save()
            self.changed = False


def mail_report(ws: Workspace, start: datetime, end: datetime, rep: str | None, campaign: str | None = None) -> dict[str, Any]:
    """The e-mail figures of the sends made in [start, end) by `rep` (None: the team), from the rows of two months
    before the period (earlier sends take their events) to one after it (what followed). Counted per rep (a rep's
    events follow the rep's sends) with every rep's meetings, and each rep's counts kept while that rep's files and
    the meetings stay the same: after a call only the rep who made it is counted again."""
    keeper: MailRows = ws.cached("mail-rows", lambda: MailRows(ws))
    months = month_keys((start - timedelta(days=62)).astimezone(ws.tz).date(), (end + timedelta(days=31)).astimezone(ws.tz).date())
    with keeper.lock:
        meetings = keeper.meetings(months)
        window = tuple(sorted(r for r in meetings if start.timestamp() <= r[0] < end.timestamp() + WINDOW.total_seconds()))
        reps = [rep] if rep else sorted({path.parent.name for path in ws.activity_files(months)})
        parts = []
        for name in reps:
            rows, signatures = keeper.rows(months, [name])
            key = (start, end, name, campaign)
            remembered = keeper.reports.get(key)
            if remembered is None or remembered[0] != signatures or remembered[1] != window:
                remembered = keeper.reports[key] = (signatures, window, count([*rows, *window], start.timestamp(),
                                                                              end.timestamp(), ws.tz, campaign))
            parts.append(remembered[2])
        return finish(merge(parts))


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
