"""What panes and screens tell the app (they never import it): a lead was written or removed, something
else was written, a lead should be shown. The app updates its state and every pane."""

from __future__ import annotations

from textual.message import Message

from istui.store.workspace import Record


class LeadWritten(Message):
    """This app wrote a lead (added or changed): show the new record everywhere."""

    def __init__(self, lead: Record) -> None:
        super().__init__()
        self.lead = lead


class LeadRemoved(Message):
    def __init__(self, lead_id: str) -> None:
        super().__init__()
        self.lead_id = lead_id


class Wrote(Message):
    """This app wrote something other than a lead (an activity, a note, a target): refresh the header."""


class ShowLead(Message):
    """Show this lead in the Leads tab (the palette's "go to lead")."""

    def __init__(self, lead_id: str) -> None:
        super().__init__()
        self.lead_id = lead_id
