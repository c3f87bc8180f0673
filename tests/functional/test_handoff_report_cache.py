"""The handoff figures of a KPI report are kept per lead bucket (`services.handoff_report`): in memory and in a local
cache file. Whatever that cache holds — made by this process, read back by another, out of date after a change, or
damaged by hand — the figures are those counted from the leads afresh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from istui.services.handoff_loop import accept, reject
from istui.services.report import kpi_report
from istui.store.files import seal, unseal
from istui.store.workspace import Workspace

from conftest import fixed_clock
from tui_support import make_demo

SCOPES = (("fy", None), ("month", None), ("fy", "sato"), ("fy", "field-mori"))


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("handoff-cache") / "demo").root


def fresh(root: Path, rep: str = "sato") -> Workspace:
    return Workspace.open(root, rep, clock=fixed_clock)


def counted_afresh(root: Path) -> dict:
    """The figures of every scope with no cache file and nothing kept in memory."""
    ws = fresh(root)
    ws.local.handoff_parts.unlink(missing_ok=True)
    return {scope: kpi_report(ws, *scope)["handoff"] for scope in SCOPES}


def figures(ws: Workspace) -> dict:
    return {scope: kpi_report(ws, *scope)["handoff"] for scope in SCOPES}


def test_the_cache_file_read_by_another_process_gives_the_same_figures(demo_root: Path) -> None:
    expected = counted_afresh(demo_root)
    assert expected[("fy", None)]["handoffs"] > 0 and expected[("fy", None)]["handoff_closed"] > 0  # a real loop
    assert expected[("fy", None)]["by_rep"] and expected[("fy", None)]["asked_for"] and expected[("fy", None)]["returned"]
    assert fresh(demo_root).local.handoff_parts.exists()
    assert figures(fresh(demo_root)) == expected  # read back from the file
    ws = fresh(demo_root)
    assert figures(ws) == expected and figures(ws) == expected  # and kept in memory


def damage_closers(data: dict) -> None:
    for bucket in data["buckets"].values():
        for scope in bucket["closers"]:
            bucket["closers"][scope] = 42


def counted(bucket: dict) -> list[dict]:
    """The parts of a bucket with something counted (one with nothing is kept as 0)."""
    return [part for part in bucket["parts"].values() if part != 0]


def damage_rows(data: dict) -> None:
    for bucket in data["buckets"].values():
        for part in counted(bucket):
            for name in part["by_rep"]:
                part["by_rep"][name] = [1, 2]


def damage_closer_text(data: dict) -> None:
    for bucket in data["buckets"].values():
        for scope in bucket["closers"]:
            bucket["closers"][scope] = "01J\x1fno fields"


def damage_returned(data: dict) -> None:
    for bucket in data["buckets"].values():
        for part in counted(bucket):
            part["returned"] = [["only", "three", "fields"]] if part["returned"] else part["returned"]


def damage_nothing(data: dict) -> None:
    for bucket in data["buckets"].values():
        for key, part in bucket["parts"].items():
            bucket["parts"][key] = 1 if part == 0 else part  # (not the 0 of a part with nothing in it)


@pytest.mark.parametrize("damage", [damage_closers, damage_rows, damage_closer_text, damage_returned, damage_nothing, None],
                         ids=["closers-a-number", "rows-cut-short", "closer-row-cut", "returned-cut", "nothing-a-one",
                              "truncated"])
def test_a_cache_file_damaged_by_hand_is_counted_again(demo_root: Path, tmp_path: Path, damage) -> None:
    expected = counted_afresh(demo_root)
    path = fresh(demo_root).local.handoff_parts
    raw = path.read_bytes()
    try:
        if damage is None:
            path.write_bytes(raw[: len(raw) // 2])
        else:  # sealed as istui seals it: what is tested is the check of what is inside
            data = json.loads(unseal(raw))
            damage(data)
            path.write_bytes(seal(json.dumps(data).encode()))
        assert figures(fresh(demo_root)) == expected
    finally:
        path.write_bytes(raw)


def test_a_count_edited_in_the_cache_file_is_not_trusted(demo_root: Path) -> None:
    """A plausible number typed over another (the parts read as they should, but say 50 handoffs where there was 1)."""
    expected = counted_afresh(demo_root)
    path = fresh(demo_root).local.handoff_parts
    raw = path.read_bytes()
    edited = unseal(raw).replace(b'"handoffs": 1,', b'"handoffs": 50,')
    assert edited != unseal(raw)
    try:
        path.write_bytes(edited)  # (as an editor writes it back: its text, without the seal)
        assert figures(fresh(demo_root)) == expected
        path.write_bytes(raw[:-1] + (b"0" if raw[-1:] != b"0" else b"1"))  # one byte changed, the seal kept
        assert figures(fresh(demo_root)) == expected
    finally:
        path.write_bytes(raw)


def test_figures_kept_in_memory_follow_a_change_to_a_lead(tmp_path: Path) -> None:
    root = make_demo(tmp_path / "demo").root
    sato = fresh(root)
    before = figures(sato)  # kept in memory from here on
    mori = fresh(root, "field-mori")
    waiting = [lead for lead in mori.leads() if (lead.get("handoff") or {}).get("status") == "proposed"
               and lead["handoff"].get("to") == "field-mori" and lead.get("stage") == "handed_off"]
    assert len(waiting) >= 2, "the demo hands field-mori leads still waiting for an answer"
    accept(mori, waiting[0]["id"])
    reject(mori, waiting[1]["id"], "no_budget", "no budget this year")
    after = figures(sato)  # the same workspace object: two bucket files changed since
    assert after == counted_afresh(root)
    month = ("month", None)
    assert after[month]["accepted"] == before[month]["accepted"] + 1
    assert after[month]["rejected"] == before[month]["rejected"] + 1
    assert after[month]["rejected_by_reason"].get("no_budget", 0) == before[month]["rejected_by_reason"].get("no_budget", 0) + 1
