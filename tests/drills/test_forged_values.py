"""Hostile input: what a client says about prices, totals, roles, statuses and balances
is never believed. The API refuses fields it does not know (422, nothing written); a page
ignores form fields it does not render. Either way the server's own values stand.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
    login_as,
)

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.cooperatives.models import Cooperative
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger.models import LedgerTransaction
from app.ledger.queries import trial_balance
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import Order
from app.orders.services import move_part, place_order

FORGED_PRICES = {
    "price": "0.01",
    "price_cents": "1",
    "unit_price_cents": "1",
    "total": "0.01",
    "total_cents": "1",
    "subtotal_cents": "1",
    "shipping_cents": "0",
    "status": "paid",
}
ADDRESS = {"name": "Fatima", "line1": "12 rue Al Qods", "city": "Khenifra", "postal_code": "54000"}


@pytest.fixture
def product():
    install_default_rules()
    product = ProductFactory(price_cents=12000, stock=10)
    db.session.commit()
    return product


def orders_of(user: User) -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.shopper_id == user.id)))


def ledger_postings() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerTransaction))


# Prices and totals -------------------------------------------------------------------------------


def test_a_checkout_form_with_forged_prices_and_totals_is_charged_the_catalog_price(
    client, product, form_on
):
    shopper = UserFactory()
    db.session.commit()
    set_cart_quantity(ShopperCart(shopper.id), product.id, 2)
    db.session.commit()
    login_as(client, shopper)
    fields = form_on(client, "/checkout", "/checkout")
    fields.update(
        phone="0612345678",
        line1="12 rue Al Qods",
        city="Khenifra",
        postal_code="54000",
        **FORGED_PRICES,
    )

    response = client.post("/checkout", data=fields)

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    [order] = orders_of(shopper)
    assert (order.subtotal_cents, order.total_cents, order.status) == (24000, 27000, "placed")
    assert [line.unit_price_cents for part in order.parts for line in part.lines] == [12000]


def test_an_api_checkout_carrying_prices_or_totals_is_refused_and_writes_nothing(
    client, product, api_token
):
    shopper = UserFactory()
    set_cart_quantity(ShopperCart(shopper.id), product.id, 2)
    db.session.commit()
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "cash_on_delivery",
        "delivery": {str(product.cooperative_id): "home_delivery"},
        "address": ADDRESS,
        "phone": "0612345678",
    }
    headers = api_token(shopper)

    forged = client.post(
        "/api/v1/checkout",
        json={**body, "total": {"amount": 1, "currency": "MAD"}, "lines": [{"price": 1}]},
        headers=headers,
    )
    assert forged.status_code == 422
    assert set(forged.get_json()["error"]["fields"]) == {"total", "lines"}
    assert orders_of(shopper) == []

    honest = client.post("/api/v1/checkout", json=body, headers=headers)
    assert honest.status_code == 201
    assert honest.get_json()["total"] == {"amount": 27000, "currency": "MAD"}


def test_a_cart_line_with_a_forged_price_still_costs_the_catalog_price(client, product, api_token):
    shopper = UserFactory()
    db.session.commit()
    headers = api_token(shopper)

    forged = client.put(
        f"/api/v1/cart/items/{product.id}",
        json={"quantity": 1, "unit_price": {"amount": 1, "currency": "MAD"}},
        headers=headers,
    )
    assert forged.status_code == 422
    cart = client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1}, headers=headers)
    assert cart.get_json()["total"] == {"amount": 12000, "currency": "MAD"}


# Roles and statuses ------------------------------------------------------------------------------


def test_registering_as_admin_is_refused_by_the_api_and_ignored_by_the_page(client, form_on):
    forged = client.post(
        "/api/v1/auth/register",
        json={
            "email": "mallory@example.ma",
            "password": "correct-horse-battery",
            "name": "Mallory",
            "roles": ["admin"],
        },
    )
    assert forged.status_code == 422
    assert "roles" in forged.get_json()["error"]["fields"]
    assert db.session.scalar(select(User).where(User.email == "mallory@example.ma")) is None

    fields = form_on(client, "/register", "/register")
    fields.update(
        name="Mallory",
        email="mallory@example.ma",
        password="correct-horse-battery",
        role="admin",
        roles="admin",
        is_admin="1",
    )
    fields = {name: value for name, value in fields.items() if name != "next"}
    fields["confirm"] = fields.get("confirm") or "correct-horse-battery"
    response = client.post("/register", data=fields)

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = db.session.scalar(select(User).where(User.email == "mallory@example.ma"))
    assert user.role == "shopper" and not user.is_admin
    assert client.get("/admin/").status_code == 403


@pytest.fixture
def pending():
    cooperative = CooperativeFactory(status="pending")
    owner = MembershipFactory(cooperative=cooperative).user
    db.session.commit()
    return cooperative, owner


def status_of(cooperative: Cooperative) -> str:
    return db.session.scalar(select(Cooperative.status).where(Cooperative.id == cooperative.id))


def test_an_owner_cannot_verify_their_own_cooperative_through_the_api(client, pending, api_token):
    cooperative, owner = pending

    response = client.patch(
        f"/api/v1/cooperatives/{cooperative.id}",
        json={"status": "verified", "verified": True, "description": "Miel de zaqqoum"},
        headers=api_token(owner),
    )

    assert response.status_code == 422
    assert {"status", "verified"} <= set(response.get_json()["error"]["fields"])
    assert status_of(cooperative) == "pending"


def test_an_owner_cannot_verify_their_own_cooperative_through_the_profile_form(
    client, pending, form_on
):
    cooperative, owner = pending
    login_as(client, owner)
    page = f"/dashboard/{cooperative.id}/profile"
    fields = form_on(client, page, page)
    fields.update(description="Miel de zaqqoum", status="verified", verified_at="2026-01-01")

    response = client.post(page, data=fields)

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert status_of(cooperative) == "pending"
    assert db.session.get(Cooperative, cooperative.id).description == "Miel de zaqqoum"


def test_a_product_cannot_be_moved_to_another_cooperative(client, form_on, api_token):
    product = ProductFactory()
    owner = MembershipFactory(cooperative=product.cooperative).user
    other = CooperativeFactory()
    db.session.commit()
    original = product.cooperative_id

    api = client.patch(
        f"/api/v1/products/{product.id}",
        json={"cooperative_id": other.id, "name": "Miel d'euphorbe"},
        headers=api_token(owner),
    )
    assert api.status_code == 422
    assert "cooperative_id" in api.get_json()["error"]["fields"]

    login_as(client, owner)
    page = f"/dashboard/{original}/products/{product.id}/edit"
    fields = form_on(client, page, page)
    fields.update(cooperative_id=str(other.id), name="Miel d'euphorbe")
    response = client.post(page, data=fields)

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    moved = db.session.get(Product, product.id)
    assert (moved.cooperative_id, moved.name) == (original, "Miel d'euphorbe")


# Balances ----------------------------------------------------------------------------------------


def test_cash_recorded_must_be_the_parts_total_so_no_one_shrinks_the_fees_owed(
    client, app, product, api_token, form_on
):
    owner = MembershipFactory(cooperative=product.cooperative).user
    shopper = UserFactory()
    cart = ShopperCart(shopper.id)
    set_cart_quantity(cart, product.id, 1)
    with app.test_request_context():
        order = place_order(
            shopper,
            cart,
            CheckoutRequest(
                "cash_on_delivery",
                {str(product.cooperative_id): "home_delivery"},
                Address(**ADDRESS),
                "0612345678",
                uuid.uuid4().hex,
            ),
        ).order
        part = order.parts[0]
        for status in ("confirmed", "shipped"):
            move_part(part, status, member=owner)
    before = ledger_postings()

    api = client.post(
        f"/api/v1/order-parts/{part.id}/cash-collected",
        json={"amount": 100},
        headers=api_token(owner),
    )
    assert api.status_code == 422
    assert "amount" in api.get_json()["error"]["fields"]

    login_as(client, owner)
    page = f"/dashboard/{product.cooperative_id}/orders/{part.id}"
    action = f"{page}/cash"
    fields = form_on(client, page, action)
    fields.update(amount="1.00", balance_cents="0")
    response = client.post(action, data=fields)

    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(type(part), part.id).cash_collected_cents is None
    assert ledger_postings() == before
    assert trial_balance().total_cents == 0
