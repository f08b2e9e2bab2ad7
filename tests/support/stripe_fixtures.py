"""Pytest fixtures around :class:`support.stripe_fake.FakeStripe`.

Load with ``pytest_plugins = ["support.stripe_fixtures"]`` in the top-level ``tests/conftest.py``
(``tests/`` must be on ``sys.path``: ``pythonpath = ["tests"]`` in the pytest configuration).

One server runs for the whole session (starting a thread per test is wasted time); every test
gets it emptied by ``fake_stripe``. Tests running in parallel processes (xdist) each get their
own server, since session fixtures are per worker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from support.stripe_fake import (
    TEST_PUBLISHABLE_KEY,
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    FakeStripe,
)


@pytest.fixture(scope="session")
def stripe_secret_key() -> str:
    """An ``sk_test_...`` key; the session's fake accepts any ``sk_test_`` key, not others."""
    return TEST_SECRET_KEY


@pytest.fixture(scope="session")
def stripe_webhook_secret() -> str:
    """Endpoint secret (``whsec_test_...``) to configure the app with and sign events with."""
    return TEST_WEBHOOK_SECRET


@pytest.fixture(scope="session")
def fake_stripe_server() -> Iterator[FakeStripe]:
    """The session's running server; tests use ``fake_stripe``, which also empties it.

    Session-scoped fixtures (the app) may take it for its ``url``, which never changes.
    """
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fake_stripe(fake_stripe_server: FakeStripe) -> FakeStripe:
    """The running fake, emptied of objects, keys, faults and recorded requests."""
    fake_stripe_server.reset()
    return fake_stripe_server


@pytest.fixture(scope="session")
def stripe_config(
    fake_stripe_server: FakeStripe, stripe_secret_key: str, stripe_webhook_secret: str
) -> dict[str, str]:
    """App config overrides (same names as the environment variables) pointing at the fake.

    Session-scoped so the session-scoped app can be built with them.
    """
    return {
        "STRIPE_SECRET_KEY": stripe_secret_key,
        "STRIPE_PUBLISHABLE_KEY": TEST_PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": stripe_webhook_secret,
        "STRIPE_API_BASE": fake_stripe_server.url,
    }


@pytest.fixture
def stripe_settings(app, monkeypatch, fake_stripe, stripe_secret_key, stripe_webhook_secret):
    """Point the app at the fake (no client retries: tests decide) and sign with its secret;
    the app's config, for the test's lifetime."""
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake_stripe.url)
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", stripe_secret_key)
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", TEST_PUBLISHABLE_KEY)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", stripe_webhook_secret)
    monkeypatch.setitem(app.config, "STRIPE_MAX_NETWORK_RETRIES", 0)
    return app.config


@pytest.fixture
def stripe_client(fake_stripe: FakeStripe, stripe_secret_key: str) -> stripe.StripeClient:
    """A real ``StripeClient`` talking to ``fake_stripe``, configured as the app should be."""
    return stripe.StripeClient(
        stripe_secret_key,
        base_addresses={"api": fake_stripe.url},
        max_network_retries=0,
    )
