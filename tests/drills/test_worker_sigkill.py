"""Fault, for real: a Celery worker process consuming Redis is killed with SIGKILL while it
is in the middle of sending a message (its SMTP conversation is open, the server has not
accepted the message yet). A new worker is started; once the claim of the dead one has
timed out, the outbox sweep it runs delivers the message: exactly one copy reaches SMTP.

Deterministic because the SMTP server holds the DATA command until the test has killed the
worker, and the time that would pass before the claim expires is stepped over by ageing
the row's claim instead of waiting five minutes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import update
from support.factories import UserFactory

from app import create_app
from app.extensions import db
from app.notifications.models import Notification, NotificationStatus
from app.notifications.operations import notify

ROOT = Path(__file__).resolve().parents[2]


class HoldingSmtp:
    """aiosmtpd handler: holds the first DATA until released (then refuses it with a 451,
    as a server whose client vanished would never have accepted it); accepts the others."""

    def __init__(self) -> None:
        self.accepted: list[bytes] = []
        self.holding = threading.Event()
        self.released = threading.Event()
        self.held_once = False

    async def handle_DATA(self, server, session, envelope) -> str:
        if not self.held_once:
            self.held_once = True
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Sender went away"
        self.accepted.append(envelope.original_content)
        return "250 Message accepted for delivery"


class _Ephemeral(Controller):
    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def holding_smtp() -> Iterator[tuple[HoldingSmtp, int]]:
    handler = HoldingSmtp()
    controller = _Ephemeral(handler, hostname="127.0.0.1", port=0)
    controller.start()
    yield handler, controller.port
    handler.released.set()
    controller.stop()


@pytest.fixture
def queue(redis_url) -> Iterator[str]:
    name = f"souk-drill-{uuid4().hex}"
    yield name
    import redis

    redis.Redis.from_url(redis_url).delete(name, f"_kombu.binding.{name}", f"{name}.unacked")


def start_worker(app: Flask, redis_url: str, queue: str, smtp_port: int, log):
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MEDIA_ROOT": app.config["MEDIA_ROOT"],
    }
    command = [sys.executable, "-m", "celery", "-A", "workers.worker", "worker"]
    command += ["--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle", "-l", "INFO"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def producer(app: Flask, redis_url: str, queue: str) -> Iterator[Flask]:
    """The web side: a second app on the same database whose Celery sends to Redis."""
    web = create_app(
        "testing",
        overrides={
            "REDIS_URL": redis_url,
            "CELERY_ALWAYS_EAGER": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],
            "RATELIMIT_STORAGE_URI": "memory://",
        },
    )
    web.extensions["celery"].conf.update(task_default_queue=queue)
    yield web
    web.extensions["celery"].close()
    with web.app_context():
        db.engine.dispose()
    ours = app.extensions["celery"]
    ours.set_current()
    ours.set_default()


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def status_of(app: Flask, notification_id: int) -> Notification:
    with app.app_context():
        row = db.session.get(Notification, notification_id)
        db.session.expunge(row)
        return row


@pytest.mark.redis
@pytest.mark.slow
def test_a_worker_sigkilled_mid_send_is_replaced_and_the_message_goes_out_once(
    app, committing_db, redis_url, queue, holding_smtp, producer, tmp_path
):
    smtp, smtp_port = holding_smtp
    log_path = tmp_path / "workers.log"
    log = log_path.open("ab")
    first = start_worker(app, redis_url, queue, smtp_port, log)
    second = None
    try:
        with producer.app_context():
            row = notify(
                "order_paid",
                user=UserFactory(locale="en"),
                context={"order_number": "ST-SIGKIL", "total_cents": 9900},
                dedupe_key="order_paid:ST-SIGKIL",
            )
            db.session.commit()  # enqueues deliver_notification on Redis
            notification_id = row.id

        wait_for(smtp.holding.is_set, 60, f"the worker to start sending (log: {log_path})")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        smtp.released.set()

        killed = status_of(app, notification_id)
        assert (killed.status, killed.attempts) == (NotificationStatus.PENDING, 1)
        assert smtp.accepted == []

        # Five minutes pass (the claim timeout): the dead worker's claim and the row age.
        with app.app_context():
            db.session.execute(
                update(Notification)
                .where(Notification.id == notification_id)
                .values(
                    claimed_at=killed.claimed_at - timedelta(minutes=6),
                    created_at=killed.created_at - timedelta(minutes=6),
                )
            )
            db.session.commit()

        second = start_worker(app, redis_url, queue, smtp_port, log)
        producer.extensions["celery"].send_task(
            "workers.tasks.notifications.sweep_outbox", queue=queue, ignore_result=True
        )
        wait_for(
            lambda: status_of(app, notification_id).status == NotificationStatus.SENT,
            60,
            f"the sweep of the new worker (log: {log_path})",
        )
        time.sleep(0.5)  # anything sent twice would have reached the server by now

        assert len(smtp.accepted) == 1
        assert b"ST-SIGKIL" in smtp.accepted[0]
        assert status_of(app, notification_id).attempts == 2
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=10)
        log.close()
