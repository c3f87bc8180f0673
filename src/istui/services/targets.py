"""Setting targets: one target per metric, period kind, scope (rep or team) and motion."""

from __future__ import annotations

from collections.abc import Iterable

from istui.domain.errors import BadInput
from istui.domain.ids import normalize_prefix, short_ids
from istui.domain.metrics import HANDOFF_RATES, RATE_METRICS, TARGET_METRICS
from istui.domain.model import TARGET_KEY, Motion, PeriodKind
from istui.domain.parsing import parse_amount, parse_choice
from istui.domain.roster import require_member
from istui.i18n import _
from istui.store.workspace import Record, Workspace

#: rates a team would want a target on; a target is a count (DESIGN.md section 4), so these are refused in words
RATE_TARGETS_REFUSED = (*RATE_METRICS, *HANDOFF_RATES)


def clean_target(metric: str, value: str | float, per: str, motion: str | None = None,
                 currency: str = "JPY") -> tuple[str, float, str, str | None]:
    """A target's metric, value, period kind and motion as typed, validated."""
    if metric.strip().casefold() in RATE_TARGETS_REFUSED:
        raise BadInput(_("metric: {metric} is a rate, and targets are counts or the order amount (progress and pace "
                         "are a count's); set one on handoffs or meetings, and read {metric} in the KPI tab's handoff "
                         "view or `istui kpi`.").format(metric=metric.strip()))
    metric = parse_choice(metric, TARGET_METRICS, "metric")
    per = parse_choice(per, [kind.value for kind in PeriodKind], "per")
    amount = parse_amount(value, "value", currency if metric == "amount" else None)  # counts are whole numbers
    if amount <= 0:
        raise BadInput(_("value: a target must be greater than zero."))
    return metric, amount, per, parse_choice(motion, [m.value for m in Motion], "motion") if motion else None


def find_target(ws: Workspace, metric: str, per: str, rep: str | None = None, motion: str | None = None) -> Record | None:
    """The target of this metric, period kind, scope and motion, if there is one."""
    key = {"metric": metric, "per": per, "rep": rep, "motion": motion}
    return next((t for t in ws.targets() if all(t.get(name) == key[name] for name in TARGET_KEY)), None)


def set_target(ws: Workspace, metric: str, per: str, value: float, rep: str | None = None,
               motion: str | None = None) -> Record:
    """Create the target, or change the value of the one with the same metric, period kind, scope and motion;
    a rep's target is for someone on the roster."""
    if rep is not None:
        rep = require_member(ws.settings.roster, rep, "rep")
    with ws.lock.held():
        existing = find_target(ws, metric, per, rep, motion)
        record = dict(existing) if existing else {"metric": metric, "per": per, "rep": rep, "motion": motion}
        record["value"] = value
        return ws.save_target(record)


TargetChange = tuple[Record | None, Record]  # a target before (None: there was none) and after a write


def set_targets(ws: Workspace, values: Iterable[tuple[str, float]], per: str, rep: str | None = None) -> list[TargetChange]:
    """Set several targets of one period kind and scope together (all or none); each with its record before."""
    changes: list[TargetChange] = []
    with ws.transaction():
        for metric, value in values:
            before = find_target(ws, metric, per, rep)
            changes.append((dict(before) if before else None, set_target(ws, metric, per, value, rep)))
    return changes


def restore_targets(ws: Workspace, changes: Iterable[TargetChange]) -> int:
    """Take back `set_targets`: each target gets its value before again (a new one is removed), but only
    while it still holds the value written (a later change by anyone stays); all together. Returns how many."""
    restored = 0
    with ws.transaction():
        current = {t["id"]: t for t in ws.targets()}
        for before, after in changes:
            now = current.get(after["id"])
            if now is None or now.get("value") != after["value"]:
                continue
            if before is None:
                ws.remove_target(after["id"])
            else:
                ws.save_target({**now, "value": before["value"]})
            restored += 1
    return restored


def remove_target(ws: Workspace, prefix: str) -> Record:
    """Remove the target whose id starts with `prefix`; returns it."""
    with ws.lock.held():
        target_id = ws.resolve_target(prefix)
        target = next(t for t in ws.targets() if t["id"] == target_id)
        ws.remove_target(target_id)
    return target


def remove_targets(ws: Workspace, prefix: str) -> list[Record]:
    """Remove every target whose id starts with `prefix` (`target remove ID --all`); none is one sentence."""
    with ws.lock.held():
        wanted = normalize_prefix(prefix)
        found = [t for t in ws.targets() if wanted and t["id"].startswith(wanted)]
        if not found:
            ws.resolve_target(prefix)  # says that no target id starts with it
        with ws.transaction():
            for target in found:
                ws.remove_target(target["id"])
    return sorted_targets(found)


def short_target_ids(targets: Iterable[Record]) -> dict[str, str]:
    """The shortest prefix that names each target (what `target list` shows and `target remove` takes)."""
    return short_ids([t["id"] for t in targets], minimum=8)


def sorted_targets(targets: Iterable[Record]) -> list[Record]:
    """Targets by scope (team first), period kind and metric."""
    kinds = [kind.value for kind in PeriodKind]
    return sorted(targets, key=lambda t: (t.get("rep") or "", kinds.index(t["per"]), TARGET_METRICS.index(t["metric"])))
