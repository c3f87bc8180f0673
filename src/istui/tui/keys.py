"""The keys in force, named in words. Every hint, placeholder, toast and help line that names a key asks
`key(binding_id)`, so a key remapped in the user config's `[keymap]` is named as the user set it there.
The app takes the keymap once at start (`use_keymap`), which also says which ids in it are unknown.

Textual is imported only inside the functions: `tui.state` names keys too and stays a plain module.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from istui.domain.text import terminal_safe

#: the modules whose screens open lazily: imported before the binding classes are walked
LAZY_MODULES = ("istui.tui.app", "istui.tui.screens.callblock", "istui.tui.screens.plan")

_keymap: dict[str, str] = {}  # binding id → keys, as the user set them (known ids only)
_defaults: dict[str, str] | None = None  # binding id → keys, as the BINDINGS declare them


def binding_classes() -> list[type]:
    """Every istui app, screen and widget class (parents first: a child merges its parents' keys)."""
    from textual.dom import DOMNode

    for module in LAZY_MODULES:
        importlib.import_module(module)
    classes: set[type] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("istui."):
                classes.add(sub)
    return sorted(classes, key=lambda c: (len(c.__mro__), c.__module__, c.__qualname__))


def default_keys() -> dict[str, str]:
    """Binding id → its keys as declared (`"c"`, `"escape,q"`), for every istui binding that has an id."""
    global _defaults
    if _defaults is None:
        from textual.binding import Binding

        found: dict[str, str] = {}
        for cls in binding_classes():
            for binding in cls.__dict__.get("_english_bindings") or cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    found.setdefault(binding.id, binding.key)
        _defaults = found
    return _defaults


def use_keymap(keymap: Mapping[str, Any] | None) -> tuple[dict[str, str], list[str]]:
    """Take the user's `[keymap]`: returns its entries with a known binding id (for `App.set_keymap`) and the
    ids it names that no binding has (ignored; the app says so). A list of keys is taken as `"f4,ctrl+4"`."""
    global _keymap
    known = default_keys()
    entries = {str(name): ",".join(map(str, value)) if isinstance(value, list) else str(value)
               for name, value in (keymap or {}).items()}
    _keymap = {name: value for name, value in entries.items() if name in known and value.strip()}
    return dict(_keymap), sorted(name for name in entries if name not in known)


def keys_of(binding_id: str) -> list[str]:
    """The keys in force for a binding (the user's, else the declared ones), as Textual names them."""
    text = _keymap.get(binding_id) or default_keys().get(binding_id, "")
    return [part.strip() for part in text.split(",") if part.strip()]


def key(binding_id: str) -> str:
    """The first key in force for a binding, as a person reads it: `c`, `ctrl+b`, `?`, `esc`, `Enter`."""
    found = keys_of(binding_id)
    return shown(found[0]) if found else ""


def keys(binding_id: str, between: str = " / ") -> str:
    """Every key in force for a binding, as a person reads them (`esc / q`)."""
    return between.join(shown(part) for part in keys_of(binding_id))


def shown(key_name: str) -> str:
    """A Textual key name as a person reads it: `question_mark` → `?`, `slash` → `/`, `escape` → `esc` (safe for
    the terminal: a key may come from the user's config)."""
    from textual.keys import format_key

    name = key_name.strip()
    if len(name) > 1:
        *modifiers, last = name.split("+")
        name = "+".join([*modifiers, "Enter" if last == "enter" else format_key(last)])
    return terminal_safe(name)


def unknown_ids_text(unknown: list[str]) -> str:
    """What the app says once at start about `[keymap]` ids that no binding has: the ids, the known ids near
    them, and where every id is listed beside its key (help: the full list does not fit a small screen's notice)."""
    import difflib

    from istui import locations
    from istui.i18n import _

    known = sorted(default_keys())
    near = list(dict.fromkeys(match for name in unknown for match in difflib.get_close_matches(name, known, n=2, cutoff=0.8)))
    text = _("[keymap] in {path}: no key has the id {ids}, so it was ignored.").format(
        path=locations.config_file(), ids=", ".join(unknown))
    if near:
        return text + " " + _("Did you mean {ids}? Help ({key}) lists every id beside its key.").format(
            ids=", ".join(near), key=key("help"))
    return text + " " + _("Help ({key}) lists every id beside its key.").format(key=key("help"))  # short: 80x24
