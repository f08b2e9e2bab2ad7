"""Celery bound to the Flask app (after Flask's own ``examples/celery``), and ``enqueue``.

Every task runs inside ``app.app_context()``. The tasks themselves are thin faces
in ``workers/tasks/`` (take ids, call a service); the app never imports them:
Celery imports ``TASK_MODULES`` by name, in a worker when it boots, and here on
the first eager run. With REDIS_URL unset (or CELERY_ALWAYS_EAGER), tasks run
eagerly in-process, so ``make run`` needs no broker. Start a worker with
``celery -A workers.worker worker`` (``make worker``) and the periodic tasks with
``celery -A workers.worker beat`` (``make beat``); ``BEAT_SCHEDULE`` is their timetable.
"""

from __future__ import annotations

import logging

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask, current_app
from kombu.exceptions import OperationalError as BrokerUnavailable

log = logging.getLogger(__name__)

#: The longest countdown a task may be given (retries included), in seconds.
#: Redis redelivers an unacknowledged task after the visibility timeout, so it must be longer.
LONGEST_COUNTDOWN_SECONDS = 3600

#: The longest wait between two automatic retries of a task, in seconds.
RETRY_BACKOFF_MAX_SECONDS = 600

#: Where the tasks are defined, by name (a worker imports them; the app does not).
TASK_MODULES = (
    "workers.tasks.notifications",
    "workers.tasks.payments",
    "workers.tasks.payouts",
)

#: Periodic work; each entry names a task that is safe to run twice.
BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "workers.tasks.notifications.sweep_outbox",
        "schedule": 60.0,
        # A sweep that waited longer than its period is superseded by the next one.
        "options": {"expires": 55},
    },
    "expire-unpaid-card-orders": {
        "task": "workers.tasks.payments.expire_unpaid_card_orders",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "release-held-earnings": {
        "task": "workers.tasks.payouts.release_earnings_task",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # Daily, early morning in Morocco, so admins find the proposals when they start.
    "propose-payouts": {
        "task": "workers.tasks.payouts.run_payouts_task",
        "schedule": crontab(hour=5, minute=0),
        "options": {"expires": 3600},
    },
    "recover-stuck-payouts": {
        "task": "workers.tasks.payouts.recover_stuck_payouts_task",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
}


def celery_init_app(app: Flask) -> Celery:
    """A Celery app whose tasks run in ``app``'s context; kept as ``app.extensions["celery"]``."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    redis_url = app.config["REDIS_URL"]
    celery = Celery(app.name, task_cls=FlaskTask, include=list(TASK_MODULES))
    celery.conf.update(
        broker_url=redis_url or "memory://",
        result_backend=redis_url or None,
        task_always_eager=not redis_url or app.config.get("CELERY_ALWAYS_EAGER", False),
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_transport_options={"visibility_timeout": LONGEST_COUNTDOWN_SECONDS * 2},
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule=BEAT_SCHEDULE,
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def enqueue(task_name: str, *args: object) -> bool:
    """Hand ``task_name(*args)`` to a worker; without a broker (eager), run it here, now.

    Call it after the commit the task depends on (``app.core.after_commit``). A
    broker that cannot be reached is logged, not raised, and False is returned:
    every task we enqueue has a sweep or a recovery that finds its work later.
    Eagerly, the task's body runs in the caller's app context and database session,
    once (no retries), and its errors propagate to the caller.
    """
    celery: Celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        if task_name not in celery.tasks:
            celery.loader.import_default_modules()  # the tasks, by name, as a worker does
        celery.tasks[task_name].run(*args)
        return True
    try:
        # ignore_result: no result backend round trip, so a Redis outage costs one short retry.
        celery.send_task(task_name, args=list(args), ignore_result=True)
    except (BrokerUnavailable, OSError):
        log.warning("broker unreachable: %s%r not sent", task_name, args, exc_info=True)
        return False
    return True
