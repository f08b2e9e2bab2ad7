"""The card step of checkout, in the browser and over the API: the client secret, Stripe.js on
the payment page only, the return page that asks Stripe, and Stripe being down."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from support.factories import ProductFactory, login_as
from support.pages import hidden

from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.extensions import db
from app.orders.models import Order

FORM = {
    "name": "Fatima Zahra",
    "phone": "0612345678",
    "line1": "12, rue Al Qods, Hay Salam",
    "city": "Beni Mellal",
    "postal_code": "23000",
    "payment_method": "card",
}
ADDRESS = {"name": "Fatima Zahra", "line1": "12, rue Al Qods", "city": "Beni Mellal",
           "postal_code": "23000"}  # fmt: skip
EN = {"Accept-Language": "en"}


def checkout_by_card(client, shopper, product, quantity=1):
    set_cart_quantity(ShopperCart(shopper.id), product.id, quantity)
    db.session.commit()
    login_as(client, shopper)
    page = client.get("/checkout").get_data(as_text=True)
    return client.post(
        "/checkout",
        data={
            **FORM,
            "csrf_token": hidden(page, "csrf_token"),
            "idempotency_key": hidden(page, "idempotency_key"),
            f"delivery_{product.cooperative_id}": "home_delivery",
        },
    )


def only_order() -> Order:
    return db.session.scalars(select(Order)).one()


def test_a_card_checkout_goes_to_the_payment_page_with_stripe_js(
    client, shop, shopper, stripe_settings
):
    placed = checkout_by_card(client, shopper, ProductFactory(price_cents=9000, stock=3))
    order = only_order()
    assert placed.status_code == 302
    assert placed.location.endswith(f"/orders/{order.number}/pay")

    page = client.get(placed.location, headers=EN).get_data(as_text=True)

    intent_id = shop.payment_of(order).intent_id
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert f'data-client-secret="{intent_id}_secret_' in page
    assert f'data-publishable-key="{stripe_settings["STRIPE_PUBLISHABLE_KEY"]}"' in page
    assert f"/orders/{order.number}/payment-return" in page
    receipt = client.get(f"/orders/{order.number}", headers=EN).get_data(as_text=True)
    assert "js.stripe.com" not in receipt
    assert f'href="/orders/{order.number}/pay"' in receipt


def test_the_return_page_asks_stripe_and_never_trusts_the_browser(client, shop, shopper):
    checkout_by_card(client, shopper, ProductFactory(price_cents=9000, stock=3))
    order = only_order()
    client.get(f"/orders/{order.number}/pay")
    intent_id = shop.payment_of(order).intent_id
    back = f"/orders/{order.number}/payment-return?payment_intent={intent_id}"

    claimed = client.get(back + "&redirect_status=succeeded")
    db.session.refresh(order)
    assert claimed.status_code == 302 and order.status == "pending_payment"

    shop.fake.succeed_payment(intent_id)
    confirmed = client.get(back + "&redirect_status=succeeded", headers=EN)

    db.session.refresh(order)
    assert confirmed.location.endswith(f"/orders/{order.number}")
    assert order.status == "paid"
    assert shop.stripe_clearing() == -order.total_cents


def test_a_declined_card_sends_the_shopper_back_to_the_payment_page(client, shop, shopper):
    checkout_by_card(client, shopper, ProductFactory(stock=3))
    order = only_order()
    client.get(f"/orders/{order.number}/pay")
    shop.send(shop.fake.fail_payment(shop.payment_of(order).intent_id))

    back = client.get(f"/orders/{order.number}/payment-return")

    assert back.location.endswith(f"/orders/{order.number}/pay")


def test_stripe_down_cancels_the_order_and_puts_the_cart_back(client, shop, shopper, fake_stripe):
    oil = ProductFactory(stock=3)
    placed = checkout_by_card(client, shopper, oil, quantity=2)
    fake_stripe.fail_next("POST", "/v1/payment_intents", error_type="api_error")

    response = client.get(placed.location, headers=EN)

    assert response.status_code == 302 and response.location.endswith("/cart")
    order = only_order()
    assert order.status == "cancelled"
    assert shop.stock_of(oil) == 3
    assert ShopperCart(shopper.id).quantities() == {oil.id: 2}
    cart = client.get("/cart", headers=EN).get_data(as_text=True)
    assert order.number in cart and "nothing was charged" in cart


def test_a_paid_or_cash_order_has_no_payment_page(client, shop, shopper):
    order = shop.checkout(shopper, {ProductFactory(): 1}, payment="cash_on_delivery")
    db.session.commit()
    login_as(client, shopper)
    response = client.get(f"/orders/{order.number}/pay")
    assert response.status_code == 302 and response.location.endswith(f"/orders/{order.number}")


def test_the_api_checkout_returns_the_client_secret_and_a_replay_the_same(
    client, shop, shopper, api_token, fake_stripe
):
    oil = ProductFactory(stock=3)
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    db.session.commit()
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "payment_method": "card",
        "delivery": {str(oil.cooperative_id): "home_delivery"},
        "address": ADDRESS,
        "phone": "0612345678",
    }

    first = client.post("/api/v1/checkout", json=body, headers=api_token(shopper))
    again = client.post("/api/v1/checkout", json=body, headers=api_token(shopper))

    assert (first.status_code, again.status_code) == (201, 200)
    secret = first.get_json()["payment"]["client_secret"]
    assert secret == again.get_json()["payment"]["client_secret"]
    assert secret.startswith(shop.payment_of(only_order()).intent_id)
    assert len(fake_stripe.requests_to("POST", "/v1/payment_intents")) == 1


def test_the_api_answers_503_when_stripe_is_down_and_nothing_is_left_half_done(
    client, shop, shopper, api_token, fake_stripe
):
    oil = ProductFactory(stock=3)
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    db.session.commit()
    fake_stripe.fail_next("POST", "/v1/payment_intents", error_type="api_error")

    response = client.post(
        "/api/v1/checkout",
        json={
            "idempotency_key": uuid.uuid4().hex,
            "payment_method": "card",
            "delivery": {str(oil.cooperative_id): "home_delivery"},
            "address": ADDRESS,
            "phone": "0612345678",
        },
        headers=api_token(shopper),
    )

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "payment_gateway_error"
    assert only_order().status == "cancelled"
    assert shop.stock_of(oil) == 3
    assert db.session.scalar(select(func.count(Order.id))) == 1
