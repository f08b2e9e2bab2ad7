"""Celery bound to create_app, after Flask's own `examples/celery`.

Every task runs inside `app.app_context()`. With REDIS_URL unset, tasks run
eagerly in-process, so `make run` needs no broker. Start a worker with
`celery -A workers.worker worker` (see `make worker`) and the periodic tasks
with `celery -A workers.worker beat` (`make beat`).
"""

from __future__ import annotations

import pkgutil

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

#: The longest countdown a task may be given (retries included), in seconds.
#: Redis redelivers an unacknowledged task after the visibility timeout, so it must be longer.
LONGEST_COUNTDOWN_SECONDS = 3600

#: The longest wait between two automatic retries of a task, in seconds.
RETRY_BACKOFF_MAX_SECONDS = 600


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    redis_url = app.config["REDIS_URL"]
    celery = Celery(app.name, task_cls=FlaskTask, include=task_modules())
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
        beat_schedule=beat_schedule(),
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def task_modules() -> list[str]:
    """Every module of workers/tasks, so that a worker knows each task without a list to keep."""
    from workers import tasks

    return [f"workers.tasks.{info.name}" for info in pkgutil.iter_modules(tasks.__path__)]


def beat_schedule() -> dict:
    """Periodic work; each entry names a task that is safe to run twice.

    Add an entry here when its task exists: expire unpaid card orders, release
    held earnings, propose payouts, low-stock alerts, the cooperatives' daily digest.
    """
    return {
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
