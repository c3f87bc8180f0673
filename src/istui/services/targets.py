"""Setting targets: one target per metric, period kind, scope (rep or team) and motion."""

from __future__ import annotations

from istui.store.workspace import Record, Workspace


def set_target(ws: Workspace, metric: str, per: str, value: float, rep: str | None = None,
               motion: str | None = None) -> Record:
    """Create the target, or change the value of the one with the same metric, period kind, scope and motion."""
    with ws.lock.held():
        existing = next((t for t in ws.targets() if t["metric"] == metric and t["per"] == per
                         and t.get("rep") == rep and t.get("motion") == motion), None)
        record = dict(existing) if existing else {"metric": metric, "per": per, "rep": rep, "motion": motion}
        record["value"] = value
        return ws.save_target(record)
