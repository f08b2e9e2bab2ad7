"""Channels: proper UTF-8 email over SMTP, errors sorted into retry or give up, a console log."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.notifications.channels import (
    ChannelError,
    EmailChannel,
    LogSmsChannel,
    OutgoingMessage,
    message_id,
)

SENDER = "Souk Tadamon <no-reply@souk-tadamon.example>"
MESSAGE = OutgoingMessage(
    kind="order_paid",
    locale="ar",
    subject="تم استلام الدفع الخاص بالطلب رقم ST-7K3Q9X",
    body="مرحبًا،\n\nتوصلنا بدفعتك البالغة 1.234,50 درهم.\n",
    dedupe_key="order_paid:ST-7K3Q9X:user:12",
    to_email="fatima@example.com",
)


def _channel(port: int) -> EmailChannel:
    return EmailChannel("127.0.0.1", port, sender=SENDER, timeout=5)


def test_message_id_is_stable_per_dedupe_key_and_names_the_senders_domain():
    first = message_id("order_paid:1", SENDER)

    assert first == message_id("order_paid:1", SENDER)
    assert first != message_id("order_paid:2", SENDER)
    assert first.startswith("<") and first.endswith("@souk-tadamon.example>")


def test_email_is_utf8_plain_text_with_an_encoded_subject():
    raw = _channel(25).build(MESSAGE).as_bytes()

    header, _, _ = raw.partition(b"\n\n")
    assert b"=?utf-8?" in header  # RFC 2047: the Arabic subject travels as ASCII
    assert b'Content-Type: text/plain; charset="utf-8"' in header
    assert b"Auto-Submitted: auto-generated" in header
    assert header.isascii()


def test_email_arrives_intact_through_smtp(smtp_server):
    _channel(smtp_server.port).send(MESSAGE)

    [mail] = smtp_server.received
    assert mail.message["Subject"] == MESSAGE.subject
    assert mail.message.get_content().replace("\r\n", "\n") == MESSAGE.body
    assert mail.message["Message-ID"] == message_id(MESSAGE.dedupe_key, SENDER)
    assert mail.sender == "no-reply@souk-tadamon.example"


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [("451 4.3.0 Mailbox busy", False), ("550 5.1.1 No such mailbox", True)],
)
def test_smtp_refusals_are_transient_for_4xx_and_permanent_for_5xx(smtp_server, reply, permanent):
    smtp_server.refuse(reply)

    with pytest.raises(ChannelError) as raised:
        _channel(smtp_server.port).send(MESSAGE)

    assert raised.value.permanent is permanent
    assert reply.split()[0] in str(raised.value)


def test_unreachable_smtp_server_is_a_transient_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    with pytest.raises(ChannelError) as raised:
        _channel(closed_port).send(MESSAGE)

    assert raised.value.permanent is False


def test_an_email_without_address_or_an_sms_without_phone_cannot_be_sent():
    no_address = OutgoingMessage("order_paid", "fr", "s", "b", "k")
    with pytest.raises(ChannelError) as raised:
        _channel(25).build(no_address)
    assert raised.value.permanent
    with pytest.raises(ChannelError):
        LogSmsChannel().send(no_address)


def test_log_channel_prints_to_the_console_where_no_logging_is_configured(tmp_path):
    # As under `flask run`: a fresh process, no logging set up, no MAIL_SERVER.
    script = (
        "from app.notifications.channels import channel_for, OutgoingMessage\n"
        "channel_for('email', {'MAIL_SERVER': None}).send(OutgoingMessage("
        "'order_paid', 'fr', 'Paiement reçu', 'Bonjour,\\n', 'k', to_email='a@example.com'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "order_paid message to a@example.com [fr]" in result.stderr
    assert "Subject: Paiement reçu" in result.stderr
