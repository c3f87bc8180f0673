"""The message istui writes, parsed back by the standard library: every header it should have and no other, names and
subjects of any text decoded as written (on one line), line breaks in values never starting a header, the body
intact as 7bit or base64."""

from __future__ import annotations

import re
from datetime import datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from istui.services.mail import build

SENT = datetime(2026, 11, 27, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"}


def parsed(**fields):
    mail = build(sender=fields.get("sender", ("Sato Hanako", "sato@example.co.jp")), to=fields.get("to", ("", "ann@x.example")),
                 subject=fields.get("subject", "Hello"), body=fields.get("body", "Hi\n"), sent=SENT, msgid="<a.b@example.co.jp>",
                 unsubscribe=fields.get("unsubscribe", ""))
    return mail, message_from_bytes(mail.data, policy=policy.default)


def test_ascii_is_7bit_and_anything_else_base64() -> None:
    mail, message = parsed(body="Line one\nLine two\n")
    assert message["Content-Transfer-Encoding"] == "7bit" and b"\r\nLine one\r\nLine two\r\n" in mail.data
    assert message.get_content() == "Line one\r\nLine two\r\n"
    _mail, message = parsed(body="山田様\n" + "x" * 1200 + "\n")
    assert message["Content-Transfer-Encoding"] == "base64"
    assert message.get_content().replace("\r\n", "\n") == "山田様\n" + "x" * 1200 + "\n"
    mail, message = parsed(unsubscribe="mailto:sato@example.co.jp?subject=unsubscribe")
    assert message["List-Unsubscribe"] == "<mailto:sato@example.co.jp?subject=unsubscribe>"
    assert (mail.sender, mail.recipient, mail.msgid) == ("sato@example.co.jp", "ann@x.example", "<a.b@example.co.jp>")


def one_line(text: str) -> str:
    """As a header shows a value: control characters (an escape sequence) and line breaks as spaces, on one line."""
    return " ".join(re.sub("[\x00-\x1f\x7f]", " ", text).split())


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@given(TEXT, TEXT, TEXT)
def test_any_name_and_subject_read_back_as_one_line_and_start_no_header(name: str, contact: str, subject: str) -> None:
    mail, message = parsed(sender=(name, "sato@example.co.jp"), to=(contact, "ann@x.example"), subject=subject)
    assert set(message.keys()) == HEADERS
    assert mail.data.split(b"\r\n\r\n")[0].isascii()  # the header lines are ASCII on the wire (RFC 2047)
    assert str(message["Subject"]) == one_line(subject)
    assert message["From"].addresses[0].addr_spec == "sato@example.co.jp"
    assert message["To"].addresses[0].addr_spec == "ann@x.example"
    assert message["From"].addresses[0].display_name == one_line(name)
