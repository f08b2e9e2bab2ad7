"""The request side: request ids, one JSON log line and the metrics per request, ``/metrics``.

``/metrics`` answers only an address inside ``METRICS_ALLOW`` (CIDRs; behind a proxy
set ``PROXY_COUNT`` so the address is the client's) or a request carrying
``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets a 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Iterable

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from flask_login import current_user
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification, NotificationStatus
from app.observability import metrics
from app.observability.logs import cooperative_id_var, request_id_var, user_id_var

log = logging.getLogger("souk.request")

REQUEST_ID_HEADER = "X-Request-ID"
#: A caller's request id is kept when it looks like one (no log injection through it).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

bp = Blueprint("metrics", __name__)


def instrument_requests(app: Flask) -> None:
    """Our first hook runs before every other one, the rate limiter's included (its 429s count)."""
    first = app.before_request_funcs.setdefault(None, [])
    if _start_request not in first:
        first.insert(0, _start_request)
    app.after_request(_finish_request)
    app.teardown_request(_forget_request)


def _start_request() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    g.request_tokens = (
        request_id_var.set(g.request_id),
        user_id_var.set(None),
        cooperative_id_var.set(_cooperative_in_url()),
    )


def _cooperative_in_url() -> int | None:
    value = (request.view_args or {}).get("cooperative_id")
    return value if isinstance(value, int) else None


def _finish_request(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request that failed before our first hook
        return response
    duration = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"
    status = str(response.status_code)
    metrics.HTTP_REQUESTS.labels(endpoint, request.method, status).inc()
    metrics.HTTP_LATENCY.labels(endpoint, request.method, status).observe(duration)
    if g.get("failed_login"):
        metrics.LOGIN_FAILURES.inc()
    if response.status_code == 429:
        metrics.RATE_LIMIT_REFUSALS.labels(endpoint).inc()
    user_id = _user_id()
    user_id_var.set(user_id)
    response.headers[REQUEST_ID_HEADER] = g.request_id
    log.info(
        "%s %s %s",
        request.method,
        request.url_rule.rule if request.url_rule else "unmatched",
        status,
        extra={
            "route": request.url_rule.rule if request.url_rule else None,
            "endpoint": endpoint,
            "method": request.method,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 2),
            "user_id": user_id,
            "cooperative_id": g.get("cooperative_id") or cooperative_id_var.get(),
        },
    )
    return response


def _user_id() -> int | None:
    token_user = g.get("token_user")  # an API request authenticated by its bearer token
    if token_user is not None:
        return token_user.id
    try:
        return current_user.get_id() and int(current_user.get_id())
    except Exception:  # no login manager bound, or a broken session: the line is still written
        return None


def _forget_request(_error: BaseException | None) -> None:
    tokens = g.pop("request_tokens", None)
    if tokens:
        for var, token in zip(
            (request_id_var, user_id_var, cooperative_id_var), tokens, strict=True
        ):
            var.reset(token)


@bp.get("/metrics")
def scrape():
    if not _may_scrape():
        abort(404)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OutboxCollector())
    body = metrics.exposition() + generate_latest(registry)
    return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")


def _may_scrape() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in allowed_networks(current_app.config))


def allowed_networks(config) -> Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    value = config.get("METRICS_ALLOW") or ""
    return [
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    ]


class OutboxCollector:
    """The notification lag, read from the database when Prometheus scrapes."""

    def collect(self):
        pending, oldest = db.session.execute(
            select(func.count(), func.min(Notification.created_at)).where(
                Notification.status == NotificationStatus.PENDING
            )
        ).one()
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=utcnow().tzinfo)
            age = max(0.0, (utcnow() - oldest).total_seconds())
        yield GaugeMetricFamily("souk_outbox_pending", "Notifications waiting to be sent", pending)
        yield GaugeMetricFamily(
            "souk_outbox_oldest_pending_age_seconds",
            "Age of the oldest notification waiting to be sent (the notification lag)",
            age,
        )
