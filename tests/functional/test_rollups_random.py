"""Reports from the kept rollups equal raw reports, over random workspaces written to disk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from istui.store.settings import Settings
from istui.store.workspace import Workspace

from random_activities import LEADS, REPS, TOKYO, activities


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
    for spec in ("2026-11", "month", "quarter"):
        for rep in (None, "bob"):
            assert kpi_report(ws, spec, rep, analytics=True) == kpi_report(ws, spec, rep, analytics=True,
                                                                            use_rollups=False), (spec, rep)
