"""The handoff figures (`services.handoff_figures`) in words: the KPI tab's handoff view and `istui kpi --handoffs`
(Markdown), the headline of `istui kpi`, and the review's sections "handoffs returned, and why" and "what field
sales asked for". Every value from the records is escaped: data, never Markdown or a terminal escape."""

from __future__ import annotations

from typing import Any

from istui.domain.formatting import md_escape, money, number, percent
from istui.domain.handoffs import reason_label
from istui.domain.text import terminal_safe
from istui.i18n import _


def summary_lines(figures: dict[str, Any], currency: str) -> list[str]:
    """The figures in four sentences: the answers, the meetings, the orders, the feedback (the handoffs themselves
    are counted where they are told: the headline, the view's first line)."""
    f = figures
    hours = "–" if f["median_hours_to_accept"] is None else _("{hours} h").format(hours=f["median_hours_to_accept"])
    return [
        _("Answered: accepted {accepted} · returned {rejected} · SAL rate {sal} · median time to accept {hours} · SLA "
          "breaches {breaches}").format(accepted=number(f["accepted"]), rejected=number(f["rejected"]),
                                         sal=percent(f["sal_rate"]), hours=hours, breaches=number(f["sla_breaches"])),
        _("Meetings held {held} · no-shows {no_shows} · show rate {rate}").format(
            held=number(f["meetings_held"]), no_shows=number(f["no_shows"]), rate=percent(f["show_rate"])),
        _("Handed-off leads closed {closed} · won {won} ({rate}) · amount {amount}").format(
            closed=number(f["handoff_closed"]), won=number(f["handoff_orders"]), rate=percent(f["handoff_win_rate"]),
            amount=money(f["handoff_amount"], currency)),
        _("Feedback: average rating {rating} of 5 ({count} rated)").format(
            rating="–" if f["avg_rating"] is None else f["avg_rating"], count=number(f["ratings"])),
    ]


#: the leads a review names under one heading at most (the rest counted)
LISTED = 8


def returned_lines(figures: dict[str, Any]) -> list[str]:
    """Handoffs returned, and why: the reasons counted, then the latest leads with the note field sales wrote."""
    lines = [_("{reason}: {count}").format(reason=reason_label(code), count=count)
             for code, count in figures["rejected_by_reason"].items()]
    latest = figures["returned"][-LISTED:][::-1]
    for item in latest:
        note = f" — {item['note']}" if item.get("note") else ""
        lines.append(_("{company} ({by} → {to}): {reason}").format(
            company=item["company"], by=item.get("by") or "–", to=item.get("decided_by") or "–",
            reason=reason_label(item["reason"])) + note)
    if len(figures["returned"]) > len(latest):
        lines.append(_("… and {count} more").format(count=len(figures["returned"]) - len(latest)))
    return lines


def asked_lines(figures: dict[str, Any]) -> list[str]:
    """What field sales asked for (「こんな情報がほしい」): each wish once, the most asked first, with the leads."""
    asked: dict[str, list[dict[str, Any]]] = {}
    for item in figures["asked_for"]:
        asked.setdefault(" ".join(str(item["note"]).split()), []).append(item)
    ranked = sorted(asked.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    lines = []
    for note, items in ranked[:LISTED]:
        names = ", ".join(str(item["company"]) for item in items[:3]) + (" …" if len(items) > 3 else "")
        lines.append(_("{note} — {count}× ({leads})").format(note=note, count=len(items), leads=names))
    if len(ranked) > LISTED:
        lines.append(_("… and {count} more").format(count=len(ranked) - LISTED))
    return lines


def _table(title: str, rows: dict[str, dict[str, Any]], currency: str) -> list[str]:
    if not rows:
        return []
    head = [_("Handoffs"), _("Accepted"), _("Returned"), _("SAL rate"), _("Closed"), _("Won"), _("Win rate"), _("Amount")]
    lines = [f"### {title}", "", "| | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for name, row in rows.items():
        cells = [number(row["handoffs"]), number(row["accepted"]), number(row["rejected"]), percent(row["sal_rate"]),
                 number(row["closed"]), number(row["orders"]), percent(row["win_rate"]), money(row["amount"], currency)]
        lines.append(f"| {md_escape(name)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def handoff_markdown(figures: dict[str, Any], currency: str, title: str) -> str:
    """The handoff view: the summary, per inside-sales rep and per source, the returns and the feedback."""
    lines = [f"# {md_escape(title)}", "", _("Handoffs {count} (made or received in the period); each answer, meeting and "
                                            "rating counts in the period it happened, so a handoff made before the "
                                            "period may be answered in it.").format(count=number(figures["handoffs"])), ""]
    lines += [f"- {line}" for line in summary_lines(figures, currency)] + [""]
    lines += _table(_("By inside-sales rep"), figures["by_rep"], currency)
    lines += _table(_("By source"), figures["by_source"], currency)
    for heading, items, empty in ((_("Handoffs returned, and why"), returned_lines(figures), _("None returned.")),
                                  (_("What field sales asked for"), asked_lines(figures), _("No feedback yet."))):
        lines += [f"### {heading}", ""] + ([f"- {md_escape(item)}" for item in items] or [empty]) + [""]
    return terminal_safe("\n".join(lines).rstrip(), multiline=True) + "\n"
