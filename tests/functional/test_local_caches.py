"""The local caches in `.istui/cache` only ever cost speed: whatever became of one (a folder in its place,
bytes that are not text, lines of another shape), every command gives the answers it gives without it,
and no temp file is left behind."""

from __future__ import annotations

import shutil

import pytest

from istui.store.workspace import Workspace

CACHES = ["lead-ids", "activity-leads", "file-checks.json", "queue-leads.json", "lead-numbers", "rollups.pickle"]
DAMAGE = {
    "folder": None,
    "bytes": bytes(range(256)) * 8,
    "no spaces": b"00\n01\nnot a line of the cache\n",
    "one word lines": b"ff 1:2:3\nzz\n\n",
}


def _commands(cli, lead_id: str) -> list[str]:
    outputs = []
    for args in (("lead", "show", lead_id[:10]), ("today", "--json"), ("kpi", "--period", "month", "--json"),
                 ("lead", "list", "--json")):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        assert "Traceback" not in result.err
        outputs.append(result.out)
    return outputs


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("cache", CACHES)
def test_a_damaged_cache_changes_no_answer(cli, ws: Workspace, cache: str, damage: str) -> None:
    lead = cli("lead", "add", "--company", "Acme KK", "--source", "web_inquiry", "--json").json
    cli("lead", "add", "--company", "Beta KK", "--source", "seminar")
    assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    expected = _commands(cli, lead["id"])
    path = ws.local.cache / cache
    if path.is_dir():
        shutil.rmtree(path)
    path.unlink(missing_ok=True)
    if DAMAGE[damage] is None:
        path.mkdir()
    else:
        path.write_bytes(DAMAGE[damage])
    assert _commands(cli, lead["id"]) == expected
    assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    assert not [p.name for p in ws.local.cache.iterdir() if p.name.endswith(".tmp")]


DEEP = "[" * 5000 + "]" * 5000  # a value nested deeper than Python's recursion limit


@pytest.mark.parametrize("where", ["file-checks.json", "queue-leads.json", "lead-bucket", "notes", "activity"])
def test_a_value_nested_too_deeply_is_one_unreadable_line(cli, ws: Workspace, where: str) -> None:
    """`[[[[…` thousands deep (in a teammate's file through git, or a local cache) is an unreadable line or an
    unreadable cache, never a RecursionError that stops every command."""
    import json

    lead = cli("lead", "add", "--company", "Acme KK", "--source", "web_inquiry", "--json").json
    assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    if where in ("file-checks.json", "queue-leads.json"):
        (ws.local.cache / where).write_text(DEEP)
    elif where == "lead-bucket":
        bucket = next((ws.root / "leads").glob("*.json"))
        lines = bucket.read_text().splitlines()
        lines.insert(1, f'"01ZZZZZZZZZZZZZZZZZZZZZZZZ": {{"company": {DEEP}}},')
        bucket.write_text("\n".join(lines) + "\n")
    elif where == "notes":
        (ws.root / "notes.json").write_text('{"notes": {\n' + f'"01ZZZZZZZZZZZZZZZZZZZZZZZZ": {{"title": {DEEP}}}\n' + "}}\n")
    else:
        month = next((ws.root / "activities").glob("*/*.jsonl"))
        with month.open("a") as handle:
            handle.write(json.dumps({"id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ"})[:-1] + f', "note": {DEEP}}}\n')
    for args in (("today",), ("kpi", "--period", "month"), ("lead", "show", lead["id"][:10]), ("doctor",),
                 ("log", "call", lead["id"][:10], "-o", "2")):
        result = cli(*args)
        assert "Traceback" not in result.err and "RecursionError" not in result.err, (args, result.err)
        assert result.code in (0, 1), (args, result.code, result.err)
    if where.endswith(".json"):
        assert cli("today").code == 0 and cli("kpi", "--period", "month").code == 0


def test_records_left_out_of_kept_tallies_are_named_every_time(cli, ws: Workspace) -> None:
    """A report from the kept tallies reads no activity file; what those tallies left out is named on stderr all
    the same, on the run that counted the file and on every later one (the README: "left out, named")."""
    lead = cli("lead", "add", "--company", "Acme KK", "--source", "web_inquiry", "--json").json
    assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    month = next((ws.root / "activities").glob("*/*.jsonl"))
    with month.open("a") as handle:
        handle.write('{"id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "kind": "call", "at": "yesterday"}\n')
    for _ in range(2):
        result = cli("kpi", "--period", "fy")
        assert result.code == 0
        assert month.name in result.err and "left out" in result.err, result.err


@pytest.mark.parametrize("cache", ["rollups.pickle", "lead-numbers"])
def test_a_kpi_cache_that_cannot_be_written_is_named_once(cli, ws: Workspace, cache: str) -> None:
    """The figures stay right without the kept tallies, but every report is slow then: the user is told which file
    is in the way, once per command."""
    for company in ("Acme KK", "Beta KK", "Gamma KK"):
        lead = cli("lead", "add", "--company", company, "--source", "web_inquiry", "--json").json
        assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    expected = cli("kpi", "--team", "--period", "month", "--json").out
    path = ws.local.cache / cache
    shutil.rmtree(ws.local.cache)
    path.mkdir(parents=True)
    for rep in ("alice", "bob"):
        (ws.root / "activities" / rep).mkdir(parents=True, exist_ok=True)
        for month in ("2026-09", "2026-10"):  # files enough that a report saves what it counted
            (ws.root / "activities" / rep / f"{month}.jsonl").write_text("")
    result = cli("kpi", "--team", "--period", "month", "--json")
    assert result.code == 0 and result.out == expected
    assert result.err.count(f".istui/cache/{cache} cannot be written") == 1, result.err


@pytest.mark.parametrize("value", [-3, float("nan"), 10**6])
def test_a_count_edited_inside_the_kept_tallies_is_not_trusted(cli, ws: Workspace, value) -> None:
    """A count changed by hand inside `rollups.pickle` (read as plain data, it would be taken as it is: a negative
    figure, `NaN` in --json, which is no JSON) makes the file count again."""
    import json
    import pickle

    from istui.services.rollups import safe_unpickle
    from istui.store.files import unseal

    lead = cli("lead", "add", "--company", "Acme KK", "--source", "web_inquiry", "--json").json
    assert cli("log", "call", lead["id"][:10], "-o", "2").code == 0
    expected = cli("kpi", "--period", "month", "--json").out
    path = ws.local.cache / "rollups.pickle"
    cached = safe_unpickle(unseal(path.read_bytes()))
    for counted in cached["files"].values():
        for counts in (counted["counts"], *counted["days"].values()):
            counts.update(dict.fromkeys(counts, value))
    path.write_bytes(pickle.dumps(cached))  # (as someone editing it would write it back)
    again = cli("kpi", "--period", "month", "--json").out
    assert again == expected and json.loads(again)["metrics"]["calls"] == 1
