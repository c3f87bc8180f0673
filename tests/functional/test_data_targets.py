"""Ids made in one millisecond are unique and in order; demo targets have ids of their own, `target list` shows
prefixes `target remove` takes (issue 12, item 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from istui.domain import ids
from istui.domain.ids import new_id, short_ids


def test_ids_made_in_one_millisecond_are_unique_and_sorted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ids.time, "time", lambda: 1_767_000_000.0)  # a frozen clock
    made = [new_id() for _ in range(5000)]
    assert len(set(made)) == len(made) and made == sorted(made)
    assert len(set(made[:20])) == 20
    # the first ids of a millisecond still differ early (short prefixes stay short)
    assert max(len(p) for p in short_ids(made[:5]).values()) <= 14


def test_seeded_ids_are_reproducible() -> None:
    assert new_id(1_767_000_000_000, 12345) == new_id(1_767_000_000_000, 12345)


def test_demo_targets_have_their_own_ids_and_list_shows_what_remove_takes(cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    assert cli("demo", str(demo), "--no-open", "--scale", "small").code == 0
    targets = cli("--workspace", str(demo), "target", "list", "--json").json
    assert len(targets) == 34 and len({t["id"] for t in targets}) == 34
    lines = cli("--workspace", str(demo), "target", "list").out.splitlines()[1:]
    shown = [line.split()[0] for line in lines]
    assert len(set(shown)) == 34
    ambiguous = cli("--workspace", str(demo), "target", "remove", shown[0][:4])
    assert ambiguous.code == 2 and "matches 34 records" in ambiguous.err and "type more of the id" in ambiguous.err
    removed = cli("--workspace", str(demo), "target", "remove", shown[0], "--json").json
    assert removed["id"].startswith(shown[0])
    assert len(cli("--workspace", str(demo), "target", "list", "--json").json) == 33
    every = cli("--workspace", str(demo), "target", "remove", shown[0][:4], "--all", "--json").json
    assert len(every) == 33 and cli("--workspace", str(demo), "target", "list", "--json").json == []
    gone = cli("--workspace", str(demo), "target", "remove", "ZZZZ", "--all")
    assert gone.code != 0 and "no target id starts with 'ZZZZ'" in gone.err
    assert json.loads(cli("--workspace", str(demo), "export", "targets", "--json").out) == []
