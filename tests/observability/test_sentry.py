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

from app import create_app
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

    texts = envelopes_carrying(httpserver, "payout export failed", "RuntimeError")
    assert not any(PASSWORD in text for text in texts)


def test_an_unhandled_error_in_a_request_reaches_sentry_with_the_password_scrubbed(
    httpserver: HTTPServer, sentry_closed_afterwards
):
    """The Flask integration's path: the error page answers 500 and Sentry gets the error
    with the request it came from, a password in its query blanked."""
    httpserver.expect_request("/api/1/envelope/", method="POST").respond_with_data("{}")
    dsn = f"http://publickey@127.0.0.1:{httpserver.port}/1"
    app = create_app("testing", overrides={"SENTRY_DSN": dsn, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/broken-stand-report")
    def broken_stand_report():
        raise ZeroDivisionError("stand report divided by zero sales")

    answer = app.test_client().get(f"/broken-stand-report?password={PASSWORD}")

    assert answer.status_code == 500
    texts = envelopes_carrying(httpserver, "ZeroDivisionError", "/broken-stand-report")
    assert not any(PASSWORD in text for text in texts)


def envelopes_carrying(httpserver: HTTPServer, *words: str) -> list[str]:
    """The envelopes the fake Sentry received, once one of them holds every word. Other
    envelopes (a client report, another error logged meanwhile, a breadcrumb) may come
    first."""
    texts: list[str] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        texts = [envelope_text(request) for request, _response in httpserver.log]
        if any(all(word in text for word in words) for text in texts):
            return texts
        sentry_sdk.flush(timeout=1)
        time.sleep(0.1)
    raise AssertionError(f"no envelope carried {words}: {texts!r}")


def envelope_text(envelope) -> str:
    body = envelope.get_data()
    if envelope.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")
