"""Errors to Sentry when ``SENTRY_DSN`` is set; without it Sentry is never initialised.

The Flask integration reports unhandled request errors, the Celery one task errors,
and the logging integration every ERROR record (``logger.exception`` in the API's
error handler). Personal data stays off (the default) and ``before_send`` scrubs what a
request carried, with the same rules as the logs.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.observability.logs import scrub, scrub_value


def init_sentry(app: Flask) -> bool:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config["APP_ENV"],
        integrations=[FlaskIntegration(), CeleryIntegration()],
        # A frame's locals may hold a password being checked: Sentry gets none of them.
        include_local_variables=False,
        traces_sample_rate=app.config.get("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        before_send=scrub_event,
    )
    return True


def scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request") or {}
    for part in ("data", "headers", "cookies", "env"):
        if part in request:
            request[part] = scrub_value(part if part != "data" else "body", request[part])
    if isinstance(request.get("query_string"), str):
        request["query_string"] = scrub(request["query_string"])
    for entry in (event.get("logentry"), event.get("message")):
        if isinstance(entry, dict) and isinstance(entry.get("message"), str):
            entry["message"] = scrub(entry["message"])
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])
    for exception in (event.get("exception") or {}).get("values") or ():
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub(exception["value"])
    for crumb in (event.get("breadcrumbs") or {}).get("values") or ():
        if isinstance(crumb.get("message"), str):
            crumb["message"] = scrub(crumb["message"])
    return event
