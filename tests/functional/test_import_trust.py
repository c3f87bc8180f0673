"""Imports that never write what the store calls corrupt, never crash on a wrong-typed field of an istui
export, name the columns they ignore, check owners against the roster, and write the rejected rows only
after the leads (issue 12 fix round)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from istui.domain import checks
from istui.domain.errors import BadInput
from istui.domain.model import DEFAULT_SOURCES
from istui.domain.validation import blank_lead
from istui.services.csv_import import plan_import
from istui.services.export import LEAD_COLUMNS, to_csv, to_json
from istui.store.workspace import Workspace

NOW = datetime.fromisoformat("2026-12-01T10:00:00+09:00")
SOURCES = list(DEFAULT_SOURCES)
GOOD = {"id": "01KAAAAAAAAAAAAAAAAAAAAAAA", "company": "Acme", "company_kana": "アクメ", "contact": "Sato",
        "contact_kana": "サトウ", "title": "CTO", "phone": "03-1111-2222", "email": "sato@example.com",
        "source": "referral", "motion": "bdr", "stage": "meeting", "temp": "hot", "owner": "alice",
        "next_at": "2026-12-02T10:00:00+09:00", "next_action": "call", "tags": ["a", "b"], "amount": 1200,
        "memo": "line\nline", "dnc": False, "call_attempts": 1, "meeting_at": "2026-12-03T10:00:00+09:00",
        "handoff": {"to": "kimura", "at": "2026-11-30T10:00:00+09:00", "by": "alice", "budget": "1M",
                    "authority": "CTO", "need": "x", "timeline": "Q1", "note": ""},
        "created_at": "2026-11-01T10:00:00+09:00", "updated_at": "2026-11-02T10:00:00+09:00", "updated_by": "alice"}
WRONG = st.one_of(st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.text(max_size=12),
                  st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                  st.just("garbage"), st.just("9999-12-31T00:00:00+09:00"), st.just([1, 2, 3]))


def stored(fields: dict[str, Any]) -> dict[str, Any]:
    """What apply_import would store for a row of istui's export."""
    record = blank_lead(SOURCES, "alice")
    record.update(fields)
    return {"created_at": NOW.isoformat(), "updated_at": NOW.isoformat(), "updated_by": "alice", **record}


def test_the_good_record_imports_in_json_and_csv() -> None:
    for raw in (to_json([GOOD]).encode(), to_csv("leads", [GOOD]).encode()):
        row = plan_import(raw, [], sources=SOURCES, now=NOW, rep="alice").rows[0]
        assert row.status == "ok", row.reason
        assert row.fields["handoff"] == GOOD["handoff"] and row.fields["next_at"] == GOOD["next_at"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(GOOD)), value=WRONG, as_csv=st.booleans())
def test_a_wrong_typed_field_of_an_istui_export_is_one_sentence_never_a_crash(name: str, value: Any, as_csv: bool) -> None:
    record = {**GOOD, name: value}
    raw = (to_csv("leads", [record]) if as_csv else json.dumps([record], ensure_ascii=False, allow_nan=True)).encode()
    try:
        plan = plan_import(raw, [], sources=SOURCES, now=NOW, rep="alice")
    except BadInput as exc:  # the whole file (a CSV cell that breaks the header's shape)
        assert str(exc).count("\n") == 0
        return
    (row,) = plan.rows
    if row.status == "error":
        assert row.reason and "Traceback" not in row.reason
        assert row.row == 1 or as_csv
        return
    assert checks.problems("leads", stored(row.fields)) == []  # nothing doctor would call corrupt


def test_a_year_9999_follow_up_is_refused_by_every_import_format(cli, ws: Workspace, tmp_path: Path) -> None:
    far = {**GOOD, "next_at": "9999-12-31T00:00:00+09:00"}
    files = {"e.json": to_json([far]), "e.csv": to_csv("leads", [far]),
             "other.csv": "company,phone,next action date\nX,03-2111-2222,9999-12-31\n"}
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        result = cli("import", "leads", str(path))
        assert result.code == 2, (name, result.out)
        assert "'9999-12-31" in result.out and "is outside the years 1970–2199" in result.out
    assert list(ws.leads()) == []
    assert cli("doctor").code == 0


def test_an_overdue_follow_up_still_imports_as_overdue(cli, ws: Workspace, tmp_path: Path) -> None:
    past = {**GOOD, "next_at": "2025-01-01T10:00:00+09:00", "handoff": None}
    path = tmp_path / "past.json"
    path.write_text(to_json([past]))
    assert cli("rep", "add", "kimura", "--role", "field").code == 0
    assert cli("import", "leads", str(path)).code == 0
    assert ws.get_lead(GOOD["id"])["next_at"] == "2025-01-01T10:00:00+09:00"


def test_garbage_handoff_in_json_is_a_sentence_naming_row_and_field(cli, ws: Workspace, tmp_path: Path) -> None:
    for value in ("garbage", [1, 2, 3]):
        path = tmp_path / "e.json"
        path.write_text(json.dumps([{**GOOD, "handoff": value}]))
        result = cli("import", "leads", str(path))
        assert result.code == 2 and "Traceback" not in result.err
        assert "row    1  error" in result.out and "handoff: expected the handoff sheet" in result.out
    assert list(ws.leads()) == []
    assert LEAD_COLUMNS[0] == "id"
