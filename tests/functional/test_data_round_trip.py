"""istui's own leads export imports back field for field (issue 12, item 13): a demo workspace through CSV
and JSON, hostile text through a property test, ids kept so a re-import updates."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from istui.domain.errors import BadInput
from istui.domain.ids import new_id
from istui.domain.model import DEFAULT_SOURCES
from istui.domain.validation import blank_lead, clean_lead_fields
from istui.services.csv_import import plan_import
from istui.services.export import neutralise, restore, to_csv, to_json
from istui.store.workspace import Workspace

from conftest import add_lead

NOW = datetime.fromisoformat("2026-12-01T10:00:00+09:00")
SOURCES = list(DEFAULT_SOURCES)


def leads_of(root: Path) -> dict[str, dict]:
    return {lead["id"]: lead for lead in Workspace.open(root, "alice").leads()}


def test_a_demo_workspace_round_trips_through_csv_and_json(cli, tmp_path: Path) -> None:
    demo, fresh, fresh_json = tmp_path / "demo", tmp_path / "fresh", tmp_path / "fresh-json"
    assert cli("demo", str(demo), "--no-open", "--scale", "small").code == 0
    team = cli("--workspace", str(demo), "rep", "list", "--json").json
    for root in (fresh, fresh_json):
        assert cli("init", str(root), "--rep", "alice").code == 0
        for role in ("is", "field", "manager"):  # owners and handoff recipients must be on the roster first
            names = [member["name"] for member in team if member["role"] == role and member["name"] != "alice"]
            assert cli("--workspace", str(root), "rep", "add", *names, "--role", role).code == 0
    first = tmp_path / "first.csv"
    assert cli("--workspace", str(demo), "export", "leads", "-o", str(first)).code == 0
    rows = list(csv.DictReader(io.StringIO(first.read_text("utf-8-sig"))))
    assert any(row["handoff_to"] for row in rows) and any(row["amount"] for row in rows)
    assert any(row["next_at"] for row in rows) and any(row["next_action"] for row in rows)

    report = cli("--workspace", str(fresh), "import", "leads", str(first), "--json").json
    assert report["format"] == "istui-csv" and report["summary"]["added"] == len(rows) == 600
    second = tmp_path / "second.csv"
    assert cli("--workspace", str(fresh), "export", "leads", "-o", str(second)).code == 0
    assert second.read_bytes() == first.read_bytes()
    original, copied = leads_of(demo), leads_of(fresh)
    assert copied == original  # every field of every lead: ids, stages, owners, follow-ups, amounts, handoffs, stamps
    handed = next(lead for lead in copied.values() if lead["handoff"])
    assert set(handed["handoff"]) >= {"to", "at", "by", "budget", "authority", "need", "timeline", "note"}

    again = cli("--workspace", str(fresh), "import", "leads", str(first), "--on-duplicate", "update", "--json").json
    assert again["summary"]["updated"] == 600 and again["summary"]["added"] == 0
    after = leads_of(fresh)
    assert len(after) == 600
    stamps = ("updated_at", "updated_by")
    assert {i: {k: v for k, v in r.items() if k not in stamps} for i, r in after.items()} == \
           {i: {k: v for k, v in r.items() if k not in stamps} for i, r in original.items()}
    skipped = cli("--workspace", str(fresh), "import", "leads", str(first), "--json").json
    assert skipped["summary"]["added"] == 0 and skipped["summary"]["duplicate"] == 600  # the default skips by id

    as_json = cli("--workspace", str(demo), "export", "leads", "--json").out
    (tmp_path / "leads.json").write_text(as_json, "utf-8")
    report = cli("--workspace", str(fresh_json), "import", "leads", str(tmp_path / "leads.json"), "--json").json
    assert report["format"] == "istui-json" and report["summary"]["added"] == 600
    assert cli("--workspace", str(fresh_json), "export", "leads", "--json").out == as_json


def test_on_duplicate_add_gives_a_lead_with_a_taken_id_a_new_one(cli, ws: Workspace, tmp_path: Path) -> None:
    lead = add_lead(cli, "=HYPERLINK(\"http://x\",\"y\")", "--phone", "03-1111-2222")
    target = tmp_path / "leads.csv"
    assert cli("export", "leads", "-o", str(target)).code == 0
    assert next(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))["company"].startswith("'=")
    report = cli("import", "leads", str(target), "--on-duplicate", "add", "--json").json
    assert report["summary"]["added"] == 1 and report["added"][0] != lead["id"]
    companies = sorted(lead["company"] for lead in ws.leads())
    assert companies == ["=HYPERLINK(\"http://x\",\"y\")"] * 2  # read back as the same text, never a formula


def test_the_spreadsheet_guard_is_undone_exactly() -> None:
    for cell in ("=1", "+1", "-1", "@a", "'", "'=1", "''", "'abc", "abc", "", "\t=x", "\n=x"):
        assert restore(neutralise(cell)) == cell
    assert restore("'abc") == "'abc"  # another tool's leading apostrophe stays


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "'=1", "a,b", 'say "hi"', "line\nbreak",
     "株式会社テスト", "営業部 部長", "🚀 rocket", "; semi", "[json", "'"])


@st.composite
def _leads(draw: st.DrawFn) -> dict:
    typed = {"company": draw(_text), "contact": draw(_text), "title": draw(_text), "next_action": draw(_text),
             "memo": draw(_text), "company_kana": draw(_text),
             "tags": [draw(_text) for _ in range(draw(st.integers(0, 3)))],
             "stage": draw(st.sampled_from(["new", "working", "meeting", "won", "handed_off"])),
             "source": draw(st.sampled_from(SOURCES)), "temp": draw(st.sampled_from(["hot", "warm", "cold"])),
             "owner": draw(st.sampled_from(["alice", "bob", "山田"]))}
    clean = {"company": "Fallback K.K."}
    for name, value in typed.items():  # each field as istui would store it (a value it refuses is left out)
        with contextlib.suppress(BadInput):
            clean.update(clean_lead_fields({name: value}, sources=SOURCES, now=NOW))
    record = {**blank_lead(SOURCES, "alice"), **clean, "id": new_id()}
    if not record.get("company_kana"):  # a reading is stored only when there is one (a CSV cell cannot tell)
        record.pop("company_kana", None)
    if draw(st.booleans()):
        record["next_at"] = (NOW + timedelta(minutes=draw(st.integers(-10**6, 10**6)))).isoformat(timespec="seconds")
    if draw(st.booleans()):
        record["amount"] = draw(st.integers(0, 10**12))
    if draw(st.booleans()):
        record["handoff"] = {"to": "field-mori", "at": NOW.isoformat(), "by": "alice", "budget": clean.get("contact", ""),
                             "authority": "", "need": clean.get("memo", ""), "timeline": "Q1", "note": clean.get("title", "")}
    stamp = (NOW - timedelta(days=draw(st.integers(0, 400)))).isoformat(timespec="seconds")
    record.update(created_at=stamp, updated_at=stamp, updated_by="bob")
    return record


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_leads(), min_size=1, max_size=5))
def test_hostile_text_round_trips_through_csv_and_json(leads: list[dict]) -> None:
    for raw in (to_csv("leads", leads).encode("utf-8-sig"), to_json(leads).encode("utf-8")):
        plan = plan_import(raw, [], sources=SOURCES, now=NOW, rep="alice")
        assert [row.status for row in plan.rows] == ["ok"] * len(leads), [row.reason for row in plan.rows]
        assert [row.fields for row in plan.rows] == leads


def test_newer_fields_and_odd_handoffs_travel_in_extra() -> None:
    base = {**blank_lead(SOURCES, "alice"), "company": "Acme", "id": new_id(), "created_at": NOW.isoformat(),
            "updated_at": NOW.isoformat(), "updated_by": "alice"}
    leads = [{**base, "dnc": True, "phone_flag": "wrong_number"},
             {**base, "id": new_id(), "handoff": {"to": "mori", "rating": 4}},
             {**base, "id": new_id(), "handoff": {}},
             {**base, "id": new_id(), "handoff": {**dict.fromkeys(("to", "by", "budget", "authority", "need",
                                                                   "timeline", "note"), "x"), "status": "accepted",
                                                  "at": "2026-11-30T10:00:00+09:00"}}]
    text = to_csv("leads", leads)
    assert json.loads(next(csv.DictReader(io.StringIO(text)))["extra"]) == {"dnc": True, "phone_flag": "wrong_number"}
    plan = plan_import(text.encode(), [], sources=SOURCES, now=NOW, rep="alice")
    assert [row.fields for row in plan.rows] == leads
