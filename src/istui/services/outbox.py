"""One mail to one lead from a template (issue 15): whether the lead may get mail, the template rendered for it,
the message built, handed to the person's transport, and logged as an `email sent` activity with the template and
the Message-ID. Campaigns (`services.campaigns`) compose and build their mails here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from istui.domain.errors import BadInput
from istui.domain.model import ActivityKind, NoteKind
from istui.domain.outcomes import BOUNCED_ADDRESS, OPTED_OUT, EmailOutcome
from istui.domain.parsing import multiline_text, optional_text
from istui.i18n import N_, _
from istui.services import mail
from istui.services.mail_templates import render
from istui.store.workspace import Record, Workspace

#: Why a lead gets no mail (a campaign's exclusions report these; a one-to-one mail refuses with the sentence).
NO_ADDRESS, DNC, DUPLICATE, UNRENDERABLE = "no_address", "do_not_contact", "duplicate_address", "unrenderable"
EXCLUSIONS = {NO_ADDRESS: N_("no e-mail address"), OPTED_OUT: N_("unsubscribed"), BOUNCED_ADDRESS: N_("hard-bounced address"),
              DNC: N_("do not contact"), DUPLICATE: N_("same address as another recipient"),
              UNRENDERABLE: N_("a merge field is missing")}


def exclusion_words(excluded: dict[str, list[str]]) -> str:
    """`no e-mail address 3, unsubscribed 1`: who a campaign left out, by reason."""
    return _(", ").join(f"{_(EXCLUSIONS.get(reason, reason))} {len(ids):,}" for reason, ids in excluded.items())


def address_key(address: str) -> str:
    """What makes two addresses one mailbox here: compared without regard to case and width (ＳＡＴＯ＠… is sato@…)."""
    import unicodedata

    return unicodedata.normalize("NFKC", address).strip().casefold()


def suppressed(leads: Iterable[Record]) -> dict[str, str]:
    """Address (`address_key`) → why no mail goes to it: an opt-out or a hard bounce of any lead with that address
    counts for every lead with it (an opt-out over a bounce), so a second lead of one person gets none either."""
    found: dict[str, str] = {}
    for lead in leads:
        status = lead.get("email_status")
        if status in (OPTED_OUT, BOUNCED_ADDRESS) and lead.get("email"):
            key = address_key(str(lead["email"]))
            if found.get(key) != OPTED_OUT:
                found[key] = status
    return found


def why_no_mail(lead: Record, *, campaign: bool = False, blocked: Mapping[str, str] | None = None) -> str | None:
    """The reason (a key of EXCLUSIONS) `lead` may get no mail, or None; `blocked`: the addresses `suppressed`.
    Do-not-contact (a do-not-call lead) is left out of campaigns; a rep may still write to one person."""
    if not str(lead.get("email") or "").strip():
        return NO_ADDRESS
    if lead.get("email_status") in (OPTED_OUT, BOUNCED_ADDRESS):
        return lead["email_status"]
    if blocked and address_key(str(lead["email"])) in blocked:
        return blocked[address_key(str(lead["email"]))]
    if campaign and lead.get("dnc"):
        return DNC
    return None


def template_of(ws: Workspace, note_id: str) -> Record:
    note = ws.get_note(ws.resolve_note(note_id))
    if note.get("kind") != NoteKind.TEMPLATE:
        raise BadInput(_("template: note {id} ({title}) is a {kind}, not an e-mail template; `istui note list` shows "
                         "the templates (kind template).").format(id=note["id"], title=note.get("title", ""),
                                                                   kind=note.get("kind") or "note"))
    return note


class Sender(NamedTuple):
    """Who a mail is from and how it goes: the display name and address, the transport settings, the opt-out."""

    display: str
    address: str
    config: mail.MailConfig
    unsubscribe: str

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def opt_out_line(self, japanese: bool = False) -> str:
        """What `{{ unsubscribe }}` renders as: how to stop the mails (特定電子メール法), in the template's language
        (Japanese when it holds Japanese), not the screen's."""
        reply = self.unsubscribe.startswith("mailto:")
        address = self.unsubscribe.removeprefix("mailto:").partition("?")[0] if reply else self.unsubscribe
        if japanese:
            return (f"配信停止をご希望の方は「配信停止」とご返信ください: {address}" if reply
                    else f"配信停止はこちらから: {address}")
        return (f"To stop receiving these e-mails, reply with “unsubscribe”: {address}" if reply
                else f"To stop receiving these e-mails: {address}")


def sender(ws: Workspace, *, transport: bool = True) -> Sender:
    """The rep working, with their mail transport (BadInput when they have none). Without `transport` (a preview, a
    campaign made before a transport is set) the roster's name and address do when there is no [mail] table."""
    member = {"name": ws.rep, **((ws.settings.roster or {}).get(ws.rep) or {})}
    try:
        config = mail.load_config()
    except BadInput:
        if transport or not member.get("email"):
            raise
        config = None
    display, address = mail.sender_of(config, member)
    return Sender(display, address, config, mail.unsubscribe_address(config, address))  # type: ignore[arg-type]


class Draft(NamedTuple):
    lead: Record
    template: Record
    subject: str
    body: str


def compose(ws: Workspace, lead: Record, template: Record, who: Sender, *, campaign: bool = False,
            blocked: Mapping[str, str] | None = None) -> Draft:
    """The template rendered for `lead` (BadInput, one sentence, for a lead that gets no mail or a missing field);
    `blocked`: the addresses `suppressed` (None: those of the leads with the lead's address, read now)."""
    if blocked is None and lead.get("email"):
        key = address_key(str(lead["email"]))
        blocked = suppressed(other for other in ws.leads() if address_key(str(other.get("email") or "")) == key)
    reason = why_no_mail(lead, campaign=campaign, blocked=blocked)
    if reason is not None:
        raise BadInput(_("{company} gets no mail: {reason}.").format(company=lead.get("company", ""),
                                                                      reason=_(EXCLUSIONS[reason])))
    rep = {"name": ws.rep, "display": who.display, "email": who.address}
    japanese = any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in str(template.get("body") or ""))
    subject, body = render(template, lead, rep, unsubscribe=who.opt_out_line(japanese), today=ws.now().date())
    return Draft(lead, template, subject, body)


def message_for(draft: Draft, who: Sender, msgid: str, *, sent: Any, campaign: bool = False) -> mail.Mail:
    lead = draft.lead
    to = mail.parse_address(str(lead["email"]), "email")[1]
    return mail.build(sender=(who.display, who.address), to=(str(lead.get("contact") or ""), to), subject=draft.subject,
                      body=draft.body, sent=sent, msgid=msgid, unsubscribe=who.unsubscribe if campaign else "")


def send_one(ws: Workspace, lead_id: str, template_id: str, *, subject: str | None = None, body: str | None = None,
             dry_run: bool = False) -> tuple[mail.Mail, Any]:
    """Send `template_id` to the lead (its subject or body replaced by a rep's edit) and log it: (message, Logged),
    Logged None on a dry run. Nothing is logged unless the transport took the mail."""
    from istui.services.leads import log_activity

    who = sender(ws, transport=not dry_run)
    draft = compose(ws, ws.get_lead(lead_id), template_of(ws, template_id), who)
    if subject is not None:
        draft = draft._replace(subject=optional_text(subject, "subject"))
    if body is not None:
        draft = draft._replace(body=multiline_text(body, "body", strip=False))
    if not draft.subject:
        raise BadInput(_("subject: a mail needs a subject."))
    now = ws.now()
    message = message_for(draft, who, mail.message_id(who.domain), sent=now)
    if dry_run:
        return message, None
    with mail.Transport(who.config) as transport:
        transport.send(message)
    logged = log_activity(ws, lead_id, ActivityKind.EMAIL, EmailOutcome.SENT, extra={
        "template": draft.template["id"], "message_id": message.msgid, "address": message.recipient})
    return message, logged


def readable(sent: mail.Mail) -> str:
    """The message as a person reads it: the main headers decoded, then the body."""
    message = sent.message()
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe")
             if message[name]]
    return "\n".join(lines) + "\n\n" + message.get_content().replace("\r\n", "\n")


def edit_in_editor(root: Any, subject: str, body: str, suspended: Any = None) -> tuple[str, str]:
    """The mail as the person leaves it in $VISUAL / $EDITOR (`editing.edit_text`): its first line `Subject: …`, a
    blank line, the body. BadInput, one sentence, when the editor fails or the draft lost its form."""
    import os

    from istui.services.editing import edit_text

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        code, text = edit_text(root, f"Subject: {subject}\n\n{body}", editor, suspended=suspended)
    except (OSError, ValueError) as error:
        raise BadInput(_("The editor could not run: {error}").format(error=error)) from None
    if code != 0:
        raise BadInput(_("The editor exited with an error; nothing was sent."))
    head, _blank, rest = text.partition("\n\n")
    if not head.startswith("Subject:") or not rest.strip():
        raise BadInput(_("The edited mail needs its first line 'Subject: …', a blank line, then the body; nothing was sent."))
    return head.removeprefix("Subject:").strip(), rest
