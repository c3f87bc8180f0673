"""Text on the way in and out (DESIGN.md section 8): control characters are refused on input, every
field's length is bounded, and nothing shown in a terminal carries a control character."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from istui.domain.errors import BadInput
from istui.domain.model import MAX_LENGTH, MAX_TAGS
from istui.domain.parsing import multiline_text, optional_text, parse_tags, require_text
from istui.domain.text import json_safe, terminal_safe, unsafe_character
from istui.domain.validation import clean_lead_field, clean_note_field
from istui.services.handoff import handoff_sheet
from istui.services.review import render_review

from hostile_support import HOSTILE, HOSTILE_BODY, hostile_lead

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
SOURCES = ["web_inquiry", "other"]
ESCAPES = ("\x1b]0;PWNED\x07", "\x1b[2J", "\x1b]52;c;SGVsbG8=\x07", "\x08", "\x00", "\x7f", "\x9b31m", "\x85",
           "\u202e", "\u2066", "\udcff")
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe(ch: str, multiline: bool) -> bool:
    """What may never reach a terminal (line breaks and tabs only in multi-line text)."""
    if multiline and ch in "\n\t":
        return False
    return (unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI or ch in "\u2028\u2029")


# --- out: terminal_safe -----------------------------------------------------------------------------

@given(st.text(), st.booleans())
def test_terminal_safe_never_lets_a_control_character_through_and_is_idempotent(text: str, multiline: bool) -> None:
    shown = terminal_safe(text, multiline=multiline)
    assert not any(unsafe(ch, multiline) for ch in shown)
    assert terminal_safe(shown, multiline=multiline) == shown


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))))
def test_terminal_safe_keeps_ordinary_text_as_it_is(text: str) -> None:
    assert terminal_safe(text) == text == terminal_safe(text, multiline=True)


@pytest.mark.parametrize("escape", ESCAPES)
def test_escape_sequences_are_made_visible(escape: str) -> None:
    shown = terminal_safe(f"Acme{escape}Labs")
    assert shown.startswith("Acme") and shown.endswith("Labs") and "\ufffd" in shown


def test_line_breaks_fold_on_one_line_and_stay_in_multi_line_text() -> None:
    assert terminal_safe("a\nb\tc\rd") == "a b c d"
    assert terminal_safe("one\r\ntwo\rthree\n\tfour", multiline=True) == "one\ntwo\nthree\n\tfour"
    assert terminal_safe("Approved\rRejected", multiline=True) == "Approved\nRejected"  # no overwriting
    assert terminal_safe(None) == "" and terminal_safe(12) == "12"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
                    max_leaves=8))
def test_json_safe_is_the_same_document_without_raw_controls(document) -> None:
    text = json_safe(document)
    assert json.loads(text) == document
    assert not any(unsafe(ch, multiline=True) for ch in text)
    text.encode("utf-8")  # a lone surrogate would fail here (and crash the command printing it)


def test_json_safe_keeps_japanese_readable() -> None:
    assert json_safe({"company": "株式会社東洋商事\x9b"}) == '{\n  "company": "株式会社東洋商事\\u009b"\n}'


# --- in: one cleaning for every field ---------------------------------------------------------------

@pytest.mark.parametrize("escape", ESCAPES)
def test_control_characters_are_refused_naming_the_field(escape: str) -> None:
    assert unsafe_character(f"a{escape}b") is not None
    for check in (lambda v: require_text(v, "company"), lambda v: optional_text(v, "contact"),
                  lambda v: multiline_text(v, "memo")):
        with pytest.raises(BadInput) as refused:
            check(f"Acme {escape} Labs")
        message = str(refused.value)
        assert message.split()[0] in ("company", "contact", "memo") and "U+" in message
        assert not any(unsafe(ch, False) for ch in message)  # the message never carries the character itself


def test_line_breaks_fold_in_one_line_fields_and_stay_in_multi_line_ones() -> None:
    assert require_text("  Acme\n Labs\t K.K.\r\n", "company") == "Acme Labs K.K."
    assert multiline_text("  first line\r\n\tsecond\rthird  \n", "memo") == "first line\n\tsecond\nthird"
    assert clean_lead_field("memo", "call back\nafter the show", sources=SOURCES, now=NOW) == {
        "memo": "call back\nafter the show"}
    assert clean_note_field("body", "# Script\r\n\n- ask\n") == "# Script\n\n- ask\n"


@pytest.mark.parametrize("field", ["company", "company_kana", "contact", "contact_kana", "title", "next_action", "memo"])
def test_every_lead_text_field_is_bounded(field: str) -> None:
    limit = MAX_LENGTH[field]
    assert clean_lead_field(field, "x" * limit, sources=SOURCES, now=NOW)[field] == "x" * limit
    with pytest.raises(BadInput, match=rf"^{field} is {limit + 1:,} characters long; at most {limit:,}"):
        clean_lead_field(field, "x" * (limit + 1), sources=SOURCES, now=NOW)


def test_phone_and_email_are_bounded() -> None:
    with pytest.raises(BadInput, match=r"^phone"):
        clean_lead_field("phone", "03-" + "-" * 200 + "1234-5678", sources=SOURCES, now=NOW)
    with pytest.raises(BadInput, match=r"^email"):
        clean_lead_field("email", "a" * 300 + "@example.com", sources=SOURCES, now=NOW)


def test_tags_are_bounded_in_length_and_number() -> None:
    assert parse_tags(["展示会2026, web"]) == ["展示会2026", "web"]
    with pytest.raises(BadInput, match=r"^tags: a tag is 100,000 characters long; at most"):
        parse_tags(["x" * 100_000])
    with pytest.raises(BadInput, match=rf"^tags: {MAX_TAGS + 1} tags; at most {MAX_TAGS}"):
        parse_tags([",".join(f"t{i}" for i in range(MAX_TAGS + 1))])
    with pytest.raises(BadInput, match=r"^tags contains a control character"):
        parse_tags(["ok", "\x1b]0;PWNED\x07"])


def test_note_fields_are_bounded() -> None:
    with pytest.raises(BadInput, match=r"^title is"):
        clean_note_field("title", "x" * (MAX_LENGTH["note_title"] + 1))
    with pytest.raises(BadInput, match=r"^body is 100,001 characters long"):
        clean_note_field("body", "x" * 100_001)
    with pytest.raises(BadInput, match=r"^body contains a control character"):
        clean_note_field("body", "ok\n\x1b[2J")
    assert clean_note_field("body", "x" * 100_000) == "x" * 100_000


# --- reports quote records: the handoff sheet (printed, shown, copied) and the review ------------------

def test_reports_hold_no_control_character() -> None:
    activity = {"id": "a1", "lead": "l1", "rep": f"bob{HOSTILE}", "kind": "call", "outcome": HOSTILE,
                "at": "2026-11-26T10:00:00+09:00", "note": HOSTILE_BODY}
    sheet = handoff_sheet(hostile_lead(), [activity])
    assert [ch for ch in sheet if unsafe(ch, multiline=True)] == []
    assert "\\[@click=app.quit\\]x\\[/\\]" in sheet  # Markdown stays literal
    findings = {"scope": {"team": False, "rep": f"alice{HOSTILE}"}, "period": {"label": "2026-W48"}, "previous": "2026-W47",
                "targets_hit": [], "targets_missed": [HOSTILE], "sources_moved": [HOSTILE], "best_windows": [],
                "notes_that_worked": [f"{HOSTILE}: 2 meetings from 5 calls (40.0%)"], "focus": [HOSTILE_BODY]}
    for fmt in ("md", "text"):
        review = render_review(findings, fmt)
        assert [ch for ch in review if unsafe(ch, multiline=True)] == [] and "PWNED" in review
