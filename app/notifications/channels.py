"""Delivery channels: email over SMTP, the log (the console of `make run`), and SMS for later.

A channel sends one rendered message or raises ChannelError, saying whether
trying again may help (a server down, a 4xx reply) or not (a 5xx refusal).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any, Protocol

from app.notifications.models import Channel as ChannelName

#: Messages sent to the log channel; INFO so that they show on the console of `make run`.
log = logging.getLogger("app.notifications.outbox")
if log.level == logging.NOTSET:
    log.setLevel(logging.INFO)

#: Seconds an SMTP conversation may stall before the attempt counts as failed;
#: well below the delivery claim timeout, so no claim expires mid-send.
SMTP_TIMEOUT_SECONDS = 30


class ChannelError(Exception):
    """A message was not sent; `permanent` when sending it again cannot succeed."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingMessage:
    kind: str
    locale: str
    subject: str
    body: str
    dedupe_key: str
    to_email: str | None = None
    to_phone: str | None = None


class Channel(Protocol):
    def send(self, message: OutgoingMessage) -> None:
        """Send `message` or raise ChannelError."""


class SmsChannel(Protocol):
    """A text-message gateway; a Moroccan SMS provider will implement it."""

    def send_sms(self, to_phone: str, text: str, *, reference: str) -> None:
        """Send `text` to `to_phone` (E.164) or raise ChannelError; `reference` is
        stable across retries so that a provider can drop a duplicate."""


def message_id(dedupe_key: str, sender: str) -> str:
    """The Message-ID of the email for `dedupe_key`: the same on every attempt, so a
    duplicate send (a worker killed after sending) is recognisable as one."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "souk-tadamon.local"
    return f"<{digest}@{domain}>"


def _reaching_a_console(logger: logging.Logger) -> logging.Logger:
    """`logger`, printing to stderr when no handler would show its records.

    `flask run` configures no logging, and the log channel is how `make run`
    shows its emails; a worker, gunicorn's root config or pytest bring handlers.
    """
    if not logger.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(name)s: %(message)s"))
        logger.addHandler(handler)
        # Flask may later add its own handler to the "app" logger; print once, not twice.
        logger.propagate = False
    return logger


class LogChannel:
    """Writes the whole message to the log: the console when no mail server is set."""

    def __init__(self, logger: logging.Logger = log) -> None:
        self.logger = logger

    def send(self, message: OutgoingMessage) -> None:
        recipient = message.to_email or message.to_phone or "-"
        _reaching_a_console(self.logger).info(
            "%s message to %s [%s]\nSubject: %s\n\n%s",
            message.kind,
            recipient,
            message.locale,
            message.subject,
            message.body,
        )


class LogSmsChannel:
    """An SmsChannel that only logs, until a provider is chosen."""

    def __init__(self, logger: logging.Logger = log) -> None:
        self.logger = logger

    def send_sms(self, to_phone: str, text: str, *, reference: str) -> None:
        _reaching_a_console(self.logger).info("SMS to %s (%s):\n%s", to_phone, reference, text)

    def send(self, message: OutgoingMessage) -> None:
        if not message.to_phone:
            raise ChannelError("no phone number to send the SMS to", permanent=True)
        self.send_sms(
            message.to_phone, f"{message.subject}\n\n{message.body}", reference=message.dedupe_key
        )


class EmailChannel:
    """Sends through an SMTP server, one connection per message."""

    def __init__(
        self,
        server: str,
        port: int = 25,
        *,
        sender: str,
        use_tls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self.server = server
        self.port = port
        self.sender = sender
        self.use_tls = use_tls
        self.username = username
        self.password = password
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EmailChannel:
        """From the MAIL_* settings; MAIL_SERVER must be set."""
        return cls(
            config["MAIL_SERVER"],
            int(config.get("MAIL_PORT") or 25),
            sender=config["MAIL_DEFAULT_SENDER"],
            use_tls=bool(config.get("MAIL_USE_TLS")),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
        )

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """The MIME message: UTF-8 plain text, headers encoded as RFC 2047 where needed."""
        if not message.to_email:
            raise ChannelError("no email address to send to", permanent=True)
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to_email
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email["Message-ID"] = message_id(message.dedupe_key, self.sender)
        # Tells vacation responders not to answer an automatic message.
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body, charset="utf-8")
        # After set_content, which drops every Content-* header set before it.
        email["Content-Language"] = message.locale
        return email

    def send(self, message: OutgoingMessage) -> None:
        email = self.build(message)
        try:
            with smtplib.SMTP(self.server, self.port, timeout=self.timeout) as smtp:
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise ChannelError(
                f"recipient refused: {error.recipients}", permanent=all(c >= 500 for c in codes)
            )
        except smtplib.SMTPResponseException as error:
            reply = error.smtp_error
            text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
            raise ChannelError(f"{error.smtp_code} {text}", permanent=error.smtp_code >= 500)
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelError(f"{type(error).__name__}: {error}")


def channel_for(name: str, config: Mapping[str, Any]) -> Channel:
    """The channel that sends `name` ("email", "log", "sms") under `config`.

    Email goes to the log when MAIL_SERVER is unset, which is what `make run` wants.
    """
    if name == ChannelName.EMAIL and config.get("MAIL_SERVER"):
        return EmailChannel.from_config(config)
    if name == ChannelName.SMS:
        return LogSmsChannel()
    return LogChannel()
