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
    assert cli("rep", "add", "kimura", "--role", "field").code == 0
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


def test_owners_not_on_the_roster_are_refused_with_the_command_that_adds_them(cli, ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "owners.csv"
    path.write_text("company,owner\nX,ben\nY,carol\nZ,ＡＬＩＣＥ\nW,ben\n")
    sentence = ("istui: 3 row(s) name people who are not on the team roster (alice): ben, carol; add them with "
                "`istui rep add ben carol` and run again, or import the other rows with --skip-invalid.")
    for extra in ((), ("--dry-run",)):
        result = cli("import", "leads", str(path), *extra)
        assert (result.code, result.err.strip()) == (2, sentence)
    assert list(ws.leads()) == []
    report = cli("import", "leads", str(path), "--dry-run", "--json").json
    assert report["not_on_roster"] == ["ben", "carol"]
    skipped = cli("import", "leads", str(path), "--skip-invalid")
    assert skipped.code == 0, skipped.err
    assert [(lead["company"], lead["owner"]) for lead in ws.leads()] == [("Z", "alice")]  # the roster's spelling
    rejected = (tmp_path / "owners.rejected.csv").read_text("utf-8-sig")
    assert "X,ben,owner: 'ben' is not on the team roster (alice)" in rejected and "Y,carol" in rejected
    assert cli("rep", "add", "ben", "carol").code == 0
    again = tmp_path / "owners.rejected.csv"  # the rejected rows, fixed by adding the people
    assert cli("import", "leads", str(again), "--json").json["summary"]["added"] == 3


def test_a_handoff_recipient_of_an_istui_export_must_be_on_the_roster(cli, ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text(to_json([GOOD]))
    result = cli("import", "leads", str(path))
    assert result.code == 2 and "(alice): kimura; add them with `istui rep add kimura --role field` and run" in result.err
    assert cli("rep", "add", "KIMURA", "--role", "field").code == 0
    assert cli("import", "leads", str(path)).code == 0
    assert ws.get_lead(GOOD["id"])["handoff"]["to"] == "KIMURA"


def test_a_do_not_call_column_sets_dnc_and_ignored_columns_are_named(cli, ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "dnc.csv"
    path.write_text("company,phone,DoNotCall,Fax\nX,03-2111-2222,true,1\nY,03-2111-3333,×,\nZ,03-2111-4444,○,\n")
    result = cli("import", "leads", str(path))
    assert result.code == 0, result.err
    assert "Ignored columns (no lead field; name one with --map COLUMN=field): Fax" in result.out
    assert {lead["company"]: lead.get("dnc") for lead in ws.leads()} == {"X": True, "Y": False, "Z": True}
    for header in ("Do Not Call", "do_not_call", "dnc", "架電NG", "架電禁止"):
        other = tmp_path / "other.csv"
        other.write_text(f"company,{header},メモ欄\nQ,yes,x\n")
        report = cli("import", "leads", str(other), "--dry-run", "--json").json
        assert report["columns"][header] == "dnc" and report["ignored_columns"] == ["メモ欄"]
        assert report["rows"][0]["lead"]["dnc"] is True
    bad = tmp_path / "bad.csv"
    bad.write_text("company,dnc\nQ,maybe\n")
    refused = cli("import", "leads", str(bad))
    assert refused.code == 2 and "dnc: 'maybe' is not true or false." in refused.out


def test_the_rejected_rows_are_written_only_after_the_leads(cli, ws: Workspace, tmp_path: Path,
                                                          monkeypatch) -> None:
    import istui.services.csv_import as csv_import

    path = tmp_path / "big.csv"
    path.write_text("company,email\nGood,a@example.com\nBad,not-mail\n")
    seen = []
    real = csv_import.apply_import

    def watched(*args, **kwargs):
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_import, "apply_import", watched)
    assert cli("import", "leads", str(path), "--skip-invalid").code == 0
    assert seen == [["big.csv", "home", "ws"]]  # no rejected file while the leads were being written
    assert (tmp_path / "big.rejected.csv").exists() and [lead["company"] for lead in ws.leads()] == ["Good"]
