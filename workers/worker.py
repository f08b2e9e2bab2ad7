"""Entry point for `celery -A workers.worker worker|beat`: the Celery app of a real Flask app.

The Celery app, its settings and the beat schedule live in ``app.core.tasks``; the
tasks here in ``workers/tasks`` call the domains' services. The app never imports
this package: Celery imports the task modules by name (``TASK_MODULES``).
"""

import os
from pathlib import Path

from celery import signals

from app import create_app
from app.observability.tasks import start_metrics_server

flask_app = create_app()
celery = flask_app.extensions["celery"]
# Register every task now, not only when a worker boots, so `celery inspect` and beat see them.
celery.loader.import_default_modules()


@signals.celeryd_init.connect(weak=False, dispatch_uid="souk-worker-metrics-dir")
def _fresh_metrics_dir(**_kwargs) -> None:
    """Series a previous run left in PROMETHEUS_MULTIPROC_DIR would be added to this one's.

    This process's own files stay: prometheus_client opened them when the app was imported
    and keeps writing there, so a removed one would take every count of a solo or threads
    pool (tasks run in this process) with it, unseen by /metrics."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        own = f"_{os.getpid()}.db"
        for path in Path(directory).iterdir():
            if not path.name.endswith(own):
                path.unlink(missing_ok=True)


@signals.worker_process_shutdown.connect(weak=False, dispatch_uid="souk-worker-metrics-exit")
def _retire_pool_process(pid=None, **_kwargs) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@signals.worker_ready.connect(weak=False, dispatch_uid="souk-worker-metrics")
def _export_metrics(**_kwargs) -> None:
    """The worker's task series on CELERY_METRICS_PORT (loopback), for Prometheus to scrape."""
    port = flask_app.config.get("CELERY_METRICS_PORT")
    if port:
        start_metrics_server(port)
