from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
    fill_cart_by_api,
)

from app.catalog.models import Product
from app.extensions import db
from app.orders.models import Order

ADDRESS = {
    "name": "Fatima Zahra",
    "line1": "12, rue Al Qods, Hay Salam",
    "city": "Beni Mellal",
    "postal_code": "23000",
}


def checkout_body(choices, **changes):
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "cash_on_delivery",
        "delivery": {str(cid): method for cid, method in choices.items()},
        "address": ADDRESS,
        "phone": "06 12 34 56 78",
    }
    body.update(changes)
    return body


def stock_of(product):
    return db.session.scalar(select(Product.stock).where(Product.id == product.id))


def test_checkout_answers_201_with_the_order_as_api_md_shapes_it(client, headers, fee_rules):
    tighza = CooperativeFactory(shipping_fee_cents=3000)
    amal = CooperativeFactory()
    oil = ProductFactory(cooperative=tighza, price_cents=12000, stock=5)
    honey = ProductFactory(cooperative=amal, price_cents=9000, stock=5)
    fill_cart_by_api(client, headers, {oil: 1, honey: 2})

    response = client.post(
        "/api/v1/checkout",
        json=checkout_body({tighza.id: "home_delivery", amal.id: "coop_pickup"}),
        headers=headers,
    )

    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert set(order) == {
        "number",
        "status",
        "payment_method",
        "placed_at",
        "total",
        "parts",
        "refunds",
    }
    assert order["status"] == "placed" and order["payment_method"] == "cash_on_delivery"
    assert order["total"] == {"amount": 12000 + 3000 + 18000, "currency": "MAD"}
    assert order["refunds"] == []
    assert order["placed_at"].endswith("+00:00")
    parts = {part["cooperative"]["id"]: part for part in order["parts"]}
    home, pickup = parts[tighza.id], parts[amal.id]
    assert home["shipping"]["amount"] == 3000 and "pickup_code" not in home
    assert pickup["shipping"]["amount"] == 0 and len(pickup["pickup_code"]) == 6
    assert home["status"] == "pending" and home["delivery_method"] == "home_delivery"
    line = home["lines"][0]
    assert set(line) == {
        "id",
        "product_id",
        "name",
        "unit_price",
        "quantity",
        "total",
        "fair_trade",
    }
    split = line["fair_trade"]
    assert (
        split["producer"]["amount"] + split["platform"]["amount"] + split["solidarity"]["amount"]
        == line["total"]["amount"]
        == 12000
    )
    assert client.get("/api/v1/cart", headers=headers).get_json()["groups"] == []


def test_the_same_idempotency_key_returns_the_same_order_with_200(client, headers, fee_rules):
    oil = ProductFactory(stock=5)
    fill_cart_by_api(client, headers, {oil: 2})
    body = checkout_body({oil.cooperative_id: "home_delivery"})

    first = client.post("/api/v1/checkout", json=body, headers=headers)
    second = client.post("/api/v1/checkout", json=body, headers=headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json() == second.get_json()
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert stock_of(oil) == 3


def test_a_card_checkout_waits_for_payment(
    client, headers, fee_rules, app, monkeypatch, fake_stripe
):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake_stripe.url)  # the local fake Stripe
    oil = ProductFactory(stock=5)
    fill_cart_by_api(client, headers, {oil: 1})
    response = client.post(
        "/api/v1/checkout",
        json=checkout_body({oil.cooperative_id: "home_delivery"}, payment_method="card"),
        headers=headers,
    )
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending_payment"
    assert "_secret_" in response.get_json()["payment"]["client_secret"]


def test_out_of_stock_is_a_409_naming_the_products(client, headers, fee_rules):
    oil = ProductFactory(stock=5, name="Huile Picholine")
    fill_cart_by_api(client, headers, {oil: 4})
    oil.stock = 1
    db.session.flush()

    response = client.post(
        "/api/v1/checkout",
        json=checkout_body({oil.cooperative_id: "home_delivery"}),
        headers=headers,
    )

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "out_of_stock"
    assert error["fields"]["products"] == ["Huile Picholine"]
    assert error["fields"]["product_ids"] == [str(oil.id)]
    assert "Huile Picholine" in error["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"address": {**ADDRESS, "postal_code": "ABCDE"}}, "address.postal_code"),
        ({"address": {"name": "Fatima"}}, "address.line1"),
        ({"address": {**ADDRESS, "name": ""}}, "address.name"),
        ({"payment_method": "pay_at_stand"}, "payment_method"),
        ({"payment_method": "cheque"}, "payment_method"),
        ({"delivery": {}}, "delivery."),
        ({"delivery": {"1": "drone"}}, "delivery.1"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_bad_checkout_details_are_a_422_naming_the_field(
    client, headers, fee_rules, changes, field
):
    oil = ProductFactory(stock=5)
    fill_cart_by_api(client, headers, {oil: 1})

    response = client.post(
        "/api/v1/checkout",
        json=checkout_body({oil.cooperative_id: "home_delivery"}, **changes),
        headers=headers,
    )

    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert any(name.startswith(field) for name in fields), fields
    assert stock_of(oil) == 5


@pytest.mark.parametrize(
    "smuggled",
    [
        {"total": {"amount": 1, "currency": "MAD"}},
        {"lines": [{"product_id": 1, "unit_price": 1, "quantity": 100}]},
        {"unit_price": 1},
    ],
)
def test_prices_and_totals_sent_by_the_client_are_refused(client, headers, fee_rules, smuggled):
    oil = ProductFactory(stock=5, price_cents=12000)
    fill_cart_by_api(client, headers, {oil: 1})

    response = client.post(
        "/api/v1/checkout",
        json=checkout_body({oil.cooperative_id: "coop_pickup"}, **smuggled),
        headers=headers,
    )

    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_checkout_needs_a_logged_in_shopper(client, fee_rules):
    response = client.post("/api/v1/checkout", json={"anything": 1})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_shopper_sees_their_orders_and_not_anothers(
    client, headers, shopper, api_token, fee_rules
):
    oil = ProductFactory(stock=9)
    fill_cart_by_api(client, headers, {oil: 1})
    placed = client.post(
        "/api/v1/checkout",
        json=checkout_body({oil.cooperative_id: "home_delivery"}),
        headers=headers,
    ).get_json()
    other = api_token(UserFactory())

    mine = client.get(f"/api/v1/orders/{placed['number']}", headers=headers)
    lower = client.get(f"/api/v1/orders/{placed['number'].lower()}", headers=headers)
    theirs = client.get(f"/api/v1/orders/{placed['number']}", headers=other)
    listed = client.get("/api/v1/orders", headers=headers).get_json()
    their_list = client.get("/api/v1/orders", headers=other).get_json()

    assert mine.status_code == 200 and mine.get_json() == placed
    assert lower.status_code == 200
    assert theirs.status_code == 404 and theirs.get_json()["error"]["code"] == "not_found"
    assert listed["total"] == 1 and listed["items"][0]["number"] == placed["number"]
    assert (listed["page"], listed["per_page"]) == (1, 24)
    assert their_list["items"] == [] and their_list["total"] == 0
    assert (
        client.post(f"/api/v1/orders/{placed['number']}/cancel", headers=other).status_code == 404
    )


def test_the_shopper_cancels_by_api_until_a_part_ships(client, headers, api_token, fee_rules):
    oil = ProductFactory(stock=5)
    owner = MembershipFactory(cooperative=oil.cooperative).user
    fill_cart_by_api(client, headers, {oil: 2})
    first = client.post(
        "/api/v1/checkout",
        json=checkout_body({oil.cooperative_id: "home_delivery"}),
        headers=headers,
    ).get_json()

    cancelled = client.post(f"/api/v1/orders/{first['number']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["parts"][0]["status"] == "cancelled"
    assert stock_of(oil) == 5

    fill_cart_by_api(client, headers, {oil: 1})
    second = client.post(
        "/api/v1/checkout",
        json=checkout_body({oil.cooperative_id: "home_delivery"}),
        headers=headers,
    ).get_json()
    member = api_token(owner)
    part_id = second["parts"][0]["id"]
    for to in ("confirmed", "shipped"):
        moved = client.post(
            f"/api/v1/order-parts/{part_id}/transition", json={"to": to}, headers=member
        )
        assert moved.status_code == 200, moved.get_json()

    refused = client.post(f"/api/v1/orders/{second['number']}/cancel", headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "already_shipped"


def test_the_openapi_document_describes_cart_checkout_and_orders(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/cart", "get"),
        ("/api/v1/cart/items/{product_id}", "put"),
        ("/api/v1/cart/items/{product_id}", "delete"),
        ("/api/v1/checkout", "post"),
        ("/api/v1/orders", "get"),
        ("/api/v1/orders/{number}", "get"),
        ("/api/v1/orders/{number}/cancel", "post"),
        ("/api/v1/cooperatives/{cooperative_id}/orders", "get"),
        ("/api/v1/order-parts/{part_id}/transition", "post"),
        ("/api/v1/order-parts/{part_id}/cash-collected", "post"),
    ]:
        assert method in paths[path], (path, method)
    checkout = paths["/api/v1/checkout"]["post"]
    assert {"201", "200", "409", "422"} <= set(checkout["responses"])
    schema_ref = checkout["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert set(request_schema["properties"]) == {
        "idempotency_key",
        "payment_method",
        "delivery",
        "address",
        "phone",
    }
