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
    """(title, Markdown) of the review or the e-mail view of `period` for `rep` (None: the team). Runs in a worker."""
    if kind == "email":
        from istui.services.mail_rows import email_report
        from istui.services.mail_text import email_text

        text = email_text(email_report(state.ws, period, rep), max(width - 8, 40))
        return _("E-mail — {key} copies it").format(key=keys.key("sheet-copy")), fenced(text)
    from istui.services.review import render_review, review_of

    markdown = render_review(review_of(state.ws, period, rep, list(state.leads)), "md")
    return _("Review — {key} copies the Markdown").format(key=keys.key("sheet-copy")), markdown
