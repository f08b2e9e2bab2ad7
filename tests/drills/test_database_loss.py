"""Fault: the database connection is lost in the middle of a checkout, after the stock was
taken and before the commit. Nothing may be half-written: stock, orders, parts, lines,
outbox and ledger are exactly as before, the cart is still there, and the same checkout
tried again once the database is back places one order.

Injected at three moments (after the order, parts and lines were flushed; while the cart
is emptied; at COMMIT itself), through the page and the API; on PostgreSQL the backend is
also really killed with ``pg_terminate_backend`` from another connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from support.factories import ProductFactory, UserFactory, login_as

from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger.models import LedgerEntry
from app.notifications.models import Notification
from app.orders import services as order_services
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import CooperativeOrder, Order, OrderLine
from app.orders.services import place_order

ADDRESS = {"name": "Fatima", "line1": "12 rue Al Qods", "city": "Khenifra", "postal_code": "54000"}


def connection_lost() -> OperationalError:
    return OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))


def lose_connection_after_lines(patch) -> None:
    """Everything is flushed (stock taken, order, parts, lines); then the line drops."""
    real = order_services.notices.order_placed

    def drop(order):
        real(order)
        db.session.flush()
        raise connection_lost()

    patch.setattr(order_services.notices, "order_placed", drop)


def lose_connection_while_emptying_the_cart(patch) -> None:
    def drop(self):
        raise connection_lost()

    patch.setattr(ShopperCart, "clear", drop)


def lose_connection_at_commit(patch) -> None:
    def drop(session):
        if session.info.get("souk_after_commit"):  # the checkout's commit: it has messages
            raise connection_lost()

    event.listen(Session, "before_commit", drop)
    LISTENERS.append(drop)


#: Session listeners a fault added, removed as soon as the faulty request is answered.
LISTENERS: list[Callable] = []


def heal() -> None:
    while LISTENERS:
        event.remove(Session, "before_commit", LISTENERS.pop())


@pytest.fixture(autouse=True)
def _healed():
    yield
    heal()


FAULTS = {
    "after-lines-flushed": lose_connection_after_lines,
    "while-emptying-the-cart": lose_connection_while_emptying_the_cart,
    "at-commit": lose_connection_at_commit,
}


def snapshot() -> dict:
    """Everything a checkout writes, counted."""
    db.session.expire_all()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "stock": dict(db.session.execute(select(Product.id, Product.stock)).all()),
        "orders": count(Order),
        "parts": count(CooperativeOrder),
        "lines": count(OrderLine),
        "outbox": count(Notification),
        "ledger_entries": count(LedgerEntry),
    }


@pytest.fixture
def basket():
    install_default_rules()
    products = [ProductFactory(stock=5), ProductFactory(stock=3)]
    shopper = UserFactory()
    cart = ShopperCart(shopper.id)
    for product in products:
        set_cart_quantity(cart, product.id, 2)
    db.session.commit()
    return shopper, products


def checkout_body(products, key: str) -> dict:
    return {
        "idempotency_key": key,
        "payment_method": "cash_on_delivery",
        "delivery": {str(p.cooperative_id): "home_delivery" for p in products},
        "address": ADDRESS,
        "phone": "0612345678",
    }


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_connection_lost_mid_checkout_over_the_api_writes_nothing_and_a_retry_places_once(
    client, basket, api_token, monkeypatch, fault
):
    shopper, products = basket
    headers = api_token(shopper)
    before = snapshot()
    key = uuid.uuid4().hex

    with monkeypatch.context() as patch:
        FAULTS[fault](patch)
        response = client.post(
            "/api/v1/checkout", json=checkout_body(products, key), headers=headers
        )
        heal()

    assert response.status_code == 500
    assert response.is_json and response.get_json()["error"]["code"] == "internal_error"
    assert snapshot() == before
    assert ShopperCart(shopper.id).quantities() == {p.id: 2 for p in products}

    retried = client.post("/api/v1/checkout", json=checkout_body(products, key), headers=headers)
    again = client.post("/api/v1/checkout", json=checkout_body(products, key), headers=headers)

    assert (retried.status_code, again.status_code) == (201, 200)
    assert retried.get_json()["number"] == again.get_json()["number"]
    after = snapshot()
    assert after["orders"] == before["orders"] + 1
    assert after["stock"] == {pid: stock - 2 for pid, stock in before["stock"].items()}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_connection_lost_mid_checkout_on_the_page_writes_nothing(
    app, client, basket, form_on, monkeypatch, fault
):
    shopper, _products = basket
    # As in production: the error page, not the exception raised into the test.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    login_as(client, shopper)
    fields = form_on(client, "/checkout", "/checkout")
    fields.update(phone="0612345678", line1="12 rue Al Qods", city="Khenifra", postal_code="54000")
    before = snapshot()

    with monkeypatch.context() as patch:
        FAULTS[fault](patch)
        response = client.post("/checkout", data=fields)
        heal()

    assert response.status_code == 500
    assert "<html" in response.get_data(as_text=True).lower()
    assert snapshot() == before
    assert client.post("/checkout", data=fields).status_code == 302
    assert snapshot()["orders"] == before["orders"] + 1


@pytest.mark.postgres
def test_a_postgres_backend_killed_mid_checkout_leaves_nothing_behind(app, committing_db):
    """The real thing: another connection terminates the checkout's backend after its stock
    UPDATE and order INSERTs, before COMMIT; PostgreSQL rolls the transaction back."""
    with app.test_request_context():
        install_default_rules()
        product = ProductFactory(stock=4)
        shopper = UserFactory()
        cart = ShopperCart(shopper.id)
        set_cart_quantity(cart, product.id, 3)
        db.session.commit()
        product_id, cooperative_id, shopper_id = product.id, product.cooperative_id, shopper.id
        killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        real = order_services.notices.order_placed
        killed = []

        def kill_my_backend(order, **links):
            real(order, **links)
            db.session.flush()
            pid = db.session.scalar(text("SELECT pg_backend_pid()"))
            with killer.begin() as other:
                killed.append(other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}))

        order_services.notices.order_placed = kill_my_backend
        try:
            with pytest.raises(OperationalError):
                place_order(
                    shopper,
                    cart,
                    CheckoutRequest(
                        "cash_on_delivery",
                        {str(cooperative_id): "home_delivery"},
                        Address(**ADDRESS),
                        "0612345678",
                        "killed-backend",
                    ),
                )
        finally:
            order_services.notices.order_placed = real
            db.session.rollback()
            db.session.remove()
            killer.dispose()

    assert killed == [True]
    with app.app_context():
        assert db.session.scalar(select(Product.stock).where(Product.id == product_id)) == 4
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
        assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        assert ShopperCart(shopper_id).quantities() == {product_id: 3}
