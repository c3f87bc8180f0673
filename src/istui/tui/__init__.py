"""The Textual interface (imported only when the TUI opens: the CLI never loads textual)."""

from __future__ import annotations

from istui.store.workspace import Workspace


def run(workspace: Workspace) -> None:
    """Open the TUI on `workspace`; returns when the rep quits."""
    from istui.tui.app import IstuiApp

    IstuiApp(workspace).run()
