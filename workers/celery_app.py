"""Celery bound to create_app, after Flask's own `examples/celery`.

Every task runs inside `app.app_context()`. With REDIS_URL unset, tasks run
eagerly in-process, so `make run` needs no broker. Start a worker with
`celery -A workers.worker worker` (see `make worker`).
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

#: The longest countdown a task may be given (retries included), in seconds.
#: Redis redelivers an unacknowledged task after the visibility timeout, so it must be longer.
LONGEST_COUNTDOWN_SECONDS = 3600


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    redis_url = app.config["REDIS_URL"]
    celery = Celery(app.name, task_cls=FlaskTask)
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


def beat_schedule() -> dict:
    """Periodic work; each entry names a task that is safe to run twice."""
    return {}
