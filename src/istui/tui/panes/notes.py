"""The Notes tab: talk scripts, objection answers, materials; search, Markdown view, how calls using each
ended; new, edit (in a form or `$EDITOR`), pin."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Markdown, Static, TextArea

from istui.domain import labels
from istui.domain.formatting import percent, when
from istui.domain.model import NoteKind
from istui.domain.text import terminal_safe
from istui.i18n import N_, _
from istui.services.notes import add_note, edit_note_text, find_notes, toggle_pin
from istui.services.report import kept_note_usage
from istui.tui import keys
from istui.tui.messages import Wrote
from istui.tui.panes.lead_actions import guarded
from istui.tui.screens.record_forms import note_form
from istui.tui.state import AppState
from istui.tui.widgets.hint_input import HintInput
from istui.tui.widgets.vtable import Column, VirtualTable

Record = dict[str, Any]
NOTE_COLUMNS = [Column("pin", N_("★"), 2), Column("kind", N_("Kind"), 12, drop=3), Column("title", N_("Title"), 40, min=16),
                Column("used", N_("Used"), 5, right=True, drop=2), Column("rate", N_("Mtg%"), 6, right=True, drop=2),
                Column("tags", N_("Tags"), 24, min=8, drop=1)]


class NotesPane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="notes-search", priority=True),  # (as leads-filter)
        Binding("escape", "leave_search", "Back to the list", id="notes-search-leave"),
        Binding("n", "new_note", "New", id="note-new"),
        Binding("e", "edit_note", "Edit", id="note-edit"),
        Binding("p", "pin_note", "Pin", id="note-pin"),
    ]

    def __init__(self, state: AppState) -> None:
        super().__init__(id="notes-pane")
        self.state = state
        self.notes: list[Record] = []
        self.usage: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        named = {"key": keys.key("notes-search"), "leave": keys.key("notes-search-leave")}
        yield HintInput([_("{key} search titles, bodies and tags · {leave} back to the list").format(**named),
                         _("{key} search · {leave} back to the list").format(**named)], id="note-search")
        with Horizontal(id="notes-body"):  # below 120 columns the note goes below the list (istui.tcss)
            yield VirtualTable(NOTE_COLUMNS, self.cell, id="notes-table")
            with VerticalScroll(id="note-view"):
                yield Static(id="note-meta")
                yield Markdown(id="note-body", open_links=False)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#notes-table", VirtualTable)

    def cell(self, note: Record, key: str) -> str:
        usage = self.usage.get(note["id"], {})
        if key == "pin":
            return "★" if note.get("pinned") else ""
        if key == "used":  # calls that used a talk note; sends of an e-mail template
            return str(usage.get("sent", usage.get("calls", 0)))
        if key == "rate":
            return percent(usage.get("meeting_rate")) if usage else ""
        if key == "tags":
            return ", ".join(map(str, note.get("tags") or []))
        if key == "kind":
            return labels.note_kind(note.get("kind", ""))
        return str(note.get(key) or "")

    def set_notes(self, notes: list[Record], usage: dict[str, dict[str, Any]]) -> None:
        self.notes = sorted(notes, key=lambda n: (not n.get("pinned"), n.get("kind", ""), n["title"].casefold()))
        self.usage = usage
        self.apply_search()

    @work(thread=True, exclusive=True, group="notes", exit_on_error=False)
    def load(self) -> None:
        """Notes and how calls that used each ended (the last three months in a large workspace)."""
        state = self.state
        now = state.now
        months = None if len(state.leads) < 5000 else [f"{d:%Y-%m}" for d in (
            now, now.replace(day=1) - timedelta(days=1), now.replace(day=1) - timedelta(days=40))]
        notes = state.ws.notes()
        usage = kept_note_usage(state.ws, months)
        if any(note.get("kind") == NoteKind.TEMPLATE for note in notes):  # sends of each template and what followed
            from istui.services.mail_rows import mail_report

            since = now - timedelta(days=365 if months is None else 90)
            usage.update(mail_report(state.ws, since, now + timedelta(seconds=1), None)["templates"])
        self.app.call_from_thread(self.set_notes, notes, usage)

    def apply_search(self) -> None:
        rows = find_notes(self.notes, self.query_one("#note-search", Input).value)
        order = {note["id"]: index for index, note in enumerate(self.notes)}
        rows.sort(key=lambda n: order[n["id"]])  # the tab's own order: pinned, kind, title
        current = self.table.current
        self.table.set_rows(rows, keep=current["id"] if current else None)
        if not rows:
            self.show(None)

    def show(self, note: Record | None) -> None:
        meta = self.query_one("#note-meta", Static)
        body = self.query_one("#note-body", Markdown)
        if note is None:
            if not self.notes:
                empty = _("No notes yet — {key} adds one.").format(key=keys.key("note-new"))
            elif not self.table.rows:  # the search left none
                empty = _("No notes match.")
            else:
                empty = _("No note selected.")
            meta.update(Text(empty))
            body.update("")
            return
        usage = self.usage.get(note["id"])
        safe = terminal_safe
        line = Text(safe(note["title"]) + "\n", style="bold")
        parts = [labels.note_kind(note.get("kind", "")), ", ".join(map(safe, note.get("tags") or [])),
                 _("updated {date} by {rep}").format(date=when(note["updated_at"], self.state.now, day_only=True),
                                                     rep=safe(note.get("updated_by", "")))]
        line.append(" · ".join(part for part in parts if part) + "\n")  # an empty part leaves no doubled separator
        if usage and "sent" in usage:
            line.append(_("Sent {sent} · opened {opens} · clicked {clicks} · replies {replies} · meetings within 14 days "
                          "{meetings} ({rate})").format(sent=usage["sent"], opens=percent(usage["open_rate"]),
                                                       clicks=percent(usage["click_rate"]), replies=usage["replies"],
                                                       meetings=usage["meetings"], rate=percent(usage["meeting_rate"])) + "\n")
        elif usage:
            line.append(_("Used in {calls} calls · meetings booked {meetings} ({rate})").format(
                calls=usage["calls"], meetings=usage["meetings"], rate=percent(usage["meeting_rate"])) + "\n")
        elif note.get("kind") == NoteKind.TEMPLATE:
            line.append(_("Not sent from istui yet.") + "\n")
        else:
            line.append(_("Not used in a logged call yet.") + "\n")
        meta.update(line)
        text = safe(note.get("body", ""), multiline=True)  # Markdown: its lines, no control character
        if note.get("kind") == NoteKind.TEMPLATE:  # a mail as it is written: its lines kept, its fields literal
            from istui.tui.screens.sheets import fenced

            text = fenced(f"Subject: {safe(note.get('subject') or '')}\n\n{text}")
        body.update(text)

    @on(Input.Changed, "#note-search")
    def _search(self) -> None:
        self.apply_search()

    @on(Input.Submitted, "#note-search")
    def _done(self) -> None:
        self.screen.set_focus(self.table)

    @on(VirtualTable.Highlighted, "#notes-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.show(event.record)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """esc leaves the search only from inside it."""
        return action != "leave_search" or self.screen.focused is self.query_one("#note-search", Input)

    def action_search(self) -> None:
        if isinstance(self.screen.focused, Input | TextArea):
            raise SkipAction  # typed as text (a priority binding: `LeadsPane.action_filter`)
        self.screen.set_focus(self.query_one("#note-search", Input))

    def action_leave_search(self) -> None:
        """Back to the list, the search kept: the next key is a command again."""
        self.screen.set_focus(self.table)

    # --- new, edit, pin --------------------------------------------------------------------------
    def _saved(self) -> None:
        self.post_message(Wrote())
        self.load()

    def action_new_note(self) -> None:
        def saved(values: dict[str, Any] | None) -> None:
            note = values is not None and guarded(self, lambda: add_note(self.state.ws, values), _("Note saved."))
            if note:
                self.state.undo.push(_("new note {title}").format(title=note["title"]), None)  # not undoable: said so
                self._saved()

        self.app.push_screen(note_form(None), saved)

    def action_edit_note(self) -> None:
        """Edit the selected note as it is on disk now, in `$EDITOR` (the body) or in the form."""
        selected = self.table.current
        note = selected and guarded(self, lambda: self.state.ws.get_note(selected["id"]))
        if not note:
            return
        editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
        if editor and self._edit_in_editor(note, editor):
            return
        form = note_form(note)

        def saved(values: dict[str, Any] | None) -> None:  # only the fields changed in the form are written
            if values is None:
                return
            changes = {name: values[name] for name in form.changed()}
            if changes:
                self._save_edit(note, changes)

        self.app.push_screen(form, saved)

    def _edit_in_editor(self, note: Record, editor: str) -> bool:
        """The body in `$EDITOR`; only the body is written, and only when it changed. False when this
        terminal cannot be handed to an editor (the form is used instead)."""
        from textual.app import SuspendNotSupported

        from istui.services.editing import edit_text

        try:
            _code, body = edit_text(self.state.ws.root, note.get("body", ""), editor, suffix=".md",
                                    suspended=self.app.suspend())
        except SuspendNotSupported:
            return False
        except (OSError, ValueError) as exc:  # no such editor, a bad $EDITOR, or a file that is not UTF-8 text
            self.notify(_("The note was not changed: the editor {editor} failed ({error}).").format(editor=editor, error=exc),
                        severity="error", timeout=8, markup=False)
            return True
        if body != note.get("body", ""):
            self._save_edit(note, {"body": body})
        return True

    def _save_edit(self, note: Record, changes: dict[str, Any]) -> None:
        """Write the fields changed; a body someone else changed meanwhile is merged with this edit."""
        done = guarded(self, lambda: edit_note_text(self.state.ws, note["id"], changes, note))
        if not done:
            return
        _record, outcome = done
        self.state.undo.push(_("edit of the note {title}").format(title=note["title"]), None)  # not undoable: said so
        messages = {"saved": _("Note saved."), "merged": _("Note saved, merged with a change made meanwhile."),
                    "kept both": _("Note saved; it had changed meanwhile in the same lines, so both versions are kept "
                                   "(marked in the body).")}
        self.notify(messages[outcome], severity="warning" if outcome == "kept both" else "information", markup=False)
        self._saved()

    def action_pin_note(self) -> None:
        note = self.table.current
        if note is not None and guarded(self, lambda: toggle_pin(self.state.ws, note["id"])):
            def unpin() -> None:
                toggle_pin(self.state.ws, note["id"])
                self._saved()

            self.state.undo.push(_("pin change of the note {title}").format(title=note["title"]), unpin)
            self._saved()
