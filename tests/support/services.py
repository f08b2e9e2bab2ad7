"""Skip locally, fail in CI: a test that needs a missing service must not pass silently there."""

from __future__ import annotations

import os

import pytest


def required_services() -> set[str]:
    value = os.environ.get("REQUIRE_SERVICES", "").strip().lower()
    if value in {"1", "true", "yes", "all"}:
        return {"postgres", "redis", "browser", "smtp", "pgbouncer"}
    return {part.strip() for part in value.split(",") if part.strip()}


def require_service(name: str, available: bool, description: str) -> None:
    if available:
        return
    if name in required_services():
        pytest.fail(f"{description} is required (REQUIRE_SERVICES) but not available.")
    pytest.skip(f"{description} is not available.")
