"""What an operator sees: Prometheus metrics, JSON logs with request ids, Sentry.

Sits just below the faces (``.importlinter``): it watches the domains' rows and
the requests and tasks, and no domain imports it. ``create_app`` wires it
(``register_observability``); the Celery worker starts its metrics endpoint
(``workers/worker.py``).
"""

from __future__ import annotations

from flask import Flask


def register_observability(app: Flask) -> None:
    """Request ids and the request line, the domain counters, task hooks, /metrics, Sentry."""
    from app.extensions import csrf, limiter
    from app.observability import web
    from app.observability.domain_events import watch_domain_events
    from app.observability.logs import configure_json_logging
    from app.observability.sentry import init_sentry
    from app.observability.tasks import connect_task_signals

    if app.config.get("LOG_FORMAT") == "json":
        configure_json_logging(app.config.get("LOG_LEVEL", "INFO"))
    web.instrument_requests(app)
    watch_domain_events()
    connect_task_signals()
    csrf.exempt(web.bp)
    limiter.exempt(web.bp)
    app.register_blueprint(web.bp)
    init_sentry(app)
