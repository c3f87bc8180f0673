"""Key descriptions in the language in force: every istui widget's BINDINGS are rebuilt from their
English originals (the catalog's message ids) before the app makes its widgets. A class may name its
keys itself with a `describe_binding(binding)` class method (the call block names outcomes from the
domain's table, not the catalog)."""

from __future__ import annotations

import dataclasses

from textual.binding import Binding
from textual.dom import DOMNode

from istui.i18n import _


def localize_bindings() -> None:
    """Translate the descriptions of every istui widget class's keys (idempotent; any language). The screens
    opened on first use (the call block, the plan) are imported first: a class made later would keep English."""
    import importlib
    import pkgutil

    from istui.tui import screens

    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"{screens.__name__}.{module.name}")
    classes: list[type[DOMNode]] = []
    pending = [DOMNode]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("istui."):
                classes.append(sub)
    for cls in sorted(set(classes), key=lambda c: len(c.__mro__)):  # parents first: children merge them
        if "BINDINGS" in cls.__dict__:
            english = cls.__dict__.get("_english_bindings")
            if english is None:
                english = list(cls.__dict__["BINDINGS"])
                cls._english_bindings = english  # type: ignore[attr-defined]
            describe = getattr(cls, "describe_binding", None) or (lambda binding: _(binding.description))
            cls.BINDINGS = [dataclasses.replace(b, description=describe(b)) if isinstance(b, Binding) and b.description
                            else b for b in english]
        cls._merged_bindings = cls._merge_bindings()
