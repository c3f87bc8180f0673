"""Calendar invites for a lead's meeting (`istui meeting ID --ics FILE | --send`), and their cancellation once it is
called off (`--cancel`): an iCalendar REQUEST (or CANCEL) made with the
`icalendar` package — the organizer the rep who booked the meeting (their roster address, whoever sends it),
attendees asked to answer (RSVP), the start in
the workspace's time zone with its VTIMEZONE, summary and description in the language in force, the handoff sheet
in the description — and the mail that carries it as text/calendar, which Outlook and Google Calendar show with
Accept and Decline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from istui.domain import handoffs as ho
from istui.domain.errors import BadInput
from istui.domain.roster import display_name
from istui.domain.text import terminal_safe
from istui.i18n import _
from istui.store.workspace import Record, Workspace

DEFAULT_MINUTES = 60
_EPOCH = datetime(2020, 1, 1).timestamp()


class Invite(NamedTuple):
    organizer: tuple[str, str]  # (display name, address)
    attendees: list[tuple[str, str]]
    subject: str
    ics: bytes
    method: str = "REQUEST"  # or CANCEL: the meeting called off


def _person(ws: Workspace, name: str) -> tuple[str, str]:
    entry = (ws.settings.roster or {}).get(name) or {}
    address = _address_of(entry.get("email"))
    if not address:
        raise BadInput(_("{name} has no e-mail address on the roster, so the invite cannot name them; add it with "
                         "`istui rep set {name} --email ADDRESS`.").format(name=terminal_safe(name)))
    return terminal_safe(display_name(ws.settings.roster, name)), address


def _address_of(value: object) -> str:
    """An address as an invite may name it ("" for none, or for one holding a space or a control character)."""
    text = str(value or "").strip()
    return text if text and terminal_safe(text) == text and not any(ch.isspace() for ch in text) else ""


def organizer_of(ws: Workspace, lead: Record) -> str:
    """Who organizes the lead's meeting: the rep who booked it (whoever sends its invite, update or cancellation:
    a calendar takes them for one event only from one organizer), else this rep."""
    booker = ho.meeting_of(lead).get("by")
    return booker if isinstance(booker, str) and booker else ws.rep


def invite_people(ws: Workspace, lead: Record, *, contact: bool = False, also: Iterable[str] = ()
                  ) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """(organizer, attendees) of the lead's meeting invite: its organizer (`organizer_of`) and everyone else
    attending — those booked with it, the field rep it was handed to — the lead's contact when `contact`, and the
    addresses `also` (those an earlier invite went to; one unusable, a hand edit, is left out). BadInput, one
    sentence, when someone has no usable address or nobody is invited."""
    name = organizer_of(ws, lead)
    organizer = _person(ws, name)
    handoff = ho.handoff_of(lead)
    names = [n for n in dict.fromkeys([*ho.attendees(lead), str(handoff.get("to") or "")]) if n and n != name]
    people = [_person(ws, name) for name in names]
    if contact:
        address = _address_of(lead.get("email"))
        if not address:
            raise BadInput(_("contact: {company} has no e-mail address to invite.").format(
                company=terminal_safe(lead.get("company", ""))))
        people.append((terminal_safe(str(lead.get("contact") or lead.get("company") or "")), address))
    people += [(address, address) for address in dict.fromkeys(map(_address_of, also))
               if address and address not in {known for _name, known in people} and address != organizer[1]]
    if not people:
        raise BadInput(_("meeting: nobody to invite; name the field rep with --with NAME (or --contact for the lead's "
                         "contact)."))
    return organizer, people


def _description(ws: Workspace, lead: Record) -> str:
    """What an invite among the team says of the lead: the handoff sheet, else its contact details (an invite that
    also goes outside the team, to the lead's contact, says only what the meeting is)."""
    from istui.services.handoff import handoff_sheet

    if isinstance(lead.get("handoff"), dict) and lead["handoff"]:
        return handoff_sheet(lead, ws.activities_of_lead(lead["id"]), ws.settings.currency)
    lines = [f"{_('Company')}: {lead.get('company', '')}", f"{_('Contact')}: {lead.get('contact', '')}",
             f"{_('Phone')}: {lead.get('phone', '')}", f"{_('E-mail')}: {lead.get('email', '')}",
             f"{_('Lead id')}: {lead['id']}"]
    return terminal_safe("\n".join(lines), multiline=True)


def cancelled_view(lead: Record) -> Record:
    """The lead as it was while its meeting called off last was its meeting (what the cancellation names: the same
    event, the same people); BadInput, one sentence, when it has none called off since its last meeting."""
    found = ho.called_off_last(lead)
    if found is None:
        raise BadInput(_("meeting: {company} has no meeting called off to send a cancellation for.").format(
            company=terminal_safe(lead.get("company", ""))))
    return ho.as_current(lead, *found)


def build_invite(ws: Workspace, lead: Record, *, contact: bool = False, cancel: bool = False) -> Invite:
    """The meeting's invite (`invite_people` says who is in it), or with `cancel` the cancellation of the meeting
    called off last (METHOD:CANCEL, the same UID, a later SEQUENCE: a calendar removes the event it invited to).
    BadInput, one sentence, when the lead has no such meeting or someone in it has no address."""
    import icalendar

    if cancel:
        lead = cancelled_view(lead)
    if not lead.get("meeting_at"):
        raise BadInput(_("meeting: {company} has no meeting time set; set it with `istui meeting {id} --at WHEN`.")
                       .format(company=terminal_safe(lead.get("company", "")), id=lead["id"][:10]))
    meeting = ho.meeting_of(lead)
    # a cancellation goes to everyone the invite went to, also those a move or a change of attendees left out since
    organizer, people = invite_people(ws, lead, contact=contact, also=ho.invited(meeting) if cancel else ())
    start = datetime.fromisoformat(lead["meeting_at"]).astimezone(ws.tz)
    minutes = meeting.get("minutes") if type(meeting.get("minutes")) is int else DEFAULT_MINUTES
    subject = _("Meeting: {company}").format(company=terminal_safe(lead.get("company", "")))
    if cancel:
        subject = _("Called off: {subject}").format(subject=subject)
    now = ws.now()
    event = icalendar.Event()
    event.add("uid", f"meeting-{lead['id']}-{len(lead.get('meeting_history') or [])}@istui")
    # a moved meeting updates the one invited before, and a cancellation any invite made before it (even one of the
    # same second); an invite made again after a call-off is undone comes after the cancellation
    event.add("sequence", 2 * int(now.timestamp() - _EPOCH) + int(cancel))
    event.add("dtstamp", now.astimezone(ws.tz))
    event.add("dtstart", start)
    event.add("dtend", (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(ws.tz))  # (across a DST change)
    event.add("summary", subject)
    team = {_address_of(entry.get("email")) for entry in (ws.settings.roster or {}).values() if isinstance(entry, dict)}
    inside = all(address in team for _name, address in people)  # (the contact, or anyone off the roster: outside)
    event.add("description", _description(ws, lead) if inside else subject)
    if meeting.get("place"):
        event.add("location", terminal_safe(str(meeting["place"])))
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("organizer", _address(organizer, organizer=True))
    for person in people:
        event.add("attendee", _address(person, answer=not cancel), encode=0)
    method = "CANCEL" if cancel else "REQUEST"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//istui//meeting invite//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return Invite(organizer, people, subject, calendar.to_ical(), method)


def _address(person: tuple[str, str], organizer: bool = False, answer: bool = True) -> Any:
    import icalendar

    value = icalendar.vCalAddress(f"mailto:{person[1]}")
    value.params["CN"] = icalendar.vText(person[0] or person[1])
    if not organizer:
        value.params.update({"ROLE": "REQ-PARTICIPANT", "CUTYPE": "INDIVIDUAL"})
        if answer:  # (a cancellation asks nobody to answer)
            value.params.update({"PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"})
    return value


def invite_message(invite: Invite, sent: datetime, msgid: str, sender: tuple[str, str] | None = None) -> bytes:
    """The invite as a mail from the organizer (or `sender`, sending for them): a text part for readers without a
    calendar and the text/calendar part (method=REQUEST or CANCEL) that a calendar answers, CRLF line ends."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, formataddr

    message = EmailMessage(policy=SMTP)
    message["From"] = formataddr(sender or invite.organizer)
    message["To"] = ", ".join(formataddr(person) for person in invite.attendees)
    message["Subject"] = " ".join(invite.subject.split())
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = msgid
    said = _("{subject}: the cancellation is attached; your calendar removes the meeting.") if invite.method == "CANCEL" \
        else _("{subject}: the invite is attached for your calendar.")
    message.set_content(said.format(subject=invite.subject))
    message.add_alternative(invite.ics, maintype="text", subtype="calendar", params={"method": invite.method})
    calendar_part = message.get_payload()[-1]
    calendar_part.set_param("charset", "utf-8")
    return message.as_bytes()


def send_invite(ws: Workspace, lead: Record, *, contact: bool = False, cancel: bool = False) -> Invite:
    """Mail the invite (or the cancellation) to every attendee with the person's mail transport (`[mail]` of their
    config)."""
    from istui.services.mail import Mail, Transport, load_config, message_id

    config = load_config()
    invite = build_invite(ws, lead, contact=contact, cancel=cancel)
    domain = invite.organizer[1].rpartition("@")[2] or "istui.invalid"
    msgid = message_id(domain)
    me = _address_of(((ws.settings.roster or {}).get(ws.rep) or {}).get("email"))
    sending = _person(ws, ws.rep) if me and me != invite.organizer[1] else None  # (sending for the organizer)
    data = invite_message(invite, ws.now(), msgid, sending)
    sender = config.sender or (sending or invite.organizer)[1]
    with Transport(config) as transport:  # (MailError, one sentence, when the transport fails)
        for _name, address in invite.attendees:
            transport.send(Mail(sender, address, msgid, data))
    return invite


def deliver_invite(ws: Workspace, lead: Record, *, path: Path | None = None, mail: bool = False, contact: bool = False,
                   cancel: bool = False) -> Invite:
    """The meeting's invite (or, `cancel`, its cancellation) mailed to those in it (`mail`) and/or written to `path`
    (`services.export.write_export`); an invite's addressees are then noted on the meeting (`meetings.note_invited`),
    so that its cancellation reaches them all."""
    from istui.services.export import write_export
    from istui.services.meetings import note_invited

    invite = send_invite(ws, lead, contact=contact, cancel=cancel) if mail else \
        build_invite(ws, lead, contact=contact, cancel=cancel)
    if path is not None:
        write_export(path, invite.ics, ws.root)
    if not cancel:
        note_invited(ws, lead["id"], [address for _name, address in invite.attendees])
    return invite
