"""メルマガ: one template sent to many leads (issue 15; DESIGN.md sections 3–5).

`create` fixes the audience when the campaign is made (the leads a lead-list filter selects), leaving out and
reporting who may get no mail: no address, unsubscribed, a hard-bounced address, do-not-contact, a second lead
with an address already in the audience, a lead the template cannot be rendered for. The template must carry the
sender's name and address and an opt-out line (特定電子メール法), or the campaign is refused.

`send` is resumable and never sends twice: the `email sent` activities of the campaign are the record of who got
it; each is noted in a local journal as its mail is handed over and written to the sender's activity file in
batches (`_Journal`), so a send killed at any point and run again records what the server took and sends each
remaining recipient once. The one mail that may have been in the server's hands at the moment of a kill (handed
over, its answer never read) is not sent again: it is reported and kept as `uncertain` on the campaign, and
`--resend-uncertain` sends those (with the same Message-ID, made from the campaign and the lead). A refusal for one
recipient is reported and the rest go on; a failed connection or login pauses the campaign with one sentence.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from istui import locations
from istui.domain.errors import BadInput, IstuiError, NotFound
from istui.domain.ids import new_id, resolve_prefix
from istui.domain.model import ActivityKind, CampaignState
from istui.domain.outcomes import EmailOutcome
from istui.domain.parsing import optional_text
from istui.domain.periods import month_keys
from istui.i18n import _
from istui.services import mail, outbox
from istui.services.lead_select import clean_filters, select
from istui.store.workspace import Record, Workspace, iso

_OPT_OUT_WORDS = ("配信停止", "配信解除", "配信を希望されない", "unsubscribe", "opt out", "opt-out")


def campaigns(ws: Workspace) -> list[Record]:
    return sorted(ws.shared_storage(locations.CAMPAIGNS_FILE).records().values(), key=lambda c: c["created_at"])


def get(ws: Workspace, prefix: str) -> Record:
    storage = ws.shared_storage(locations.CAMPAIGNS_FILE)
    campaign_id = resolve_prefix(prefix, storage.records(), "campaign")
    found = storage.records().get(campaign_id)
    if found is None:
        raise storage.bad_record(campaign_id) or NotFound(_("campaign: no campaign with id {id}.").format(id=prefix))
    return dict(found)


def check_template(who: outbox.Sender, draft: outbox.Draft) -> None:
    """A campaign's mail must say who sends it (name and address) and how to stop it (特定電子メール法)."""
    body = draft.body.casefold()
    named = body.replace(who.address.casefold(), " ").replace(who.unsubscribe.casefold(), " ")  # the name, not in them
    lacks = [what for what, present in (
        (_("the sender's name ({{ rep.display }})"), who.display.casefold() in named),
        (_("the sender's address ({{ rep.email }})"), who.address.casefold() in body),
        (_("an opt-out line ({{ unsubscribe }})"), who.unsubscribe.removeprefix("mailto:").casefold() in body
         or any(word in body for word in _OPT_OUT_WORDS)))
        if not present]
    if lacks:
        raise BadInput(_("template {title} cannot go out as a campaign: a bulk mail must carry the sender's name and "
                         "address and a way to opt out (特定電子メール法), and it lacks {lacks}.").format(
            title=draft.template.get("title", ""), lacks=_(", ").join(lacks)))


def create(ws: Workspace, name: str, template_id: str, filters: dict[str, Any], *, dry_run: bool = False,
           leads: list[Record] | None = None) -> Record:
    """A campaign of `template_id` to the leads `filters` select (as `lead list`), or to `leads` (a view of the TUI's,
    as shown), with its exclusions."""
    name = optional_text(name, "name")
    if not name:
        raise BadInput(_("name: give the campaign a name, e.g. --name '12月メルマガ'."))
    if any(c.get("name") == name for c in campaigns(ws)):
        raise BadInput(_("name: a campaign is already called '{name}'; give this one another name.").format(name=name))
    template = outbox.template_of(ws, template_id)
    who = outbox.sender(ws, transport=False)
    cleaned = clean_filters(ws, filters)
    audience: list[str] = []
    excluded: dict[str, list[str]] = {}
    seen: set[str] = set()
    checked = False
    everyone = list(ws.leads())
    blocked = outbox.suppressed(everyone)  # an address opted out or bounced by any lead of it
    chosen = select(everyone, cleaned, ws.now()) if leads is None else sorted(
        leads, key=lambda lead: (lead["created_at"], lead["id"]), reverse=True)
    for lead in reversed(chosen):  # oldest first: the first lead keeps an address
        reason = outbox.why_no_mail(lead, campaign=True, blocked=blocked)
        if reason is None and outbox.address_key(lead["email"]) in seen:
            reason = outbox.DUPLICATE
        if reason is None:
            try:
                draft = outbox.compose(ws, lead, template, who, campaign=True, blocked=blocked)
            except BadInput:
                reason = outbox.UNRENDERABLE
            else:
                if not checked:
                    check_template(who, draft)
                    checked = True
        if reason is not None:
            excluded.setdefault(reason, []).append(lead["id"])
            continue
        seen.add(outbox.address_key(lead["email"]))
        audience.append(lead["id"])
    if not audience:
        raise BadInput(_("campaign: no lead of that list can get the mail ({count} left out); widen the filters.").format(
            count=sum(map(len, excluded.values()))))
    record = {"name": name, "template": template["id"], "rep": ws.rep, "audience": audience, "excluded": excluded,
              "filters": cleaned, "state": CampaignState.READY.value, "paused": None, "refused": {},
              "started_at": None, "finished_at": None}
    return record if dry_run else ws.save_shared(locations.CAMPAIGNS_FILE, record)


def sends(ws: Workspace, campaign: Record) -> dict[str, Record]:
    """The campaign's `email sent` activities by lead: who got it (its sender's files from its first month on)."""
    first = datetime.fromisoformat(campaign.get("started_at") or campaign["created_at"]).astimezone(ws.tz).date()
    months = month_keys(first, ws.now().date())
    found: dict[str, Record] = {}
    for activity in ws.activities(months=months, reps=[campaign["rep"]]):
        if activity.get("campaign") == campaign["id"] and activity.get("outcome") == EmailOutcome.SENT:
            found.setdefault(activity["lead"], activity)
    return found


class Sent(NamedTuple):
    """What one `campaign send` did."""

    campaign: Record
    sent: int  # handed to the transport now
    before: int  # had it from an earlier send
    refused: dict[str, str]  # lead → the server's or the template's sentence
    left_out: dict[str, list[str]]  # reason → leads that may no longer get mail (unsubscribed since, …)
    uncertain: list[str]  # leads whose mail was in the server's hands when a send stopped: not sent again


class _Journal:
    """The local record of a send under way (`.istui/campaign-<id>.sending`), held under an exclusive lock: one
    sender of a campaign at a time on this machine. Before a mail is handed over it names the lead; once the server
    took it, the mail's activity follows, and a batch of activities is written to the sender's activity file
    (one fsync) before the journal is cleared. What a kill leaves is read by the next send: the activities are
    written, and a lead named without its activity was in the server's hands (its mail may have arrived)."""

    BATCH, SECONDS = 200, 2.0  # activities written together, at most this many or this old

    def __init__(self, ws: Workspace, campaign_id: str, *, dry_run: bool = False) -> None:
        self.ws, self.campaign_id, self.dry_run = ws, campaign_id, dry_run
        self.pending: list[Record] = []
        self.flushed = time.monotonic()
        self.done = False

    def __enter__(self) -> _Journal:
        import fcntl

        folder = locations.Local(self.ws.root).folder
        folder.mkdir(mode=0o700, exist_ok=True)
        self.path = folder / f"campaign-{self.campaign_id}.sending"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise IstuiError(_("campaign {id} is being sent by another istui right now; wait for it to finish.").format(
                id=self.campaign_id[:10])) from None
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.flush()
            if self.done and not self.dry_run:
                os.unlink(self.path)
        finally:
            os.close(self.fd)

    def left(self, done: dict[str, Record]) -> tuple[list[Record], str | None]:
        """What a stopped send left: the activities of mails the server took that are not yet written (not in
        `done`), and the lead whose mail was being handed over."""
        import json

        chunks = []
        while chunk := os.read(self.fd, 1 << 16):
            chunks.append(chunk)
        written, handing = [], None
        for line in b"".join(chunks).decode("utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line torn by the kill
            if isinstance(entry, dict) and isinstance(entry.get("handing"), str):
                handing = entry["handing"]
            elif isinstance(entry, dict) and entry.get("campaign") == self.campaign_id and entry.get("lead") not in done:
                written.append(entry)
                handing = None if entry.get("lead") == handing else handing
        return written, handing

    def note(self, entry: Record) -> None:
        import json

        os.write(self.fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode())

    def sent(self, activity: Record) -> None:
        self.note(activity)
        self.pending.append(activity)
        if len(self.pending) >= self.BATCH or time.monotonic() - self.flushed > self.SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.dry_run:
            return  # a dry run reads the journal and leaves it as it was
        if self.pending:
            self.ws.bulk_insert(activities=self.pending)
            self.pending = []
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        self.flushed = time.monotonic()


def send(ws: Workspace, prefix: str, *, rate: float | None = None, dry_run: bool = False, resend_uncertain: bool = False,
         retry_refused: bool = False,
         progress: Callable[[int, int], None] | None = None, sleep: Callable[[float], None] = time.sleep) -> Sent:
    """Send the campaign to each recipient who has not got it yet (see the module's docstring). `rate`: mails per
    minute at most; `resend_uncertain`: the mails a kill left in the server's hands go too; `retry_refused`: so do those
    refused before (an address corrected since, a field filled in). MailError (after the
    campaign is saved as paused) when the transport fails."""
    campaign = get(ws, prefix)
    if campaign["rep"] != ws.rep:
        raise BadInput(_("campaign {name} is {rep}'s: they send it (its sent mails are theirs), or make your own with "
                         "`istui campaign create`.").format(name=campaign["name"], rep=campaign["rep"]))
    if rate is not None and not rate > 0:
        raise BadInput(_("rate: give mails per minute, a number above 0."))
    template = outbox.template_of(ws, campaign["template"])
    who = outbox.sender(ws)
    with _Journal(ws, campaign["id"], dry_run=dry_run) as journal:
        done = sends(ws, campaign)
        written, handing = journal.left(done)
        if written:  # mails a killed send handed over: their record first
            journal.pending = written
            journal.flush()
            done.update((activity["lead"], activity) for activity in written)
        uncertain = list(campaign.get("uncertain") or [])
        if handing and handing not in done and handing in campaign["audience"] and handing not in uncertain:
            uncertain.append(handing)
            if not dry_run:
                campaign = _save(ws, campaign, uncertain=uncertain)
                journal.flush()  # (the journal's word is now the campaign's)
        # a mail left unanswered by a kill waits for --resend-uncertain; a recipient the server refused for good (5xx)
        # or the template could not be rendered for is not tried again
        held = (set() if resend_uncertain else set(uncertain)) | (set() if retry_refused else set(campaign.get("refused") or {}))
        wanted = set(campaign["audience"]) - set(done) - held
        everyone = list(ws.leads())
        blocked = outbox.suppressed(everyone)  # opted out or bounced since, by any lead of the address
        leads = {lead["id"]: lead for lead in everyone if lead["id"] in wanted}
        refused: dict[str, str] = {}
        left_out: dict[str, list[str]] = {}
        drafts = []
        for lead_id in campaign["audience"]:
            if lead_id not in wanted:
                continue
            lead = leads.get(lead_id)
            reason = outbox.NO_ADDRESS if lead is None else outbox.why_no_mail(lead, campaign=True, blocked=blocked)
            if reason is not None:
                left_out.setdefault(reason, []).append(lead_id)
                continue
            try:
                drafts.append(outbox.compose(ws, lead, template, who, campaign=True, blocked=blocked))  # type: ignore[arg-type]
            except BadInput as error:
                refused[lead_id] = str(error)
        if drafts:
            check_template(who, drafts[0])
        if dry_run:
            return Sent(campaign, 0, len(done), refused, left_out, uncertain)
        campaign = _save(ws, campaign, state=CampaignState.SENDING.value, paused=None,
                         started_at=campaign.get("started_at") or iso(ws.now()))
        sent = 0
        pause = 60.0 / rate if rate else 0.0
        stamp = {"kind": ActivityKind.EMAIL.value, "outcome": EmailOutcome.SENT.value, "rep": ws.rep,
                 "campaign": campaign["id"], "template": template["id"], "updated_by": ws.rep}
        try:
            with mail.Transport(who.config) as transport:
                for number, draft in enumerate(drafts):
                    if number and pause:
                        journal.flush()  # a slow send keeps nothing waiting
                        sleep(pause)
                    lead_id, moment = draft.lead["id"], ws.now()
                    now = iso(moment)
                    message = outbox.message_for(draft, who, mail.message_id(who.domain, campaign["id"], lead_id),
                                                 sent=moment, campaign=True)
                    journal.note({"handing": lead_id})
                    try:
                        transport.send(message)
                    except mail.RecipientRefused as error:
                        refused[lead_id] = str(error)
                        continue
                    journal.sent({**stamp, "id": new_id(), "lead": lead_id, "at": now, "created_at": now, "updated_at": now,
                                  "message_id": message.msgid, "address": message.recipient})
                    sent += 1
                    if progress is not None:
                        progress(len(done) + sent, len(drafts) + len(done))
        except mail.MailError as error:
            journal.flush()
            _save(ws, campaign, state=CampaignState.PAUSED.value, paused=str(error),
                  refused={**campaign.get("refused", {}), **refused})
            raise mail.MailError(_("{reason} The campaign is paused after {sent} mails; `istui campaign send {id}` "
                                   "resumes it.").format(reason=str(error), sent=len(done) + sent,
                                                         id=campaign["id"][:10])) from None
        journal.flush()
        journal.done = True  # every recipient had it or was refused: the journal is removed
        before = {} if retry_refused else campaign.get("refused") or {}
        campaign = _save(ws, campaign, state=CampaignState.SENT.value, refused={**before, **refused},
                         finished_at=iso(ws.now()),
                         uncertain=[] if resend_uncertain else uncertain)
        return Sent(campaign, sent, len(done), refused, left_out, [] if resend_uncertain else uncertain)


def _save(ws: Workspace, campaign: Record, **changes: Any) -> Record:
    """The campaign with `changes`, re-read under the lock (a teammate's sync may have changed another field)."""
    with ws.lock.held():
        current = get(ws, campaign["id"])
        return ws.save_shared(locations.CAMPAIGNS_FILE, {**current, **changes})
