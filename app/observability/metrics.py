"""Every Prometheus series the marketplace exports, defined once per process.

Under gunicorn (several processes) the values live in files under
``PROMETHEUS_MULTIPROC_DIR`` (set before the first import of prometheus_client, by
``gunicorn.conf.py`` or the Procfile) and ``/metrics`` adds them up; without it each
process keeps its own values in the default registry.
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # A CLI or a new worker may start before anyone made it; the values live in files there.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

#: Request latency buckets (seconds): a page is tens of ms, a PDF statement a few seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Task duration buckets (seconds): a delivery is ms, a payout run may take a minute.
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)

HTTP_REQUESTS = Counter(
    "souk_http_requests_total", "Requests answered", ["endpoint", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "souk_http_request_duration_seconds",
    "Time to answer a request",
    ["endpoint", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
ORDERS = Counter(
    "souk_orders_total", "Orders placed, paid, cancelled; parts refused at the door", ["event"]
)
PAYOUTS = Counter("souk_payouts_total", "Payouts proposed, paid, failed", ["event"])
PAYOUT_AMOUNT = Counter(
    "souk_payout_amount_cents_total", "Sum of the payouts proposed, paid, failed", ["event"]
)
WEBHOOK_EVENTS = Counter(
    "souk_webhook_events_total", "Stripe events recorded, by type and outcome", ["type", "outcome"]
)
LOGIN_FAILURES = Counter("souk_login_failures_total", "Logins refused for wrong credentials")
RATE_LIMIT_REFUSALS = Counter(
    "souk_rate_limit_refusals_total", "Requests refused with a 429", ["endpoint"]
)
TASK_RUNS = Counter(
    "souk_celery_task_runs_total", "Celery tasks run, by final state", ["task", "state"]
)
TASK_FAILURES = Counter("souk_celery_task_failures_total", "Celery tasks that raised", ["task"])
TASK_DURATION = Histogram(
    "souk_celery_task_duration_seconds", "Time a task ran", ["task"], buckets=TASK_BUCKETS
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> bytes:
    """This process's series, or every process's when they share a multiprocess directory."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
