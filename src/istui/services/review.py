"""The review (振り返り): what the numbers of a period say, every sentence citing its figure.

`build_review` turns KPI reports (this period, with analytics; the team's for comparison) into
findings; `render_review` writes them as Markdown for the team meeting or as terminal text.
"""

from __future__ import annotations

from typing import Any

from istui.domain.formatting import md_escape, money, percent
from istui.services.analytics import best_cells, weakest_step

MIN_NOTE_CALLS = 5  # a talk note needs this many calls before its meeting rate is worth citing
MIN_WINDOW_CALLS = 10  # a weekday × hour window needs this many calls before it is called a best window
STEP_LABELS = {"connects": "calls → connects", "meetings": "connects → meetings", "handoffs": "meetings → handoffs",
               "orders": "handoffs → orders"}


def _value(metric: str, value: float | None, currency: str) -> str:
    if value is None:
        return "–"
    return money(value, currency) if metric == "amount" else f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _step_rate(steps: list[dict[str, Any]], name: str) -> float | None:
    return next((s["rate_from_previous"] for s in steps if s["step"] == name), None)


def build_review(report: dict[str, Any], team: dict[str, Any] | None, currency: str = "JPY") -> dict[str, Any]:
    """Findings of one period; `team` is the team's report of the same period (None when `report` is the team's)."""
    metrics, previous = report["metrics"], report["previous"]
    findings: dict[str, Any] = {"period": report["period"], "scope": report["scope"], "previous": previous["label"]}

    hit, missed = [], []
    for target in report["targets"]:
        line = (f"{target['metric']}{' (' + target['motion'] + ')' if target['motion'] else ''}: "
                f"{_value(target['metric'], target['actual'], currency)} of {_value(target['metric'], target['target'], currency)}"
                f" ({percent(target['progress'])})")
        if target.get("status") and target["status"] != "on_pace" and target["actual"] < target["target"]:
            line += f", {target['status']} pace by {_value(target['metric'], abs(target['ahead']), currency)}"
        (hit if target["actual"] >= target["target"] else missed).append(line)
    findings["targets_hit"], findings["targets_missed"] = hit, missed

    weakest = weakest_step(report["funnel"])
    if weakest:
        name = weakest["step"]
        sentence = f"The weakest step is {STEP_LABELS[name]} at {percent(weakest['rate_from_previous'])}"
        before = _step_rate(previous["funnel"], name)
        if before is not None:
            sentence += f" (previous period {percent(before)})"
        if team is not None:
            sentence += f", team {percent(_step_rate(team['funnel'], name))}"
        findings["weakest_step"] = {"step": name, "rate": weakest["rate_from_previous"], "previous": before,
                                    "sentence": sentence + "."}

    responses = []
    if metrics["calls"]:
        responses.append(("calls", "connect rate", metrics["connect_rate"], metrics["calls"]))
    if metrics["emails"]:
        responses.append(("e-mails", "open rate", metrics["open_rate"], metrics["emails"]))
        responses.append(("e-mails", "reply rate", round(metrics["replies"] / metrics["emails"], 4), metrics["emails"]))
    if responses:
        action, measure, value, count = min(responses, key=lambda r: r[2])
        findings["lowest_response"] = {"action": action, "measure": measure, "rate": value,
                                       "sentence": f"The lowest response is the {measure} of {action}: {percent(value)} "
                                                   f"of {count:,}."}

    moved = []
    before_sources = previous.get("by_source") or {}
    for source, row in report["by_source"].items():
        old = before_sources.get(source)
        if old and row["meeting_rate"] is not None and old["meeting_rate"] is not None and row["leads"] >= 3:
            moved.append((abs(row["meeting_rate"] - old["meeting_rate"]), source, row["meeting_rate"], old["meeting_rate"]))
    findings["sources_moved"] = [
        f"{source}: meeting rate {percent(now)} (previous period {percent(then)})"
        for _, source, now, then in sorted(moved, reverse=True)[:3]]

    windows = best_cells([c for c in report["heatmaps"]["connect_rate"] if c["events"] >= MIN_WINDOW_CALLS])
    findings["best_windows"] = [f"{c['weekday'].title()} {c['hour']:02d}:00 connects {percent(c['rate'])} of {c['events']} calls"
                                for c in windows]
    notes = [n for n in report.get("notes", []) if n["calls"] >= MIN_NOTE_CALLS and n["meetings"]]
    notes.sort(key=lambda n: (-(n["meeting_rate"] or 0), -n["calls"]))
    findings["notes_that_worked"] = [f"{n['title']}: {_count(n['meetings'], 'meeting')} from {n['calls']} calls "
                                     f"({percent(n['meeting_rate'])})" for n in notes[:3]]
    findings["focus"] = _focus(report, findings, windows)
    return findings


def _focus(report: dict[str, Any], findings: dict[str, Any], windows: list[dict[str, Any]]) -> list[str]:
    """Suggestions for the next period, each derived from (and citing) a figure above."""
    metrics, focus = report["metrics"], []
    behind = [t for t in report["targets"] if t.get("status") == "behind" and t.get("needed_per_day")]
    for target in sorted(behind, key=lambda t: t["progress"] or 0)[:2]:
        focus.append(f"Catch up on {target['metric']}: {target['needed_per_day']:,.1f} per working day is needed to "
                     f"reach {target['target']:,.0f} ({target['working_days']['remaining']} working days left).")
    weakest = findings.get("weakest_step")
    if weakest and weakest["step"] == "connects" and windows:
        best = windows[0]
        focus.append(f"Connect more: calls on {best['weekday'].title()} {best['hour']:02d}:00 connect at "
                     f"{percent(best['rate'])} against {percent(metrics['connect_rate'])} overall; block that hour for calls.")
    elif weakest and weakest["step"] == "meetings":
        focus.append(f"Turn connects into meetings: {percent(weakest['rate'])} of connects booked one; "
                     "rehearse the closing question of the talk scripts that work best.")
    elif weakest and weakest["step"] in ("handoffs", "orders"):
        focus.append(f"Qualify before handing off: {percent(weakest['rate'])} of {STEP_LABELS[weakest['step']]}; "
                     "check BANT on every handoff sheet.")
    worked = findings["notes_that_worked"]
    if worked:
        focus.append(f"Use the best talk note more: {worked[0]}.")
    deltas = report["deltas"]
    if deltas["calls"]["direction"] == "down":
        focus.append(f"Calls fell from {deltas['calls']['previous']:,} to {deltas['calls']['current']:,}: "
                     "protect call blocks in the calendar.")
    return focus


def render_review(findings: dict[str, Any], fmt: str = "md") -> str:
    """The review as Markdown (`md`, for the team meeting) or plain text."""
    scope = "team" if findings["scope"]["team"] else findings["scope"]["rep"]
    md = fmt == "md"
    lines = [f"{'# ' if md else ''}Review · {scope} · {findings['period']['label']} (vs {findings['previous']})", ""]

    def section(title: str, items: list[str], empty: str) -> None:
        lines.append(f"{'## ' if md else ''}{title}")
        if items:  # findings quote user text (note titles, sources): literal in Markdown
            lines.extend(f"- {md_escape(item) if md else item}" for item in items)
        else:
            lines.append(empty)
        lines.append("")

    section("Targets hit", findings["targets_hit"], "None.")
    section("Targets missed", findings["targets_missed"], "None.")
    funnel_lines = [findings["weakest_step"]["sentence"]] if findings.get("weakest_step") else []
    if findings.get("lowest_response"):
        funnel_lines.append(findings["lowest_response"]["sentence"])
    section("Where the funnel leaks", funnel_lines, "Not enough activity to judge.")
    section("Sources that moved", findings["sources_moved"], "No source with enough leads in both periods.")
    section("Best calling windows", findings["best_windows"], "Not enough calls per hour yet.")
    section("Talk notes that worked", findings["notes_that_worked"],
            f"No talk note booked a meeting in {MIN_NOTE_CALLS}+ calls.")
    section("Focus for the next period", findings["focus"], "Keep the pace.")
    return "\n".join(lines).rstrip() + "\n"
