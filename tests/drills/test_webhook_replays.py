"""Fault: Stripe's webhooks come twice (five times), and in any order. A day of events,
delivered each five times, or shuffled with fixed seeds (an event the app cannot take yet
gets an error and comes back later, as Stripe retries), must leave exactly the state the
ordered day leaves: orders, payments, refunds, stock, ledger balances, the payout.

The day: an order paid at once; one declined then paid; one paid then partly refunded in
Stripe's dashboard; one declined and never paid; a payout whose worker died after Stripe
made the transfer, so that only ``transfer.created`` tells the app.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

import pytest
import stripe
from sqlalchemy import func, select
from support.factories import CooperativeFactory, MembershipFactory, ProductFactory, UserFactory

from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger import codes
from app.ledger.operations import Entry, post
from app.ledger.queries import balances, trial_balance
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import Order
from app.orders.services import place_order
from app.payments import services as payments
from app.payments import stripe_client
from app.payments.models import Payment, Refund, StripeEvent
from app.payouts import services as payouts
from app.payouts.models import Payout

ADDRESS = Address("Fatima", "12 rue Al Qods", "Khenifra", "54000")
#: Accounts every run shares: compared by how much one day moved them.
SHARED = (codes.PLATFORM_REVENUE, codes.PLATFORM_SOLIDARITY_FUND, codes.CLEARING_STRIPE)
SEEDS = (7, 1912, 20260611)
#: Rounds of redelivery a shuffled day gets for the events that were refused (Stripe
#: retries for three days).
ROUNDS = 5


@dataclass
class Day:
    orders: list[Order]
    products: list[Product]
    cooperatives: list
    payout: Payout
    events: list[dict]
    shared_before: dict[str, int]


class KilledAfterStripe(BaseException):
    pass


def make_day(fake, stripe_secret_key) -> Day:
    """A fresh world and the events Stripe makes of it, in the order they happened."""
    install_default_rules()
    shared_before = balances(SHARED)
    cooperative = CooperativeFactory(
        payout_method="stripe", rib=None, stripe_account_id="acct_1SoukWebhooks01"
    )
    MembershipFactory(cooperative=cooperative)
    products = [ProductFactory(cooperative=cooperative, stock=10, price_cents=9000 + i * 1500)
                for i in range(4)]  # fmt: skip
    orders = []
    for index, product in enumerate(products):
        shopper = UserFactory()
        cart = ShopperCart(shopper.id)
        set_cart_quantity(cart, product.id, 1 + index % 2)
        order = place_order(
            shopper,
            cart,
            CheckoutRequest(
                "card",
                {str(cooperative.id): "home_delivery"},
                ADDRESS,
                "0612345678",
                uuid.uuid4().hex,
            ),
        ).order
        assert payments.start_card_payment(order) is not None
        orders.append(order)
    intents = [db.session.scalars(select(Payment.intent_id).where(Payment.order_id == o.id)).one()
               for o in orders]  # fmt: skip

    client = stripe.StripeClient(
        stripe_secret_key, base_addresses={"api": fake.url}, max_network_retries=0
    )
    events = [fake.succeed_payment(intents[0])]
    events += [fake.fail_payment(intents[1]), fake.succeed_payment(intents[1])]
    events.append(fake.succeed_payment(intents[2]))
    refund = client.v1.refunds.create(params={"payment_intent": intents[2], "amount": 2500})
    events.append(fake.refund_event(refund.id))
    events.append(fake.fail_payment(intents[3]))

    # Other money of the cooperative, paid out by Stripe: the worker dies once Stripe acted.
    post(
        "card_payment",
        f"drill:{uuid.uuid4().hex}",
        [Entry(codes.cooperative_available(cooperative.id), 30000),
         Entry(codes.CLEARING_STRIPE, -30000)],
    )  # fmt: skip
    db.session.commit()
    from support.factories import AdminFactory

    admin = AdminFactory()
    [payout] = payouts.run_payouts(actor=admin).proposed
    payouts.approve(payout, admin)
    real_transfer = stripe_client.transfer
    made = []

    def transfer_then_die(**kwargs):
        made.append(real_transfer(**kwargs))
        raise KilledAfterStripe

    stripe_client.transfer = transfer_then_die
    try:
        with pytest.raises(KilledAfterStripe):
            payouts.execute(payout, admin)
    finally:
        stripe_client.transfer = real_transfer
        db.session.rollback()
    events.append(fake.transfer_event(made[0].id))
    return Day(orders, products, [cooperative], payout, events, shared_before)


def deliver(client, fake, secret: str, events: list[dict]) -> list[dict]:
    """Post each event, signed; the ones answered with an error (Stripe would retry)."""
    db.session.commit()
    refused = []
    for event in events:
        body, headers = fake.signed_webhook(event, secret)
        response = client.post("/webhooks/stripe", data=body, headers=headers)
        assert response.status_code < 500 or response.is_json
        if response.status_code != 200:
            refused.append(event)
    return refused


def state(day: Day) -> dict:
    """What the day left, keyed by position (each run has its own ids)."""
    db.session.expire_all()
    orders = []
    for order in day.orders:
        order = db.session.get(Order, order.id)
        payment = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()
        refunds = db.session.scalars(select(Refund).where(Refund.order_id == order.id)).all()
        orders.append(
            {
                "status": order.status,
                "parts": [part.status for part in order.parts],
                "payment": payment.status,
                "refunded": payment.amount_refunded_cents,
                "refunds": sorted((r.amount_cents, r.funded_by) for r in refunds),
            }
        )
    cooperative_id = day.cooperatives[0].id
    own = balances([codes.cooperative_pending(cooperative_id),
                    codes.cooperative_available(cooperative_id)])  # fmt: skip
    shared = balances(SHARED)
    payout = db.session.get(Payout, day.payout.id)
    return {
        "orders": orders,
        "stock": [db.session.get(Product, p.id).stock for p in day.products],
        "cooperative": sorted(own.values()),
        "shared": {code: shared[code] - day.shared_before.get(code, 0) for code in SHARED},
        "payout": (payout.status, payout.stripe_transfer_id is not None),
        "events_recorded": db.session.scalar(
            select(func.count())
            .select_from(StripeEvent)
            .where(StripeEvent.event_id.in_([e["id"] for e in day.events]))
        ),
        "trial_balance": trial_balance().total_cents,
    }


@pytest.fixture
def day_runner(stripe_app, in_request, client, fake_stripe, stripe_secret_key,
               stripe_webhook_secret):  # fmt: skip
    def run(order_events) -> dict:
        day = make_day(fake_stripe, stripe_secret_key)
        pending = order_events(day.events)
        for _round in range(ROUNDS):
            pending = deliver(client, fake_stripe, stripe_webhook_secret, pending)
            if not pending:
                break
        assert pending == [], [event["type"] for event in pending]
        return state(day)

    return run


def test_the_ordered_day_leaves_what_the_business_expects(day_runner):
    expected = day_runner(list)

    paid, retried, refunded, declined = expected["orders"]
    assert (paid["status"], paid["payment"]) == ("paid", "succeeded")
    assert (retried["status"], retried["payment"]) == ("paid", "succeeded")
    assert refunded["refunds"] == [(2500, "platform")]
    assert (declined["status"], declined["payment"]) == ("pending_payment", "failed")
    assert expected["payout"] == ("paid", True)
    assert expected["events_recorded"] == 7
    assert expected["trial_balance"] == 0


def test_every_event_delivered_five_times_changes_nothing_more(day_runner):
    expected = day_runner(list)

    five_times = day_runner(lambda events: [event for event in events for _ in range(5)])

    assert five_times == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_a_shuffled_day_ends_as_the_ordered_day(day_runner, seed):
    expected = day_runner(list)

    def shuffled(events):
        events = list(events) * 2  # and each arrives twice
        random.Random(seed).shuffle(events)
        return events

    assert day_runner(shuffled) == expected
