"""Reports from the kept rollups equal raw reports, over random workspaces written to disk."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings

from istui.store.settings import Settings
from istui.store.workspace import Workspace

from random_activities import LEADS, NOVEMBER, REPS, TOKYO, activities


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(acts=activities)
def test_reports_from_kept_rollups_equal_raw_reports(tmp_path_factory, acts) -> None:
    from istui.services.report import kpi_report

    root: Path = tmp_path_factory.mktemp("ws") / "ws"
    ws = Workspace.create(root, "alice", Settings(timezone="Asia/Tokyo"),
                          clock=lambda tz: datetime(2026, 12, 3, 10, tzinfo=TOKYO))
    stamp = {"created_at": "2026-10-01T09:00:00+09:00", "updated_at": "2026-10-01T09:00:00+09:00", "updated_by": "alice"}
    leads = [{"id": lead, "company": f"Co {lead}", "source": "web_inquiry" if i % 2 else "outbound_list",
              "motion": "sdr" if i % 2 else "bdr", "stage": "working", "owner": REPS[i % 2], **stamp,
              "created_at": f"2026-{10 + i % 2}-0{1 + i}T09:00:00+09:00"} for i, lead in enumerate(LEADS)]
    ws.bulk_insert(leads=leads, activities=[{**a, **stamp} for a in acts])
    for spec in ("2026-11", "month", "quarter", "today", "week", "last_week", "2026-11-10..2026-12-02"):
        for rep in (None, "bob"):
            assert kpi_report(ws, spec, rep, analytics=True) == kpi_report(ws, spec, rep, analytics=True,
                                                                            use_rollups=False), (spec, rep)


NEAR_CUT = datetime(2026, 11, 4, tzinfo=TOKYO)  # at 2026-12-03 10:00 November is cut at Thu 5 Nov 10:00 (3 Nov is a holiday)


def _near_the_cut(acts: list[dict]) -> list[dict]:
    """The same activities moved into the three days around the cut (sends and opens on both sides of it)."""
    return [{**a, "at": (NEAR_CUT + timedelta(minutes=int(datetime.fromisoformat(a["at"]).timestamp() // 60)
                                              % (3 * 24 * 60))).isoformat(timespec="seconds")} for a in acts]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(acts=activities.map(_near_the_cut))
@example(acts=[  # sent before the cut, opened the next day: the send counts as opened
    {"id": "A00001", "lead": "L01", "rep": "bob", "kind": "email", "outcome": "sent", "at": "2026-11-05T09:30:00+09:00"},
    {"id": "A00002", "lead": "L01", "rep": "bob", "kind": "email", "outcome": "opened", "at": "2026-11-06T08:00:00+09:00"},
    {"id": "A00003", "lead": "L02", "rep": "bob", "kind": "email", "outcome": "sent", "at": "2026-11-04T09:30:00+09:00"}])
def test_a_kept_cut_month_counts_like_the_raw_report(tmp_path_factory, acts) -> None:
    """The previous month cut at a moment is kept across processes (the days before the cut's day, and
    that day's activities): a new process, a later moment the same day and a changed file still count
    exactly what the raw report counts."""
    from istui.services.report import kpi_report

    root: Path = tmp_path_factory.mktemp("ws") / "ws"
    now = [datetime(2026, 12, 3, 10, tzinfo=TOKYO)]
    ws = Workspace.create(root, "alice", Settings(timezone="Asia/Tokyo"), clock=lambda tz: now[0])
    stamp = {"created_at": "2026-10-01T09:00:00+09:00", "updated_at": "2026-10-01T09:00:00+09:00", "updated_by": "alice"}
    leads = [{"id": lead, "company": f"Co {lead}", "source": "web_inquiry", "motion": "sdr", "stage": "working",
              "owner": REPS[i % 2], **stamp} for i, lead in enumerate(LEADS)]
    ws.bulk_insert(leads=leads, activities=[{**a, **stamp} for a in acts])

    def same(workspace: Workspace) -> None:
        from istui.services.counting import Combined, tally
        from istui.services.rollup_days import KeptTallies
        from istui.services.rollups import Rollups

        cut_at = now[0].replace(month=11, day=5)
        cut = (cut_at.date() + timedelta(days=1), cut_at)
        kept = Combined(KeptTallies(Rollups(workspace), None, cut).files(NOVEMBER.start, cut[0]).values())
        raw = Combined([tally(list(workspace.activities(months=["2026-11"])), TOKYO,
                              datetime(2026, 11, 1, tzinfo=TOKYO), cut_at)])
        assert (kept.metrics(), kept.heat_mails, kept.heat_calls, kept.notes) == (
            raw.metrics(), raw.heat_mails, raw.heat_calls, raw.notes)
        for rep in (None, "bob"):
            kept = kpi_report(workspace, "month", rep, analytics=True)
            assert kept["previous"]["through"] == now[0].replace(month=11, day=5).isoformat(timespec="minutes")
            assert kept == kpi_report(workspace, "month", rep, analytics=True, use_rollups=False), rep

    same(ws)
    same(Workspace.open(root, "alice", clock=lambda tz: now[0]))  # a new process: the cut read from the cache
    now[0] = now[0].replace(hour=15)  # later the same day: the cut moves inside the kept day
    same(Workspace.open(root, "alice", clock=lambda tz: now[0]))
    ws.bulk_insert(activities=[{"id": "B00001", "lead": LEADS[0], "rep": "bob", "kind": "email", "outcome": "opened",
                                "at": "2026-11-05T13:00:00+09:00", **stamp}])
    same(Workspace.open(root, "alice", clock=lambda tz: now[0]))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(acts=activities)
def test_a_clean_file_counted_from_rows_equals_it_counted_from_its_records(tmp_path_factory, acts) -> None:
    """A rollup child decodes a file known clean straight into rows (no dicts, no checks): the same tally as
    reading and checking its records, on every file of a random workspace."""
    from istui.services.counting import ROW_FIELDS
    from istui.services.rollups import _KnownClean, rollup_file
    from istui.store import files
    from istui.store.storages import JsonLinesStorage

    root: Path = tmp_path_factory.mktemp("ws") / "ws"
    ws = Workspace.create(root, "alice", Settings(timezone="Asia/Tokyo"))
    stamp = {"created_at": "2026-10-01T09:00:00+09:00", "updated_at": "2026-10-01T09:00:00+09:00", "updated_by": "alice"}
    ws.bulk_insert(activities=[{**a, **stamp} for a in acts])
    for path in ws.activity_files():
        sig = list(files.signature(path))
        checked = rollup_file(str(path), "Asia/Tokyo", None)
        assert checked["clean"]
        assert JsonLinesStorage(path, "activities", _KnownClean(path, sig)).clean_rows(ROW_FIELDS) is not None
        assert rollup_file(str(path), "Asia/Tokyo", sig) == checked
        assert JsonLinesStorage(path, "activities", _KnownClean(path, [0, 0, 0])).clean_rows(ROW_FIELDS) is None
