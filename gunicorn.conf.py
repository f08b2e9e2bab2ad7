"""Gunicorn settings for the web tier (``gunicorn -c gunicorn.conf.py wsgi:app``).

Every value can be overridden from the environment (``WEB_CONCURRENCY``, ``PORT``...);
``make prod-check`` and the Procfile use this file as it is. Metrics: each worker
process writes its series under ``PROMETHEUS_MULTIPROC_DIR`` (made here, emptied at
start), ``/metrics`` adds them up, and ``child_exit`` retires a dead worker's gauges.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile

# Before any worker imports prometheus_client: where the processes share their series.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "souk-web-metrics")
)

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
#: Requests are short and mostly wait on PostgreSQL: 2 x cores + 1 sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
#: A request still running after this is killed (the PDF statement is the slowest page).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
#: On SIGHUP/SIGTERM, workers finish their requests for this long before being killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
#: Recycle each worker after this many requests (jittered), so a slow leak never builds up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
#: The app is imported in each worker: a reload (SIGHUP) picks up new code.
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

#: One JSON object per request on stdout, next to the app's own JSON lines on stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", "agent": "%(a)s"}'
)


def on_starting(server) -> None:
    """A fresh directory per start: series of a previous run would be added to this one's."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
