"""The record-level merge: examples with known answers, then properties over random record sets."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from istui.store.merge import merge_files, merge_lines, merge_tables, merge_text, parse, serialize


def rec(record_id: str, at: str = "2026-11-27T10:00:00+09:00", by: str = "alice", **fields) -> dict:
    return {"id": record_id, "updated_at": at, "updated_by": by, **fields}


# --- examples ----------------------------------------------------------------------------------
def test_different_paragraphs_of_one_text_both_survive() -> None:
    base = "Opening\n\nAsk about the budget.\n\nClose with a date.\n"
    ours = "Opening: say who referred us.\n\nAsk about the budget.\n\nClose with a date.\n"
    theirs = "Opening\n\nAsk about the budget.\n\nClose with two dates to choose from.\n"
    assert merge_lines(base, ours, theirs) == ("Opening: say who referred us.\n\nAsk about the budget.\n\n"
                                               "Close with two dates to choose from.\n")
    assert merge_lines(base, "A\n", "B\n") is None  # the same lines changed differently


def test_field_rules() -> None:
    base = {"L1": rec("L1", company="Acme", phone="03-1", memo="a\n\nb\n", tags=["x"], temp="warm")}
    ours = {"L1": rec("L1", "2026-11-27T11:00:00+09:00", "alice", company="Acme KK", phone="03-1",
                      memo="A\n\nb\n", tags=["x", "mine"], temp="hot")}
    theirs = {"L1": rec("L1", "2026-11-27T12:00:00+09:00", "bob", company="Acme", phone="03-2",
                        memo="a\n\nB\n", tags=[], temp="cold")}
    merged, conflicts = merge_tables(base, ours, theirs, "leads/ab.json")
    lead = merged["L1"]
    assert lead["company"] == "Acme KK"  # changed on one side only
    assert lead["phone"] == "03-2"
    assert lead["memo"] == "A\n\nB\n"  # text merged line by line
    assert lead["tags"] == ["mine"]  # bob removed x, alice added mine
    assert lead["temp"] == "cold"  # both changed: bob's edit is newer
    assert lead["updated_at"] == "2026-11-27T12:00:00+09:00" and lead["updated_by"] == "bob"
    assert conflicts == [{"where": "leads/ab.json", "id": "L1", "field": "temp", "label": "Acme KK", "kept": "cold", "lost": "hot",
                          "kept_from": "bob", "lost_from": "alice", "kept_at": "2026-11-27T12:00:00+09:00",
                          "lost_at": "2026-11-27T11:00:00+09:00"}]


def test_added_deleted_and_delete_versus_edit() -> None:
    base = {"A": rec("A", memo="keep"), "B": rec("B", memo="gone"), "C": rec("C", memo="edited")}
    ours = {"A": base["A"], "C": base["C"], "N1": rec("N1")}  # deleted B and... kept C untouched
    theirs = {"A": base["A"], "B": base["B"], "N2": rec("N2")}  # deleted C, left B alone
    theirs_edits_b = {**theirs, "B": rec("B", "2026-11-28T09:00:00+09:00", "bob", memo="gone? no")}
    merged, conflicts = merge_tables(base, ours, theirs, "notes.json")
    assert sorted(merged) == ["A", "N1", "N2"]
    assert conflicts == []
    merged, conflicts = merge_tables(base, ours, theirs_edits_b, "notes.json")
    assert sorted(merged) == ["A", "B", "N1", "N2"] and merged["B"]["memo"] == "gone? no"
    assert [(c["id"], c["lost"]) for c in conflicts] == [("B", "deletion")]


def test_files_keep_the_canonical_layout() -> None:
    base = serialize({"L1": rec("L1", company="東洋商事")}, "leads")
    ours = serialize({"L1": rec("L1", company="東洋商事"), "L0": rec("L0", company="Acme")}, "leads")
    theirs = serialize({"L1": rec("L1", company="東洋商事"), "L2": rec("L2", company="Beta")}, "leads")
    merged, _ = merge_files(base, ours, theirs, "leads/0f.json")
    assert merged == serialize(parse(merged, "leads"), "leads")
    assert merged.decode().splitlines()[1].startswith('"L0": {"company": "Acme"')
    assert "東洋商事" in merged.decode()  # UTF-8, not \\u escapes


# --- properties --------------------------------------------------------------------------------
LINES = st.sampled_from(["intro\n", "budget?\n", "\n", "decision maker\n", "close\n", "料金\n"])
TEXT = st.lists(LINES, max_size=6).map("".join)
STAMPS = st.sampled_from(["2026-11-27T09:00:00+09:00", "2026-11-27T10:00:00+09:00", "2026-11-27T11:00:00+09:00"])
FIELDS = {"memo": TEXT, "company": st.sampled_from(["Acme", "Beta", "東洋"]), "tags": st.lists(
    st.sampled_from(["a", "b", "c"]), unique=True, max_size=3), "amount": st.one_of(st.none(), st.integers(0, 3))}


@st.composite
def record(draw, record_id: str) -> dict:
    fields = {name: draw(strategy) for name, strategy in FIELDS.items() if draw(st.booleans())}
    return {"id": record_id, "updated_at": draw(STAMPS), "updated_by": draw(st.sampled_from(["alice", "bob"])), **fields}


@st.composite
def side(draw, base: dict, prefix: str) -> dict:
    """A side's version of the base: records kept, edited or deleted, and new ones added."""
    result = {}
    for record_id, old in base.items():
        action = draw(st.sampled_from(["keep", "keep", "edit", "delete"]))
        if action == "keep":
            result[record_id] = old
        elif action == "edit":
            result[record_id] = draw(record(record_id))
    for n in range(draw(st.integers(0, 3))):
        result[f"{prefix}{n}"] = draw(record(f"{prefix}{n}"))
    return result


@st.composite
def three(draw) -> tuple[dict, dict, dict]:
    base = {f"R{n}": draw(record(f"R{n}")) for n in range(draw(st.integers(0, 5)))}
    return base, draw(side(base, "A")), draw(side(base, "B"))


@settings(max_examples=400, deadline=None)
@given(three())
def test_merge_properties(sets: tuple[dict, dict, dict]) -> None:
    base, ours, theirs = sets
    merged, _ = merge_tables(base, ours, theirs)
    # every record added on either side is kept
    assert all(record_id in merged for record_id in set(ours) | set(theirs) if record_id not in base)
    # an edit is never lost to a deletion, and a record untouched on one side follows the other
    for record_id, old in base.items():
        kept = [s[record_id] for s in (ours, theirs) if record_id in s]
        edited = any(record != old for record in kept)
        assert (record_id in merged) == (len(kept) == 2 or edited)
    # a field changed on one side only takes that change
    for record_id, record_ in merged.items():
        o, a, b = base.get(record_id, {}), ours.get(record_id), theirs.get(record_id)
        if a is None or b is None:
            continue
        for field in FIELDS:
            if a.get(field, "absent") == o.get(field, "absent") and field in b:
                assert record_[field] == b[field]
    # independent of which side is ours
    assert merge_tables(base, theirs, ours)[0] == merged
    # merging the result again with either side changes nothing
    assert merge_tables(base, merged, ours)[0] == merged
    assert merge_tables(base, merged, theirs)[0] == merged
    # and the file round-trips in its layout
    assert parse(serialize(merged, "leads"), "leads") == merged


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT, TEXT)
def test_line_merge_properties(base: str, ours: str, theirs: str) -> None:
    merged = merge_text(base, ours, theirs)
    assert merge_text(base, theirs, ours) == merged == merge_text(base, theirs, ours)
    assert merge_lines(base, ours, base) == ours and merge_lines(base, base, theirs) == theirs
    assert merge_text(base, ours, base) == ours and merge_text(base, base, theirs) == theirs
    if merged is not None:
        assert merge_text(base, merged, ours) == merged
        assert merge_text(base, merged, theirs) == merged


def test_paragraph_merges_survive_the_stability_check() -> None:
    base = "# Script\n\nGreet.\n\nAsk about the budget.\n\nClose.\n"
    ours = "# Script\n\nGreet by name.\n\nAsk about the budget.\n\nClose.\n"
    theirs = "# Script\n\nGreet.\n\nAsk about the budget.\n\nClose with two dates.\n"
    assert merge_text(base, ours, theirs) == "# Script\n\nGreet by name.\n\nAsk about the budget.\n\nClose with two dates.\n"


def test_a_handoff_or_a_meeting_in_a_conflict_line_is_in_words() -> None:
    from istui.services.sync_conflicts import short

    assert short({"status": "rejected", "reason": "no_budget", "decided_by": "kimura"}, "handoff") == \
        "returned (no budget) — kimura"
    assert short({"status": "held", "by": "alice"}, "meeting") == "held"
    assert short({"status": None, "by": "alice", "at": "2026-12-20T10:00:00+09:00"}, "meeting") == "unmarked 12-20 10:00"
    assert short(None, "meeting") == "no meeting (none set, or called off)"
    assert short(None, "phone") == "null"


# --- meetings ----------------------------------------------------------------------------------------
TIMES = st.sampled_from(["2026-11-30T11:00:00+09:00", "2026-12-01T10:00:00+09:00", "2026-12-04T14:00:00+09:00",
                         "2026-12-20T10:00:00+09:00"])


@st.composite
def meeting_side(draw, base: dict) -> dict:
    """A side's version of a lead's meetings after a few of the things reps do: set or move the meeting, mark it,
    call it off."""
    lead = {k: v for k, v in base.items()}
    for step in draw(st.lists(st.sampled_from(["set", "move", "held", "no_show", "call_off", "invite"]), max_size=3)):
        current, history = lead.get("meeting"), list(lead.get("meeting_history") or [])
        if step in ("set", "move"):
            at = draw(TIMES)
            if current and current.get("status"):
                history.append({**current, "at": lead["meeting_at"]})
            if step == "move" and current and not current.get("status"):
                lead.update(meeting_at=at, meeting={**current, "minutes": draw(st.sampled_from([30, 60]))})
            else:
                lead.update(meeting_at=at, meeting={"by": draw(st.sampled_from(["alice", "kimura"])), "status": None,
                                                    "with": ["kimura"]})
        elif step == "invite" and current and lead.get("meeting_at"):
            lead["meeting"] = {**current, "invited": draw(st.sampled_from(["kimura@x.jp", "kimura@x.jp, c@y.jp"]))}
        elif current and lead.get("meeting_at") and not current.get("status"):
            if step == "call_off":
                history.append({**current, "at": lead["meeting_at"], "status": "called_off"})
                lead.update(meeting_at=None, meeting=None)
            else:
                lead["meeting"] = {**current, "status": step, "marked_by": draw(st.sampled_from(["alice", "kimura"]))}
        if history:
            lead["meeting_history"] = [m for m in {m["at"]: m for m in history}.values()]
    lead["updated_at"], lead["updated_by"] = draw(STAMPS), draw(st.sampled_from(["alice", "kimura"]))
    return lead


@st.composite
def meeting_sides(draw) -> tuple[dict, dict, dict]:
    base = draw(meeting_side({"id": "L1", "company": "Acme"}))
    return base, draw(meeting_side(base)), draw(meeting_side(base))


def meetings_of(lead: dict) -> dict[str, dict]:
    found = {m["at"]: m for m in lead.get("meeting_history") or []}
    if lead.get("meeting_at"):
        found[lead["meeting_at"]] = {**lead["meeting"], "at": lead["meeting_at"]}
    return found


@settings(max_examples=400, deadline=None)
@given(meeting_sides())
def test_meetings_merge_meeting_by_meeting(sides: tuple[dict, dict, dict]) -> None:
    """Symmetric, idempotent, one current meeting at most not marked, and no meeting a side set or changed goes
    without a conflict naming it."""
    base, ours, theirs = sides
    merged, conflicts = merge_tables({"L1": base}, {"L1": ours}, {"L1": theirs})
    lead = merged["L1"]
    assert merge_tables({"L1": base}, {"L1": theirs}, {"L1": ours})[0] == merged
    assert merge_tables({"L1": base}, merged, {"L1": ours})[0] == merged
    assert merge_tables({"L1": base}, merged, {"L1": theirs})[0] == merged
    found = meetings_of(lead)
    assert [at for at, m in found.items() if not m.get("status")] in ([], [lead.get("meeting_at")])
    # (a side with two meetings at one time is merged whole, from the newer side, as before: not meeting by meeting)
    assume(all(len(meetings_of(side)) == len(side.get("meeting_history") or []) + bool(side.get("meeting_at"))
               for side in sides))
    lost = [(c["lost"] or {}).get("at") for c in conflicts if c["field"] == "meeting"]
    old = meetings_of(base)
    for side in (ours, theirs):
        for at, meeting in meetings_of(side).items():
            if old.get(at) != meeting:  # set or changed on that side: in the result, or reported lost
                assert at in found or at in lost, (at, meeting, lead)
    from istui.domain.checks import problems

    assert not [p for p in problems("leads", {**lead, "stage": "meeting", "source": "other", "motion": "sdr",
                                               "created_at": "2026-11-01T09:00:00+09:00"}) if p.field and "meeting" in p.field]


def test_a_meeting_marked_on_one_side_and_invited_on_the_other_keeps_both() -> None:
    base = {"id": "L1", "company": "Acme", "meeting_at": "2026-12-04T14:00:00+09:00", "updated_at": "2026-11-27T09:00:00+09:00",
            "updated_by": "alice", "meeting": {"by": "alice", "with": ["kimura"], "status": None}}
    invited = {**base, "updated_at": "2026-11-27T10:00:00+09:00", "meeting": {**base["meeting"], "invited": "kimura@x.jp"}}
    held = {**base, "updated_at": "2026-11-27T11:00:00+09:00", "updated_by": "kimura",
            "meeting": {**base["meeting"], "status": "held", "marked_by": "kimura"}}
    for ours, theirs in ((invited, held), (held, invited)):
        merged, conflicts = merge_tables({"L1": base}, {"L1": ours}, {"L1": theirs})
        assert merged["L1"]["meeting"] == {"by": "alice", "with": ["kimura"], "status": "held", "marked_by": "kimura",
                                           "invited": "kimura@x.jp"}
        assert merged["L1"]["meeting_at"] == base["meeting_at"] and not conflicts


def test_a_lead_closed_on_one_side_keeps_the_return_made_on_the_other() -> None:
    """sato closes the lead lost while field sales returns its handoff on another clone: the lead ends lost with the
    handoff returned (not left proposed on a closed lead, where nobody can answer it), whichever side is newer."""
    base = {"id": "L1", "company": "Acme", "stage": "handed_off", "updated_at": "2026-11-27T09:00:00+09:00",
            "updated_by": "sato", "handoff": {"to": "kimura", "status": "proposed", "round": 1}}
    lost = {**base, "stage": "lost", "updated_at": "2026-11-27T11:00:00+09:00"}
    returned = {**base, "stage": "nurturing", "next_at": "2026-11-27T10:00:00+09:00", "updated_by": "kimura",
                "updated_at": "2026-11-27T10:00:00+09:00",
                "handoff": {**base["handoff"], "status": "rejected", "reason": "bad_timing"}}
    for newer_lost in (lost, {**lost, "updated_at": "2026-11-27T09:30:00+09:00"}):
        for ours, theirs in ((newer_lost, returned), (returned, newer_lost)):
            merged, conflicts = merge_tables({"L1": base}, {"L1": ours}, {"L1": theirs})
            lead = merged["L1"]
            if newer_lost["updated_at"] > returned["updated_at"]:
                assert (lead["stage"], lead["handoff"]["status"], lead["handoff"]["reason"]) == ("lost", "rejected",
                                                                                                 "bad_timing")
                assert [(c["field"], c["kept"], c["lost"]) for c in conflicts] == [("stage", "lost", "nurturing")]
            else:  # the return is newer: its whole group, as before
                assert (lead["stage"], lead["handoff"]["status"]) == ("nurturing", "rejected")
            assert merge_tables({"L1": base}, merged, {"L1": ours})[0] == merged
            assert merge_tables({"L1": base}, merged, {"L1": theirs})[0] == merged
