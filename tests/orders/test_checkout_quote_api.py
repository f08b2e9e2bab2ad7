"""POST /api/v1/checkout/quote (API.md): what checkout would charge now, changing nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from support.factories import CooperativeFactory, ProductFactory, fill_cart_by_api

from app.catalog.models import Product
from app.extensions import db
from app.orders.models import Order


@pytest.fixture
def cart(client, headers, fee_rules):
    tighza = CooperativeFactory(shipping_fee_cents=3500)
    amal = CooperativeFactory(shipping_fee_cents=2500)
    oil = ProductFactory(cooperative=tighza, price_cents=4500, stock=5)
    honey = ProductFactory(cooperative=amal, price_cents=3500, stock=5)
    fill_cart_by_api(client, headers, {oil: 1, honey: 2})
    return tighza, amal, oil, honey


def test_the_quote_gives_each_part_and_the_total_with_delivery(client, headers, cart):
    tighza, amal, _oil, _honey = cart

    response = client.post(
        "/api/v1/checkout/quote",
        json={"delivery": {str(tighza.id): "home_delivery", str(amal.id): "coop_pickup"}},
        headers=headers,
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [
        (part["cooperative"]["id"], part["delivery_method"], part["shipping"], part["subtotal"])
        for part in body["parts"]
    ] == [
        (
            tighza.id,
            "home_delivery",
            {"amount": 3500, "currency": "MAD"},
            {"amount": 4500, "currency": "MAD"},
        ),
        (
            amal.id,
            "coop_pickup",
            {"amount": 0, "currency": "MAD"},
            {"amount": 7000, "currency": "MAD"},
        ),
    ]
    assert body["total"] == {"amount": 15000, "currency": "MAD"}


def test_the_quote_is_what_checkout_then_charges_and_it_changes_nothing(client, headers, cart):
    tighza, amal, oil, _honey = cart
    body = {
        "payment_method": "cash_on_delivery",
        "delivery": {str(tighza.id): "home_delivery", str(amal.id): "home_delivery"},
        "address": {"name": "Fatima Zahra", "line1": "12, rue Al Qods", "city": "Beni Mellal"},
        "phone": "0612345678",
    }
    quote = client.post("/api/v1/checkout/quote", json=body, headers=headers).get_json()
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert db.session.scalar(select(Product.stock).where(Product.id == oil.id)) == 5

    order = client.post(
        "/api/v1/checkout", json={**body, "idempotency_key": uuid.uuid4().hex}, headers=headers
    ).get_json()

    assert order["total"] == quote["total"] == {"amount": 17500, "currency": "MAD"}


def test_a_delivery_the_cooperative_does_not_offer_is_a_422(client, headers, cart):
    tighza, amal, _oil, _honey = cart
    tighza.offers_pickup = False
    db.session.flush()

    response = client.post(
        "/api/v1/checkout/quote",
        json={"delivery": {str(tighza.id): "coop_pickup", str(amal.id): "coop_pickup"}},
        headers=headers,
    )

    assert response.status_code == 422
    assert f"delivery.{tighza.id}" in response.get_json()["error"]["fields"]


def test_a_product_short_of_stock_is_a_409_out_of_stock(client, headers, cart):
    tighza, amal, oil, _honey = cart
    oil.stock = 0
    db.session.flush()

    response = client.post(
        "/api/v1/checkout/quote",
        json={"delivery": {str(tighza.id): "coop_pickup", str(amal.id): "coop_pickup"}},
        headers=headers,
    )

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "out_of_stock"


def test_an_anonymous_browser_quotes_the_cart_of_its_session(client, fee_rules):
    oil = ProductFactory(
        cooperative=CooperativeFactory(shipping_fee_cents=3500), price_cents=4500, stock=5
    )
    client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 2})

    response = client.post(
        "/api/v1/checkout/quote", json={"delivery": {str(oil.cooperative_id): "home_delivery"}}
    )

    assert response.status_code == 200
    assert response.get_json()["total"]["amount"] == 12500


def test_the_quote_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/checkout/quote"]
