"""Phone numbers of any country, read with `phonenumbers` (the maintained port of Google's libphonenumber): the
one home of what a phone number is, how it is shown, matched, dialed and where its owner's clock stands.

A number is read in the workspace's `phone_region` (a two-letter country code; empty: only `+country` numbers)
and kept twice: as the rep sees it (`phone`: the national format for the region's own numbers, the international
one otherwise, an extension after it) and as `phone_e164` (`+81312345678`), used to find duplicates, to search
by digits and to dial. An extension (`ext. 12`, `x12`, `#12`, `内線12`) is kept in `phone_ext`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from istui.domain import labels
from istui.domain.errors import BadInput
from istui.i18n import _

if TYPE_CHECKING:
    import phonenumbers


def _lib():  # type: ignore[no-untyped-def]
    """phonenumbers, imported when a number is first read (its import costs a command like `log call` 20 ms)."""
    import phonenumbers

    return phonenumbers

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−ーｰ－"), "-")
_EXTENSION = re.compile(r"\s*(?:内線|内|ext\.?|extension|x|#)\s*(\d{1,7})\s*$", re.IGNORECASE)
_MAX_LENGTH = 40
_E164 = re.compile(r"\+[1-9][0-9]{5,14}")


class Phone(NamedTuple):
    display: str  # as the rep sees it: `03-1234-5678`, `+1 212-555-2000`, `03-1234-5678 内線 12`
    e164: str  # `+81312345678`: matching, search by digits, dialing
    ext: str  # the extension's digits, or ""

    def fields(self) -> dict[str, Any]:
        """The lead fields this number sets."""
        return {"phone": self.display, "phone_e164": self.e164 or None, "phone_ext": self.ext or None}


NO_PHONE = Phone("", "", "")


def parse_phone(text: str, region: str, field: str = "phone") -> Phone:
    """A typed or imported number read in `region` (national, international or full-width forms; an extension after
    it); BadInput in one sentence naming the region when it is no phone number. Empty text is `NO_PHONE`."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).translate(_DASHES).split())
    if cleaned.lower().startswith("tel:"):  # (RFC 3966, as a link or a softphone writes it)
        cleaned = cleaned[4:].replace(";ext=", " ext. ")
    if not cleaned:
        return NO_PHONE
    if len(cleaned) > _MAX_LENGTH:
        raise BadInput(_("{field}: at most {max} characters are accepted (this is {length}).").format(
            field=labels.field(field), max=_MAX_LENGTH, length=len(cleaned)))
    found = _EXTENSION.search(cleaned)
    number_text, ext = (cleaned[:found.start()], found.group(1)) if found else (cleaned, "")
    phonenumbers = _lib()
    try:
        number = phonenumbers.parse(number_text, region or None)
        readable = any(ch.isdigit() for ch in number_text) and phonenumbers.is_valid_number(number)
        readable = readable and not re.search(r"[^\d\s()+\-./]", number_text)  # no letters (vanity numbers aside)
    except phonenumbers.NumberParseException:
        readable = False
    if not readable and number_text.startswith("+"):
        raise BadInput(_("{field}: '{text}' is not a phone number of its country; check the digits after the country "
                         "code.").format(field=labels.field(field), text=text.strip()[:60]))
    if not readable and not region:
        raise BadInput(_("{field}: '{text}' is not a phone number; with no phone region set, start it with + and the "
                         "country code, or set the region with `istui settings phone_region=US`.").format(
            field=labels.field(field), text=text.strip()[:60]))
    if not readable:
        raise BadInput(_("{field}: '{text}' is not a phone number in region {region}; type it as dialed there "
                         "(e.g. {example}) or with + and the country code.").format(
            field=labels.field(field), text=text.strip()[:60], region=region, example=example(region)))
    if ext:
        number.extension = ext
    return Phone(display(number, region), phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ext)


_PLAIN = re.compile(r"\+?\(?[0-9][0-9 ()\-.]*")


@functools.lru_cache(maxsize=256)
def _trunk(region: str) -> tuple[int, str]:
    """The country code and the national (trunk) prefix of a region (`JP` → 81, "0"; `US` → 1, "1")."""
    lib = _lib()
    metadata = lib.PhoneMetadata.metadata_for_region(region)
    return lib.country_code_for_region(region), (metadata.national_prefix or "") if metadata else ""


def e164_guess(text: str, region: str) -> str:
    """The E.164 form a plainly written number (digits, + and separators) most likely has, without phonenumbers'
    full parse: to look it up among numbers known to be valid (a call log's 100,000 rows); "" when it cannot be
    guessed. A guess that names a known number is that number; one that does not proves nothing."""
    cleaned = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    if not _PLAIN.fullmatch(cleaned):
        return ""
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    if cleaned.startswith("+"):
        return "+" + digits
    if not region:
        return ""
    code, trunk = _trunk(region)
    return f"+{code}{digits[len(trunk):] if trunk and digits.startswith(trunk) else digits}"


def display(number: phonenumbers.PhoneNumber, region: str) -> str:
    """National format for the region's own numbers, international otherwise (extension after it)."""
    lib = _lib()
    own = region and lib.region_code_for_number(number) == region
    shown = lib.format_number(number, lib.PhoneNumberFormat.NATIONAL if own else lib.PhoneNumberFormat.INTERNATIONAL)
    if number.extension and region == "JP" and own:  # a Japanese number in a Japanese workspace: 内線
        shown = shown.replace(" ext. ", " 内線 ")
    return shown


def example(region: str) -> str:
    """A sample number of the region as its people write it (`03-1234-5678`, `(201) 555-0123`)."""
    lib = _lib()
    sample = lib.example_number(region) if region else None
    if sample is None:
        return "+81 3-1234-5678"
    return lib.format_number(sample, lib.PhoneNumberFormat.NATIONAL)


def phone_key(lead: dict[str, Any] | Any, region: str = "") -> str:
    """What makes two leads' numbers one: the E.164 number and its extension (`+81312345678`, `+81312345678;12`).
    A lead stored before numbers had `phone_e164` is read from its `phone` in `region`; "" when it does not read."""
    if not isinstance(lead, dict):
        return ""
    e164 = lead.get("phone_e164")
    ext = lead.get("phone_ext") or ""
    if not isinstance(e164, str) or not e164:
        phone = lead.get("phone")
        if not isinstance(phone, str) or not phone:
            return ""
        try:
            e164, ext = parse_phone(phone, region)[1:]
        except BadInput:
            return ""
    return f"{e164};{ext}" if ext else e164


def dial_fields(lead: dict[str, Any], region: str) -> dict[str, str] | None:
    """What a dial command is filled in with (`e164`, `national`, `ext`), or None when the lead has no number
    that reads."""
    lib = _lib()
    e164, ext = lead.get("phone_e164"), lead.get("phone_ext")
    try:  # the stored E.164 form (checked: a hand edit must not reach a dial command), else the number as shown
        if not (isinstance(e164, str) and _E164.fullmatch(e164)):
            _display, e164, ext = parse_phone(str(lead.get("phone") or ""), region)
        number = lib.parse(e164)
    except (BadInput, lib.NumberParseException):
        return None
    if not e164:
        return None
    ext = ext if isinstance(ext, str) and ext.isascii() and ext.isdigit() else ""
    return {"e164": e164, "national": lib.format_number(number, lib.PhoneNumberFormat.NATIONAL), "ext": ext}


class LocalTime(NamedTuple):
    zone: str  # the IANA zone of the number (`America/New_York`)
    at: datetime  # now, there
    outside_hours: bool  # outside the calling hours there


def local_time(e164: str, now: datetime, workspace_zone: str, hours: tuple[time, time]) -> LocalTime | None:
    """The clock where a number rings, when it is not the workspace's own time zone (None then, and for numbers
    whose zone is unknown or ambiguous across offsets)."""
    if not e164:
        return None
    lib = _lib()
    from phonenumbers import timezone as number_zones

    try:
        zones = number_zones.time_zones_for_number(lib.parse(e164))
    except lib.NumberParseException:
        return None
    zones = [zone for zone in zones if zone != "Etc/Unknown"]
    if not zones or workspace_zone in zones:
        return None
    try:
        there = [now.astimezone(ZoneInfo(zone)) for zone in zones]
    except ZoneInfoNotFoundError:
        return None
    if len({moment.utcoffset() for moment in there}) > 1:
        return None  # a country of several clocks, the number not telling which
    if there[0].utcoffset() == now.utcoffset():
        return None
    at = there[0]
    outside = not (hours[0] <= at.time() < hours[1]) or at.weekday() >= 5
    return LocalTime(zones[0], at, outside)
