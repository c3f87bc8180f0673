"""The sheets the KPI tab opens over itself: the review (振り返り) and the e-mail view, each as a title and Markdown."""

from __future__ import annotations

from istui.i18n import _
from istui.tui import keys
from istui.tui.state import AppState


def fenced(text: str) -> str:
    """`text` as a Markdown code block (kept as it is, in columns), fenced longer than any backtick run in it."""
    import re

    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", text)), default=0))
    return f"{fence}\n{text.rstrip()}\n{fence}\n"


def sheet_of(state: AppState, kind: str, period: str, rep: str | None, width: int) -> tuple[str, str]:
    """(title, Markdown) of the review, the e-mail view or the handoff view of `period` for `rep` (None: the team). Runs in a worker."""
    if kind == "email":
        from istui.services.mail_rows import email_report
        from istui.services.mail_text import email_text

        text = email_text(email_report(state.ws, period, rep), max(width - 8, 40))
        return _("E-mail — {key} copies it").format(key=keys.key("sheet-copy")), fenced(text)
    if kind == "handoff":
        from istui.services.handoff_text import handoff_markdown
        from istui.services.report import kpi_report

        report = kpi_report(state.ws, period, rep, leads=state.leads, cohorts=state.cohorts)
        scope = _("team") if rep is None else rep
        title = _("Handoffs · {scope} · {period}").format(scope=scope, period=report["period"]["label"])
        return (_("Handoffs — {key} copies the Markdown").format(key=keys.key("sheet-copy")),
                handoff_markdown(report["handoff"], state.ws.settings.currency, title))
    from istui.services.review import render_review, review_of

    markdown = render_review(review_of(state.ws, period, rep, list(state.leads)), "md")
    return _("Review — {key} copies the Markdown").format(key=keys.key("sheet-copy")), markdown
