"""The plain-TOML reader (`store.plain_toml`) reads exactly what tomllib reads, or leaves the text to tomllib: checked
against tomllib on texts made of TOML's pieces, plain and not, and on the files istui writes (tomlkit)."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from istui.store import plain_toml

KEYS = st.sampled_from(["a", "b", "team", "x-1", "_k", "1", "roster", "sato", "a.b", '"q"', "", "ä", "a b"])
TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
QUOTED = st.one_of(TEXTS.map(lambda t: f'"{t}"'), TEXTS.map(lambda t: f"'{t}'"), st.just('"""x"""'),
                   st.just("'''x'''"), st.just('"a\\"b"'), st.just('"\\u00e9"'))
VALUES = st.one_of(
    QUOTED,
    st.integers(-10**20, 10**20).map(str),
    st.sampled_from(["true", "false", "True", "0", "-0", "00", "+1", "1_000", "1.5", "1e3", "0x1f", "-", "nan", "inf",
                     "2026-01-02", "09:00:00", "{}", "{ a = 1 }", "[]", "[ ]", "[,]", "[1, 2]", "", "truex"]),
    st.lists(QUOTED, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(QUOTED, min_size=1, max_size=3).map(lambda items: "[" + ",".join(items) + ",]"),
)
BLANKS = st.sampled_from(["", " ", "\t", "  ", "\u3000"])
COMMENTS = st.one_of(st.just(""), TEXTS.map(lambda t: f" # {t}"), st.just("#"))
LINES = st.one_of(
    st.tuples(KEYS, BLANKS, VALUES, COMMENTS).map(lambda p: f"{p[0]}{p[1]}={p[1]}{p[2]}{p[3]}"),
    st.tuples(st.lists(KEYS, min_size=1, max_size=3), BLANKS, COMMENTS).map(
        lambda p: f"[{p[1]}{'.'.join(p[0])}{p[1]}]{p[2]}"),
    st.lists(KEYS, min_size=1, max_size=2).map(lambda keys: f"[[{'.'.join(keys)}]]"),
    COMMENTS, BLANKS, TEXTS,
)


def tomllib_values(text: str) -> dict | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


@settings(max_examples=3000, deadline=None)
@given(lines=st.lists(LINES, max_size=10), newline=st.sampled_from(["\n", "\r\n"]))
@example(lines=["[a.b]", "[a]", "c = 1"], newline="\n")
@example(lines=["[a]", "b = 1", "[a.b]"], newline="\n")
@example(lines=["[a]", "[a]"], newline="\n")
@example(lines=["a = 1", "a = 2"], newline="\n")
@example(lines=["a = 1", "[a]"], newline="\n")
def test_plain_values_are_tomllibs_or_none(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    plain = plain_toml.plain_values(text)
    if plain is not None:
        assert plain == tomllib_values(text), text  # never a value of its own, never a text tomllib refuses
        assert plain_toml.loads(text) == plain


@given(text=st.text(max_size=60))
def test_any_text_is_read_as_tomllib_reads_it(text: str) -> None:
    expected = tomllib_values(text)
    if expected is None:
        with pytest.raises(tomllib.TOMLDecodeError):
            plain_toml.loads(text)
    else:
        assert plain_toml.loads(text) == expected


def test_the_settings_istui_writes_are_read_without_tomllib(ws) -> None:
    """The workspace's istui.toml and local.toml, as tomlkit writes them, are plain: the quick path is the usual one."""
    from istui import locations
    from istui.store.settings import save_settings

    ws.settings.team = "営業チーム # 1 'A'"
    save_settings(ws.root, ws.settings)
    for path in (ws.root / locations.SETTINGS_FILE, locations.Local(ws.root).settings):
        text = path.read_text("utf-8")
        assert plain_toml.plain_values(text) == tomllib.loads(text), text
    assert plain_toml.plain_values('team = "a"\nsources = ["web", "seminar"]\n[roster.sato]\nrole = "is"\n') == {
        "team": "a", "sources": ["web", "seminar"], "roster": {"sato": {"role": "is"}}}
    ws.settings.team = 'say "hi"'  # written with escapes: read by tomllib, to the same value
    save_settings(ws.root, ws.settings)
    text = (ws.root / locations.SETTINGS_FILE).read_text("utf-8")
    assert plain_toml.plain_values(text) is None and plain_toml.loads(text)["team"] == 'say "hi"'
