"""The e-mail rows of the activity files (`mail_figures.Row` as plain tuples), kept per file against its signature
(`MailRows`), so the e-mail view reads again only the files that changed; and the e-mail report of a period
(`mail_report`), counted per rep and remembered while the files it read do not change."""

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
from istui.services.rollups import DataOnly, safe_unpickle
from istui.store import fileformat, files
from istui.store.storages import JsonLinesStorage
from istui.store.workspace import Record, Workspace

VERSION = 3
#: What a row reads of an activity (decoded straight from a clean file, `JsonLinesStorage.clean_rows`)
FIELDS: tuple[tuple[Any, ...], ...] = (
    ("id", str), ("at", str), ("kind", str), ("lead", str), ("rep", str), ("outcome", str | None, None),
    ("campaign", str | None, None), ("template", str | None, None), ("machine", bool | None, None),
    ("hard", bool | None, None), ("url", str | None, None), ("event_id", str | None, None),
    ("message_id", str | None, None))
_NAMES = tuple(field[0] for field in FIELDS)
_EMAIL, _MEETING = ActivityKind.EMAIL.value, MEETING_BOOKED


def row_of(activity: Record) -> tuple | None:
    """The row of an e-mail activity or a meeting booked by call (`mail_figures.Row`, then the rep, the event's id at
    the mail service and the Message-ID); None for any other activity."""
    return _row(tuple(map(activity.get, _NAMES)))


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
    """Rows per activity file, fresh against file signatures; one per workspace (`Workspace.cached`). Each file's rows
    are kept in a pickle of their own under `.istui/cache/mail-rows/` (its signature and meetings first, the rows
    after them, read only when wanted), so a change to one file rewrites one small pickle; and each rep's counts
    (`mail_report`) in `mail-counts.pickle`, so a new process whose files did not change counts nothing again."""

    KEPT_COUNTS = 400  # (period, rep, campaign) counts kept on disk, the latest made

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        local = locations.Local(ws.root)
        self.folder, self.counts_path = local.mail_rows, local.mail_counts
        self.by_file: dict[str, list[Any]] = {}  # key → [signature, rows or None (on disk), meetings]
        self.reports: dict[Any, tuple[Any, Any, dict[str, Any]]] | None = None
        self.counts_changed = False
        self.lock = threading.Lock()

    def _pickle_of(self, key: str) -> Any:
        import hashlib

        return self.folder / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".pickle")

    def _file(self, path: Any, rows: bool) -> tuple[str, Any, list[Any]]:
        """(key, signature, [signature, rows or None, meetings]); the file read again only when it changed."""
        key = locations.relative(self.ws.root, path)
        sig = list(files.signature(path) or ())
        kept = self.by_file.get(key)
        if kept is None or kept[0] != sig or (rows and kept[1] is None):
            kept = self._from_disk(key, sig, rows)
        if kept is None:  # (or its pickle is not of this signature, or damaged)
            storage = JsonLinesStorage(path, "activities", self.ws.file_checks)
            clean = storage.clean_rows(FIELDS)  # a file known clean is decoded straight into tuples
            if clean is None:  # not checked yet: decoded all the same when every line has the types wanted (a row
                with contextlib.suppress(OSError, files.OutsideWorkspace):  # whose time does not read is left out)
                    clean = fileformat.json_lines_rows(files.read_bytes(path), FIELDS)
            found = [row for row in (map(row_of, storage.records().values()) if clean is None else map(_row, clean))
                     if row is not None]
            kept = [sig, [r for r in found if r[2] != _MEETING], [r for r in found if r[2] == _MEETING]]
            with contextlib.suppress(OSError):
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                files.atomic_write(self._pickle_of(key), pickle.dumps((VERSION, key, sig, kept[2]), protocol=5)
                                   + pickle.dumps(kept[1], protocol=5))
                if not rows:
                    kept[1] = None  # on disk now: a pass over the meetings does not hold every file's rows
        self.by_file[key] = kept
        return key, sig, kept

    def _from_disk(self, key: str, sig: list[int], rows: bool) -> list[Any] | None:
        """The file's kept rows when its pickle is of this signature (the rows themselves only when wanted)."""
        import io

        with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, KeyError):
            stream = io.BytesIO(files.read_bytes(self._pickle_of(key)))
            version, kept_key, kept_sig, meetings = DataOnly(stream).load()
            if (version, kept_key, list(kept_sig)) == (VERSION, key, sig):
                return [sig, DataOnly(stream).load() if rows else None, meetings]
        return None

    def rows(self, months: list[str], reps: list[str] | None) -> tuple[list[tuple], tuple]:
        """The e-mail rows but meetings (`meetings` has those) of the files of `months` and `reps` (None: all), and
        those files' signatures."""
        found: list[tuple] = []
        signatures = []
        for path in self.ws.activity_files(months, reps):
            key, sig, kept = self._file(path, rows=True)
            signatures.append((key, sig))
            found.extend(kept[1])
        return found, tuple(signatures)

    def signatures(self, months: list[str], reps: list[str] | None) -> tuple:
        return tuple((locations.relative(self.ws.root, path), list(files.signature(path) or ()))
                     for path in self.ws.activity_files(months, reps))

    def meetings(self, months: list[str]) -> list[tuple]:
        """Every meeting booked in the files of `months` (whoever booked it: a meeting follows anyone's mail)."""
        found: list[tuple] = []
        for path in self.ws.activity_files(months, None):
            found.extend(self._file(path, rows=False)[2][2])
        return found

    def counted(self, key: tuple, signatures: tuple, window: tuple, make: Any) -> dict[str, Any]:
        """The counts of `key` made by `make()`, or as kept while `signatures` and `window` are what they were."""
        if self.reports is None:
            self.reports = {}
            with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, KeyError):
                version, kept = safe_unpickle(files.unseal(files.read_bytes(self.counts_path)))
                if version == VERSION and isinstance(kept, dict):
                    self.reports = kept
        remembered = self.reports.get(key)
        if not (isinstance(remembered, tuple) and len(remembered) == 3 and remembered[0] == signatures
                and remembered[1] == window):
            self.reports.pop(key, None)  # (a dict keeps its order: the latest made last)
            remembered = self.reports[key] = (signatures, window, make())
            self.counts_changed = True
        return remembered[2]

    def release(self) -> None:
        """Let the rows go (they are on disk, read again when a rep is counted again): a TUI that showed a year of
        e-mail keeps only the counts and the meetings."""
        for kept in self.by_file.values():
            kept[1] = None

    def save_counts(self) -> None:
        if self.counts_changed and self.reports is not None:
            kept = dict(list(self.reports.items())[-self.KEPT_COUNTS:])
            with contextlib.suppress(OSError):
                self.counts_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                files.atomic_write(self.counts_path, files.seal(pickle.dumps((VERSION, kept), protocol=5)))
            self.counts_changed = False


def months_around(first: datetime, last: datetime, tz: Any) -> list[str]:
    """The months of activity files whose e-mail rows bear on sends and events from `first` to `last`: two months
    before (the sends earlier events follow) to one after (what followed the sends)."""
    return month_keys((first - timedelta(days=62)).astimezone(tz).date(), (last + timedelta(days=31)).astimezone(tz).date())


def mail_report(ws: Workspace, start: datetime, end: datetime, rep: str | None, campaign: str | None = None) -> dict[str, Any]:
    """The e-mail figures of the sends made in [start, end) by `rep` (None: the team), from the rows of two months
    before the period (earlier sends take their events) to one after it (what followed). Counted per rep (a rep's
    events follow the rep's sends) with every rep's meetings, and each rep's counts kept while that rep's files and
    the meetings stay the same: after a call only the rep who made it is counted again."""
    keeper: MailRows = ws.cached("mail-rows", lambda: MailRows(ws))
    months = months_around(start, end, ws.tz)
    first, last = start.timestamp(), end.timestamp()
    with keeper.lock:
        window = tuple(sorted(r for r in keeper.meetings(months) if first <= r[0] < last + WINDOW.total_seconds()))
        reps = [rep] if rep else sorted({path.parent.name for path in ws.activity_files(months)})
        for _attempt in range(2):
            parts = []
            for name in reps:
                def make(name: str = name) -> dict[str, Any]:
                    return count([*keeper.rows(months, [name])[0], *window], first, last, ws.tz, campaign)

                key = (start.isoformat(), end.isoformat(), name, campaign)
                parts.append(keeper.counted(key, keeper.signatures(months, [name]), window, make))
                keeper.release()  # one rep's rows in memory at a time
            try:
                report = finish(merge(parts))
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # kept counts of another shape
                keeper.reports = {}
                continue
            keeper.save_counts()
            return report
        raise AssertionError("counted twice")


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
    return {"period": period.as_json(ws.tz), "scope": {"rep": rep, "team": rep is None}, **report,
            "campaigns": [{"id": key, "name": names.get(key, ""), **value} for key, value in report["campaigns"].items()],
            "templates": [{"id": key, "title": titles.get(key, ""), **value} for key, value in report["templates"].items()]}
