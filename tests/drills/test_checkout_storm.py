"""Load: a storm of shoppers checking out the same few products at once, over real HTTP
against the app served on loopback by a threaded server, with real commits.

What must hold: exactly the stock is sold (every unit that left the shelf is on an order
line, none twice, none below zero, and demand far above supply sells out), no 5xx, and no
database trouble (deadlock, lock timeout, "database is locked") ever reaches a shopper:
the only refusal is a clean 409 ``out_of_stock``. Runs on SQLite and on PostgreSQL.
``DRILLS_FULL=1`` sends more shoppers after more stock.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.client import HTTPConnection

import pytest
from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
    issue_token,
)
from werkzeug.serving import make_server

from app.catalog.models import Product
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger.queries import trial_balance
from app.orders.models import Order, OrderLine

FULL = os.environ.get("DRILLS_FULL") == "1"
SHOPPERS = 100 if FULL else 40
STOCKS = [60, 45, 30, 25] if FULL else [20, 15, 10]
ATTEMPTS = 10
ADDRESS = {"name": "Fatima", "line1": "12 rue Al Qods", "city": "Khenifra", "postal_code": "54000"}
TROUBLE = ("deadlock", "locked", "lock timeout", "could not serialize", "operationalerror")


@pytest.fixture
def live_server(app, committing_db) -> Iterator[tuple[str, int]]:
    """The app served by a threaded WSGI server on a free loopback port, as a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.host, server.port
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def card_payments(stripe_app):
    return stripe_app


@dataclass
class Tally:
    """What every shopper saw, gathered across threads."""

    statuses: Counter = field(default_factory=Counter)
    placed: list[str] = field(default_factory=list)
    trouble: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, status: int, body: str) -> None:
        with self.lock:
            self.statuses[(what, status)] += 1
            lowered = body.lower()
            if status >= 500 or any(word in lowered for word in TROUBLE):
                self.trouble.append(f"{what} {status}: {body[:300]}")


def request(address, method: str, path: str, token: str, body=None) -> tuple[int, str]:
    connection = HTTPConnection(*address, timeout=60)
    try:
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def shop(address, token: str, product_ids: list[int], seed: int, tally: Tally, start) -> None:
    """One shopper: browse, fill the cart with what is left, check out; until sold out."""
    rng = random.Random(seed)
    method = "card" if seed % 3 == 0 else "cash_on_delivery"
    start.wait(timeout=30)
    for _attempt in range(ATTEMPTS):
        product_id = rng.choice(product_ids)
        status, body = request(address, "GET", f"/api/v1/products/{product_id}", token)
        tally.record("browse", status, body)
        status, body = request(
            address,
            "PUT",
            f"/api/v1/cart/items/{product_id}",
            token,
            {"quantity": rng.randint(1, 3)},
        )
        tally.record("cart", status, body)
        if status == 409:
            if all_sold_out(address, token, product_ids, tally):
                return
            continue
        checkout = {
            "idempotency_key": uuid.uuid4().hex,
            "payment_method": method,
            "delivery": {str(json.loads(body)["groups"][0]["cooperative"]["id"]): "home_delivery"},
            "address": ADDRESS,
            "phone": "0612345678",
        }
        status, body = request(address, "POST", "/api/v1/checkout", token, checkout)
        tally.record("checkout", status, body)
        if status == 201:
            with tally.lock:
                tally.placed.append(json.loads(body)["number"])
        elif status == 409:
            request(address, "DELETE", f"/api/v1/cart/items/{product_id}", token)


def all_sold_out(address, token: str, product_ids: list[int], tally: Tally) -> bool:
    for product_id in product_ids:
        status, body = request(address, "GET", f"/api/v1/products/{product_id}", token)
        tally.record("browse", status, body)
        if status == 200 and json.loads(body)["stock"] > 0:
            return False
    return True


@pytest.mark.slow
def test_a_checkout_storm_sells_exactly_the_stock_with_no_5xx_and_no_lock_errors(
    app, live_server, card_payments
):
    with app.app_context():
        install_default_rules()
        cooperative = CooperativeFactory(shipping_fee_cents=2500)
        MembershipFactory(cooperative=cooperative)
        products = [
            ProductFactory(cooperative=cooperative, stock=stock, price_cents=4500 + 500 * index)
            for index, stock in enumerate(STOCKS)
        ]
        product_ids = [product.id for product in products]
        shoppers = [UserFactory() for _ in range(SHOPPERS)]
        db.session.commit()
        tokens = [issue_token(shopper) for shopper in shoppers]

    tally = Tally()
    start = threading.Barrier(SHOPPERS)
    began = time.monotonic()
    threads = [
        threading.Thread(
            target=shop, args=(live_server, token, product_ids, index, tally, start), daemon=True
        )
        for index, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    elapsed = time.monotonic() - began

    assert not any(thread.is_alive() for thread in threads), "a shopper hung"
    assert tally.trouble == []
    assert {status for (_what, status) in tally.statuses} <= {200, 201, 409}
    with app.app_context():
        for product_id, initial in zip(product_ids, STOCKS, strict=True):
            left = db.session.scalar(select(Product.stock).where(Product.id == product_id))
            sold = db.session.scalar(
                select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                    OrderLine.product_id == product_id
                )
            )
            assert (left, sold) == (0, initial), f"product {product_id}"
        orders = db.session.scalars(select(Order)).all()
        assert sorted(order.number for order in orders) == sorted(tally.placed)
        for order in orders:
            lines = [line for part in order.parts for line in part.lines]
            assert order.subtotal_cents == sum(line.total_cents for line in lines)
            assert order.total_cents == order.subtotal_cents + 2500
        assert trial_balance().total_cents == 0
    checkouts = sum(n for (what, _s), n in tally.statuses.items() if what == "checkout")
    requests = sum(tally.statuses.values())
    print(
        f"\nstorm: {SHOPPERS} shoppers, {requests} requests in {elapsed:.1f}s, "
        f"{len(tally.placed)} orders of {checkouts} checkouts, {sum(STOCKS)} units sold out; "
        f"{dict(tally.statuses)}"
    )
