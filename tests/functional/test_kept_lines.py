"""A lead file istui rewrites keeps the lines of the records it did not change (`fileformat.record_lines` with what
was read): whatever happened to the file before (edits in this process or another, a hand edit, a file reformatted,
a value of another type that compares equal), the file written is byte for byte the layout of its records."""

from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from istui import locations
from istui.store import fileformat
from istui.store.workspace import Workspace, bucket_of

from conftest import fixed_clock


def lead(company: str, **extra) -> dict:
    return {"company": company, "stage": "new", "source": "web_inquiry", "motion": "sdr", "tags": [], **extra}


def assert_canonical(ws: Workspace, lead_id: str) -> None:
    """The bucket of `lead_id`, just written by istui, is the layout of its records."""
    path = locations.lead_bucket(ws.root, bucket_of(lead_id))
    raw = path.read_bytes()
    assert raw == fileformat.record_lines("leads", json.loads(raw)["leads"]), path.name


steps = st.lists(st.sampled_from(["edit", "edit_fresh", "edit_many", "add", "remove", "hand_value", "hand_indent",
                                  "hand_lines", "equal_other_type"]), min_size=1, max_size=10)


@settings(max_examples=30, deadline=None)
@given(sequence=steps, seed=st.integers(0, 2**16))
def test_a_rewritten_lead_file_is_always_the_layout_of_its_records(tmp_path_factory, sequence: list[str], seed: int) -> None:
    from istui.store.settings import Settings

    rng = random.Random(seed)
    ws = Workspace.create(tmp_path_factory.mktemp("ws") / "ws", "alice", Settings(team="T", timezone="Asia/Tokyo"),
                          clock=fixed_clock)
    records = ws.add_leads([lead(f"Co {n}", memo=f"メモ {n}", amount=n * 1000) for n in range(60)])
    ids = [record["id"] for record in records]
    for step in sequence:
        target = rng.choice(ids)
        path = locations.lead_bucket(ws.root, bucket_of(target))
        if step == "edit":  # the same process edits again: its records are the ones it wrote
            ws.update_lead(target, {"memo": f"called {rng.random()}"})
        elif step == "edit_fresh":  # another process
            Workspace.open(ws.root, "alice", clock=fixed_clock).update_lead(target, {"temp": "hot"})
        elif step == "edit_many":
            for other in rng.sample(ids, 5):
                ws.update_lead(other, {"memo": "several"})
        elif step == "add":
            ids.append(ws.add_lead(lead("New Co"))["id"])
        elif step == "remove" and len(ids) > 5:
            ws.remove_lead(target)
            ids.remove(target)
        elif step == "hand_value":  # a value changed by hand, in place, the layout kept
            data = json.loads(path.read_text("utf-8"))
            data["leads"][target]["memo"] = "by hand"
            path.write_bytes(fileformat.record_lines("leads", data["leads"]))
        elif step == "hand_indent":  # reformatted by an editor: valid JSON, another layout
            path.write_text(json.dumps(json.loads(path.read_text("utf-8")), ensure_ascii=False, indent=1))
        elif step == "hand_lines":  # one record a line, as istui lays them out, but each line written otherwise
            data = json.loads(path.read_text("utf-8"))["leads"]
            lines = [f'"{key}": ' + json.dumps(dict(reversed(list(data[key].items()))), separators=(",", ":"))
                     for key in sorted(data)]
            path.write_text('{"leads": {\n' + ",\n".join(lines) + "\n}}\n")
        elif step == "equal_other_type":  # 1000 → 1000.0 (equal in Python, written otherwise): a change all the same
            amount = float(ws.get_lead(target).get("amount") or 0)
            ws.update_lead(target, {"amount": amount})  # (the clock is fixed: the stamp is the same as before)
            assert repr(Workspace.open(ws.root, "alice", clock=fixed_clock).get_lead(target)["amount"]) == repr(amount)
        other = target if target in ids and rng.random() < 0.6 else rng.choice(ids)  # (often the bucket just touched)
        ws.update_lead(other, {"next_action": f"step {step}"})  # every step ends with an edit by istui
        assert_canonical(ws, other)
        fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
        assert fresh.get_lead(other)["next_action"] == f"step {step}"
    assert sorted(record["id"] for record in Workspace.open(ws.root, "alice", clock=fixed_clock).leads()) == sorted(ids)


def test_a_call_logged_rewrites_only_the_changed_line(ws: Workspace, monkeypatch) -> None:
    """The quick path: of a bucket's records only the one changed is made into JSON again."""
    records = ws.add_leads([lead(f"Co {n}") for n in range(40)])
    target = records[0]["id"]
    same_bucket = [r for r in records if bucket_of(r["id"]) == bucket_of(target)]
    fresh = Workspace.open(ws.root, "alice", clock=fixed_clock)
    fresh.get_lead(target)
    dumped = []
    original = fileformat.dump_record
    monkeypatch.setattr(fileformat, "dump_record", lambda record: dumped.append(record["id"]) or original(record))
    fresh.update_lead(target, {"memo": "called"})
    assert dumped == [target] and len(same_bucket) >= 1
    assert_canonical(ws, target)
