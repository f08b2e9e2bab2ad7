"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    down = sorted(name for name, ok in checks.items() if not ok)
    if down:
        return jsonify(status="unavailable", down=down, checks=checks), 503
    return jsonify(status="ok", checks=checks)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        current_app.logger.warning("readiness: database unreachable", exc_info=True)
        db.session.rollback()
        return False


def _broker_ok() -> bool:
    """Eager mode (no REDIS_URL) has no broker to reach, so it counts as ready."""
    url = current_app.config["REDIS_URL"]
    if not url:
        return True
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        current_app.logger.warning("readiness: broker unreachable", exc_info=True)
        return False
