"""Every TOML write goes through tomlkit: values read back with tomllib exactly, comments survive."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from istui import locations
from istui.store.settings import Settings, load_settings, save_settings, save_user_setting, user_config, write_toml

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
scalars = st.one_of(texts, st.integers(-10**12, 10**12), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False, width=64))
keys = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(values=st.dictionaries(keys, st.one_of(scalars, st.lists(texts, max_size=4),
                                              st.dictionaries(keys, scalars, max_size=3)), max_size=6))
def test_any_settings_round_trip_through_tomllib(tmp_path_factory, values) -> None:
    path = tmp_path_factory.mktemp("toml") / "config.toml"
    write_toml(path, values, "a header")
    assert tomllib.loads(path.read_text("utf-8")) == values


def test_a_float_stays_a_float_and_newlines_stay_readable(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    write_toml(path, {"rate": 0.5, "note": "line one\nline two\t\"quoted\" \\ end"})
    assert tomllib.loads(path.read_text("utf-8")) == {"rate": 0.5, "note": "line one\nline two\t\"quoted\" \\ end"}


def test_a_users_comments_and_tables_survive_a_setting_saved_by_istui() -> None:
    path = locations.config_file()
    path.parent.mkdir(parents=True)
    path.write_text('# my own notes about istui\nlanguage = "ja"  # Japanese please\n\n[keymap]\n'
                    '# remapped for my keyboard\ntab-kpi = "f4"\n', encoding="utf-8")
    save_user_setting("theme", "sakura")
    text = path.read_text("utf-8")
    assert "# my own notes about istui" in text and "# Japanese please" in text and "# remapped for my keyboard" in text
    assert user_config() == {"language": "ja", "keymap": {"tab-kpi": "f4"}, "theme": "sakura"}


def test_workspace_settings_round_trip_and_keep_a_teams_comment(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    settings_ = Settings(team='Team "A"\\B', timezone="Asia/Tokyo", extra_holidays=["2026-12-30"])
    save_settings(root, settings_)
    path = root / locations.SETTINGS_FILE
    path.write_text("# agreed in the kickoff meeting\n" + path.read_text("utf-8"), encoding="utf-8")
    settings_.week_start = "sunday"
    save_settings(root, settings_)
    assert "# agreed in the kickoff meeting" in path.read_text("utf-8")
    loaded = load_settings(root)
    assert (loaded.team, loaded.week_start, loaded.extra_holidays) == ('Team "A"\\B', "sunday", ["2026-12-30"])
