"""Fault: Redis is down (the broker and the rate-limit storage point at a loopback port
where nothing listens) while shoppers check out and pay. The machine's own Redis is left
alone: other tests use it.

What must hold: orders are placed through the page and the API, a card payment's webhook
is taken, pages are served and logins are still rate limited (in memory), /readyz says the
broker is down (503), each request is answered in a few seconds; and once Redis is back,
the outbox sweep delivers every message that was written meanwhile, each exactly once.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from support.factories import MembershipFactory, ProductFactory, UserFactory, issue_token, login_as

from app import create_app
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.core.db import utcnow
from app.core.tasks import celery_init_app
from app.extensions import db, limiter
from app.fees.services import install_default_rules
from app.notifications.models import Notification, NotificationStatus
from app.notifications.services import sweep
from app.orders.models import Order
from app.payments.models import Payment

#: The longest a request may take while the broker is down (kombu gives up quickly).
SLOWEST_ANSWER_SECONDS = 8
ADDRESS = {"name": "Fatima", "line1": "12 rue Al Qods", "city": "Khenifra", "postal_code": "54000"}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def outage_app(app, committing_db, stripe_app, fake_stripe, mail_to_smtp) -> Iterator[Flask]:
    """The app as production runs it, but Redis refuses every connection: Celery sends to
    it, and the rate limits are stored in it. Same database, mail and Stripe as the tests."""
    dead = f"redis://127.0.0.1:{closed_port()}/0"
    # The limiter is one object for every app: keep the test app's state to put it back.
    saved_limiter = dict(vars(limiter))
    outage = create_app(
        "testing",
        overrides={
            "REDIS_URL": dead,
            "CELERY_ALWAYS_EAGER": False,
            "RATELIMIT_STORAGE_URI": dead,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MEDIA_ROOT": app.config["MEDIA_ROOT"],
            **{
                key: app.config[key]
                for key in (
                    "MAIL_SERVER",
                    "MAIL_PORT",
                    "MAIL_USE_TLS",
                    "STRIPE_API_BASE",
                    "STRIPE_SECRET_KEY",
                    "STRIPE_PUBLISHABLE_KEY",
                    "STRIPE_WEBHOOK_SECRET",
                    "STRIPE_MAX_NETWORK_RETRIES",
                )
            },
        },
    )
    yield outage
    outage.extensions["celery"].close()
    with outage.app_context():
        db.engine.dispose()
    vars(limiter).clear()
    vars(limiter).update(saved_limiter)
    ours = app.extensions["celery"]
    ours.set_current()
    ours.set_default()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.slow
def test_with_redis_down_shoppers_order_and_pay_and_every_message_follows_once_it_returns(
    outage_app, fake_stripe, mail_to_smtp, form_on
):
    with outage_app.app_context():
        install_default_rules()
        products = [ProductFactory(stock=10, price_cents=8000) for _ in range(3)]
        for product in products:
            MembershipFactory(cooperative=product.cooperative)
        page_shopper, api_shopper, card_shopper = (UserFactory(locale="en") for _ in range(3))
        for shopper, product in zip(
            (page_shopper, api_shopper, card_shopper), products, strict=True
        ):
            set_cart_quantity(ShopperCart(shopper.id), product.id, 2)
        db.session.commit()
        api_token, card_token = issue_token(api_shopper), issue_token(card_shopper)
        page_shopper_id = page_shopper.id
        coop_ids = [product.cooperative_id for product in products]
    client = outage_app.test_client()
    slowest = 0.0

    ready, _ = timed(lambda: client.get("/readyz"))
    assert ready.status_code == 503
    assert ready.get_json()["down"] == ["broker"]
    for path in ("/healthz", "/", "/products", f"/products/{products[0].id}"):
        response, took = timed(lambda path=path: client.get(path))
        assert response.status_code == 200, path
        slowest = max(slowest, took)

    # A checkout on the page, cash on delivery.
    with outage_app.test_client() as browser:
        with outage_app.app_context():
            user = db.session.get(type(page_shopper), page_shopper_id)
            login_as(browser, user)
        fields = form_on(browser, "/checkout", "/checkout")
        fields.update(phone="0612345678", line1="12 rue Al Qods", city="Khenifra")
        fields.update(postal_code="54000")
        placed, took = timed(lambda: browser.post("/checkout", data=fields))
        assert placed.status_code == 302, placed.get_data(as_text=True)[:500]
        slowest = max(slowest, took)

    # A checkout over the API, cash on delivery, and one by card, paid at Stripe.
    def checkout(token, method, cooperative_id):
        return client.post(
            "/api/v1/checkout",
            json={
                "idempotency_key": uuid.uuid4().hex,
                "payment_method": method,
                "delivery": {str(cooperative_id): "home_delivery"},
                "address": ADDRESS,
                "phone": "0612345678",
            },
            headers={"Authorization": f"Bearer {token}"},
        )

    cash, took = timed(lambda: checkout(api_token, "cash_on_delivery", coop_ids[1]))
    assert cash.status_code == 201
    slowest = max(slowest, took)
    card, took = timed(lambda: checkout(card_token, "card", coop_ids[2]))
    assert card.status_code == 201 and card.get_json()["payment"]["client_secret"]
    slowest = max(slowest, took)
    with outage_app.app_context():
        intent_id = db.session.scalars(
            select(Payment.intent_id)
            .join(Order, Order.id == Payment.order_id)
            .where(Order.number == card.get_json()["number"])
        ).one()
    body, headers = fake_stripe.signed_webhook(
        fake_stripe.succeed_payment(intent_id), outage_app.config["STRIPE_WEBHOOK_SECRET"]
    )
    paid, took = timed(lambda: client.post("/webhooks/stripe", data=body, headers=headers))
    assert paid.status_code == 200 and paid.get_json()["outcome"] == "order_paid"
    slowest = max(slowest, took)

    # Logins are still limited, in memory: the sixth wrong password is a 429.
    statuses = [
        client.post(
            "/api/v1/auth/token", json={"email": "someone@example.ma", "password": "wrong-guess"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]

    assert slowest < SLOWEST_ANSWER_SECONDS
    with outage_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Order)) == 3
        waiting = db.session.scalars(select(Notification)).all()
        assert waiting and {row.status for row in waiting} == {NotificationStatus.PENDING}
        kinds = sorted(row.kind for row in waiting)
    assert mail_to_smtp.received == []
    assert "order_paid" in kinds and kinds.count("order_placed") == 3

    # Redis returns: tasks run again (eagerly here) and the beat's sweep finds what waited.
    back = Flask("redis_back")
    back.config.update(REDIS_URL=None)
    outage_app.extensions["celery"] = celery_init_app(back)
    outage_app.config["REDIS_URL"] = None
    assert client.get("/readyz").status_code == 200
    with outage_app.app_context():
        first = sweep(now=utcnow() + timedelta(minutes=2))
        second = sweep(now=utcnow() + timedelta(minutes=3))
        rows = db.session.scalars(select(Notification)).all()

    assert (first.sent, first.not_sent, second.sent) == (len(kinds), 0, 0)
    assert {(row.status, row.attempts) for row in rows} == {(NotificationStatus.SENT, 1)}
    emailed = [row for row in rows if row.channel == "email"]
    assert len(mail_to_smtp.received) == len(emailed) == len(rows)
    assert len({message["Message-ID"] for message in mail_to_smtp.messages}) == len(rows)
    print(f"\nredis down: slowest answer {slowest:.2f}s; {len(rows)} messages delivered after")
