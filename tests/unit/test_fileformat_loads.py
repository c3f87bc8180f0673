"""`fileformat.loads` reads exactly what `json.loads` reads, through msgspec for large texts: the same
values (integers of any size, floats, text with every character) and the same error for what is not JSON."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from istui.store.fileformat import _FAST_FROM, loads

scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=4), max_leaves=20)
PAD = "x" * _FAST_FROM  # makes any text large enough for msgspec's path


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
