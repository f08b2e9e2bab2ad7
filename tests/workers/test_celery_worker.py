"""Celery for real: a worker consuming Redis delivers what the web process committed,
and a broker that is down at enqueue time loses nothing."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from uuid import uuid4

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask
from support.factories import UserFactory

from app import create_app
from app.core.db import utcnow
from app.core.tasks import celery_init_app
from app.extensions import db
from app.notifications.models import Notification, NotificationStatus
from app.notifications.operations import notify
from app.notifications.services import sweep


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def restore_celery(app: Flask) -> Iterator[None]:
    """Creating or starting another Celery app makes it the current one, and an embedded
    worker sets up logging (root level ERROR); put ours and the logging back."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    ours = app.extensions["celery"]
    ours.set_current()
    ours.set_default()
    root.setLevel(level)
    root.handlers[:] = handlers


@pytest.fixture
def worker_app(app: Flask, redis_url: str, smtp_server, restore_celery) -> Iterator[Flask]:
    """A second Flask app on the same database whose Celery sends tasks to Redis."""
    worker_app = create_app(
        "testing",
        overrides={
            "REDIS_URL": redis_url,
            "CELERY_ALWAYS_EAGER": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],
            "MAIL_SERVER": smtp_server.host,
            "MAIL_PORT": smtp_server.port,
        },
    )
    celery = worker_app.extensions["celery"]
    # A queue of its own: concurrent runs on one Redis never take each other's tasks.
    queue = f"souk-test-{uuid4().hex}"
    celery.conf.update(task_default_queue=queue, worker_hijack_root_logger=False)
    yield worker_app
    import redis

    celery.close()
    redis.Redis.from_url(redis_url).delete(queue, f"_kombu.binding.{queue}")
    with worker_app.app_context():
        db.engine.dispose()


def _wait_for_status(app: Flask, notification_id: int, status: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            current = db.session.get(Notification, notification_id).status
        if current == status or time.monotonic() > deadline:
            assert current == status
            return
        time.sleep(0.05)


@pytest.mark.redis
def test_a_real_worker_delivers_a_committed_notification_through_redis(
    app, committing_db, worker_app, smtp_server
):
    celery = worker_app.extensions["celery"]
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        with worker_app.app_context():
            assert not celery.conf.task_always_eager
            notification = notify(
                "part_ready",
                user=UserFactory(locale="ar", name="Hassan"),
                context={
                    "order_number": "ST-REDIS1",
                    "cooperative_name": "Tighza",
                    "pickup_code": "7351",
                },
                dedupe_key="part_ready:ST-REDIS1",
            )
            db.session.commit()  # enqueues deliver_notification on Redis
            notification_id = notification.id

        [message] = smtp_server.wait_for(1)
        _wait_for_status(app, notification_id, NotificationStatus.SENT)

    assert message["Subject"] == "طلبك رقم ST-REDIS1 جاهز للاستلام لدى Tighza"
    assert "7351" in message.get_content()
    with app.app_context():
        assert db.session.get(Notification, notification_id).attempts == 1


def test_redis_down_at_enqueue_keeps_the_row_and_the_sweep_delivers_it(
    app, monkeypatch, mail_to_smtp, caplog, restore_celery
):
    caplog.set_level("WARNING", logger="app.notifications.services")
    # Our Celery settings (Redis broker and result backend), with nobody listening.
    dead_redis = Flask("dead_redis")
    dead_redis.config.update(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    monkeypatch.setitem(app.extensions, "celery", celery_init_app(dead_redis))
    started = time.monotonic()

    notification = notify(
        "order_paid",
        user=UserFactory(locale="en"),
        context={"order_number": "ST-DOWN01", "total_cents": 9900},
        dedupe_key="order_paid:ST-DOWN01",
    )
    db.session.commit()

    assert "waits for the outbox sweep" in caplog.text
    assert time.monotonic() - started < 10  # the commit is not held up for long
    row = db.session.get(Notification, notification.id)
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 0)
    assert mail_to_smtp.received == []

    result = sweep(now=utcnow() + timedelta(minutes=2))

    assert result.sent == 1
    [message] = mail_to_smtp.messages
    assert message["Subject"] == "Payment received for order ST-DOWN01"
    db.session.refresh(row)
    assert row.status == NotificationStatus.SENT
