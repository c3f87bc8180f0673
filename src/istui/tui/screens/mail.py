"""`m` on a lead: pick an e-mail template (or log a mail sent elsewhere), see it rendered for the lead, edit the
subject and the body here or in $EDITOR, and `ctrl+s` sends it through the person's own transport
(`services.outbox`); the send is logged as an e-mail sent with the template and the Message-ID."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from istui.domain.errors import IstuiError
from istui.domain.text import named, terminal_safe
from istui.i18n import N_, _
from istui.services import outbox
from istui.store.workspace import Record
from istui.tui import keys
from istui.tui.screens.dialog import Dialog
from istui.tui.state import AppState, error_text

LOG_ONLY = ""  # the picker's choice for a mail sent elsewhere: the log form


class TemplatePicker(Dialog[str | None]):
    """The team's e-mail templates, and "log a mail sent elsewhere"; Enter picks, Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="mail-pick-close")]

    def __init__(self, templates: list[Record], company: str) -> None:
        super().__init__()
        self.templates, self.company = templates, company

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(Text(_("E-mail to {company}: pick a template").format(company=self.company)), classes="title")
            options = [Option(Text(terminal_safe(t.get("title", ""))), id=t["id"]) for t in self.templates]
            options.append(Option(Text(_("Log an e-mail sent elsewhere…")), id="log-only"))
            yield OptionList(*options, id="mail-templates")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(LOG_ONLY if event.option.id == "log-only" else event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


class MailScreen(Dialog[Record | None]):
    """The rendered mail, editable; `ctrl+s` sends (the screen stays open with the text when a send is refused)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="mail-send", priority=True),
        Binding("ctrl+o", "editor", "Edit in $EDITOR", id="mail-editor", priority=True),
        Binding("escape", "close", "Cancel", id="mail-close"),
    ]

    def __init__(self, state: AppState, who: outbox.Sender, draft: outbox.Draft, on_sent: Callable[[Any], None]) -> None:
        super().__init__()
        self.state, self.who, self.draft, self.on_sent = state, who, draft, on_sent
        self.lead, self.template = draft.lead, draft.template
        self.sending = False

    def compose(self) -> ComposeResult:
        who, draft = self.who, self.draft
        with Vertical(classes="form mail"):
            yield Static(Text(_("E-mail · {send} sends · {editor} opens $EDITOR · {close} cancels").format(
                send=keys.key("mail-send"), editor=keys.key("mail-editor"), close=keys.key("mail-close"))), classes="title")
            yield Static(Text(_("From {sender} · to {to}").format(
                sender=f"{who.display} <{who.address}>", to=f"{self.lead.get('contact') or ''} <{self.lead.get('email')}>")))
            yield Input(draft.subject, id="mail-subject")
            yield TextArea(draft.body, id="mail-body", soft_wrap=True)

    def texts(self) -> tuple[str, str]:
        return self.query_one("#mail-subject", Input).value, self.query_one("#mail-body", TextArea).text

    def action_editor(self) -> None:
        try:
            subject, body = outbox.edit_in_editor(self.state.ws.root, *self.texts(), suspended=self.app.suspend())
        except IstuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
            return
        except Exception as exc:  # (a terminal that cannot be handed over: Textual's SuspendNotSupported)
            self.notify(_("The editor could not run: {error}").format(error=exc), severity="error", markup=False)
            return
        self.query_one("#mail-subject", Input).value = subject
        self.query_one("#mail-body", TextArea).text = body

    def action_send(self) -> None:
        if not self.sending:
            self.sending = True
            self.notify(_("Sending…"), markup=False, timeout=2)
            self._send(*self.texts())

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _send(self, subject: str, body: str) -> None:
        try:
            message, logged = outbox.send_one(self.state.ws, self.lead["id"], self.template["id"], subject=subject, body=body)
        except IstuiError as exc:
            self.app.call_from_thread(self._refused, error_text(exc))
            return
        self.app.call_from_thread(self._sent, message, logged)

    def _refused(self, sentence: str) -> None:
        self.sending = False
        self.notify(sentence, severity="error", timeout=10, markup=False)

    def _sent(self, message: Any, logged: Any) -> None:
        self.notify(_("Sent “{subject}” to {company}.").format(subject=terminal_safe(str(message.message()["Subject"])),
                                                            company=named(self.lead.get("company", ""))), markup=False)
        self.on_sent(logged)
        self.dismiss(logged.lead)

    def action_close(self) -> None:
        self.dismiss(None)


def open_mail(pane: Any, state: AppState, lead: Record, log_only: Callable[[], None], on_sent: Callable[[Any], None]) -> None:
    """`m` on `lead`: the template picker (straight to the log form without templates), then the mail."""
    templates = sorted((n for n in state.ws.notes() if n.get("kind") == "template"), key=lambda n: n.get("title", ""))
    if not templates:
        log_only()
        return

    def picked(choice: str | None) -> None:
        if choice is None:
            return
        if choice == LOG_ONLY:
            log_only()
            return
        try:
            who = outbox.sender(state.ws, transport=False)
            current = state.ws.get_lead(lead["id"])
            key = outbox.address_key(str(current.get("email") or ""))
            blocked = outbox.suppressed(other for other in state.leads if outbox.address_key(str(other.get("email") or "")) == key)
            draft = outbox.compose(state.ws, current, outbox.template_of(state.ws, choice), who, blocked=blocked)
        except IstuiError as exc:
            pane.notify(error_text(exc), severity="error", timeout=10, markup=False)
            return
        pane.app.push_screen(MailScreen(state, who, draft, on_sent))

    pane.app.push_screen(TemplatePicker(templates, named(lead.get("company", ""))), picked)


def campaign_form(templates: list[Record], count: int) -> Any:
    """A campaign of the leads shown: its name and template (the audience is the view's leads, exclusions aside)."""
    from textual.widgets import Input as TextInput

    from istui.domain.parsing import optional_text
    from istui.tui.screens.forms import Field, FormScreen, select

    fields = [Field("name", N_("Campaign name, e.g. 12月メルマガ"), TextInput(id="field-name"),
                    lambda value: optional_text(value, "name")),
              Field("template", N_("Template"), select([(t.get("title", ""), t["id"]) for t in templates], templates[0]["id"]),
                    lambda value: value)]
    return FormScreen(_("Campaign (メルマガ) to the {count} leads shown").format(count=f"{count:,}"), fields,
                      hint=_("Leads without an address, unsubscribed, hard-bounced, do-not-contact or with an address "
                             "already in it are left out; `istui campaign send ID` sends it."), submit_label=N_("Create"))


def left_out_words(excluded: dict[str, list[str]]) -> str:
    """`; left out: no e-mail address 3, unsubscribed 1`, or nothing."""
    if not excluded:
        return ""
    return _("; left out: {reasons}").format(reasons=outbox.exclusion_words(excluded))
