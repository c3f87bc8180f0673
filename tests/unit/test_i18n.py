"""The catalog: every message the code marks (`_()`, `N_()`, key descriptions) has a Japanese entry,
every entry is still used, and placeholders survive translation.

`python tests/unit/test_i18n.py` lists the messages without an entry (to add to src/istui/locale/ja.po).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "istui"
sys.path.insert(0, str(SRC.parent))

from istui.i18n import CONTEXT_SEPARATOR, _, load_po, set_language  # noqa: E402

CATALOG = SRC / "locale" / "ja.po"


def marked_messages() -> dict[str, str]:
    """Every literal passed to `_()` / `N_()`, every (context, literal) passed to `pgettext()` / `NP_()` (keyed
    as the catalog keys it), and every key description (`Binding(key, action, "…")`), with where it was found."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            literals: list[ast.AST] = []
            if name in ("pgettext", "NP_") and len(node.args) == 2 and all(
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args):
                context, message = (arg.value for arg in node.args)
                found.setdefault(f"{context}{CONTEXT_SEPARATOR}{message}", f"{path.relative_to(SRC.parent)}:{node.lineno}")
            if name in ("_", "N_") and node.args:
                literals.append(node.args[0])
            elif name == "Binding":
                literals += node.args[2:3] + [kw.value for kw in node.keywords if kw.arg == "description"]
            for literal in literals:
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str) and literal.value:
                    found.setdefault(literal.value, f"{path.relative_to(SRC.parent)}:{node.lineno}")
    return found


def test_every_marked_message_has_a_japanese_entry() -> None:
    catalog = load_po(CATALOG)
    missing = {message: where for message, where in marked_messages().items() if message not in catalog}
    assert not missing, "no Japanese for:\n" + "\n".join(f"  {where}: {message!r}" for message, where in missing.items())


def test_no_entry_is_left_over() -> None:
    unused = set(load_po(CATALOG)) - set(marked_messages())
    assert not unused, f"entries no code uses: {sorted(unused)}"


def test_placeholders_survive_translation() -> None:
    for message, translated in load_po(CATALOG).items():
        assert sorted(re.findall(r"{\w*}", message)) == sorted(re.findall(r"{\w*}", translated)), message


def test_the_language_switches_at_runtime() -> None:
    try:
        set_language("ja")
        assert _("Leads") == "リード"
        assert _("not in the catalog") == "not in the catalog"
    finally:
        set_language("en")
    assert _("Leads") == "Leads"


if __name__ == "__main__":
    import json

    catalog = load_po(CATALOG)
    for message, where in marked_messages().items():
        if message not in catalog:
            context, _sep, text = message.rpartition(CONTEXT_SEPARATOR)
            entry = f"msgctxt {json.dumps(context, ensure_ascii=False)}\n" if context else ""
            print(f"#: {where}\n{entry}msgid {json.dumps(text, ensure_ascii=False)}\nmsgstr \"\"\n")
