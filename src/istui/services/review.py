"""The review (振り返り): what the numbers of a period say, every sentence citing its figure.

`build_review` turns KPI reports (this period, with analytics; the team's for comparison) into
findings; `render_review` writes them as Markdown for the team meeting or as terminal text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from istui.domain import labels
from istui.domain.formatting import (
    duration,
    md_escape,
    money,
    percent,
    previous_period_words,
    report_period_words,
    talk_detail,
    through,
)
from istui.domain.metrics import FUNNEL
from istui.domain.text import terminal_safe
from istui.i18n import N_, _
from istui.services.analytics import best_cells, weakest_step

MIN_NOTE_CALLS = 5  # a talk note needs this many calls before its meeting rate is worth citing
MIN_WINDOW_CALLS = 10  # a weekday × hour window needs this many calls before it is called a best window



def step_label(step: str) -> str:
    """`calls → connects`: a funnel step named by the step before it and itself."""
    before = FUNNEL[FUNNEL.index(step) - 1]
    return _("{before} → {after}").format(before=labels.metric(before), after=labels.metric(step))


def _value(metric: str, value: float | None, currency: str) -> str:
    if value is None:
        return "–"
    return money(value, currency) if metric == "amount" else f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _meetings(number: int) -> str:
    return _("1 meeting") if number == 1 else _("{count} meetings").format(count=f"{number:,}")


def _step_rate(steps: list[dict[str, Any]], name: str) -> float | None:
    return next((s["rate_from_previous"] for s in steps if s["step"] == name), None)


def review_of(ws: Any, period: str, rep: str | None, leads: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The findings of `rep`'s review (None: the team's, which also weighs each rep's own targets)."""
    from istui.services.report import kpi_report

    leads = list(ws.leads()) if leads is None else leads
    report = kpi_report(ws, period, rep, leads=leads, analytics=True)
    team = kpi_report(ws, period, None, leads=leads, analytics=True) if rep is not None else None
    reps = sorted({t["rep"] for t in ws.targets() if t.get("rep")}) if rep is None else []
    rep_targets = [{**target, "rep": name} for name in reps for target in kpi_report(ws, period, name, leads=leads)["targets"]]
    from istui.services.mail_rows import email_report

    findings = build_review(report, team, ws.settings.currency, rep_targets, ws.now().date())
    from istui.services.handoff_text import asked_lines, returned_lines

    findings["handoffs_returned"] = returned_lines(report["handoff"])
    findings["asked_for"] = asked_lines(report["handoff"])
    findings.update(mail_findings(email_report(ws, period, rep)))
    return findings


def mail_findings(mail: dict[str, Any]) -> dict[str, Any]:
    """The period's campaigns, each with its figures, and the best sending window (when opens and clicks come)."""
    from istui.services.mail_text import best_words

    campaigns = [_("{name}: {sent} sent, open rate {open_rate}, click rate {click_rate}, {unsubscribes} unsubscribes, "
                   "{meetings} within 14 days").format(
        name=c["name"] or c["id"][:10], sent=f"{c['sent']:,}", open_rate=percent(c["open_rate"]),
        click_rate=percent(c["click_rate"]), unsubscribes=f"{c['unsubscribes']:,}", meetings=_meetings(c["meetings"]))
        for c in sorted(mail["campaigns"], key=lambda c: -c["sent"])]
    best = mail["best"]
    window = [_("Opens came most on {opens}; clicks on {clicks} (of the {sent} e-mails sent in the period).").format(
        opens=best_words(best["opens"]), clicks=best_words(best["clicks"]), sent=f"{mail['totals']['sent']:,}")] if best["opens"] else []
    return {"campaigns": campaigns, "mail_window": window}


def build_review(report: dict[str, Any], team: dict[str, Any] | None, currency: str = "JPY",
                 rep_targets: list[dict[str, Any]] | None = None, today: date | None = None) -> dict[str, Any]:
    """Findings of one period; `team` is the team's report of the same period (None when `report` is the team's);
    `rep_targets`: in the team's review, each rep's own targets with their progress (named by rep); `today` names
    the periods in words (`this week, 30 Nov – 6 Dec`; None: as seen from the period's start)."""
    metrics, previous = report["metrics"], report["previous"]
    today = date.fromisoformat(report["period"]["start"][:10]) if today is None else today
    findings: dict[str, Any] = {"period": report["period"], "scope": report["scope"], "previous": previous["label"],
                                "previous_through": previous.get("through"),
                                "period_words": report_period_words(report, today),
                                "previous_words": previous_period_words(report)}

    hit: list[str] = []
    missed: list[str] = []
    on_track: list[str] = []
    behind: list[str] = []
    for target in [*report["targets"], *(rep_targets or [])]:
        line = (f"{terminal_safe(target['rep'])} · " if report["scope"]["team"] and target.get("rep") else "") + _(
            "{metric}: {actual} of {target} ({progress})").format(
            metric=labels.metric(target["metric"]) + (f" ({labels.motion(target['motion'])})" if target["motion"] else ""),
            actual=_value(target["metric"], target["actual"], currency),
            target=_value(target["metric"], target["target"], currency), progress=percent(target["progress"]))
        if target.get("per_day") is not None:
            line += _(" ({per_day}/day × {days} working days)").format(
                per_day=_value(target["metric"], target["per_day"], currency), days=target["working_days"]["total"])
        running = target.get("status") is not None and target["working_days"].get("remaining_now", 0) > 0
        if target["actual"] < target["target"] and running:
            line += ", " + labels.pace_gap(target["status"], target["ahead"],
                                           lambda gap, metric=target["metric"]: _value(metric, round(gap), currency))
        if target["actual"] >= target["target"]:
            hit.append(line)
        elif running and target["status"] != "behind":  # short of the target so far, but not behind its pace
            on_track.append(line)
        else:  # behind pace, or the period ended below target
            missed.append(line)
            if running:
                behind.append(line)
    findings["targets_hit"], findings["targets_missed"], findings["targets_on_track"] = hit, missed, on_track
    findings["targets_behind"] = behind  # of the missed, those whose period still runs: behind pace so far

    funnel = report["funnel"]
    handed = report.get("handoff") or {}
    if team is not None and handed.get("handoff_closed"):
        # one rep's orders are their own closings (DESIGN.md section 4); the deals field sales closed after their
        # handoffs are judged by the handoff figures instead of as a leak of the rep's funnel
        funnel = [step for step in funnel if step["step"] != "orders"]
        findings["handoff_outcome"] = _("Of the leads you handed off, field sales closed {closed} and won {won} "
                                        "({rate}).").format(closed=handed["handoff_closed"], won=handed["handoff_orders"],
                                                            rate=percent(handed["handoff_win_rate"]))
    weakest = weakest_step(funnel)
    if weakest:
        name = weakest["step"]
        before_step = FUNNEL[FUNNEL.index(name) - 1]  # a cohort's step rate, not a win rate of closed deals
        sentence = _("The weakest step is {step}: {rate} of the leads with {before} went on to {after}").format(
            step=step_label(name), rate=percent(weakest["rate_from_previous"]), before=labels.metric(before_step),
            after=labels.metric(name))
        before = _step_rate(previous["funnel"], name)
        if before is not None:
            sentence += _(" (previous period {rate})").format(rate=percent(before))
        if team is not None:
            sentence += _(", team {rate}").format(rate=percent(_step_rate(team["funnel"], name)))
        findings["weakest_step"] = {"step": name, "rate": weakest["rate_from_previous"], "previous": before,
                                    "sentence": sentence + _(".")}

    if metrics["connects"]:
        findings["talk"] = _("Talk time {total} over {connects} connects: {detail}.").format(
            total=duration(metrics["talk_seconds"]), connects=f"{metrics['connects']:,}", detail=talk_detail(metrics))
    responses = []
    if metrics["calls"]:
        responses.append((N_("calls"), N_("connect rate"), metrics["connect_rate"], metrics["calls"]))
    if metrics["emails"]:
        responses.append((N_("e-mails"), N_("open rate"), metrics["open_rate"], metrics["emails"]))
        responses.append((N_("e-mails"), N_("reply rate"), round(metrics["replies"] / metrics["emails"], 4), metrics["emails"]))
    if responses:
        action, measure, value, count = min(responses, key=lambda r: r[2])
        findings["lowest_response"] = {"action": action, "measure": measure, "rate": value,
                                       "sentence": _("The lowest response is the {measure} of {action}: {rate} "
                                                     "of {count}.").format(measure=_(measure), action=_(action),
                                                                           rate=percent(value), count=f"{count:,}")}

    moved = []
    before_sources = previous.get("by_source") or {}
    for source, row in report["by_source"].items():
        old = before_sources.get(source)
        if old and row["meeting_rate"] is not None and old["meeting_rate"] is not None and row["leads"] >= 3:
            moved.append((abs(row["meeting_rate"] - old["meeting_rate"]), source, row["meeting_rate"], old["meeting_rate"]))
    findings["sources_moved"] = [
        _("{source}: meeting rate {rate} (previous period {before})").format(source=labels.source(source), rate=percent(now),
                                                                             before=percent(then))
        for _delta, source, now, then in sorted(moved, reverse=True)[:3]]

    windows = best_cells([c for c in report["heatmaps"]["connect_rate"] if c["events"] >= MIN_WINDOW_CALLS])
    findings["best_windows"] = [_("{weekday} {hour}:00 connects {rate} of {calls} calls").format(
        weekday=labels.weekday(c["weekday"]), hour=f"{c['hour']:02d}", rate=percent(c["rate"]), calls=c["events"])
                                for c in windows]
    notes = [n for n in report.get("notes", []) if n["calls"] >= MIN_NOTE_CALLS and n["meetings"]]
    notes.sort(key=lambda n: (-(n["meeting_rate"] or 0), -n["calls"]))
    findings["notes_that_worked"] = [_("{title}: {meetings} from {calls} calls ({rate})").format(
        title=n["title"], meetings=_meetings(n["meetings"]), calls=n["calls"], rate=percent(n["meeting_rate"]))
        for n in notes[:3]]
    findings["focus"] = _focus(report, findings, windows)
    return findings


def _focus(report: dict[str, Any], findings: dict[str, Any], windows: list[dict[str, Any]]) -> list[str]:
    """Suggestions for the next period, each derived from (and citing) a figure above."""
    metrics, focus = report["metrics"], []
    behind = [t for t in report["targets"] if t.get("status") == "behind" and t.get("needed_per_day")]
    for target in sorted(behind, key=lambda t: t["progress"] or 0)[:2]:
        if target["per"] == "day":  # what is left of today's target, not a rate per day of a day nearly gone
            focus.append(_("Catch up on {metric}: {needed} to reach {target}.").format(
                metric=labels.metric(target["metric"]), needed=labels.needed(target), target=f"{target['target']:,.0f}"))
            continue
        focus.append(_("Catch up on {metric}: {rate} per working day is needed to reach {target} ({days} working days "
                       "left).").format(metric=labels.metric(target["metric"]), rate=f"{target['needed_per_day']:,.1f}",
                                        target=f"{target['target']:,.0f}", days=target["working_days"]["remaining"]))
    weakest = findings.get("weakest_step")
    if weakest and weakest["step"] == "connects" and windows:
        best = windows[0]
        focus.append(_("Connect more: calls on {weekday} {hour}:00 connect at {rate} against {overall} overall; block that "
                       "hour for calls.").format(weekday=labels.weekday(best["weekday"]), hour=f"{best['hour']:02d}",
                                                 rate=percent(best["rate"]), overall=percent(metrics["connect_rate"])))
    elif weakest and weakest["step"] == "meetings":
        focus.append(_("Turn connects into meetings: {rate} of connects booked one; rehearse the closing question of "
                       "the talk scripts that work best.").format(rate=percent(weakest["rate"])))
    elif weakest and weakest["step"] in ("handoffs", "orders"):
        focus.append(_("Qualify before handing off: {rate} of {step}; check BANT on every handoff sheet.").format(
            rate=percent(weakest["rate"]), step=step_label(weakest["step"])))
    worked = findings["notes_that_worked"]
    if worked:
        focus.append(_("Use the best talk note more: {note}.").format(note=worked[0]))
    deltas = report["deltas"]
    if deltas["calls"]["direction"] == "down":
        focus.append(_("Calls fell from {before} to {now}: protect call blocks in the calendar.").format(
            before=f"{deltas['calls']['previous']:,}", now=f"{deltas['calls']['current']:,}"))
    return focus


def render_review(findings: dict[str, Any], fmt: str = "md") -> str:
    """The review as Markdown (`md`, for the team meeting) or plain text; either holds no control character
    (findings quote note titles and sources from files)."""
    scope = _("team") if findings["scope"]["team"] else terminal_safe(findings["scope"]["rep"])
    md = fmt == "md"
    previous = findings.get("previous_words") or findings["previous"]
    if findings.get("previous_through"):  # like for like: as many working days at its start
        previous = _("{previous} through {day}").format(previous=previous, day=through(findings["previous_through"]))
    lines = [("# " if md else "") + _("Review · {scope} · {period} (vs {previous})").format(
        scope=scope, period=findings.get("period_words") or findings["period"]["label"], previous=previous), ""]

    def section(title: str, items: list[str], empty: str) -> None:
        lines.append(("## " if md else "") + _(title))
        if items:  # findings quote user text (note titles, sources): literal in Markdown
            lines.extend(f"- {md_escape(item) if md else terminal_safe(item)}" for item in items)
        else:
            lines.append(_(empty))
        lines.append("")

    section(N_("Targets hit"), findings["targets_hit"], N_("None."))
    behind = findings.get("targets_behind", [])
    ended = [line for line in findings["targets_missed"] if line not in behind]
    if ended or not behind:  # a period that ended below target; while it runs, a target is behind, not missed
        section(N_("Targets missed"), ended, N_("None."))
    if behind:
        section(N_("Targets behind pace so far"), behind, N_("None."))
    if findings.get("targets_on_track"):
        section(N_("Targets on pace so far"), findings["targets_on_track"], N_("None."))
    funnel_lines = [findings["weakest_step"]["sentence"]] if findings.get("weakest_step") else []
    if findings.get("lowest_response"):
        funnel_lines.append(findings["lowest_response"]["sentence"])
    if findings.get("handoff_outcome"):
        funnel_lines.append(findings["handoff_outcome"])
    if findings.get("talk"):
        funnel_lines.append(findings["talk"])
    section(N_("Where the funnel leaks"), funnel_lines, N_("Not enough activity to judge."))
    section(N_("Sources that moved"), findings["sources_moved"], N_("No source with enough leads in both periods."))
    section(N_("Best calling windows"), findings["best_windows"], N_("Not enough calls per hour yet."))
    section(N_("Talk notes that worked"), findings["notes_that_worked"],
            _("No talk note booked a meeting in {calls}+ calls.").format(calls=MIN_NOTE_CALLS))
    if "campaigns" in findings:
        section(N_("Campaigns"), findings["campaigns"], N_("No campaign was sent in this period."))
        section(N_("Best sending window"), findings["mail_window"], N_("No opens recorded for the period's e-mails yet."))
    if "handoffs_returned" in findings:
        section(N_("Handoffs returned, and why"), findings["handoffs_returned"], N_("None returned."))
        section(N_("What field sales asked for"), findings["asked_for"], N_("No feedback yet."))
    section(N_("Focus for the next period"), findings["focus"], N_("Keep the pace."))
    return "\n".join(lines).rstrip() + "\n"
