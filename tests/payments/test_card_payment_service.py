"""Starting a card payment, confirming it from Stripe, and expiring unpaid card orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support.factories import ProductFactory

from app.cart.carts import ShopperCart
from app.core.db import utcnow
from app.extensions import db
from app.ledger.models import LedgerTransaction
from app.payments import services
from app.payments.errors import PaymentGatewayError
from app.payments.models import Payment


def payment_count() -> int:
    return db.session.scalar(select(func.count(Payment.id)))


def test_starting_twice_gives_the_same_intent_and_client_secret(shop, shopper, fake_stripe):
    order = shop.checkout(shopper, {ProductFactory(): 1})

    first = services.start_card_payment(order)
    second = services.start_card_payment(order)

    assert first == second
    assert first.client_secret.startswith(f"{first.intent_id}_secret_")
    assert len(fake_stripe.requests_to("POST", "/v1/payment_intents")) == 1
    assert payment_count() == 1
    assert shop.payment_of(order).amount_cents == order.total_cents


def test_the_intent_is_created_with_one_idempotency_key_per_order(shop, shopper, fake_stripe):
    order = shop.card_order(shopper, {ProductFactory(): 1})

    (created,) = fake_stripe.requests_to("POST", "/v1/payment_intents")
    assert created.headers["Idempotency-Key"] == f"pi:{order.number}"
    assert created.params["automatic_payment_methods"] == {"enabled": "true"}


def test_a_lost_answer_is_retried_and_gives_one_intent(shop, shopper, fake_stripe, app):
    app.config["STRIPE_MAX_NETWORK_RETRIES"] = 2
    order = shop.checkout(shopper, {ProductFactory(): 1})
    fake_stripe.drop_next_response("POST", "/v1/payment_intents")

    started = services.start_card_payment(order)

    requests = fake_stripe.requests_to("POST", "/v1/payment_intents")
    assert len(requests) == 2
    assert len({r.headers["Idempotency-Key"] for r in requests}) == 1
    assert started.intent_id == shop.payment_of(order).intent_id
    assert order.status == "pending_payment"


def test_stripe_down_at_checkout_cancels_the_order_and_returns_stock_and_cart(
    shop, shopper, fake_stripe
):
    oil = ProductFactory(stock=5)
    order = shop.checkout(shopper, {oil: 2})
    assert shop.stock_of(oil) == 3
    fake_stripe.fail_next("POST", "/v1/payment_intents", error_type="api_error")

    with pytest.raises(PaymentGatewayError) as raised:
        services.start_card_payment(order)

    assert raised.value.status == 503
    assert order.number in raised.value.message
    assert "nothing was charged" in raised.value.message
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert [part.status for part in order.parts] == ["cancelled"]
    assert shop.stock_of(oil) == 5
    assert ShopperCart(shopper.id).quantities() == {oil.id: 2}
    assert payment_count() == 0
    assert db.session.scalar(select(func.count(LedgerTransaction.id))) == 0


def test_a_refused_request_is_a_502_that_also_cancels(shop, shopper, fake_stripe):
    oil = ProductFactory(stock=5)
    order = shop.checkout(shopper, {oil: 1})
    fake_stripe.fail_next(
        "POST", "/v1/payment_intents", error_type="invalid_request_error", message="No such key"
    )

    with pytest.raises(PaymentGatewayError) as raised:
        services.start_card_payment(order)

    assert raised.value.status == 502
    assert "No such key" not in raised.value.message
    assert shop.stock_of(oil) == 5


def test_cash_orders_have_no_card_payment(shop, shopper, fake_stripe):
    order = shop.checkout(shopper, {ProductFactory(): 1}, payment="cash_on_delivery")

    assert services.start_card_payment(order) is None
    assert fake_stripe.requests == []


def test_the_return_page_confirms_only_what_stripe_confirms(shop, shopper, fake_stripe):
    order = shop.card_order(shopper, {ProductFactory(price_cents=6000): 1})

    services.confirm_from_stripe(order)
    db.session.refresh(order)
    assert order.status == "pending_payment"

    fake_stripe.succeed_payment(shop.payment_of(order).intent_id)
    payment = services.confirm_from_stripe(order)

    db.session.refresh(order)
    assert order.status == "paid" and payment.status == "succeeded"
    assert shop.stripe_clearing() == -order.total_cents
    # The webhook arriving afterwards changes nothing.
    answer = shop.send(fake_stripe.events[-1])
    assert answer.get_json()["outcome"] == "already_recorded"
    assert shop.stripe_clearing() == -order.total_cents
    shop.assert_books_balance()


def test_an_expired_order_is_cancelled_restocked_and_its_intent_cancelled(
    shop, shopper, fake_stripe
):
    oil = ProductFactory(stock=4)
    order = shop.card_order(shopper, {oil: 3})
    intent_id = shop.payment_of(order).intent_id

    not_yet = services.expire_unpaid_card_orders(order.expires_at - timedelta(seconds=1))
    assert not_yet.expired == []

    report = services.expire_unpaid_card_orders(order.expires_at + timedelta(seconds=1))

    assert report.expired == [order.number]
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert shop.stock_of(oil) == 4
    assert fake_stripe.get(intent_id)["status"] == "canceled"
    assert shop.payment_of(order).status == "canceled"
    # Twice is once.
    again = services.expire_unpaid_card_orders(order.expires_at + timedelta(minutes=10))
    assert again.expired == [] and shop.stock_of(oil) == 4


def test_an_order_paid_just_before_expiry_is_confirmed_not_cancelled(shop, shopper, fake_stripe):
    oil = ProductFactory(stock=4)
    order = shop.card_order(shopper, {oil: 1})
    fake_stripe.succeed_payment(shop.payment_of(order).intent_id)  # its webhook is late

    report = services.expire_unpaid_card_orders(order.expires_at + timedelta(seconds=1))

    assert report.confirmed == [order.number] and report.expired == []
    db.session.refresh(order)
    assert order.status == "paid"
    assert shop.stock_of(oil) == 3
    assert shop.stripe_clearing() == -order.total_cents


def test_expiry_still_cancels_when_stripe_is_down(shop, shopper, fake_stripe):
    oil = ProductFactory(stock=4)
    order = shop.card_order(shopper, {oil: 1})
    fake_stripe.fail_next("POST", "/v1/payment_intents/", error_type="api_error")

    report = services.expire_unpaid_card_orders(order.expires_at + timedelta(seconds=1))

    assert report.expired == [order.number]
    assert shop.stock_of(oil) == 4
    assert shop.payment_of(order).status == "pending"


def test_a_payment_after_the_order_expired_goes_back_to_the_card(shop, shopper, fake_stripe):
    oil = ProductFactory(stock=4)
    order = shop.card_order(shopper, {oil: 1})
    intent_id = shop.payment_of(order).intent_id
    fake_stripe.fail_next("POST", "/v1/payment_intents/", error_type="api_error")
    services.expire_unpaid_card_orders(order.expires_at + timedelta(seconds=1))

    answer = shop.send(fake_stripe.succeed_payment(intent_id))

    assert answer.get_json()["outcome"] == "late_payment"
    db.session.refresh(order)
    assert order.status == "cancelled"
    assert shop.stock_of(oil) == 4
    payment = shop.payment_of(order)
    assert payment.status == "returned"
    assert payment.amount_refunded_cents == order.total_cents
    charge = fake_stripe.get(fake_stripe.get(intent_id)["latest_charge"])
    assert charge["amount_refunded"] == order.total_cents
    assert db.session.scalar(select(func.count(LedgerTransaction.id))) == 0


def test_a_late_payment_stripe_cannot_refund_now_is_returned_by_the_next_sweep(
    shop, shopper, fake_stripe
):
    order = shop.card_order(shopper, {ProductFactory(): 1})
    intent_id = shop.payment_of(order).intent_id
    fake_stripe.fail_next("POST", "/v1/payment_intents/", error_type="api_error")
    services.expire_unpaid_card_orders(order.expires_at + timedelta(seconds=1))
    fake_stripe.fail_next("POST", "/v1/refunds", error_type="api_error")

    shop.send(fake_stripe.succeed_payment(intent_id))
    assert shop.payment_of(order).status == "needs_refund"

    report = services.expire_unpaid_card_orders(utcnow() + timedelta(hours=1))

    assert report.returned == 1
    assert shop.payment_of(order).status == "returned"
    assert len(fake_stripe.requests_to("POST", "/v1/refunds")) == 2
