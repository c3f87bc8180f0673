"""The architecture rules of DESIGN.md section 2, checked on the real code: layers, fast CLI, lint."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "istui"
LAYERS = ["domain", "store", "services", "cli"]  # each may import only from those before it (tui: like cli)
IO_MODULES = {"os", "io", "pathlib", "subprocess", "shutil", "socket", "tinydb", "fcntl", "sqlite3"}


def imports_of(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in (tree.body if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_the_layers_above_it(layer: str) -> None:
    forbidden = {f"istui.{name}" for name in LAYERS[LAYERS.index(layer) + 1:]} | {"istui.tui"}
    for path in (SRC / layer).rglob("*.py"):
        for name in imports_of(path):
            if layer == "cli" and name.startswith("istui.tui") and name not in imports_of(path, top_level_only=True):
                continue  # the CLI opens the TUI lazily, inside the function that runs it
            assert not any(name == f or name.startswith(f + ".") for f in forbidden), f"{path.name} imports {name}"


def test_the_tui_never_touches_tinydb_or_the_cli() -> None:
    for path in (SRC / "tui").rglob("*.py"):
        for name in imports_of(path):
            assert not name.startswith(("tinydb", "istui.cli", "istui.store.storages")), f"{path.name} imports {name}"


def test_domain_does_no_io() -> None:
    for path in (SRC / "domain").rglob("*.py"):
        bad = {name for name in imports_of(path) if name.split(".")[0] in IO_MODULES - {"os"}}
        assert not bad, f"{path.name} imports {bad}"


def test_cli_does_not_load_the_tui_or_slow_parsers() -> None:
    code = (
        "import sys\n"
        "import istui.cli, istui.cli.commands.log, istui.cli.commands.lead, istui.services.leads\n"
        "print(sorted(m for m in ('textual', 'plotext', 'textual_plotext', 'rich', 'dateutil.parser') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_ruff_is_clean() -> None:
    root = SRC.parents[1]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "bench"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_panes_screens_and_widgets_never_import_the_app() -> None:
    """Components that don't know the app (STYLE.md): they post messages; the app decides."""
    for folder in ("panes", "screens", "widgets"):
        for path in (SRC / "tui" / folder).rglob("*.py"):
            assert "istui.tui.app" not in imports_of(path), f"{path.name} imports the app"


def test_no_source_file_is_over_500_lines() -> None:
    long = {path.relative_to(SRC).as_posix(): n for path in SRC.rglob("*.py")
            if (n := len(path.read_text("utf-8").splitlines())) > 500}
    assert not long, f"split these by job: {long}"


def test_every_path_is_spelled_in_locations() -> None:
    """`.istui` (and the files in it) are named only by `istui.locations`."""
    for path in SRC.rglob("*.py"):
        if path.name == "locations.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (node.value == ".istui" or node.value.startswith(".istui/")):
                raise AssertionError(f"{path.relative_to(SRC)}:{node.lineno} spells {node.value!r}")
