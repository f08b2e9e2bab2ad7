from __future__ import annotations

import re

from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    FairFactory,
    ProductFactory,
    StandFactory,
    UserFactory,
    login_as,
)
from support.pages import checkout_form, hidden

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
    "payment_method": "cash_on_delivery",
}


def orders() -> int:
    return db.session.scalar(select(func.count(Order.id)))


def test_checkout_without_login_and_an_empty_cart_goes_back_to_the_cart(client):
    response = client.get("/checkout")
    assert response.status_code == 302 and response.location.endswith("/cart")


def test_an_empty_cart_goes_back_to_the_cart(client, shopper):
    login_as(client, shopper)
    response = client.get("/checkout")
    assert response.status_code == 302 and response.location.endswith("/cart")


def test_checkout_places_the_order_and_lands_on_the_receipt(client, shopper, fee_rules):
    tighza = CooperativeFactory(name="Tighza", shipping_fee_cents=3000)
    oil = ProductFactory(cooperative=tighza, price_cents=12000, stock=5, name="Huile")
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    login_as(client, shopper)
    page = client.get(f"/checkout?delivery-{tighza.id}=coop_pickup").get_data(as_text=True)
    assert re.search(r'checked[^>]*value="coop_pickup"|value="coop_pickup"[^>]*checked', page)

    response = client.post(
        "/checkout",
        data={**FORM, **checkout_form(client), f"delivery_{tighza.id}": "home_delivery"},
    )

    assert response.status_code == 302
    number = response.location.rsplit("/", 1)[-1]
    receipt = client.get(f"/orders/{number}").get_data(as_text=True)
    assert number in receipt
    # 120.00 of which 110.40 to the cooperative, 8.40 to the platform, 1.20 to the fund,
    # and the 30.00 delivery fee whole to the cooperative.
    for amount in ("110.40", "8.40", "1.20", "140.40", "150.00"):
        assert amount in receipt or amount.replace(".", ",") in receipt, amount
    assert ShopperCart(shopper.id).quantities() == {}


def test_a_double_click_places_one_order(client, shopper, fee_rules):
    oil = ProductFactory(stock=5)
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    login_as(client, shopper)
    data = {**FORM, **checkout_form(client), f"delivery_{oil.cooperative_id}": "home_delivery"}

    first = client.post("/checkout", data=data)
    second = client.post("/checkout", data=data)

    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert orders() == 1


def test_bad_details_are_shown_next_to_their_fields_with_422(client, shopper, fee_rules):
    oil = ProductFactory(stock=5)
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    login_as(client, shopper)

    response = client.post(
        "/checkout",
        data={
            **FORM,
            **checkout_form(client),
            "phone": "0812",
            "postal_code": "2300",
            f"delivery_{oil.cooperative_id}": "home_delivery",
        },
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="phone-errors"' in page
    assert 'id="postal_code-errors"' in page
    # Summarised at the top too, each message a link to its field, the summary focused.
    summary = page[page.index('id="error-summary"') : page.index('id="checkout-form"')]
    assert 'href="#phone"' in summary and 'href="#postal_code"' in summary
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    assert orders() == 0


def test_card_is_offered_only_when_stripe_is_configured(client, shopper, app, monkeypatch):
    oil = ProductFactory(stock=5)
    set_cart_quantity(ShopperCart(shopper.id), oil.id, 1)
    login_as(client, shopper)
    assert 'value="card"' in client.get("/checkout").get_data(as_text=True)

    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    page = client.get("/checkout").get_data(as_text=True)
    assert 'value="card"' not in page


def test_pay_at_the_stand_is_offered_when_every_cooperative_is_at_the_fair(client, shopper):
    exhibitor = CooperativeFactory()
    StandFactory(cooperative=exhibitor, fair=FairFactory())
    set_cart_quantity(ShopperCart(shopper.id), ProductFactory(cooperative=exhibitor).id, 1)
    login_as(client, shopper)
    assert 'value="pay_at_stand"' in client.get("/checkout").get_data(as_text=True)


def test_the_receipt_shows_the_pickup_code_as_text_and_qr_code(client, shopper, shop):
    oil = ProductFactory()
    order = shop.checkout(shopper, {oil: 1}, default_delivery="coop_pickup")
    login_as(client, shopper)

    page = client.get(f"/orders/{order.number}").get_data(as_text=True)

    assert order.parts[0].pickup_code in page
    assert "<svg" in page and 'role="img"' in page
    assert "<script" not in page


def test_a_shopper_cannot_see_another_shoppers_order(client, shop, shopper):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    login_as(client, UserFactory())
    assert client.get(f"/orders/{order.number}").status_code == 404


def test_the_history_lists_the_shoppers_orders(client, shop, shopper):
    mine = shop.checkout(shopper, {ProductFactory(): 1})
    theirs = shop.checkout(UserFactory(), {ProductFactory(): 1})
    login_as(client, shopper)

    page = client.get("/orders").get_data(as_text=True)

    assert mine.number in page and theirs.number not in page


def test_the_shopper_cancels_from_the_receipt(client, shop, shopper):
    oil = ProductFactory(stock=5)
    order = shop.checkout(shopper, {oil: 2})
    login_as(client, shopper)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "/cancel" in page

    response = client.post(
        f"/orders/{order.number}/cancel",
        data={"csrf_token": hidden(page, "csrf_token"), "confirmed": "yes"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "cancelled"


def test_cancelling_without_the_confirmation_asks_first_and_changes_nothing(client, shopper, shop):
    oil = ProductFactory(stock=5)
    order = shop.checkout(shopper, {oil: 2})
    login_as(client, shopper)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)

    response = client.post(
        f"/orders/{order.number}/cancel", data={"csrf_token": hidden(page, "csrf_token")}
    )

    asked = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="confirmed" value="yes"' in asked and f'href="/orders/{order.number}"' in asked
    db.session.expire_all()
    assert db.session.get(Order, order.id).status != "cancelled"
