"""`d`: dial the lead shown, from the lead card (Leads, Today) and in the call block (`services.dialing`)."""

from __future__ import annotations

from typing import Any

from istui.domain.errors import IstuiError
from istui.i18n import _
from istui.services.dialing import dial, dial_command
from istui.tui.state import AppState, error_text


def dial_lead(app: Any, state: AppState, lead: dict[str, Any]) -> bool:
    """Run the person's dial command for the lead's number, or copy the number when there is none; say which. True
    when the call is under way (the call block starts its timer), False when refused (said why)."""
    try:
        dialed = dial(lead, state.ws.settings.phone_region, dial_command())
    except IstuiError as exc:
        app.notify(error_text(exc), severity="error", markup=False)
        return False
    if dialed.command is None:
        app.copy_to_clipboard(dialed.national)
        app.notify(_("Copied {number}: set [phone] dial_command in ~/.config/istui/config.toml to dial from istui.")
                   .format(number=dialed.national), markup=False)
    else:
        app.notify(_("Dialing {number}…").format(number=dialed.national), markup=False)
    return True
