"""A card order paid through the real Stripe client against the local fake, by signed webhook."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select
from support.factories import CooperativeFactory, ProductFactory
from support.stripe_fake import sign

from app.extensions import db
from app.ledger.models import LedgerTransaction
from app.ledger.queries import balance, cooperative_balance
from app.notifications.models import Notification
from app.orders.models import Order
from app.payments.models import StripeEvent


def event_count() -> int:
    return db.session.scalar(select(func.count(StripeEvent.id)))


def ledger_count() -> int:
    return db.session.scalar(select(func.count(LedgerTransaction.id)))


def test_a_card_order_is_paid_by_the_signed_webhook_and_the_ledger_matches_stripe(
    shop, shopper, fake_stripe
):
    tighza = CooperativeFactory(shipping_fee_cents=3000)
    amal = CooperativeFactory(shipping_fee_cents=2500)
    oil = ProductFactory(cooperative=tighza, price_cents=12000, stock=5)
    honey = ProductFactory(cooperative=amal, price_cents=9050, stock=5)
    order = shop.card_order(shopper, {oil: 2, honey: 1})

    intent = fake_stripe.get(shop.payment_of(order).intent_id)
    assert intent["amount"] == order.total_cents == 2 * 12000 + 3000 + 9050 + 2500
    assert intent["currency"] == "mad"
    assert intent["metadata"] == {"order_number": order.number}
    assert intent["transfer_group"] == order.number
    assert order.status == "pending_payment"

    event = shop.pay(order)

    db.session.refresh(order)
    assert order.status == "paid"
    received = event["data"]["object"]["amount_received"]
    assert shop.stripe_clearing() == -received
    parts = {part.cooperative_id: part for part in order.parts}
    assert cooperative_balance(tighza.id) == (parts[tighza.id].producer_cents, 0)
    assert cooperative_balance(amal.id) == (parts[amal.id].producer_cents, 0)
    assert balance("platform:revenue") == sum(p.platform_cents for p in order.parts)
    assert balance("platform:solidarity_fund") == sum(p.solidarity_cents for p in order.parts)
    assert (
        parts[tighza.id].producer_cents
        + parts[amal.id].producer_cents
        + balance("platform:revenue")
        + balance("platform:solidarity_fund")
        == received
    )
    shop.assert_books_balance()
    assert shop.payment_of(order).status == "succeeded"


def test_paying_tells_the_shopper_and_each_cooperative_member(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(price_cents=5000)
    order = shop.paid_order(shopper, {oil: 1})

    kinds = {
        (n.kind, n.recipient_user_id)
        for n in db.session.scalars(select(Notification)).all()
        if n.context.get("order_number") == order.number
    }
    assert ("order_paid", shopper.id) in kinds
    assert ("new_order_for_cooperative", owner.id) in kinds


def test_a_repeated_event_is_recorded_once_and_changes_nothing(shop, shopper):
    order = shop.card_order(shopper, {ProductFactory(price_cents=8000): 1})
    event = shop.fake.succeed_payment(shop.payment_of(order).intent_id)

    first = shop.send(event)
    entries_after_first = ledger_count()
    second = shop.send(event)

    assert first.get_json()["duplicate"] is False
    assert second.status_code == 200 and second.get_json()["duplicate"] is True
    assert event_count() == 1
    assert ledger_count() == entries_after_first
    assert shop.stripe_clearing() == -order.total_cents


def test_a_failure_after_the_success_changes_nothing(shop, shopper, fake_stripe):
    order = shop.card_order(shopper, {ProductFactory(price_cents=8000): 1})
    intent_id = shop.payment_of(order).intent_id
    failed = fake_stripe.fail_payment(intent_id)
    succeeded = fake_stripe.succeed_payment(intent_id)

    assert shop.send(succeeded).status_code == 200
    answer = shop.send(failed)

    assert answer.status_code == 200
    assert answer.get_json()["outcome"] == "ignored_after_outcome"
    db.session.refresh(order)
    assert order.status == "paid"
    assert shop.payment_of(order).status == "succeeded"
    assert shop.stripe_clearing() == -order.total_cents
    shop.assert_books_balance()


def test_a_failed_attempt_then_a_success_pays_the_order_once(shop, shopper, fake_stripe):
    order = shop.card_order(shopper, {ProductFactory(price_cents=8000): 1})
    intent_id = shop.payment_of(order).intent_id

    failed = shop.send(fake_stripe.fail_payment(intent_id, message="Your card has expired."))
    db.session.refresh(order)
    assert failed.get_json()["outcome"] == "payment_failed"
    assert order.status == "pending_payment"
    assert shop.payment_of(order).status == "failed"
    assert shop.payment_of(order).last_error == "Your card has expired."
    assert ledger_count() == 0

    shop.send(fake_stripe.succeed_payment(intent_id))

    db.session.refresh(order)
    assert order.status == "paid"
    assert shop.stripe_clearing() == -order.total_cents
    shop.assert_books_balance()


def test_a_bad_signature_is_a_400_and_changes_nothing(shop, shopper, fake_stripe):
    order = shop.card_order(shopper, {ProductFactory(): 1})
    event = fake_stripe.succeed_payment(shop.payment_of(order).intent_id)

    answer = shop.send(event, secret="whsec_not_ours")

    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_webhook"
    assert event_count() == 0
    db.session.refresh(order)
    assert order.status == "pending_payment"
    assert ledger_count() == 0


def test_a_tampered_body_is_a_400_and_changes_nothing(shop, shopper, fake_stripe, client):
    order = shop.card_order(shopper, {ProductFactory(price_cents=8000): 1})
    event = fake_stripe.succeed_payment(shop.payment_of(order).intent_id)
    body, headers = fake_stripe.signed_webhook(event, shop.webhook_secret)
    received = f'"amount_received": {order.total_cents}'.encode()
    tampered = body.replace(received, b'"amount_received": 100')
    assert tampered != body

    answer = client.post("/webhooks/stripe", data=tampered, headers=headers)

    assert answer.status_code == 400
    assert event_count() == 0
    db.session.refresh(order)
    assert order.status == "pending_payment"


def test_a_stale_signature_and_a_missing_one_are_refused(shop, fake_stripe, client):
    event = fake_stripe.make_event("payment_intent.created", {"id": "pi_x"})
    body = json.dumps(event).encode()
    old = sign(body, shop.webhook_secret, timestamp=1_600_000_000)

    stale = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": old})
    missing = client.post("/webhooks/stripe", data=body)

    assert (stale.status_code, missing.status_code) == (400, 400)
    assert missing.get_json()["error"]["code"] == "invalid_webhook"
    assert event_count() == 0


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-6 * 60, False), (-4 * 60, True), (4 * 60, True), (6 * 60, False), (10**6, False)],
)
def test_a_signed_timestamp_more_than_five_minutes_away_either_way_is_refused(
    shop, fake_stripe, client, offset, accepted
):
    """Stripe's library refuses only old timestamps; a signature dated in the future (a
    replay prepared ahead, or a clock far off) must be refused as well."""
    event = fake_stripe.make_event("customer.created", {"id": "cus_1", "object": "customer"})
    body = json.dumps(event, indent=2).encode()
    header = sign(body, shop.webhook_secret, timestamp=int(time.time()) + offset)

    answer = client.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )

    assert answer.status_code == (200 if accepted else 400), answer.get_json()
    assert event_count() == (1 if accepted else 0)


def test_a_re_serialised_body_fails_the_signature(shop, fake_stripe, client):
    event = fake_stripe.make_event("payment_intent.created", {"id": "pi_x"})
    body, headers = fake_stripe.signed_webhook(event, shop.webhook_secret)

    answer = client.post("/webhooks/stripe", json=json.loads(body), headers=headers)

    assert answer.status_code == 400


def test_unknown_event_types_are_acknowledged_and_ignored(shop, fake_stripe):
    event = fake_stripe.make_event("customer.created", {"id": "cus_1", "object": "customer"})

    answer = shop.send(event)

    assert answer.status_code == 200
    assert answer.get_json()["outcome"] == "ignored"
    assert db.session.scalars(select(StripeEvent)).one().type == "customer.created"


def test_an_intent_that_is_not_ours_is_acknowledged(shop, stripe_client):
    intent = stripe_client.v1.payment_intents.create(params={"amount": 500, "currency": "mad"})
    answer = shop.send(shop.fake.succeed_payment(intent.id))

    assert answer.status_code == 200
    assert answer.get_json()["outcome"] == "unknown_intent"
    assert db.session.scalar(select(func.count(Order.id))) == 0
