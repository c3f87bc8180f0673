"""`fileformat.loads` reads exactly what `json.loads` reads, through msgspec for large texts: the same
values (integers of any size, floats, text with every character) and the same error for what is not JSON."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from istui.store import fileformat
from istui.store.fileformat import _FAST_FROM, loads

scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=4), max_leaves=20)
PAD = "x" * _FAST_FROM  # makes any text large enough for msgspec's path


@pytest.fixture(autouse=True)
def _msgspec_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a process that has already parsed a few MB (a quick command never imports msgspec)."""
    monkeypatch.setattr(fileformat, "_parsed", fileformat._FAST_AFTER)


def test_a_quick_command_reads_large_texts_with_json_until_msgspec_pays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileformat, "_parsed", 0)
    monkeypatch.setattr(fileformat, "_fast", None)
    text = json.dumps([PAD, 1])
    for _ in range(fileformat._FAST_AFTER // len(text)):
        assert loads(text) == [PAD, 1]
    assert fileformat._fast is None  # not yet imported: json read them all
    assert loads(text) == [PAD, 1]
    assert fileformat._fast is not None


def same(text: str) -> None:
    for data in (text, text.encode("utf-8", "surrogatepass")):
        try:
            expected = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            with pytest.raises(type(exc)):
                loads(data)
        else:
            got = loads(data)
            assert repr(got) == repr(expected)  # repr: -0.0 and 0.0 differ, and so do 1 and 1.0


@settings(max_examples=200)
@given(value=values, ascii_only=st.booleans())
def test_large_json_texts_read_as_json_reads_them(value, ascii_only: bool) -> None:
    same(json.dumps([PAD, value], ensure_ascii=ascii_only))


@pytest.mark.parametrize("text", ['[NaN]', '[-Infinity]', '[1e400]', '["\\ud800"]', '["\\udc00x"]', '[1,]',
                                  '\ufeff[1]', '[1] x', '["\x1f"]', '{"a": 1, "a": 2}', '[123456789012345678901234567890]',
                                  '[-9223372036854775809]', '[5e-324, 2.2250738585072014e-308]'])
def test_what_msgspec_refuses_or_reads_differently_is_read_as_json_reads_it(text: str) -> None:
    same(text[:-1] + ', "' + PAD + '"' + text[-1] if text.endswith("]") else text + " " * _FAST_FROM)


def test_small_texts_and_huge_integers() -> None:
    assert loads('{"amount": 123456789012345678901234567890}')["amount"] == 123456789012345678901234567890
    big = loads(json.dumps([PAD, 10**40, -(10**40), 2**64, math.pi]))
    assert big[1:] == [10**40, -(10**40), 2**64, math.pi] and type(big[1]) is int


# --- json_lines_rows: a clean activity file straight into the tally's rows ------------------------------------
def _field_values() -> st.SearchStrategy:
    return (st.text(max_size=6) | st.none() | st.integers(min_value=-(2**70), max_value=2**70) | st.booleans()
            | st.floats(allow_nan=False) | st.lists(st.integers(), max_size=2))


plain_records = st.lists(st.fixed_dictionaries(
    {"at": st.text(max_size=25), "kind": st.sampled_from(["call", "email", "stage"]), "lead": st.text(max_size=4),
     "rep": st.text(max_size=4)},
    optional={"outcome": st.text(max_size=6) | st.none(), "script": st.text(max_size=4) | st.none(),
              "amount": st.integers(min_value=-(2**62), max_value=2**62) | st.floats(allow_nan=False, allow_infinity=False),
              "created_at": st.text(max_size=4)}), max_size=8)
odd_records = st.lists(st.dictionaries(st.sampled_from(["at", "kind", "lead", "rep", "outcome", "script", "amount",
                                                        "x"]), _field_values(), max_size=8), max_size=6)


def _lines(records: list[dict], ascii_only: bool) -> bytes:
    return b"".join(json.dumps({**record, "id": f"A{index}"}, ensure_ascii=ascii_only).encode() + b"\n"
                    for index, record in enumerate(records))


@settings(max_examples=300)
@given(records=plain_records | odd_records, ascii_only=st.booleans(),
       damage=st.sampled_from([None, "blank", "torn", "repeat", "two_on_a_line", "not_an_object", "crlf"]))
def test_rows_are_the_records_the_line_by_line_reading_finds_or_none(records, ascii_only: bool, damage) -> None:
    """Whenever the fast decoding answers, it names exactly the records (and values, to the type) that the
    reading every other path uses finds, and that reading found the file plain; a plain file of well-typed
    records always gets an answer."""
    from istui.services.counting import ROW_FIELDS, rows
    from istui.store.fileformat import json_lines_rows, scan_json_lines

    raw = _lines(records, ascii_only)
    if damage == "blank":
        raw += b"\n"
    elif damage == "torn":
        raw += b'{"id": "B", "at'
    elif damage == "repeat" and records:
        raw += raw.split(b"\n")[0] + b"\n"
    elif damage == "two_on_a_line" and len(records) > 1:
        raw = raw.replace(b"}\n", b"} ", 1)
    elif damage == "not_an_object":
        raw += b"[1, 2]\n"
    elif damage == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    got = json_lines_rows(raw, ROW_FIELDS)
    scan = scan_json_lines(raw)
    if got is not None:
        assert not scan.broken and not scan.torn
        assert repr(got) == repr(list(rows(scan.records.values())))
    well_typed = all(
        all(isinstance(r.get(name), str) for name in ("at", "kind", "lead", "rep"))
        and all(r.get(name) is None or isinstance(r[name], str) for name in ("outcome", "script"))
        and (r.get("amount") is None or (type(r["amount"]) in (int, float) and abs(r["amount"]) < 2**63))
        for r in records)
    if damage in (None, "crlf") and well_typed:
        assert got is not None


def test_rows_of_an_empty_file_and_of_a_file_without_its_last_newline() -> None:
    from istui.services.counting import ROW_FIELDS
    from istui.store.fileformat import json_lines_rows

    assert json_lines_rows(b"", ROW_FIELDS) == []
    line = b'{"at": "2026-11-04T10:00:00+09:00", "id": "A", "kind": "call", "lead": "L", "rep": "r"}'
    assert json_lines_rows(line + b"\n", ROW_FIELDS) == [("2026-11-04T10:00:00+09:00", "call", "L", "r", "A", None,
                                                          None, None, None, None)]
    assert json_lines_rows(line, ROW_FIELDS) is None
