"""notify(): the outbox row lives and dies with the event's transaction, once per dedupe key."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from support.factories import UserFactory

from app.accounts.models import User
from app.extensions import db
from app.notifications import operations
from app.notifications.models import Notification, NotificationStatus
from app.notifications.operations import DELIVER_TASK, notify

PAID = {"order_number": "ST-7K3Q9X", "total_cents": 12050}


class RecordingCelery:
    """Stands in for the app's Celery with a broker: records what would be enqueued."""

    def __init__(self, error: Exception | None = None) -> None:
        self.conf = SimpleNamespace(task_always_eager=False)
        self.sent: list[tuple[str, list]] = []
        self.error = error

    def send_task(self, name: str, args: list, **options) -> None:
        if self.error:
            raise self.error
        self.sent.append((name, args))


@pytest.fixture
def broker(app, monkeypatch) -> RecordingCelery:
    celery = RecordingCelery()
    monkeypatch.setitem(app.extensions, "celery", celery)
    return celery


def _rows() -> list[Notification]:
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_notification_is_written_in_the_callers_transaction_and_enqueued_after_commit(broker):
    user = UserFactory(locale="ar")
    notification = notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:1")

    assert notification is not None and notification.id is not None
    assert broker.sent == []  # nothing leaves before the commit
    db.session.commit()

    assert broker.sent == [(DELIVER_TASK, [notification.id])]
    row = db.session.get(Notification, notification.id)
    assert row.status == NotificationStatus.PENDING
    assert row.recipient_user_id == user.id
    assert row.recipient_email == user.email
    assert row.locale == "ar"
    assert row.channel == "email"
    assert row.context == {**PAID, "name": user.name}


def test_rolled_back_event_leaves_no_row_and_enqueues_nothing(broker):
    user = UserFactory()
    db.session.commit()
    notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:rolled-back")
    db.session.rollback()

    assert _rows() == []
    db.session.commit()  # a later commit must not run the dropped callback
    assert broker.sent == []


def test_same_dedupe_key_records_one_row(broker):
    user = UserFactory()
    first = notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:ST-1")
    second = notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:ST-1")
    db.session.commit()
    third = notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:ST-1")
    db.session.commit()

    assert first is not None and second is None and third is None
    assert [row.id for row in _rows()] == [first.id]
    assert broker.sent == [(DELIVER_TASK, [first.id])]


def test_duplicate_found_only_by_the_unique_constraint_is_skipped_without_breaking_the_transaction(
    broker, monkeypatch
):
    user = UserFactory()
    first = notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:race")
    recorded, checks = operations._recorded, []

    def looks_new_at_first(key: str) -> bool:
        # As if a concurrent transaction committed the key between the check and the insert.
        checks.append(key)
        return False if len(checks) == 1 else recorded(key)

    monkeypatch.setattr(operations, "_recorded", looks_new_at_first)

    assert notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:race") is None
    other = notify("order_cancelled", user=user, context={"order_number": "X"}, dedupe_key="k2")
    db.session.commit()

    assert [row.id for row in _rows()] == [first.id, other.id]


def test_two_transactions_racing_on_one_dedupe_key_record_one_row(app, committing_db, broker):
    with app.app_context():
        user_id = UserFactory().id
        db.session.commit()
    barrier = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def event() -> None:
        try:
            barrier.wait(timeout=10)
            with app.app_context():
                user = db.session.get(User, user_id)
                notification = notify(
                    "order_paid", user=user, context=PAID, dedupe_key="order_paid:threads"
                )
                db.session.commit()
                results.append(notification)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=event) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(result is None for result in results) == [False, True]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(Notification.dedupe_key == "order_paid:threads")
            )
            == 1
        )


def test_language_is_the_given_one_then_the_users_then_french(broker):
    english = UserFactory(locale="en")
    unset = UserFactory(locale=None)
    moroccan_arabic = UserFactory(locale="ar_MA")

    assert notify("order_paid", user=english, context=PAID, dedupe_key="a").locale == "en"
    assert notify("order_paid", user=unset, context=PAID, dedupe_key="b").locale == "fr"
    assert notify("order_paid", user=moroccan_arabic, context=PAID, dedupe_key="c").locale == "ar"
    assert (
        notify("order_paid", user=english, locale="ar", context=PAID, dedupe_key="d").locale == "ar"
    )
    assert notify("order_paid", email="x@example.com", context=PAID, dedupe_key="e").locale == "fr"


def test_channel_is_email_for_an_address_sms_for_a_phone_only_and_can_be_chosen(broker):
    by_email = notify("order_paid", email="Coop@Example.com", context=PAID, dedupe_key="e1")
    by_phone = notify("order_paid", phone="+212612345678", context=PAID, dedupe_key="p1")
    logged = notify("order_paid", user=UserFactory(), channel="log", context=PAID, dedupe_key="l1")

    assert (by_email.channel, by_email.recipient_user_id) == ("email", None)
    assert (by_phone.channel, by_phone.recipient_phone) == ("sms", "+212612345678")
    assert logged.channel == "log"


@pytest.mark.parametrize(
    ("kind", "context", "complaint"),
    [
        ("order_shipped_by_pigeon", PAID, "unknown notification kind"),
        ("order_paid", {"order_number": "ST-1"}, "needs ['total_cents']"),
        ("order_paid", {**PAID, "coupon": "X"}, "does not use ['coupon']"),
        ("order_paid", {**PAID, "total_cents": 120.5}, "must be a str, int"),
        ("order_paid", {**PAID, "total_cents": "120.50"}, "an int of centimes"),
        ("order_paid", {**PAID, "name": object()}, "must be a str, int"),
    ],
)
def test_programming_errors_are_refused_with_value_error(broker, kind, context, complaint):
    with pytest.raises(ValueError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        notify(kind, email="a@example.com", context=context, dedupe_key="k")
    assert _rows() == []


def test_a_notification_needs_a_recipient_and_a_dedupe_key(broker):
    with pytest.raises(ValueError, match="user, an email or a phone"):
        notify("order_paid", context=PAID, dedupe_key="k")
    with pytest.raises(ValueError, match="dedupe_key"):
        notify("order_paid", email="a@example.com", context=PAID, dedupe_key="")


def test_broker_down_at_enqueue_keeps_the_row_for_the_sweep(app, monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    monkeypatch.setitem(
        app.extensions, "celery", RecordingCelery(OperationalError("Error 111 connecting"))
    )
    user = UserFactory()
    notification = notify("order_paid", user=user, context=PAID, dedupe_key="order_paid:down")
    db.session.commit()

    assert db.session.get(Notification, notification.id).status == NotificationStatus.PENDING
    assert "waits for the outbox sweep" in caplog.text
