from __future__ import annotations

from support.factories import PASSWORD, CooperativeFactory, ProductFactory, csrf_from, login_as

from app.cart.carts import ShopperCart
from app.extensions import db


def test_an_anonymous_cart_is_kept_in_the_session_cookie(client):
    oil = ProductFactory(stock=5, price_cents=12000)

    put = client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 2})
    got = client.get("/api/v1/cart")

    assert put.status_code == 200
    assert got.get_json() == put.get_json()
    body = got.get_json()
    assert body["total"] == {"amount": 24000, "currency": "MAD"}
    assert body["groups"][0]["lines"] == [
        {
            "product_id": oil.id,
            "name": oil.name,
            "unit_price": {"amount": 12000, "currency": "MAD"},
            "quantity": 2,
            "total": {"amount": 24000, "currency": "MAD"},
        }
    ]


def test_the_cart_groups_lines_by_cooperative_with_delivery_options(client, shopper, api_token):
    pickup_only = CooperativeFactory(name="Amal", offers_home_delivery=False)
    both = CooperativeFactory(name="Tighza")
    headers = api_token(shopper)
    for product in (ProductFactory(cooperative=pickup_only), ProductFactory(cooperative=both)):
        client.put(f"/api/v1/cart/items/{product.id}", json={"quantity": 1}, headers=headers)

    body = client.get("/api/v1/cart", headers=headers).get_json()

    assert [g["cooperative"]["name"] for g in body["groups"]] == ["Amal", "Tighza"]
    assert body["groups"][0]["delivery_options"] == ["coop_pickup"]
    assert body["groups"][1]["delivery_options"] == ["home_delivery", "coop_pickup"]
    assert set(body["groups"][0]) == {"cooperative", "lines", "delivery_options", "subtotal"}
    assert body["groups"][0]["cooperative"]["id"] == pickup_only.id


def test_a_bearer_client_changes_the_shoppers_own_cart(client, shopper, api_token):
    oil = ProductFactory(stock=5)
    response = client.put(
        f"/api/v1/cart/items/{oil.id}", json={"quantity": 3}, headers=api_token(shopper)
    )
    assert response.status_code == 200
    assert ShopperCart(shopper.id).quantities() == {oil.id: 3}


def test_a_quantity_beyond_the_stock_is_a_409_out_of_stock(client):
    oil = ProductFactory(stock=2)
    response = client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 3})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "out_of_stock"


def test_quantity_zero_removes_the_line(client):
    oil = ProductFactory(stock=5)
    client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 2})
    body = client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 0}).get_json()
    assert body == {"groups": [], "total": {"amount": 0, "currency": "MAD"}}


def test_bad_quantities_and_smuggled_prices_are_refused_with_422(client):
    oil = ProductFactory(stock=5)
    for body in (
        {"quantity": -1},
        {"quantity": "2"},
        {"quantity": 1.5},
        {},
        {"quantity": 1, "unit_price": 1},
    ):
        response = client.put(f"/api/v1/cart/items/{oil.id}", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"] == "validation_error"
    assert client.get("/api/v1/cart").get_json()["groups"] == []


def test_a_product_not_on_sale_is_a_404(client):
    draft = ProductFactory(status="draft")
    for product_id in (draft.id, 999_999, 2**40):
        response = client.put(f"/api/v1/cart/items/{product_id}", json={"quantity": 1})
        assert response.status_code == 404
        assert response.is_json


def test_delete_removes_the_line(client):
    oil = ProductFactory(stock=5)
    client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 2})
    response = client.delete(f"/api/v1/cart/items/{oil.id}")
    assert response.status_code == 200
    assert response.get_json()["groups"] == []


def test_prices_are_read_from_the_database_each_time(client):
    oil = ProductFactory(stock=5, price_cents=12000)
    client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 1})
    oil.price_cents = 13000
    db.session.flush()
    body = client.get("/api/v1/cart").get_json()
    assert body["total"]["amount"] == 13000


def test_a_logged_in_browser_needs_the_csrf_token_to_change_the_cart(client, shopper):
    oil = ProductFactory(stock=5)
    login_as(client, shopper)
    response = client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 1})
    assert response.status_code == 400
    assert response.is_json


def test_logging_in_keeps_what_was_put_in_the_cart_as_a_guest(client, shopper):
    oil = ProductFactory(stock=5)
    client.put(f"/api/v1/cart/items/{oil.id}", json={"quantity": 2})

    token = csrf_from(client, "/login")
    response = client.post(
        "/login", data={"email": shopper.email, "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 302
    assert ShopperCart(shopper.id).quantities() == {oil.id: 2}
    assert client.get("/api/v1/cart").get_json()["groups"][0]["lines"][0]["quantity"] == 2
