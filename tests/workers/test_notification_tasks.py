"""Notification tasks: known to a real worker, retried with bounded backoff, swept each minute."""

from __future__ import annotations

from datetime import timedelta

from support.factories import UserFactory

from app.core.db import utcnow
from app.core.tasks import BEAT_SCHEDULE, LONGEST_COUNTDOWN_SECONDS, TASK_MODULES
from app.extensions import db
from app.notifications import operations, services
from app.notifications.models import Notification, NotificationStatus
from workers.tasks.notifications import deliver_notification, sweep_outbox


def test_worker_loads_every_tasks_module(app):
    celery = app.extensions["celery"]
    assert "workers.tasks.notifications" in TASK_MODULES
    assert "workers.tasks.notifications" in celery.conf.include
    assert operations.DELIVER_TASK in celery.tasks


def test_delivery_retries_are_bounded_jittered_and_below_the_visibility_timeout(app):
    task = app.extensions["celery"].tasks[operations.DELIVER_TASK]
    celery = app.extensions["celery"]

    assert task.acks_late and task.max_retries == 5
    assert task.retry_backoff and task.retry_jitter
    assert services.DeliveryFailed in task.autoretry_for
    assert task.retry_backoff_max < LONGEST_COUNTDOWN_SECONDS
    assert celery.conf.broker_transport_options["visibility_timeout"] > LONGEST_COUNTDOWN_SECONDS


def test_beat_sweeps_the_outbox_every_minute_and_names_only_existing_tasks(app):
    schedule = BEAT_SCHEDULE
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()  # as a worker does when it boots

    assert schedule["sweep-outbox"]["task"] == "workers.tasks.notifications.sweep_outbox"
    assert schedule["sweep-outbox"]["schedule"] == 60.0
    assert all(entry["task"] in celery.tasks for entry in schedule.values())
    assert celery.conf.beat_schedule == schedule


def test_deliver_task_sends_a_committed_notification(app, caplog, monkeypatch):
    monkeypatch.setattr(operations, "_dispatch", lambda app, notification_id: None)
    caplog.set_level("INFO", logger="app.notifications.outbox")
    notification = operations.notify(
        "order_cancelled",
        user=UserFactory(locale="en"),
        context={"order_number": "ST-TASK01"},
        dedupe_key="cancelled:ST-TASK01",
    )
    db.session.commit()

    assert deliver_notification.apply(args=[notification.id]).get() is True
    assert deliver_notification.apply(args=[notification.id]).get() is False
    assert caplog.text.count("Order ST-TASK01 cancelled") == 1


def test_sweep_task_delivers_rows_a_lost_message_left_behind(app, monkeypatch):
    monkeypatch.setattr(operations, "_dispatch", lambda app, notification_id: None)
    notification = operations.notify(
        "order_cancelled",
        email="shopper@example.com",
        context={"order_number": "ST-LOST01"},
        dedupe_key="cancelled:ST-LOST01",
    )
    notification.created_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    assert sweep_outbox.apply().get() == {"sent": 1, "not_sent": 0}
    assert db.session.get(Notification, notification.id).status == NotificationStatus.SENT
