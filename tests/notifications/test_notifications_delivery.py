"""deliver() and the sweep: a message reaches a real SMTP server once, in its reader's language."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from support.factories import UserFactory

from app.core.db import utcnow
from app.extensions import db
from app.notifications import operations, services
from app.notifications.channels import message_id
from app.notifications.errors import DeliveryFailed
from app.notifications.models import Notification, NotificationStatus
from app.notifications.operations import notify
from app.notifications.services import deliver, sweep

PAID = {"order_number": "ST-7K3Q9X", "total_cents": 123450}


@pytest.fixture
def no_broker(app, monkeypatch):
    """Rows stay pending after commit, as when the task has not run yet."""
    monkeypatch.setattr(operations, "_dispatch", lambda app, notification_id: None)


def _pending(kind="order_paid", context=PAID, dedupe_key="order_paid:ST-7K3Q9X", **recipient):
    recipient = recipient or {"user": UserFactory(name="Fatima Zahra", locale="fr")}
    notification = notify(kind, context=context, dedupe_key=dedupe_key, **recipient)
    db.session.commit()
    return notification.id


@pytest.mark.parametrize(
    ("locale", "subject", "greeting", "amount"),
    [
        (
            "ar",
            "تم استلام الدفع الخاص بالطلب رقم ST-7K3Q9X",
            "مرحبًا Fatima Zahra،",
            "1.234,50 درهم",
        ),
        (
            "fr",
            "Paiement reçu pour la commande ST-7K3Q9X",
            "Bonjour Fatima Zahra,",
            "1\u202f234,50 DH",
        ),
        ("en", "Payment received for order ST-7K3Q9X", "Hello Fatima Zahra,", "1,234.50 MAD"),
    ],
)
def test_email_reaches_the_smtp_server_in_the_recipients_language(
    mail_to_smtp, locale, subject, greeting, amount
):
    user = UserFactory(name="Fatima Zahra", locale=locale)
    notification = notify("order_paid", user=user, context=PAID, dedupe_key=f"paid:{locale}")
    db.session.commit()  # tasks run eagerly in tests: delivered after the commit

    [mail] = mail_to_smtp.received
    assert mail.recipients == [user.email]
    assert mail.message["Subject"] == subject
    assert mail.message["Content-Language"] == locale
    assert mail.message.get_content_charset() == "utf-8"
    body = mail.message.get_content()
    assert body.startswith(greeting)
    assert amount in body
    assert mail.message["Message-ID"] == message_id(
        f"paid:{locale}", "Souk Tadamon <no-reply@souk-tadamon.example>"
    )
    row = db.session.get(Notification, notification.id)
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, None)
    assert row.sent_at is not None


def test_without_a_broker_the_email_leaves_right_after_a_real_commit(
    app, committing_db, mail_to_smtp
):
    with app.app_context():
        notification_id = _pending(dedupe_key="paid:committed")

    [mail] = mail_to_smtp.received
    assert mail.message["Subject"] == "Paiement reçu pour la commande ST-7K3Q9X"
    with app.app_context():
        assert db.session.get(Notification, notification_id).status == NotificationStatus.SENT


def test_delivering_twice_sends_one_email(mail_to_smtp, no_broker):
    notification_id = _pending()

    assert deliver(notification_id) is True
    assert deliver(notification_id) is False

    assert len(mail_to_smtp.received) == 1
    assert db.session.get(Notification, notification_id).attempts == 1


def test_two_workers_delivering_at_once_send_one_email(app, committing_db, mail_to_smtp, no_broker):
    with app.app_context():
        notification_id = _pending()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            with app.app_context():
                outcomes.append(deliver(notification_id))
        except BaseException as error:  # surfaced below
            outcomes.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes, key=str) == [False, True]
    assert len(mail_to_smtp.received) == 1
    with app.app_context():
        row = db.session.get(Notification, notification_id)
        assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def test_an_abandoned_claim_is_taken_over_after_the_claim_timeout(mail_to_smtp, no_broker):
    notification_id = _pending()
    row = db.session.get(Notification, notification_id)
    row.claimed_at = utcnow() - services.CLAIM_TIMEOUT + timedelta(seconds=30)
    db.session.commit()

    assert deliver(notification_id) is False  # a worker may still be sending it
    later = utcnow() + timedelta(seconds=31)
    assert deliver(notification_id, now=later) is True
    assert len(mail_to_smtp.received) == 1


def test_failing_smtp_leaves_the_row_pending_and_the_sweep_delivers_it_later(mail_to_smtp):
    mail_to_smtp.refuse("451 4.3.0 Mailbox busy, try again later")
    notification_id = _pending()  # the eager delivery after commit fails

    row = db.session.get(Notification, notification_id)
    assert (row.status, row.attempts, row.claimed_at) == (NotificationStatus.PENDING, 1, None)
    assert "451" in row.last_error
    assert mail_to_smtp.received == []

    mail_to_smtp.refuse(None)
    too_soon = sweep(now=row.created_at + timedelta(seconds=30))
    assert (too_soon.sent, mail_to_smtp.received) == (0, [])

    result = sweep(now=row.next_attempt_at + timedelta(seconds=1))
    assert (result.sent, result.not_sent) == (1, 0)
    assert len(mail_to_smtp.received) == 1
    db.session.refresh(row)
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)


def test_smtp_server_down_raises_the_transient_error_for_the_task_to_retry(app, monkeypatch):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port)
    monkeypatch.setattr(operations, "_dispatch", lambda app, notification_id: None)
    notification_id = _pending()

    with pytest.raises(DeliveryFailed, match="not delivered"):
        deliver(notification_id)
    row = db.session.get(Notification, notification_id)
    assert row.status == NotificationStatus.PENDING
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()


def test_permanent_refusal_marks_the_row_failed_without_retry(mail_to_smtp, no_broker):
    mail_to_smtp.refuse("550 5.1.1 No such mailbox")
    notification_id = _pending()

    assert deliver(notification_id) is False
    row = db.session.get(Notification, notification_id)
    assert row.status == NotificationStatus.FAILED
    assert "550" in row.last_error
    assert services.pending_to_sweep(timedelta(0), now=utcnow() + timedelta(days=1)) == []


def test_the_last_allowed_attempt_marks_the_row_failed(mail_to_smtp, no_broker, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 2)
    mail_to_smtp.refuse()
    notification_id = _pending()

    with pytest.raises(DeliveryFailed):
        deliver(notification_id)
    assert deliver(notification_id) is False

    row = db.session.get(Notification, notification_id)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 2)


def test_sweep_takes_old_unclaimed_rows_only_and_in_bounded_batches(no_broker):
    now = utcnow()
    ids = [_pending(dedupe_key=f"paid:{n}", email=f"s{n}@example.com") for n in range(3)]
    claimed = db.session.get(Notification, ids[1])
    claimed.claimed_at = now + timedelta(minutes=1)
    db.session.commit()

    assert services.pending_to_sweep(timedelta(minutes=1), now=now) == []  # too recent
    later = now + timedelta(minutes=2)
    assert services.pending_to_sweep(timedelta(minutes=1), now=later) == [ids[0], ids[2]]
    assert services.pending_to_sweep(timedelta(minutes=1), now=later, limit=1) == [ids[0]]


def test_without_mail_server_the_email_is_written_to_the_log(app, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    caplog.set_level("INFO", logger="app.notifications.outbox")
    notification_id = _pending(locale="ar", email="coop@example.com")

    assert db.session.get(Notification, notification_id).status == NotificationStatus.SENT
    assert "coop@example.com" in caplog.text
    assert "تم استلام الدفع الخاص بالطلب رقم ST-7K3Q9X" in caplog.text


def test_sms_channel_logs_until_a_provider_exists(caplog):
    caplog.set_level("INFO", logger="app.notifications.outbox")
    _pending(
        kind="part_ready",
        context={"order_number": "ST-1", "cooperative_name": "Tighza", "pickup_code": "4829"},
        dedupe_key="ready:sms",
        phone="+212612345678",
    )

    assert "SMS to +212612345678" in caplog.text
    assert "4829" in caplog.text


def test_a_message_that_cannot_be_rendered_fails_at_once(no_broker, monkeypatch):
    notification_id = _pending()
    monkeypatch.setattr(
        services, "render", lambda *args: (_ for _ in ()).throw(KeyError("template"))
    )

    assert deliver(notification_id) is False
    row = db.session.get(Notification, notification_id)
    assert row.status == NotificationStatus.FAILED
    assert row.last_error.startswith("cannot render")


def test_delivering_an_unknown_or_sent_row_is_a_no_op(mail_to_smtp, no_broker):
    assert deliver(987654) is False
    notification_id = _pending()
    assert deliver(notification_id) is True
    rows = db.session.scalars(select(Notification.status)).all()
    assert rows == [NotificationStatus.SENT]
