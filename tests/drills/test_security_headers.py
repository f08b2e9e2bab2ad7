"""Security headers on every answer, Stripe.js allowed on the card page only, and in
production: HTTPS enforced, HSTS, and session cookies that are Secure, HttpOnly, SameSite."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from support.factories import MembershipFactory, ProductFactory, UserFactory, login_as
from support.stripe_fake import TEST_PUBLISHABLE_KEY

from app import create_app
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.extensions import db
from app.fees.services import install_default_rules
from app.orders.checkout import Address, CheckoutRequest
from app.orders.services import place_order

EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path", ["/", "/products", "/login", "/api/v1/provinces", "/healthz", "/no-such-page"]
)
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)

    for name, value in EVERY_ANSWER.items():
        assert response.headers.get(name) == value, name
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert not any("stripe" in source for sources in csp.values() for source in sources)
    # Not in development or testing: plain HTTP is served, without HSTS.
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def card_order_page(app, client, monkeypatch, fake_stripe, stripe_secret_key):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake_stripe.url)
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", stripe_secret_key)
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", TEST_PUBLISHABLE_KEY)
    monkeypatch.setitem(app.config, "STRIPE_MAX_NETWORK_RETRIES", 0)
    install_default_rules()
    product = ProductFactory()
    MembershipFactory(cooperative=product.cooperative)
    shopper = UserFactory()
    cart = ShopperCart(shopper.id)
    set_cart_quantity(cart, product.id, 1)
    with app.test_request_context():
        order = place_order(
            shopper,
            cart,
            CheckoutRequest(
                "card",
                {str(product.cooperative_id): "home_delivery"},
                Address("Fatima", "12 rue Al Qods", "Khenifra", "54000"),
                "0612345678",
                uuid.uuid4().hex,
            ),
        ).order
    db.session.commit()
    login_as(client, shopper)
    return f"/orders/{order.number}/pay"


def test_stripe_js_may_run_and_frame_its_card_fields_on_the_card_page_only(client, card_order_page):
    response = client.get(card_order_page)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    csp = policy(response)

    assert "https://js.stripe.com" in csp["script-src"]
    assert "https://js.stripe.com" in csp["frame-src"]
    assert "https://api.stripe.com" in csp["connect-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    # The page's own inline script runs by its nonce, which is the header's.
    [nonce] = re.findall(r"<script nonce=\"([^\"]+)\">", page)
    assert f"'nonce-{nonce}'" in csp["script-src"]
    assert '<script src="https://js.stripe.com/v3/"></script>' in page

    checkout = client.get("/checkout")
    assert not any("stripe" in s for sources in policy(checkout).values() for s in sources)
    assert not any("stripe" in s for sources in policy(client.get("/")).values() for s in sources)


@pytest.fixture
def production_app(app, monkeypatch) -> Iterator[Flask]:
    """The app as production builds it from its environment. It never reaches its database
    here (the answers checked need none). Creating an app takes over Celery's current app:
    ours is put back."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if not database.startswith("postgresql"):
        database = "postgresql://souk@127.0.0.1:1/unused"
    monkeypatch.setenv("SECRET_KEY", "drill-" + uuid.uuid4().hex)
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("PLATFORM_RIB", "007 780 0009876543210987 75")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    production = create_app("production", overrides={"MEDIA_ROOT": app.config["MEDIA_ROOT"]})
    yield production
    ours = app.extensions["celery"]
    ours.set_current()
    ours.set_default()


def test_production_sends_plain_http_to_https(production_app):
    client = production_app.test_client()

    response = client.get("/products?province=azilal", base_url="http://localhost")

    assert response.status_code in {301, 302}
    assert response.location == "https://localhost/products?province=azilal"


def test_production_answers_https_with_hsts_and_the_same_headers(production_app):
    client = production_app.test_client()

    response = client.get("/api/v1/provinces", base_url="https://localhost")

    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31556926" in hsts and "includeSubDomains" in hsts
    for name, value in EVERY_ANSWER.items():
        assert response.headers.get(name) == value


def test_production_health_probes_answer_plain_http_for_load_balancers(production_app):
    response = production_app.test_client().get("/healthz", base_url="http://localhost")

    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_session_cookies_are_secure_http_only_and_same_site(production_app):
    config = production_app.config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["PREFERRED_URL_SCHEME"] == "https"

    response = production_app.test_client().get("/lang/ar?next=/", base_url="https://localhost")

    [cookie] = [value for name, value in response.headers.items() if name == "Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite"} <= attributes
    assert "SameSite=Lax" in cookie


def test_development_cookies_are_http_only_but_work_without_https(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.config.get("SESSION_COOKIE_SECURE")
