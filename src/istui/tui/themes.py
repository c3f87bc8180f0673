"""Theme files (TOML) → Textual themes: the built-in ones in the package, the user's own in the config folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

from istui import locations
from istui.store import plain_toml

BUILTIN = locations.BUILTIN_THEMES
DEFAULT_THEME = "istui-dark"
_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground", "background",
           "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha", "variables")


def theme_from_toml(path: Path) -> Theme:
    """One theme file; raises ValueError naming the file when it is not a usable theme."""
    try:
        data = plain_toml.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    if "primary" not in data:
        raise ValueError(f"{path}: a theme needs at least 'primary'")
    try:
        return Theme(name=str(data.get("name") or path.stem), **{k: data[k] for k in _FIELDS if k in data})
    except Exception as exc:  # Textual validates colours lazily; say which file is wrong
        raise ValueError(f"{path}: {exc}") from None


def load_themes(user_folder: Path | None = None) -> tuple[list[Theme], list[str]]:
    """Built-in and user themes (a user theme may replace a built-in one of the same name), and problems."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in (BUILTIN, user_folder or locations.user_themes_dir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = theme_from_toml(path)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems
