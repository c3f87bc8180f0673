"""Sending e-mail (issue 15): the sender's transport from their own user config (`[mail]`, never the workspace),
the message istui writes (MIME, UTF-8, RFC 2047 subjects, Message-ID, Date, From with the display name,
List-Unsubscribe on campaign mail), and the SMTP or sendmail transport that carries it.

Nothing here reaches a host the person did not name: with no `[mail]` table there is no transport, and a send is
refused with one sentence that says where to set one.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from typing import Any, NamedTuple

from istui import locations
from istui.domain.errors import BadInput, IstuiError
from istui.i18n import _

SECURITY = ("starttls", "ssl", "none")
TIMEOUT = 30  # seconds: a server that does not answer is a connection failure, not a hang
PASSWORD_VARIABLE = "ISTUI_SMTP_PASSWORD"


class MailError(IstuiError):
    """The transport failed as a whole (no connection, login refused, the command failed): nothing more can go
    out until it is fixed; a campaign pauses on it."""


class RecipientRefused(IstuiError):
    """The server refused this one recipient (a campaign reports it and goes on)."""


def _where() -> str:
    return str(locations.config_file())


class MailConfig:
    """The `[mail]` table of the user config: the sender's address, and SMTP or a sendmail command."""

    __slots__ = ("display", "password_command", "port", "security", "sender", "sendmail_command", "smtp_host",
                 "unsubscribe", "username")

    def __init__(self, table: Mapping[str, Any]) -> None:
        def text(key: str) -> str:
            value = table.get(key, "")
            if not isinstance(value, str) or any(ch in value for ch in "\r\n\0"):
                raise BadInput(_("mail.{key} in {path}: give it as text on one line.").format(key=key, path=_where()))
            return value.strip()

        unknown = sorted(set(table) - {"from", "smtp_host", "smtp_port", "security", "username", "password_command",
                                       "sendmail_command", "unsubscribe"})
        if unknown:
            raise BadInput(_("mail.{key} in {path} is not a mail setting; the settings are from, smtp_host, smtp_port, "
                             "security, username, password_command, sendmail_command and unsubscribe.").format(
                key=unknown[0], path=_where()))
        self.display, self.sender = parse_address(text("from"), "mail.from") if text("from") else ("", "")
        self.smtp_host = text("smtp_host")
        self.sendmail_command = text("sendmail_command")
        self.username = text("username")
        self.password_command = text("password_command")
        self.unsubscribe = text("unsubscribe")  # a mailto: or https: address for the opt-out line and header
        self.security = text("security").lower() or "starttls"
        if self.security not in SECURITY:
            raise BadInput(_("mail.security in {path}: '{value}' is not one of starttls, ssl, none.").format(
                path=_where(), value=self.security))
        port = table.get("smtp_port", 465 if self.security == "ssl" else 587)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise BadInput(_("mail.smtp_port in {path}: give a port number from 1 to 65535.").format(path=_where()))
        self.port = port
        if not self.smtp_host and not self.sendmail_command:
            raise BadInput(_("mail in {path}: set smtp_host (with smtp_port and security) or sendmail_command.").format(
                path=_where()))
        if self.unsubscribe and not self.unsubscribe.startswith(("mailto:", "https://", "http://")):
            raise BadInput(_("mail.unsubscribe in {path}: give a mailto: or https:// address.").format(path=_where()))

    def password(self) -> str | None:
        """The SMTP password: ISTUI_SMTP_PASSWORD, else the first line `password_command` prints."""
        given = os.environ.get(PASSWORD_VARIABLE)
        if given:
            return given
        if not self.password_command:
            return None
        try:
            result = subprocess.run(shlex.split(self.password_command), capture_output=True, text=True, timeout=TIMEOUT,
                                    stdin=subprocess.DEVNULL)
        except (OSError, ValueError, subprocess.TimeoutExpired) as error:
            raise MailError(_("mail.password_command could not run ({error}).").format(error=error)) from None
        if result.returncode != 0 or not result.stdout.strip():
            raise MailError(_("mail.password_command printed no password (exit status {code}).").format(
                code=result.returncode))
        return result.stdout.splitlines()[0].strip()


def load_config() -> MailConfig:
    """The person's mail transport; BadInput, one sentence, when there is none or it is unusable."""
    from istui.store.settings import user_config

    table = user_config().get("mail")
    if not table:
        raise BadInput(_("No mail transport is set: add a [mail] table to {path} with from and smtp_host (or "
                         "sendmail_command); the README shows how.").format(path=_where()))
    if not isinstance(table, Mapping):
        raise BadInput(_("mail in {path} is not a table; write it as [mail].").format(path=_where()))
    return MailConfig(table)


def parse_address(text: str, field: str) -> tuple[str, str]:
    """(display name, address) of `Name <a@b>` or `a@b`; BadInput naming `field` when it is no address."""
    from email.utils import parseaddr

    name, address = parseaddr(text)
    local, _at, domain = address.rpartition("@")
    if not local or "." not in domain or any(ch.isspace() for ch in address):
        raise BadInput(_("{field}: '{value}' is not an e-mail address such as sato@example.co.jp.").format(
            field=field, value=text))
    return name.strip(), address


def sender_of(config: MailConfig | None, member: Mapping[str, Any]) -> tuple[str, str]:
    """(display name, address) the mail is from: the config's, else the roster's display name and address."""
    address = (config and config.sender) or str(member.get("email") or "")
    if not address:
        raise BadInput(_("mail.from in {path}: set your address (or `istui rep set NAME --email E`).").format(path=_where()))
    return (config and config.display) or str(member.get("display") or member.get("name") or ""), address


def unsubscribe_address(config: MailConfig | None, sender: str) -> str:
    """Where an opt-out goes: the config's `unsubscribe`, else a reply to the sender saying so."""
    return (config and config.unsubscribe) or f"mailto:{sender}?subject=unsubscribe"


def message_id(domain: str, *parts: str) -> str:
    """`<parts…@domain>`: one made from a campaign and a lead is the same on every try (a resend after a crash
    carries the id of the first, so mail clients and events see one mail); none given, a fresh one."""
    if parts:  # short enough to stay on one header line
        import base64
        import hashlib

        digest = base64.b32encode(hashlib.sha256("\0".join(parts).encode()).digest()[:15]).decode().lower()
        return f"<{digest}.istui@{domain}>"
    from email.utils import make_msgid

    return make_msgid("istui", domain=domain)


class Mail(NamedTuple):
    """A message as it goes out: the envelope (sender and recipient addresses), its Message-ID and its bytes."""

    sender: str
    recipient: str
    msgid: str
    data: bytes

    def message(self) -> EmailMessage:
        """The message parsed back (for a person to read it, or a JSON document)."""
        from email import message_from_bytes
        from email.policy import default

        return message_from_bytes(self.data, policy=default)  # type: ignore[return-value]


def build(*, sender: tuple[str, str], to: tuple[str, str], subject: str, body: str, sent: datetime, msgid: str,
          unsubscribe: str = "") -> Mail:
    """A text/plain UTF-8 message: non-ASCII names and subjects as RFC 2047 encoded words, the body as it is when it
    is short ASCII lines, else base64; CRLF line ends. Written directly (the email package's header objects cost a
    millisecond a mail, and a campaign sends thousands); values are made one line first, so no header can start
    another."""
    import base64
    from email.utils import format_datetime

    headers = [f"From: {_address(sender)}", f"To: {_address(to)}", f"Subject: {_words(subject)}",
               f"Date: {format_datetime(sent)}", f"Message-ID: {_one_line(msgid)}"]
    if unsubscribe:  # campaign mail (RFC 2369): the reader's client offers the opt-out
        headers.append(f"List-Unsubscribe: <{_one_line(unsubscribe)}>")
    body = body.translate(_NO_CONTROL)  # (line breaks and tabs stay)
    text = "\r\n".join((body if body.endswith("\n") else body + "\n").splitlines()) + "\r\n"
    plain = text.isascii() and _short_lines(text)
    headers += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"',
                f"Content-Transfer-Encoding: {'7bit' if plain else 'base64'}"]
    encoded = text.encode() if plain else base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")
    return Mail(sender[1], to[1], msgid, ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + encoded)


def _short_lines(text: str) -> bool:
    return all(len(line) <= 900 for line in text.splitlines())


_CONTROLS = "".join(map(chr, (*range(0, 9), 11, 12, *range(14, 32), 127)))
_NO_CONTROL = str.maketrans(dict.fromkeys(_CONTROLS, " "))


def _one_line(text: str) -> str:
    """A header value: control characters (an escape sequence from a lead's name) and line breaks become spaces."""
    return " ".join(str(text).translate(_NO_CONTROL).split())


def _words(text: str) -> str:
    """A header value: ASCII as it is, else RFC 2047 encoded words (folded at 76 columns)."""
    from email.header import Header

    text = _one_line(text)
    if text.isascii() and len(text) < 900:
        return text
    return Header(text, "utf-8", header_name="Subject").encode(linesep="\r\n")


def _address(pair: tuple[str, str]) -> str:
    from email.utils import formataddr

    return formataddr((_one_line(pair[0]), _one_line(pair[1])), charset="utf-8")


class Transport:
    """One connection (SMTP) or one command per message (sendmail); `with Transport(config) as t: t.send(m)`."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self._smtp: Any = None

    def __enter__(self) -> Transport:
        if not self.config.sendmail_command:
            self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> None:
        import smtplib
        import ssl

        config = self.config
        try:
            if config.security == "ssl":
                smtp = smtplib.SMTP_SSL(config.smtp_host, config.port, timeout=TIMEOUT, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(config.smtp_host, config.port, timeout=TIMEOUT)
                if config.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if config.username:
                smtp.login(config.username, self.config.password() or "")
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(_("The mail server {host} refused the login of {user} ({reply}); check mail.username and the "
                              "password.").format(host=config.smtp_host, user=config.username, reply=_reply(error))) from None
        except smtplib.SMTPNotSupportedError:
            raise MailError(_("The mail server {host} offers no {what}; check mail.security in {path}.").format(
                host=config.smtp_host, what="STARTTLS" if config.security == "starttls" else "login", path=_where())) from None
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(_("Could not reach the mail server {host}:{port} ({error}).").format(
                host=config.smtp_host, port=config.port, error=_reply(error))) from None
        self._smtp = smtp

    def send(self, mail: Mail) -> None:
        """Hand one message over. RecipientRefused: the server refused its recipient; MailError: the transport failed."""
        if self.config.sendmail_command:
            self._sendmail(mail)
            return
        import smtplib

        if self._smtp is None:
            self._connect()
        try:
            self._smtp.sendmail(mail.sender, [mail.recipient], mail.data)
        except smtplib.SMTPSenderRefused as error:
            raise MailError(_("The mail server refused the sender {sender} ({reply}); check mail.from and the login "
                              "(username).").format(sender=mail.sender, reply=_reply(error))) from None
        except smtplib.SMTPRecipientsRefused as error:
            raise RecipientRefused(_("the server refused {address} ({reply}).").format(
                address=mail.recipient, reply="; ".join(_reply(reply) for reply in error.recipients.values()))) from None
        except smtplib.SMTPDataError as error:
            if 500 <= error.smtp_code < 600:  # refused for good, for this message: the rest may still go
                raise RecipientRefused(_("the server refused the mail to {address} ({reply}).").format(
                    address=mail.recipient, reply=_reply(error))) from None
            raise MailError(_("The mail server stopped taking mail ({reply}).").format(reply=_reply(error))) from None
        except (OSError, smtplib.SMTPException) as error:
            self._smtp = None
            raise MailError(_("The connection to the mail server {host} was lost ({error}).").format(
                host=self.config.smtp_host, error=_reply(error))) from None

    def _sendmail(self, mail: Mail) -> None:
        try:
            result = subprocess.run(shlex.split(self.config.sendmail_command), input=mail.data,
                                    capture_output=True, timeout=TIMEOUT * 4)
        except (OSError, ValueError, subprocess.TimeoutExpired) as error:
            raise MailError(_("mail.sendmail_command could not run ({error}).").format(error=error)) from None
        if result.returncode != 0:
            said = result.stderr.decode(errors="replace").strip().splitlines()
            raise MailError(_("mail.sendmail_command failed with exit status {code}{said}.").format(
                code=result.returncode, said=f" ({said[-1][:200]})" if said else ""))

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # closing a connection already gone
                self._smtp.close()
            self._smtp = None


def _reply(error: BaseException | tuple[int, bytes]) -> str:
    """A server's reply or an error, as a few words on one line."""
    if isinstance(error, tuple):
        code, text = error
        said = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{code} {' '.join(said.split())}"[:200]
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", None)
    if code is not None and text is not None:
        return _reply((code, text))
    return " ".join(str(error).split())[:200] or type(error).__name__
