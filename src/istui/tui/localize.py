"""Key descriptions in the language in force: every istui widget's BINDINGS are rebuilt from their
English originals (the catalog's message ids) before the app makes its widgets. A class may name its
keys itself with a `describe_binding(binding)` class method (the call block names outcomes from the
domain's table, not the catalog)."""

from __future__ import annotations

import dataclasses

from textual.binding import Binding

from istui.i18n import N_, _
from istui.tui.keys import binding_classes

TEXTUAL_WORDS = (N_("Dismiss menu"),)  # Textual's own key descriptions, in the catalog


def textual_classes() -> list[type]:
    """Textual's own widgets whose keys show in istui's footer: a dropdown's list (esc Dismiss menu)."""
    from textual.widgets._select import SelectOverlay

    return [SelectOverlay]


def localize_bindings() -> None:
    """Translate the descriptions of every istui widget class's keys (idempotent; any language), the screens
    opened lazily (the call block, the plan) included, and of the Textual widgets whose keys the footer shows."""
    for cls in [*textual_classes(), *binding_classes()]:  # parents first: children merge them
        if "BINDINGS" in cls.__dict__:
            english = cls.__dict__.get("_english_bindings")
            if english is None:
                english = [Binding(*b) if isinstance(b, tuple) else b for b in cls.__dict__["BINDINGS"]]
                cls._english_bindings = english  # type: ignore[attr-defined]
            describe = getattr(cls, "describe_binding", None) or (lambda binding: _(binding.description))
            cls.BINDINGS = [dataclasses.replace(b, description=describe(b)) if isinstance(b, Binding) and b.description
                            else b for b in english]
        cls._merged_bindings = cls._merge_bindings()
