"""A real SMTP server on loopback (aiosmtpd), and a fixture pointing the app's mail at it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class _Collector:
    """aiosmtpd handler: keeps every message, or answers each DATA with `refusal`."""

    received: list[ReceivedMail] = field(default_factory=list)
    refusal: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusal:
            return self.refusal
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message)  # type: ignore[arg-type]
            )
        return "250 Message accepted for delivery"


class _EphemeralController(Controller):
    """Listens on a port the system picks, so parallel runs never collide."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    def __init__(self) -> None:
        self._collector = _Collector()
        self._controller = _EphemeralController(self._collector, hostname="127.0.0.1", port=0)

    host = "127.0.0.1"

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def received(self) -> list[ReceivedMail]:
        with self._collector.lock:
            return list(self._collector.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [mail.message for mail in self.received]

    def refuse(self, reply: str | None = "451 4.3.0 Mailbox busy, try again later") -> None:
        """Answer every message with `reply` (None: accept again)."""
        self._collector.refusal = reply

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        """The messages once at least `count` have arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"expected {count} emails, got {len(self.received)}")
            time.sleep(0.05)
        return self.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_to_smtp(app: Flask, smtp_server: SmtpServer, monkeypatch) -> SmtpServer:
    """The app sends its email to `smtp_server` for this test."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", smtp_server.host)
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    return smtp_server
