"""A body edited in a form or an editor while someone else changed it: merged, or both kept; never lost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from istui.services.notes import merge_edit

BASE = "Intro.\n\nPara one.\n\nPara two.\n"


def test_nobody_else_changed_it() -> None:
    assert merge_edit(BASE, BASE + "\nMine.\n", BASE) == (BASE + "\nMine.\n", "saved")


def test_different_paragraphs_merge() -> None:
    mine = "From the editor.\n\n" + BASE
    theirs = BASE + "\nFrom the CLI.\n"
    assert merge_edit(BASE, mine, theirs) == ("From the editor.\n\n" + BASE + "\nFrom the CLI.\n", "merged")


def test_the_same_lines_keep_both() -> None:
    text, outcome = merge_edit(BASE, BASE.replace("Para one.", "Mine."), BASE.replace("Para one.", "Theirs."))
    assert outcome == "kept both" and "Mine." in text and "Theirs." in text


lines = st.lists(st.sampled_from(["a", "b", "", "c", "Para.", "x y"]), max_size=8).map(lambda ls: "".join(f"{line}\n" for line in ls))


@given(lines, lines, lines)
def test_no_line_added_by_either_side_is_lost(base: str, mine: str, theirs: str) -> None:
    text, _outcome = merge_edit(base, mine, theirs)
    result = text.splitlines()
    for side in (mine, theirs):
        for line in set(side.splitlines()) - set(base.splitlines()):
            assert line in result
