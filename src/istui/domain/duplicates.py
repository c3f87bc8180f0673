"""When two leads are the same person: the same e-mail address (without regard to case) or the same phone
number (its E.164 form and extension: `domain.phones.phone_key`). One home for the import's and lead entry's
matching."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from istui.domain.errors import BadInput
from istui.domain.phones import phone_key
from istui.i18n import _


def email_key(email: str) -> str:
    return email.strip().lower()


class DuplicateIndex:
    """The existing leads by e-mail key and phone key (the first lead of each key)."""

    def __init__(self, leads: Iterable[Mapping[str, Any]] = (), region: str = "JP") -> None:
        self.region = region  # (the numbers of leads stored before `phone_e164` are read in it)
        self.by_email: dict[str, str] = {}
        self.by_phone: dict[str, str] = {}
        self.company: dict[str, str] = {}
        for lead in leads:
            self.add(lead)

    def add(self, lead: Mapping[str, Any]) -> None:
        if isinstance(lead.get("email"), str) and lead["email"]:
            self.by_email.setdefault(email_key(lead["email"]), lead["id"])
        key = phone_key(dict(lead), self.region)
        if key:
            self.by_phone.setdefault(key, lead["id"])
        self.company.setdefault(lead["id"], str(lead.get("company") or ""))

    def match(self, record: Mapping[str, Any]) -> tuple[str, str] | None:
        """(id of the existing lead, "email" or "phone") for a lead with the e-mail or phone of `record`, or None."""
        email = str(record.get("email") or "")
        if email and email_key(email) in self.by_email:
            return self.by_email[email_key(email)], "email"
        key = phone_key(dict(record), self.region)
        if key and key in self.by_phone:
            return self.by_phone[key], "phone"
        return None


class DuplicateLead(BadInput):
    """A new lead has the e-mail or phone of an existing lead (`lead_id`, `company`, `by`)."""

    def __init__(self, lead_id: str, company: str, by: str) -> None:
        self.lead_id, self.company, self.by = lead_id, company, by
        what = _("e-mail address") if by == "email" else _("phone number")
        super().__init__(_("Lead {id} ({company}) already has this {what}; add it anyway with --allow-duplicate.").format(
            id=lead_id[:10], company=company, what=what))


def check_new_lead(index: DuplicateIndex, record: Mapping[str, Any]) -> None:
    """DuplicateLead when `record` matches an existing lead."""
    found = index.match(record)
    if found:
        raise DuplicateLead(found[0], index.company.get(found[0], ""), found[1])
