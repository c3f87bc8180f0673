"""The local lead-id index (`store.index`) answers exactly what reading every bucket answers, whatever
happened since it was written: leads added, edited, removed, by this process or another one, and whatever
became of the cache file itself (torn, damaged, forged, a folder)."""

from __future__ import annotations

import random
import shutil
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from istui.domain.ids import new_id
from istui.store import index
from istui.store.index import LeadIndex
from istui.store.workspace import Workspace, bucket_of

from conftest import fixed_clock


def lead(company: str, **extra) -> dict:
    return {"company": company, "stage": "new", "source": "web_inquiry", "motion": "sdr", "tags": [], **extra}


def every_id(ws: Workspace) -> list[str]:
    """The independent count: every lead of every bucket, read from the buckets."""
    return sorted(record["id"] for record in Workspace.open(ws.root, "alice", clock=fixed_clock).leads())


def check(ws: Workspace, forged: frozenset[str] = frozenset()) -> None:
    """`ids()` (for display prefixes only) may also hold ids forged into the cache; `starting_with` never."""
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)  # another process: nothing kept in memory
    expected = every_id(ws)
    assert sorted(set(LeadIndex(fresh).ids()) - forged) == expected
    for lead_id in expected[:5]:
        for length in (2, 4, 26):
            prefix = lead_id[:length]
            matches = [i for i in expected if i.startswith(prefix)]
            found = LeadIndex(fresh).starting_with(prefix)
            assert found == matches if len(matches) <= 6 else len(found) == 6 and set(found) <= set(matches)


def with_rows(text: str, add: list[str] = (), drop: str = "") -> str:  # type: ignore[assignment]
    """The cache's text with rows added (in their sorted place) or one lead's row taken out, its header's count
    kept true: a cache edited by hand that still looks whole."""
    header, _, body = text.partition("\n")
    rows = sorted({*body.splitlines(), *add} - {row for row in body.splitlines() if drop and row.startswith(drop)})
    fields, body = header.split(" "), "".join(f"{row}\n" for row in rows)
    fields[2], fields[3] = str(len(rows)), str(zlib.adler32(body.encode()))  # (a forger who knows the format)
    return " ".join(fields) + "\n" + body


operations = st.lists(st.sampled_from(["add", "add_many", "edit", "remove", "tear", "forge", "drop", "folder"]),
                      min_size=1, max_size=12)


@settings(max_examples=25, deadline=None)
@given(steps=operations, seed=st.integers(0, 2**16))
def test_the_index_agrees_with_the_buckets_after_any_sequence(tmp_path_factory, steps: list[str], seed: int) -> None:
    from istui.store.settings import Settings

    ws = Workspace.create(tmp_path_factory.mktemp("ws") / "ws", "alice", Settings(team="T", timezone="Asia/Tokyo"),
                          clock=fixed_clock)
    rng = random.Random(seed)
    ws.add_leads([lead(f"Co {n}") for n in range(30)])
    check(ws)
    path = ws.local.lead_index
    forged: set[str] = set()
    for step in steps:
        ids = every_id(ws)
        if step == "add":
            ws.add_lead(lead("New"))
        elif step == "add_many":  # more changed buckets than the index reads again before rewriting
            ws.add_leads([lead(f"Batch {n}") for n in range(index.REWRITE_FROM * 3)])
        elif step == "edit" and ids:
            ws.update_lead(rng.choice(ids), {"memo": str(rng.random())})
        elif step == "remove" and ids:
            ws.remove_lead(rng.choice(ids))
        elif step == "tear" and path.is_file():
            data = path.read_bytes()
            path.write_bytes(data[: rng.randrange(len(data) + 1)])
        elif step == "forge" and path.is_file() and ids:  # an id that is in no bucket, under a current signature
            forged.add(ids[0][:20] + "ZZZZZZ")
            path.write_text(with_rows(path.read_text(), add=[f"{ids[0][:20]}ZZZZZZ {bucket_of(ids[0])}"]))
        elif step == "drop":
            path.unlink(missing_ok=True)
        elif step == "folder":
            path.unlink(missing_ok=True)
            path.mkdir()
        check(ws, frozenset(forged))
        if path.is_dir():
            shutil.rmtree(path)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # no temp file left behind


def test_a_forged_id_is_never_resolved(ws: Workspace) -> None:
    record = ws.add_lead(lead("Real"))
    LeadIndex(ws).ids()  # written
    path = ws.local.lead_index
    header, _, body = path.read_text().partition("\n")
    assert len(body.splitlines()) == 1
    forged = new_id()
    path.write_text(with_rows(header + "\n" + body, add=[f"{forged} {bucket_of(forged)}"]))
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    assert fresh.resolve_lead(record["id"][:10]) == record["id"]
    from istui.domain.errors import NotFound

    with pytest.raises(NotFound, match="no lead id starts with"):
        fresh.resolve_lead(forged[:20])


def test_a_log_call_does_not_rewrite_the_whole_index(ws: Workspace) -> None:
    """Each call edits one bucket: the index reads that bucket again instead of rewriting itself."""
    records = ws.add_leads([lead(f"Co {n}") for n in range(300)])
    LeadIndex(ws).ids()
    path = ws.local.lead_index
    written = path.stat().st_mtime_ns, path.stat().st_ino
    ws.update_lead(records[0]["id"], {"memo": "called"})
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    assert fresh.resolve_lead(records[0]["id"][:20]) == records[0]["id"]  # (300 ids of one millisecond share 12)
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == written
    assert LeadIndex(fresh).ids() == every_id(ws)


@pytest.mark.parametrize("layout", ["indented", "one line"])
def test_a_bucket_reformatted_by_an_editor_still_resolves_its_ids(cli, ws: Workspace, layout: str) -> None:
    """A lead file saved by an editor in another layout (still valid JSON, read as it is) keeps its leads findable
    by a short id; a memo that quotes an id like a record key names no lead."""
    import json

    added = cli("lead", "add", "--company", "Acme KK", "--json").json
    other = new_id()
    assert cli("lead", "set", added["id"][:10], f'memo="{other}": {{"x": 1}}').code == 0
    path = next((ws.root / "leads").glob("*.json"))
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2 if layout == "indented" else None))
    shown = cli("lead", "show", added["id"][:10], "--json")
    assert shown.code == 0 and shown.json["id"] == added["id"], shown.err
    assert LeadIndex(Workspace.open(ws.root, "alice", clock=fixed_clock)).ids() == every_id(ws) == [added["id"]]
    assert cli("lead", "show", other[:10]).code != 0


def test_a_lead_the_cache_does_not_know_is_still_found(ws: Workspace) -> None:
    """A cache that lost a lead's row (edited by hand, or damaged in a way that still looks whole): before istui says
    no lead starts with a prefix, it looks in every bucket. A prefix no lead has is still refused. (Such a cache can
    still hide a lead behind another with the same prefix, or from `ids`: only what istui did not write.)"""
    from istui.domain.errors import NotFound

    records = ws.add_leads([lead(f"Co {n}") for n in range(40)])
    LeadIndex(ws).ids()
    path = ws.local.lead_index
    hidden = records[7]["id"]
    path.write_text(with_rows(path.read_text(), drop=hidden))
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    assert fresh.resolve_lead(hidden[:20]) == hidden
    with pytest.raises(NotFound, match="no lead id starts with"):
        fresh.resolve_lead("ZZZZZZZZ")
    assert LeadIndex(fresh).starting_with(hidden[:26]) == [hidden]


@pytest.mark.parametrize("damage", ["swap", "bytes"])
def test_a_damaged_cache_is_made_again_not_searched(ws: Workspace, damage: str) -> None:
    """Rows out of order or overwritten (same size; a hand edit, a write lost in a crash) would mislead the binary
    search into taking a shared prefix for one lead: the rows' checksum no longer matches, so the cache is made again."""
    from istui.domain.errors import BadInput

    records = ws.add_leads([lead(f"Co {n}") for n in range(40)])
    LeadIndex(ws).ids()
    path = ws.local.lead_index
    header, _, body = path.read_text().partition("\n")
    rows = body.splitlines()
    shared = rows[5][:10]  # ids made in one process share their first characters
    matching = [n for n, row in enumerate(rows) if row.startswith(shared)]
    assert len(matching) >= 2
    if damage == "swap":  # the second lead with the prefix moved behind one without it
        n = matching[-1]
        rows[n], rows[-1] = rows[-1], rows[n]
    else:
        n = matching[-1]
        rows[n] = "Z" * 26 + rows[n][26:]
    path.write_text(header + "\n" + "".join(f"{row}\n" for row in rows))
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    with pytest.raises(BadInput, match="matches several leads"):
        fresh.resolve_lead(shared)
    assert fresh.resolve_lead(records[3]["id"][:20]) == records[3]["id"]
    assert LeadIndex(fresh).ids() == every_id(ws)
