"""The call block: one lead at a time, one digit key per outcome, then an optional note and follow-up.

A digit writes the call at once (durable before the prompt shows); Enter then saves whatever was
typed and brings up the next lead, so a no-answer is one keystroke plus Enter. Esc in the prompt does
the same for every outcome: it closes the prompt, keeping the call as the digit wrote it (a callback's
provisional follow-up a working day later, a meeting without its time) and leaving out what was typed;
the lead stays on screen (s: the next lead), and esc again ends the block.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Digits, Input, Static

from istui.domain import labels
from istui.domain.errors import BadInput, IstuiError
from istui.domain.formatting import duration
from istui.domain.handoffs import split_attendees
from istui.domain.outcomes import CALL_OUTCOME_INFO, CALL_OUTCOMES
from istui.domain.parsing import parse_follow_up
from istui.domain.schedule import ASKS_FOR_MEETING, ASKS_FOR_WHEN
from istui.domain.text import named, terminal_safe
from istui.i18n import _
from istui.services.dialing import CallTimer
from istui.services.leads import Logged, amend_log, log_activity, schedule_preview, undo_log
from istui.tui import keys
from istui.tui.dial import dial_lead
from istui.tui.messages import LeadWritten, Wrote
from istui.tui.screens.block_dialogs import BlockSummary, NotePicker
from istui.tui.screens.block_parts import ESC_HINT, BlockStats, outcome_keys, prompt_text, relevant_notes
from istui.tui.state import AppState, changed_since_label, error_text
from istui.tui.widgets.cards import state_card, timeline
from istui.tui.widgets.flow import flow
from istui.tui.widgets.footer import IstuiFooter

Record = dict[str, Any]


class CallBlockScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the digit is handled as it arrives, so keys typed right behind it (fast, or pasted) already find
        # the note field focused; in the fields a digit is typed text (`action_dispose` steps aside)
        *(Binding(info.key, f"dispose('{info.outcome.value}')", info.outcome.value, show=False, priority=True,
                  id=f"call-outcome-{info.key}") for info in CALL_OUTCOMES),
        Binding("tab", "next_field", "Next field", show=False, priority=True, id="call-next-field"),
        Binding("enter", "save_prompt", "Save and next lead", show=False, priority=True, id="call-save"),
        Binding("u", "undo", "Undo last log", id="call-undo"),
        Binding("ctrl+z", "app.undo", "Undo", id="call-ctrl-undo"),  # also from the note field, and after the block
        Binding("s", "skip", "Skip", id="call-skip"),
        Binding("k", "notes", "Notes", id="call-notes"),
        Binding("escape", "close_prompt", "Close prompt", id="call-close-prompt"),  # while a log waits for its note
        Binding("p", "copy_phone", "Copy phone", id="call-copy-phone"),
        Binding("d", "dial", "Dial", id="call-dial"),  # runs the person's dial_command and starts the call timer
        Binding("t", "timer", "Timer", id="call-timer"),  # (re)starts the timer, for a call dialed elsewhere
        Binding("escape", "end", "End block", id="call-end"),
    ]

    @classmethod
    def describe_binding(cls, binding: Binding) -> str:
        """Outcome keys are named from the domain's outcome table; the other keys from the catalog."""
        if binding.id and binding.id.startswith("call-outcome-"):
            return labels.call_outcome_short(binding.description)
        return _(binding.description)

    def __init__(self, state: AppState, queue: list[Record], start: int = 0) -> None:
        super().__init__()
        self.state = state
        self.notes: list[Record] = []  # the team's notes, read when the block opens
        self.queue = queue
        self.index = start
        self.stats = BlockStats()
        self.timer = CallTimer(lambda: self.stats.clock())  # from the dial (or t) to the outcome key: the duration
        self.history: list[Logged] = []
        self.pending: Logged | None = None  # logged, waiting for its note and follow-up
        self.durable_ms: list[float] = []
        self.script: str | None = None
        self.previews: dict[str, str] | None = None  # what each key does to the lead shown, without a WHEN
        self.lead_history: tuple[str, list[Record]] | None = None  # (lead id, its activities) the previews come from

    @property
    def lead(self) -> Record | None:
        return self.queue[self.index] if 0 <= self.index < len(self.queue) else None

    def compose(self) -> ComposeResult:
        yield Static(id="block-stats")
        with Horizontal(id="block-body"):
            with Vertical(id="block-left"):
                with VerticalScroll(id="block-lead"):
                    yield Static(id="block-company")
                    yield Digits(id="block-phone")
                    yield Static(id="block-card")
                    yield Static(id="block-timeline")
                with Vertical(id="block-prompt"):  # always displayed, at the bottom: focus lands in it with the digit key
                    yield Static(Text(prompt_text()), id="prompt-title")
                    yield Input(placeholder=_("note (optional)"), id="prompt-note", compact=True)
                    yield Input(placeholder=_("next follow-up WHEN (optional): tomorrow 10am, +3d, mon"), id="prompt-next",
                                compact=True)
                    yield Static(id="prompt-error")
            with VerticalScroll(id="block-right"):
                yield Static(Text(_("Outcome keys"), style="bold"))
                yield Static(outcome_keys(), id="block-keys")
                yield Static(Text("\n" + _(
                    "{dial} dial · {timer} timer · {undo} (or {u}) undo · {skip} skip · {notes} notes · {phone} copy phone · "
                    "{end} end").format(
                    dial=keys.key("call-dial"), timer=keys.key("call-timer"), undo=keys.key("call-ctrl-undo"),
                    u=keys.key("call-undo"), skip=keys.key("call-skip"), notes=keys.key("call-notes"),
                    phone=keys.key("call-copy-phone"), end=keys.key("call-end")),
                    style="dim"))
                yield Static(Text("\n" + _("Notes for this lead ({key})").format(key=keys.key("call-notes")), style="bold"))
                yield Static(id="block-notes")
        yield IstuiFooter(self.app.size.width)

    def on_mount(self) -> None:
        self.show_lead()
        self.set_interval(1, self.update_stats)
        self._load_notes()

    @work(thread=True, exclusive=True, group="block-notes", exit_on_error=False)
    def _load_notes(self) -> None:
        notes = self.state.ws.notes()
        self.app.call_from_thread(self._notes_loaded, notes)

    def _notes_loaded(self, notes: list[Record]) -> None:
        self.notes = notes
        self.show_notes()

    @work(thread=True, exclusive=True, group="block-timeline", exit_on_error=False)
    def _load_timeline(self, lead_id: str) -> None:
        history = self.state.ws.activities_of_lead(lead_id)
        self.app.call_from_thread(self._timeline_loaded, lead_id, history)

    def _timeline_loaded(self, lead_id: str, history: list[Record]) -> None:
        if self.lead is not None and self.lead["id"] == lead_id:
            self.lead_history = (lead_id, history)
            self.query_one("#block-timeline", Static).update(timeline(history, self.state.now, limit=6))
            try:  # what each key does without a WHEN, for this lead (its calls without a connect counted)
                self.previews = schedule_preview(self.state.ws, self.lead, history)
            except IstuiError:
                return
            self.show_keys()

    def show_keys(self) -> None:
        """The outcome keys, with what each does to this lead where the screen is wide enough to say it."""
        self.query_one("#block-keys", Static).update(outcome_keys(self.previews, narrow=self.has_class("-narrow")))

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_keys)  # after the width class has changed

    def update_stats(self) -> None:
        position = _("lead {number}/{total}").format(number=min(self.index + 1, len(self.queue)), total=len(self.queue))
        stats = self.query_one("#block-stats", Static)
        width = stats.content_region.width or self.app.size.width - 2
        on_call = [_("on call {time}").format(time=duration(self.timer.elapsed()))] if self.timer.running else []
        stats.update(Text(flow([(_("Call block") + " · ", [position, *on_call, *self.stats.parts()])], width)))

    def show_lead(self) -> None:
        lead = self.lead
        if lead is None:
            self.action_end()
            return
        state = self.state
        lead = state.lead(lead["id"], lead)
        self.query_one("#block-company", Static).update(Text(terminal_safe(lead.get("company", ""))))
        phone = lead.get("phone", "")
        digits = self.query_one("#block-phone", Digits)
        dialable = bool(phone) and all(ch in " 0123456789+-()" for ch in phone)
        if dialable:
            digits.update(phone)
        digits.set_class(not dialable, "-hidden")  # a class, not `display`: short screens hide it in istui.tcss
        self.query_one("#block-card", Static).update(state_card(lead, state))
        self._load_timeline(lead["id"])
        self.show_notes()
        self.update_stats()

    def show_notes(self) -> None:
        lead = self.lead
        if lead is None:
            return
        text = Text()
        for note in relevant_notes(self.notes, lead)[:8]:
            marker = "▶ " if note["id"] == self.script else "• "
            text.append(marker + terminal_safe(note["title"]) + "\n")
        self.query_one("#block-notes", Static).update(text)

    # --- dispositions --------------------------------------------------------------------------
    def action_dispose(self, outcome: str) -> None:
        if isinstance(self.focused, Input) or self.pending is not None:
            raise SkipAction()  # typed text: the digit goes to the field
        lead = self.lead
        if lead is None:
            return
        started = time.perf_counter()
        try:
            history = self.lead_history[1] if self.lead_history and self.lead_history[0] == lead["id"] else None
            seconds = self.timer.elapsed() if self.timer.running else None
            logged = log_activity(self.state.ws, lead["id"], "call", outcome, script=self.script, ask_later=True,
                                  history=history, duration=None if seconds is None else round(seconds))
        except IstuiError as exc:
            self.notify(error_text(exc), severity="error", markup=False)
            return
        self.timer.stop()  # the call is over: its time is in the record
        self.durable_ms.append((time.perf_counter() - started) * 1000)  # key to fsync'd record (bench/)
        info = CALL_OUTCOME_INFO[outcome]
        self.stats.add(outcome, info.reached)
        self.history.append(logged)
        self.pending = logged
        self._push_undo(logged, lead)
        self._written(logged)
        self.show_logged(logged.lead)
        prompt = self.query_one("#block-prompt")
        prompt.add_class("open")
        self.query_one("#prompt-title", Static).update(Text(
            _("Logged {outcome} · {company}\nNote and follow-up, then Enter (Tab: next field)").format(
                outcome=labels.call_outcome(info.outcome.value), company=named(lead.get("company", "")))
            + "\n" + _(ESC_HINT).format(close=keys.key("call-close-prompt"), end=keys.key("call-end"))))
        self.query_one("#prompt-error", Static).update("")
        note, when = self.query_one("#prompt-note", Input), self.query_one("#prompt-next", Input)
        note.value, when.value = "", ""
        self.set_focus(note)  # at once, so keys typed right after the digit land in the note
        self._ask(outcome)
        self.update_stats()
        self.refresh_bindings()  # esc now closes the prompt (footer)

    def action_next_field(self) -> None:
        """Tab from the note to the follow-up field at once (priority), so what is typed right behind the Tab lands
        there; anywhere else Tab does what it always does."""
        note = self.query_one("#prompt-note", Input)
        if self.pending is None or self.focused is not note:
            raise SkipAction()
        self.set_focus(self.query_one("#prompt-next", Input))

    def action_save_prompt(self) -> None:
        """Enter in the note or follow-up field saves at once (priority, not a message handled later), so a digit
        typed right behind it already logs the next lead's call."""
        if self.pending is None or not isinstance(self.focused, Input):
            raise SkipAction()
        self.finish_prompt()

    def _ask(self, outcome: str) -> None:
        """A callback needs its WHEN, a booked meeting asks for its time: say so at the follow-up field (Enter
        without a callback's WHEN moves the focus there)."""
        when = self.query_one("#prompt-next", Input)
        if outcome == ASKS_FOR_WHEN:
            when.placeholder = _("callback: when did they ask to be called? tomorrow 15:00, fri 10am")
            self.query_one("#prompt-error", Static).update(Text(_("A callback needs its time: type it in the follow-up field.")))
        elif outcome == ASKS_FOR_MEETING:
            when.placeholder = _("meeting time WHEN and @who attends (empty: set it later): tue 14:00 @kimura")
        else:
            when.placeholder = _("next follow-up WHEN (optional): tomorrow 10am, +3d, mon")

    def finish_prompt(self) -> None:
        if self.pending is None:
            return
        note = self.query_one("#prompt-note", Input).value
        when = self.query_one("#prompt-next", Input).value
        state = self.state
        outcome = self.pending.activity["outcome"]
        field = "meeting" if outcome == ASKS_FOR_MEETING else "next"
        attending: list[str] = []
        if field == "meeting":
            when, attending = split_attendees(when)
        try:
            if attending and not when.strip():
                raise BadInput(_("meeting: give the meeting's time before those attending, e.g. tue 14:00 @kimura."))
            if when.strip():
                parse_follow_up(when, state.now, field)
            elif outcome == ASKS_FOR_WHEN:
                raise BadInput(_("next: a callback needs the time they asked for, e.g. tomorrow 15:00."))
        except IstuiError as exc:
            self.query_one("#prompt-error", Static).update(Text(terminal_safe(exc)))
            self.set_focus(self.query_one("#prompt-next", Input))
            return
        if note.strip() or when.strip():
            try:
                amended = (amend_log(state.ws, self.pending, note=note, meeting=when, meeting_with=attending)
                           if field == "meeting" else amend_log(state.ws, self.pending, note=note, next_when=when))
            except IstuiError as exc:
                self.query_one("#prompt-error", Static).update(Text(terminal_safe(error_text(exc))))
                return
            self.history[-1] = amended
            self._written(amended, lead_changed=amended.lead is not self.pending.lead)
        self.close_prompt()
        self.next_lead()

    def show_logged(self, lead: Record) -> None:
        """The card and timeline of the lead just logged, as the log left it (stage, follow-up, the call)."""
        self.query_one("#block-card", Static).update(state_card(lead, self.state))
        self._load_timeline(lead["id"])

    def action_close_prompt(self) -> None:
        """esc in the prompt, after any outcome: the call stays as the digit logged it (a callback keeps its
        provisional follow-up, so the lead stays queued; a meeting waits for its time), what was typed is left
        out (said so), and the lead stays on screen; esc again ends the block."""
        if self.pending is None:
            return
        logged = self.pending
        typed = any(self.query_one(f"#prompt-{name}", Input).value.strip() for name in ("note", "next"))
        self.close_prompt()
        self.show_logged(logged.lead)
        if typed:  # never silently
            self.notify(_("Left out what was typed; the call stays logged as {outcome}.").format(
                outcome=labels.call_outcome(logged.activity["outcome"])), markup=False)

    def close_prompt(self) -> None:
        self.pending = None
        self.refresh_bindings()
        self.query_one("#prompt-error", Static).update("")  # a refusal about the log closed goes with it
        self.query_one("#block-prompt").remove_class("open")
        self.query_one("#prompt-title", Static).update(Text(prompt_text()))
        self.query_one("#prompt-note", Input).value = ""
        self.query_one("#prompt-next", Input).value = ""
        self._ask("")  # the follow-up field's usual hint again (a callback's is for that call only)
        self.set_focus(None)

    def _written(self, logged: Logged, lead_changed: bool | None = None) -> None:
        """Tell the app what a log wrote (the lead, when it changed; else just the activity)."""
        changed = bool(logged.lead_changes) if lead_changed is None else lead_changed
        self.app.post_message(LeadWritten(logged.lead) if changed else Wrote())

    def next_lead(self) -> None:
        self.timer.stop()
        self.index += 1
        self.script = None
        self.show_lead()

    def action_skip(self) -> None:
        if self.pending is not None:
            self.finish_prompt()
            return
        self.next_lead()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In the note and follow-up fields, letters are typed text: the footer shows ctrl+z, not u / s / k / p.
        esc closes the prompt while a log waits for its note and follow-up, else it ends the block."""
        if action == "close_prompt":
            return self.pending is not None
        if action == "end":
            return self.pending is None
        return not (action in ("undo", "skip", "notes", "copy_phone", "dial", "timer") and isinstance(self.focused, Input))

    def _push_undo(self, logged: Logged, lead: Record) -> None:
        """Every log goes on the app's one undo history (ctrl+z anywhere, u here), so it can be taken back from
        the note field and after the block has ended. The undo takes the log as last amended (note, follow-up)."""
        activity_id = logged.activity["id"]
        what = _("call {outcome} for {company}").format(outcome=labels.call_outcome(logged.activity["outcome"]),
                                                       company=lead.get("company", ""))
        app = self.app

        def undo() -> str | None:
            latest = next((entry for entry in reversed(self.history) if entry.activity["id"] == activity_id), logged)
            undone = undo_log(self.state.ws, latest)
            app.post_message(LeadWritten(undone.lead))
            if latest in self.history:
                self.history.remove(latest)
            if self in app.screen_stack:
                self._undone(latest, undone.lead)
            return None if undone.restored else changed_since_label()

        self.state.undo.push(what, undo)

    def action_undo(self) -> None:
        """u: the block's last log (ctrl+z, the app's undo, takes back whatever was done last)."""
        if not self.history:
            self.notify(_("Nothing to undo in this block."), markup=False)
            return
        self.app.action_undo()

    def _undone(self, logged: Logged, lead: Record) -> None:
        """A log of this block was taken back: its counts go, and the lead is up again."""
        info = CALL_OUTCOME_INFO[logged.activity["outcome"]]
        self.stats.add(info.outcome.value, info.reached, sign=-1)
        if self.pending is not None and self.pending.activity["id"] == logged.activity["id"]:
            self.close_prompt()
        else:
            position = next((i for i, row in enumerate(self.queue) if row["id"] == lead["id"]), None)
            if position is not None:
                self.index = position
        self.show_lead()
        if self.lead is not None and self.lead["id"] == lead["id"]:
            self.show_logged(lead)  # as the undo left it (the app's copy is updated a moment later)

    def action_copy_phone(self) -> None:
        """The lead's phone number to the clipboard, to paste into a softphone (dialing itself is not istui's)."""
        lead = self.lead
        if lead is None:
            return
        phone = terminal_safe(self.state.lead(lead["id"], lead).get("phone", "")).strip()
        if not phone:
            self.notify(_("{company} has no phone number.").format(company=lead.get("company", "")), markup=False)
            return
        self.app.copy_to_clipboard(phone)
        self.notify(_("Copied {phone}.").format(phone=phone), markup=False)

    def action_dial(self) -> None:
        """d: dial the lead shown (or copy its number) and start the call timer."""
        lead = self.lead
        if lead is not None and self.pending is None and dial_lead(self.app, self.state, self.state.lead(lead["id"], lead)):
            self.timer.start()
            self.update_stats()

    def action_timer(self) -> None:
        """t: start the call timer again (a call dialed on a desk phone); the outcome key stops it."""
        if self.lead is not None and self.pending is None:
            self.timer.start()
            self.update_stats()

    def action_notes(self) -> None:
        lead = self.lead
        if lead is None:
            return
        notes = relevant_notes(self.notes, lead)

        def chosen(note_id: str | None) -> None:
            if not note_id:
                return
            self.script = note_id
            if self.pending is not None:
                self.pending = amend_log(self.state.ws, self.pending, script=note_id)
                self.history[-1] = self.pending
            self.show_lead()

        self.app.push_screen(NotePicker(notes), chosen)

    def action_end(self) -> None:
        if self.pending is not None:
            self.finish_prompt()
            if self.pending is not None:  # the follow-up did not parse: stay
                return
        summary = self.stats.summary()
        self.dismiss(None)
        self.app.push_screen(BlockSummary(summary))
