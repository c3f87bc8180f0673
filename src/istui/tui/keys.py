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
LAZY_MODULES = ("istui.tui.app", "istui.tui.screens.callblock", "istui.tui.screens.plan", "istui.tui.screens.mail")

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


def declared(cls: type) -> list[Any]:
    """The bindings with an id that `cls` itself declares (as written, before translation)."""
    from textual.binding import Binding

    return [binding for binding in cls.__dict__.get("_english_bindings") or cls.__dict__.get("BINDINGS", [])
            if isinstance(binding, Binding) and binding.id]


def default_keys() -> dict[str, str]:
    """Binding id → its keys as declared (`"c"`, `"escape,q"`), for every istui binding that has an id."""
    global _defaults
    if _defaults is None:
        found: dict[str, str] = {}
        for cls in binding_classes():
            for binding in declared(cls):
                found.setdefault(binding.id, binding.key)
        _defaults = found
    return _defaults


def use_keymap(keymap: Mapping[str, Any] | None) -> tuple[dict[str, str], list[str], list[str]]:
    """Take the user's `[keymap]`: returns its entries with a known binding id (for `App.set_keymap`), the ids it
    names that no binding has, and a sentence per entry refused: a key that does not exist (`"???"`), or one that
    another key of the same screen already has (`today-call-block = "l"`, Log call's). Both are ignored, and the
    app says so at start. A list of keys is taken as `"f4,ctrl+4"`."""
    global _keymap
    from istui.i18n import _

    known = default_keys()
    entries = {str(name): ",".join(map(str, value)) if isinstance(value, list) else str(value)
               for name, value in (keymap or {}).items()}
    _keymap, refused = {}, []
    for name, value in entries.items():
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if name not in known or not parts:
            continue
        wrong = next((part for part in parts if not _is_key(part)), None)
        if wrong is not None:
            refused.append(_("{id} = \"{key}\": no key is named so (e.g. \"c\", \"ctrl+b\", \"f4\", \"question_mark\")").format(
                id=name, key=terminal_safe(wrong)))
            continue
        taken = _taken(name, parts)
        if taken is not None:
            refused.append(_("{id} = \"{key}\": {other} has that key on the same screen").format(
                id=name, key=terminal_safe(taken[0]), other=taken[1]))
            continue
        _keymap[name] = ",".join(parts)
    return dict(_keymap), sorted(name for name in entries if name not in known), refused


_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


def _is_key(name: str) -> bool:
    """`c`, `?`, `ctrl+b`, `f4`, `escape`, `question_mark`: a key Textual can bind."""
    import unicodedata

    from textual.keys import Keys

    *modifiers, last = name.split("+")
    if not last or any(modifier not in _MODIFIERS for modifier in modifiers):
        return False
    if len(last) == 1:
        return last.isprintable() and not last.isspace()
    if last in {key.value.split("+")[-1] for key in Keys} - {"<any>", "<ignore>", "<scroll-down>", "<scroll-up>"}:
        return True
    try:  # `question_mark`, `full_stop`: a character by its Unicode name
        return len(unicodedata.lookup(last.replace("_", " "))) == 1
    except KeyError:
        return False


def _taken(name: str, parts: list[str]) -> tuple[str, str] | None:
    """(key, id) when one of `parts` (not already `name`'s own by default) is the key in force of another binding
    active where `name`'s is: in the same class, a class it inherits from or that inherits from it, or the app's
    own keys (which every screen has)."""
    from textual.app import App

    classes = binding_classes()
    owners = [cls for cls in classes if any(b.id == name for b in declared(cls))]
    own = set(keys_of(name))  # its declared keys: `name` is checked before it is remapped
    for cls in classes:
        if not (issubclass(cls, App) or any(issubclass(owner, cls) or issubclass(cls, owner) for owner in owners)):
            continue
        for binding in declared(cls):
            if binding.id == name:
                continue
            clash = next((part for part in parts if part not in own and part in keys_of(binding.id)), None)
            if clash is not None:
                return clash, binding.id
    return None


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


def refused_text(refused: list[str]) -> str:
    """What the app says once at start about `[keymap]` entries it refused (each kept its own key)."""
    from istui import locations
    from istui.i18n import _

    return _("[keymap] in {path}: ignored, the default key kept: {entries}.").format(
        path=locations.config_file(), entries="; ".join(refused))


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
