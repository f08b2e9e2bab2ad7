"""Stripe's transfer webhooks: a transfer we never heard back about is recorded once; a reversed
transfer gives the money back to the cooperative's balance."""

from __future__ import annotations

from sqlalchemy import func, select
from support.factories import AdminFactory

from app.extensions import db
from app.ledger import codes
from app.payments import events
from app.payments.models import StripeEvent
from app.payouts import services
from app.payouts.models import Payout, PayoutStatus


def _approved_stripe_payout(cooperative, books, cents: int = 30000) -> Payout:
    books.earn(cooperative, cents)
    [payout] = services.run_payouts().proposed
    return services.approve(payout, AdminFactory())


def _the_transfer(fake) -> dict:
    with fake._lock:
        [transfer] = [obj for obj in fake._objects.values() if obj["object"] == "transfer"]
    return transfer


def test_transfer_created_pays_a_payout_whose_answer_was_lost(
    shop, stripe_cooperative, books, fake_stripe
):
    payout = _approved_stripe_payout(stripe_cooperative, books)
    fake_stripe.drop_next_response("POST", "/v1/transfers")
    services.execute(payout, AdminFactory())
    transfer = _the_transfer(fake_stripe)

    event = fake_stripe.transfer_event(transfer["id"])
    shop.send(event)
    shop.send(event)  # delivered twice: recorded once

    payout = db.session.get(Payout, payout.id)
    assert payout.status == PayoutStatus.PAID
    assert payout.stripe_transfer_id == transfer["id"]
    assert services.recover_stuck_payouts() == []
    assert len(fake_stripe.requests_to("POST", "/v1/transfers")) == 1
    books.assert_balanced()


def test_a_transfer_event_reaching_a_process_without_its_handler_is_refused_then_handled(
    shop, stripe_cooperative, books, fake_stripe
):
    """Once stored as "acknowledged" and never handled again; now refused, so Stripe retries."""
    payout = _approved_stripe_payout(stripe_cooperative, books)
    fake_stripe.drop_next_response("POST", "/v1/transfers")
    services.execute(payout, AdminFactory())
    event = fake_stripe.transfer_event(_the_transfer(fake_stripe)["id"])
    handler = events.HANDLERS.pop("transfer.created")
    try:
        db.session.commit()
        body, headers = fake_stripe.signed_webhook(event, shop.webhook_secret)
        refused = shop.client.post("/webhooks/stripe", data=body, headers=headers)
    finally:
        events.register_handler("transfer.created", handler)  # as create_app() does

    assert refused.status_code == 500  # Stripe delivers it again later
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 0
    assert db.session.get(Payout, payout.id).status == PayoutStatus.PROCESSING

    answer = shop.send(event)

    assert answer.get_json()["outcome"] == "payout_paid"
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == PayoutStatus.PAID
    books.assert_balanced()


def test_a_transfer_that_is_not_ours_changes_nothing(
    shop, stripe_cooperative, books, fake_stripe, stripe_client
):
    stripe_client.v1.transfers.create(
        params={"amount": 5000, "currency": "mad", "destination": "acct_1Elsewhere"}
    )
    transfer = _the_transfer(fake_stripe)

    shop.send(fake_stripe.transfer_event(transfer["id"]))

    assert db.session.query(Payout).count() == 0
    books.assert_balanced()


def test_a_reversed_transfer_fails_the_payout_and_the_cooperative_is_owed_again(
    shop, stripe_cooperative, books, fake_stripe, stripe_client
):
    payout = _approved_stripe_payout(stripe_cooperative, books, 30000)
    services.execute(payout, AdminFactory())
    assert books.available(stripe_cooperative) == 0

    stripe_client.v1.transfers.reversals.create(payout.stripe_transfer_id)
    shop.send(fake_stripe.transfer_event(payout.stripe_transfer_id, "transfer.reversed"))

    payout = db.session.get(Payout, payout.id)
    assert payout.status == PayoutStatus.FAILED
    assert payout.failure_reason == "Stripe reversed the transfer."
    assert books.available(stripe_cooperative) == 30000
    assert books.balance(codes.CLEARING_STRIPE) == -30000
    books.assert_balanced()
