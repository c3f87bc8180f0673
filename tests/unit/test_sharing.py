"""Lead values that repeat are kept once in memory as the leads are read (`store.sharing`): the records read are
equal to the file's, value for value, and two leads with the same stage, owner, company or tag hold one copy."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from istui.store.sharing import keep_values_once, keeping, share_values

from conftest import add_lead, fixed_clock

TEXT = st.text(max_size=12)
VALUE = st.one_of(st.none(), st.integers(), TEXT, st.lists(st.one_of(TEXT, st.integers()), max_size=3),
                  st.dictionaries(st.sampled_from(("by", "with", "status", "at")), st.one_of(TEXT, st.lists(TEXT, max_size=2))))
LEAD = st.dictionaries(st.sampled_from(("id", "company", "stage", "owner", "tags", "email", "handoff", "meeting", "memo")),
                       VALUE)


@given(st.lists(st.one_of(LEAD, st.integers()), max_size=6))
def test_values_are_unchanged(leads) -> None:
    before = json.dumps(leads, sort_keys=True)
    share_values(leads)
    assert json.dumps(leads, sort_keys=True) == before


def test_repeated_values_are_one_copy_and_others_are_left_alone(ws) -> None:
    raw = [
        {"id": "a", "company": "".join(["東洋", "商事"]), "stage": "".join(["work", "ing"]), "tags": ["".join(["vi", "p"])],
         "email": "".join(["a@", "x.jp"]), "meeting": {"with": ["".join(["kim", "ura"])], "at": "2026-11-27T10:00:00+09:00"}},
        {"id": "b", "company": "".join(["東洋", "商事"]), "stage": "".join(["work", "ing"]), "tags": ["".join(["vi", "p"])],
         "email": "".join(["a@", "x.jp"]), "meeting": {"with": ["".join(["kim", "ura"])], "at": "2026-11-27T10:00:00+09:00"}},
    ]
    a, b = raw
    assert a["company"] is not b["company"]  # (made apart, as a parse makes them)
    share_values(raw)
    assert a["company"] is b["company"] and a["stage"] is b["stage"] and a["tags"][0] is b["tags"][0]
    assert a["meeting"]["with"][0] is b["meeting"]["with"][0]
    assert a["email"] is not b["email"]  # a lead's own value (an address, a time) is not kept in the shared table


def test_leads_read_share_their_repeated_values_once_the_process_keeps_them(ws, cli) -> None:
    for _ in range(2):
        add_lead(cli, "Acme Labs", "--source", "seminar")
    was = keeping()  # (an app made earlier in this process turned it on: the TUI's tests)
    try:
        keep_values_once(False)
        first, second = type(ws).open(ws.root, "alice", clock=fixed_clock).leads()
        assert first["company"] == second["company"] and first["company"] is not second["company"]  # as parsed
        keep_values_once()
        first, second = type(ws).open(ws.root, "alice", clock=fixed_clock).leads()
    finally:
        keep_values_once(was)
    assert first["company"] == second["company"] == "Acme Labs" and first["company"] is second["company"]
    assert first["source"] is second["source"] and first["owner"] is second["owner"]
