"""Phone numbers of any country (domain.phones): forms, extensions, the region, matching, local time."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from istui.domain.duplicates import DuplicateIndex
from istui.domain.errors import BadInput
from istui.domain.phones import dial_fields, local_time, parse_phone, phone_key


@pytest.mark.parametrize(
    ("text", "region", "display", "e164", "ext"),
    [
        ("03-1234-5678", "JP", "03-1234-5678", "+81312345678", ""),
        ("090-1234-5678", "JP", "090-1234-5678", "+819012345678", ""),
        ("+81 3 1234 5678", "JP", "03-1234-5678", "+81312345678", ""),
        ("０３－１２３４－５６７８", "JP", "03-1234-5678", "+81312345678", ""),
        ("03ー1234ー5678", "JP", "03-1234-5678", "+81312345678", ""),
        ("(03) 1234-5678", "JP", "03-1234-5678", "+81312345678", ""),
        ("0120-123-456", "JP", "0120-123-456", "+81120123456", ""),
        ("03-1234-5678 内線12", "JP", "03-1234-5678 内線 12", "+81312345678", "12"),
        ("(212) 555-2000", "US", "(212) 555-2000", "+12125552000", ""),
        ("212.555.2000 ext. 12", "US", "(212) 555-2000 ext. 12", "+12125552000", "12"),
        ("212-555-2000 x7", "US", "(212) 555-2000 ext. 7", "+12125552000", "7"),
        ("212-555-2000 #12", "US", "(212) 555-2000 ext. 12", "+12125552000", "12"),
        ("+1 212 555 2000", "JP", "+1 212-555-2000", "+12125552000", ""),
        ("+44 20 7946 0958", "US", "+44 20 7946 0958", "+442079460958", ""),
        ("020 7946 0958", "GB", "020 7946 0958", "+442079460958", ""),
        ("tel:+81-3-1234-5678", "", "+81 3-1234-5678", "+81312345678", ""),
        ("+49 30 123456", "", "+49 30 123456", "+4930123456", ""),
    ],
)
def test_forms_of_any_country(text: str, region: str, display: str, e164: str, ext: str) -> None:
    assert parse_phone(text, region) == (display, e164, ext)


@pytest.mark.parametrize(("text", "region"), [("12345", "JP"), ("03-1234-567a", "JP"), ("call me", "JP"),
                                              ("1-800-FLOWERS", "US"), ("03-1234-5678", "US"), ("(212) 555-2000", "JP")])
def test_a_number_that_does_not_read_names_the_region(text: str, region: str) -> None:
    with pytest.raises(BadInput, match=rf"^phone: '.*' is not a phone number in region {region}; .*"):
        parse_phone(text, region)


def test_a_number_with_a_country_code_is_judged_by_that_country() -> None:
    with pytest.raises(BadInput, match=r"'\+44 7700 900123' is not a phone number of its country"):
        parse_phone("+44 7700 900123", "JP")  # (a range kept for drama: no real number)


def test_without_a_region_only_plus_numbers_read() -> None:
    with pytest.raises(BadInput, match=r"no phone region set.*phone_region=US"):
        parse_phone("03-1234-5678", "")


def test_empty_is_no_number_and_a_long_paste_is_refused() -> None:
    assert parse_phone("  ", "JP").fields() == {"phone": "", "phone_e164": None, "phone_ext": None}
    with pytest.raises(BadInput, match="at most 40 characters"):
        parse_phone("0" * 41, "JP")


_REGIONS = sorted(region for region in phonenumbers.SUPPORTED_REGIONS if phonenumbers.example_number(region))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_REGIONS), st.sampled_from(_REGIONS), st.sampled_from(
    [phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL,
     phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.RFC3966]), st.data())
def test_any_number_phonenumbers_formats_reads_back_to_its_e164(home: str, country: str, form: int, data) -> None:
    kind = data.draw(st.sampled_from([phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE]))
    number = phonenumbers.example_number_for_type(country, kind) or phonenumbers.example_number(country)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # a national form is dialed in its own country (the rep's region is that country)
    region = country if form == phonenumbers.PhoneNumberFormat.NATIONAL else home
    text = phonenumbers.format_number(number, form)
    read = parse_phone(text, region)
    assert read.e164 == e164
    assert parse_phone(read.display, home if form != phonenumbers.PhoneNumberFormat.NATIONAL else country).e164 == e164


@given(st.from_regex(r"0[89]0-[1-9][0-9]{3}-[0-9]{4}", fullmatch=True))
def test_full_width_digits_read_as_half_width(phone: str) -> None:
    full = phone.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}).replace("-", "－")
    assert parse_phone(full, "JP") == parse_phone(phone, "JP")


def test_duplicates_across_forms_and_old_leads_without_e164() -> None:
    stored = {"id": "A", "company": "Acme", **parse_phone("03-1234-5678", "JP").fields()}
    legacy = {"id": "B", "company": "Old", "phone": "+1 (212) 555-2000"}  # kept before numbers had phone_e164
    index = DuplicateIndex([stored, legacy], "JP")
    assert index.match(parse_phone("+81 3 1234 5678", "JP").fields()) == ("A", "phone")
    assert index.match(parse_phone("０３（１２３４）５６７８", "JP").fields()) == ("A", "phone")
    assert index.match(parse_phone("+1 212 555 2000", "JP").fields()) == ("B", "phone")
    assert index.match(parse_phone("03-1234-5678 内線 3", "JP").fields()) is None  # another desk
    assert phone_key({"phone": "not a number"}, "JP") == ""


def test_dial_fields_and_local_time() -> None:
    lead = parse_phone("(212) 555-2000", "US").fields()
    assert dial_fields(lead, "US") == {"e164": "+12125552000", "national": "(212) 555-2000", "ext": ""}
    assert dial_fields({"phone": "03-1234-5678"}, "JP")["e164"] == "+81312345678"
    assert dial_fields({"phone": ""}, "JP") is None
    tokyo = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 20:00 of the day before in New York
    there = local_time("+12125552000", tokyo, "Asia/Tokyo", (time(9), time(18)))
    assert there is not None and there.zone == "America/New_York"
    assert (there.at.hour, there.at.day, there.outside_hours) == (20, 3, True)
    at_noon = local_time("+12125552000", datetime(2026, 12, 4, 17, 0, tzinfo=ZoneInfo("Europe/London")),
                         "Europe/London", (time(9), time(18)))
    assert at_noon is not None and (at_noon.at.hour, at_noon.outside_hours) == (12, False)
    assert local_time("+81312345678", tokyo, "Asia/Tokyo", (time(9), time(18))) is None  # the workspace's own clock
    assert local_time("+18005551234", tokyo, "Asia/Tokyo", (time(9), time(18))) is None  # toll-free: no one clock


@pytest.mark.parametrize(("table", "field", "value"), [
    ("leads", "phone_e164", "+999"), ("leads", "phone_e164", "+12125552000;touch /tmp/x"), ("leads", "phone_ext", "1a"),
    ("activities", "duration", 99_999_999_999), ("activities", "duration", -5)])
def test_a_stored_value_no_command_may_use_is_a_problem(table: str, field: str, value) -> None:
    from istui.domain import checks

    record = {"id": "01M60RWMM9E8XE5WF14NX57P2A", "company": "Acme", "source": "other", "stage": "new", "motion": "sdr",
              "temp": "warm", "owner": "alice", "lead": "01M60RWMM9E8XE5WF14NX57P2B", "rep": "alice", "kind": "call",
              "outcome": "connected", "at": "2026-11-27T10:00:00+09:00", "created_at": "2026-11-27T10:00:00+09:00",
              "updated_at": "2026-11-27T10:00:00+09:00", "updated_by": "alice", "phone": "03-1234-5678"}
    good = {**record, field: {"phone_e164": "+81312345678", "phone_ext": "12", "duration": 125}[field]}
    assert checks.first_problem(table, good) is None
    found = checks.first_problem(table, {**record, field: value})
    assert found is not None and found.field == field


@pytest.mark.parametrize("region", ["JP", "US", "GB", "DE", "FR", "AU", "CN", "KR", "SG", "IN"])
def test_the_quick_guess_of_a_national_number_is_its_e164(region: str) -> None:
    from istui.domain.phones import e164_guess

    for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
        number = phonenumbers.example_number_for_type(region, kind)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        assert e164_guess(national, region) == parse_phone(national, region).e164, national
    assert e164_guess("非通知", region) == "" and e164_guess("+81 3-1234-5678", "") == "+81312345678"
