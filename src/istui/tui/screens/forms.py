"""Modal forms: lead (new/edit), stage change, handoff, log activity, note, confirm, and a text viewer.

Every field shows its own validation message; a form is submitted with ctrl+s (or Enter on the
last field) and cancelled with esc. Nothing is written until every field is valid. Titles, messages,
choices and sheets quote records: all are shown through `domain.text.terminal_safe`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, Markdown, Select, Static, TextArea

from istui.domain.errors import BadInput
from istui.domain.text import terminal_safe
from istui.i18n import N_, _
from istui.tui import keys
from istui.tui.screens.dialog import Dialog
from istui.tui.sizes import SHORT_BELOW

MANY_FIELDS = 6  # a form with more fields is laid out in two columns on a wide screen


class Field:
    """One form field: its label, widget and (optional) validator that returns a clean value or raises BadInput."""

    def __init__(self, name: str, label: str, widget: Input | Select | TextArea,
                 check: Callable[[Any], Any] | None = None) -> None:
        self.name, self.label, self.widget, self.check = name, label, widget, check
        self.error = Static("", classes="error", id=f"error-{name}")

    def value(self) -> Any:
        if isinstance(self.widget, Input):
            return self.widget.value
        if isinstance(self.widget, TextArea):
            return self.widget.text
        return None if self.widget.value is Select.NULL else self.widget.value

    def checked(self) -> Any:
        """The field's clean value (BadInput, one sentence, when it is not valid)."""
        return self.check(self.value()) if self.check else self.value()


class FormScreen(Dialog[dict[str, Any] | None]):
    """A titled column of fields with per-field errors; dismisses with the values once all are valid."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", id="form-save"),
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        # priority: the focus moves as the key arrives, so what is typed right behind Enter lands in the next field
        Binding("enter", "next_field", "Next field; on the last, save", show=False, priority=True, id="form-next"),
    ]

    def __init__(self, title: str, fields: list[Field], hint: str = "", submit_label: str = N_("Save")) -> None:
        super().__init__()
        self.form_title, self.fields, self.hint, self.submit_label = title, fields, hint, submit_label
        #: Saves the valid values before the form closes; False (refused: it said why) keeps the form open with
        #: everything typed. None: the form closes with the values, for its caller to save.
        self.on_save: Callable[[dict[str, Any]], bool] | None = None

    def compose(self) -> ComposeResult:
        many = " -many" if len(self.fields) > MANY_FIELDS else ""  # two columns where the screen is wide (istui.tcss)
        with VerticalScroll(classes="form" + many):
            yield Static(Text(terminal_safe(self.form_title)), classes="title")
            if self.hint:
                yield Static(Text(self.hint), classes="hint")  # said by the caller, keys named
            with Container(classes="fields" + many):
                for field in self.fields:
                    with Vertical(classes="field -text" if isinstance(field.widget, TextArea) else "field"):
                        yield Label(Content(_(field.label)))
                        yield field.widget
                        yield field.error
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_(self.submit_label), variant="primary", id="submit")

    def on_mount(self) -> None:
        self.initial = {field.name: field.value() for field in self.fields}
        self.fields[0].widget.focus()

    def on_resize(self, event: events.Resize) -> None:
        """On a short screen the fields lose their borders, so that more of the form shows at once."""
        for widget in self.query("Input, Select"):
            widget.compact = event.size.height < SHORT_BELOW

    def changed(self) -> set[str]:
        """Names of the fields whose value differs from what the form opened with."""
        return {field.name for field in self.fields if field.value() != self.initial.get(field.name)}

    @on(Button.Pressed, "#submit")
    def _submit_button(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_next_field(self) -> None:
        """Enter in a one-line field: the next field, or on the last one, save (a dropdown and a text box take
        Enter themselves)."""
        widgets = [f.widget for f in self.fields]
        focused = self.focused
        if not isinstance(focused, Input) or focused not in widgets:
            raise SkipAction()
        index = widgets.index(focused)
        if index < len(widgets) - 1:
            self.set_focus(widgets[index + 1])
        else:
            self.action_submit()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _recheck(self, event: Input.Changed | Select.Changed | TextArea.Changed) -> None:
        """A field's error goes as soon as what is typed there is valid (a new error waits for the save)."""
        field = next((f for f in self.fields if f.widget is event.control), None)
        if field is None or not field.error.has_class("shown"):
            return
        try:
            field.checked()
        except BadInput:
            return
        self.show_error(field, "")

    def validate(self) -> dict[str, Any] | None:
        values, ok = {}, True
        for field in self.fields:
            try:
                values[field.name] = field.checked()
                self.show_error(field, "")
            except BadInput as exc:
                self.show_error(field, str(exc))
                ok = False
        return values if ok else None

    @staticmethod
    def show_error(field: Field, message: str) -> None:
        field.error.update(Text(terminal_safe(message)))
        field.error.set_class(bool(message), "shown")

    def action_submit(self) -> None:
        values = self.validate()
        if values is None:
            first = next(f for f in self.fields if f.error.has_class("shown"))
            first.widget.focus()
            first.error.scroll_visible()
            return
        if self.on_save is not None and not self.on_save(values):
            return
        self.dismiss(values)


def select(options: list[tuple[str, str]], value: str | None, allow_blank: bool = False) -> Select[str]:
    """A Select whose labels are literal text (workspace settings are data, not markup). A value that is not
    among the options (a record from a newer vocabulary or a hand edit) opens on the first option; the field
    is written only when the rep changes it."""
    if value is not None and value not in {key for _label, key in options}:
        value = None if allow_blank else options[0][1] if options else None
    return Select([(Content(terminal_safe(label)), key) for label, key in options],
                  value=value if value is not None else Select.NULL,
                  allow_blank=allow_blank, prompt=_("Select"))


class ConfirmScreen(Dialog[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(Text(terminal_safe(self.question)), classes="title")
            with Horizontal(classes="buttons"):
                yield Button(_("No ({key})").format(key=keys.key("confirm-no")), id="no")
                yield Button(_("Yes ({key})").format(key=keys.key("confirm-yes")), variant="error", id="yes")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class SheetScreen(Dialog[None]):
    """Shows Markdown (a handoff sheet, a note, a review); `c` copies the source to the clipboard (both without
    any control character: OSC 52 carries the clipboard, and what is pasted must be as safe as what is shown)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="sheet-close"),
        Binding("c", "copy", "Copy", id="sheet-copy"),
    ]

    def __init__(self, title: str, markdown: str) -> None:
        super().__init__()
        self.sheet_title, self.markdown = terminal_safe(title), terminal_safe(markdown, multiline=True)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form sheet"):
            yield Static(Text(self.sheet_title), classes="title")
            yield Markdown(self.markdown, open_links=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.markdown)
        self.app.notify(_("Copied to the clipboard."), markup=False)
