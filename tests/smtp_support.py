"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the mail tests, and the user config that points istui at it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Mailbox:
    """What the server received, and how it misbehaves on request: refuse a recipient, refuse logins, hang up
    after N messages."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.envelopes: list[list[str]] = []
        self.refuse: set[str] = set()
        self.password = "s3cret"
        self.hang_up_after: int | None = None
        self.stall_after: int | None = None  # then the next mail is never answered (its sender waits, until killed)
        self.delivered = threading.Event()

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for raw in self.raw]  # type: ignore[misc]

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall_after is not None and len(self.raw) >= self.stall_after:
            import asyncio

            await asyncio.sleep(3600)
        if self.hang_up_after is not None and len(self.raw) >= self.hang_up_after:
            server.transport.close()  # the connection drops before the mail is taken
            return "421 closing"
        self.raw.append(envelope.original_content or envelope.content)
        self.envelopes.append(list(envelope.rcpt_tos))
        self.delivered.set()
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = getattr(data, "password", b"") == self.password.encode()
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def write_mail_config(home: Path, port: int, **extra: Any) -> Path:
    """The person's [mail] table pointing at the local server (no TLS on 127.0.0.1)."""
    lines = ["[mail]", 'from = "佐藤 花子 <sato@example.co.jp>"', 'smtp_host = "127.0.0.1"', f"smtp_port = {port}",
             'security = "none"']
    lines += [f"{key} = {value!r}".replace("'", '"') for key, value in extra.items()]
    path = home / ".config" / "istui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
