"""The task side: the request id rides along with every task, one JSON line and metrics per run.

``before_task_publish`` (in the process that enqueues, usually a web request) puts the
current request id in the message headers; ``task_prerun`` in the worker puts it back
in the logging context, so the task's lines carry the request that queued it.
``task_postrun``/``task_failure`` count runs, failures and durations. The worker
exports its series on ``CELERY_METRICS_PORT`` (``start_metrics_server``, called by
``workers/worker.py`` when the worker is ready).
"""

from __future__ import annotations

import logging
import time
import uuid

from celery import signals
from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from app.observability import metrics
from app.observability.logs import request_id_var

log = logging.getLogger("souk.task")

#: The message header that carries the request id from the web to the worker.
REQUEST_ID_HEADER = "souk_request_id"

_running: dict[str, tuple[float, object]] = {}


def connect_task_signals() -> None:
    """Connect the publish and run hooks (idempotent: each has a dispatch uid)."""
    signals.before_task_publish.connect(_add_request_id, weak=False, dispatch_uid="souk-publish")
    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="souk-prerun")
    signals.task_postrun.connect(_task_finished, weak=False, dispatch_uid="souk-postrun")
    signals.task_failure.connect(_task_failed, weak=False, dispatch_uid="souk-failure")


def _add_request_id(sender=None, headers=None, **_kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def request_id_of(task) -> str | None:
    """The request id a task's message carries (custom headers land on the request)."""
    request = task.request
    value = getattr(request, REQUEST_ID_HEADER, None)
    if value is None and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(REQUEST_ID_HEADER)
    return value


def _task_started(task_id=None, task=None, **_kwargs) -> None:
    request_id = request_id_of(task) or f"task-{task_id or uuid.uuid4().hex}"
    token = request_id_var.set(request_id)
    _running[task_id] = (time.perf_counter(), token)


def _task_finished(task_id=None, task=None, state=None, **_kwargs) -> None:
    started, token = _running.pop(task_id, (None, None))
    duration = time.perf_counter() - started if started is not None else 0.0
    name = getattr(task, "name", "unknown")
    metrics.TASK_RUNS.labels(name, state or "UNKNOWN").inc()
    metrics.TASK_DURATION.labels(name).observe(duration)
    log.info(
        "task %s %s",
        name,
        state,
        extra={
            "task": name,
            "task_id": task_id,
            "state": state,
            "retries": getattr(task.request, "retries", 0) if task else 0,
            "duration_ms": round(duration * 1000, 2),
        },
    )
    if token is not None:
        try:
            request_id_var.reset(token)  # type: ignore[arg-type]
        except ValueError:  # finished in another context than it started: leave it
            request_id_var.set(None)


def _task_failed(sender=None, **_kwargs) -> None:
    metrics.TASK_FAILURES.labels(getattr(sender, "name", "unknown")).inc()


def metrics_registry() -> CollectorRegistry:
    """The worker's series: every pool process's when they share a multiprocess directory."""
    if metrics.multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def start_metrics_server(port: int, address: str = "127.0.0.1"):
    """Serve the worker's series on ``address:port`` (a thread; returns the server)."""
    server, _thread = start_http_server(port, addr=address, registry=metrics_registry())
    return server
