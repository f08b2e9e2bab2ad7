"""SENTRY_DSN set: errors reach Sentry (a fake one on loopback), scrubbed; unset: nothing."""

from __future__ import annotations

import gzip
import io
import logging
import time
from collections.abc import Iterator

import pytest
import sentry_sdk
from pytest_httpserver import HTTPServer

from app.observability.logs import json_handler
from app.observability.sentry import init_sentry

PASSWORD = "argan-oil-from-azilal"


@pytest.fixture
def sentry_closed_afterwards() -> Iterator[None]:
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def test_without_sentry_dsn_sentry_is_not_initialised(app, monkeypatch):
    monkeypatch.setitem(app.config, "SENTRY_DSN", None)

    assert init_sentry(app) is False
    assert not sentry_sdk.get_client().is_active()


def test_with_sentry_dsn_an_error_reaches_sentry_without_the_password(
    app, monkeypatch, httpserver: HTTPServer, sentry_closed_afterwards
):
    httpserver.expect_request("/api/1/envelope/", method="POST").respond_with_data("{}")
    dsn = f"http://publickey@127.0.0.1:{httpserver.port}/1"
    monkeypatch.setitem(app.config, "SENTRY_DSN", dsn)

    assert init_sentry(app) is True
    # Production writes every record through the JSON handler first (Sentry reads the record
    # after the handlers): its redaction must leave the record's exception to Sentry.
    logger = logging.getLogger("souk.payouts")
    written = io.StringIO()
    handler = json_handler(written)
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"payout export failed password={PASSWORD}")
        except RuntimeError:
            logger.exception("payout export failed")
    finally:
        logger.removeHandler(handler)
    sentry_sdk.flush(timeout=5)
    assert "RuntimeError" in written.getvalue() and PASSWORD not in written.getvalue()

    texts: list[str] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        texts = [envelope_text(request) for request, _response in httpserver.log]
        # Other envelopes (a client report, another error logged meanwhile, a breadcrumb of the
        # message) may come first: one of them carries the exception.
        if any("payout export failed" in text and "RuntimeError" in text for text in texts):
            break
        sentry_sdk.flush(timeout=1)
        time.sleep(0.1)
    else:
        raise AssertionError(f"no envelope carried the exception: {texts!r}")
    assert not any(PASSWORD in text for text in texts)


def envelope_text(envelope) -> str:
    body = envelope.get_data()
    if envelope.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")
