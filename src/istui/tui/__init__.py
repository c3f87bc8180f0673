"""The Textual interface (imported only when the TUI opens: the CLI never loads textual)."""

from __future__ import annotations

from istui.store.workspace import Workspace


def run(workspace: Workspace) -> int:
    """Open the TUI on `workspace`; returns the exit status when the rep quits (non-zero after a crash)."""
    from istui.tui.app import IstuiApp

    app = IstuiApp(workspace)
    app.run()
    return app.return_code or 0
