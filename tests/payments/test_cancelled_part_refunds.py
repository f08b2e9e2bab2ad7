"""What was paid by card for a cancelled order or part goes back to the card."""

from __future__ import annotations

from datetime import timedelta

from support.factories import CooperativeFactory, MembershipFactory, ProductFactory

from app.core.db import utcnow
from app.extensions import db
from app.ledger.queries import balance, cooperative_balance
from app.orders.services import move_part
from app.payments import services


def charge_of(fake_stripe, shop, order) -> dict:
    return fake_stripe.get(fake_stripe.get(shop.payment_of(order).intent_id)["latest_charge"])


def test_a_shopper_cancelling_a_paid_order_gets_the_money_back(
    client, shop, shopper, api_token, fake_stripe
):
    oil = ProductFactory(stock=5, price_cents=12000)
    order = shop.paid_order(shopper, {oil: 2})
    db.session.commit()

    response = client.post(f"/api/v1/orders/{order.number}/cancel", headers=api_token(shopper))

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "cancelled"
    assert [refund["amount"]["amount"] for refund in body["refunds"]] == [order.total_cents]
    assert charge_of(fake_stripe, shop, order)["amount_refunded"] == order.total_cents
    assert shop.stock_of(oil) == 5
    assert cooperative_balance(oil.cooperative_id) == (0, 0)
    for code in ("clearing:stripe", "platform:revenue", "platform:solidarity_fund"):
        assert balance(code) == 0
    shop.assert_books_balance()


def test_a_part_its_cooperative_cancels_is_refunded_by_the_sweep_once(shop, shopper, fake_stripe):
    tighza, amal = CooperativeFactory(), CooperativeFactory()
    owner = MembershipFactory(cooperative=tighza).user
    oil = ProductFactory(cooperative=tighza, price_cents=12000)
    honey = ProductFactory(cooperative=amal, price_cents=9000)
    order = shop.paid_order(shopper, {oil: 1, honey: 1})
    part = next(p for p in order.parts if p.cooperative_id == tighza.id)
    move_part(part, "cancelled", member=owner, note="Rupture de stock")

    services.expire_unpaid_card_orders(utcnow() + timedelta(hours=1))
    services.expire_unpaid_card_orders(utcnow() + timedelta(hours=2))

    db.session.refresh(order)
    assert order.status == "paid"
    assert charge_of(fake_stripe, shop, order)["amount_refunded"] == part.total_cents
    assert cooperative_balance(tighza.id) == (0, 0)
    assert cooperative_balance(amal.id)[0] > 0
    shop.assert_books_balance()


def test_when_stripe_is_down_the_cancelled_order_is_refunded_later(
    client, shop, shopper, api_token, fake_stripe
):
    order = shop.paid_order(shopper, {ProductFactory(stock=5): 1})
    db.session.commit()
    fake_stripe.fail_next("POST", "/v1/refunds", error_type="api_error")

    response = client.post(f"/api/v1/orders/{order.number}/cancel", headers=api_token(shopper))

    assert response.status_code == 200 and response.get_json()["refunds"] == []
    assert services.refund_cancelled_parts() == 1
    assert charge_of(fake_stripe, shop, order)["amount_refunded"] == order.total_cents
    assert services.refund_cancelled_parts() == 0
