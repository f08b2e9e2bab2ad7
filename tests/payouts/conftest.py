"""Payouts tests: the app talks to the local fake Stripe over HTTP; orders are placed, paid
(by Stripe's signed webhook) and delivered through the real services; `earn` gives a
cooperative payable money directly on the ledger when a test is about payouts only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from support.factories import HOME, CooperativeFactory, MembershipFactory, ProductFactory
from support.stripe_fake import FakeStripe

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.cooperatives.models import Cooperative
from app.core.db import utcnow
from app.extensions import db
from app.ledger import codes
from app.ledger.operations import Entry, post
from app.ledger.queries import balance, cooperative_balance, trial_balance
from app.orders.checkout import CheckoutRequest
from app.orders.models import Order, PartStatus
from app.orders.services import move_part, place_order
from app.payments import services as payments
from app.payments.models import Payment


@pytest.fixture(autouse=True)
def stripe_settings(stripe_settings, monkeypatch):
    """Every payout test talks to the fake Stripe, with the default hold and minimum."""
    monkeypatch.setitem(stripe_settings, "PAYOUT_HOLD_DAYS", 7)
    monkeypatch.setitem(stripe_settings, "PAYOUT_MINIMUM_CENTS", 10000)
    return stripe_settings


@pytest.fixture(autouse=True)
def _in_request(app, request):
    if "committing_db" in request.fixturenames:
        yield
        return
    with app.test_request_context():
        yield


class Books:
    """The ledger as tests see it: give a cooperative money, read balances, check the total."""

    @staticmethod
    def earn(cooperative: Cooperative | int, cents: int) -> None:
        """Make ``cents`` payable to the cooperative (negative: it owes them); commit."""
        cooperative_id = cooperative if isinstance(cooperative, int) else cooperative.id
        post(
            "card_payment" if cents > 0 else "cash_collected",
            f"test:{uuid.uuid4().hex}",
            [
                Entry(codes.cooperative_available(cooperative_id), cents),
                Entry(codes.CLEARING_STRIPE if cents > 0 else codes.PLATFORM_REVENUE, -cents),
            ],
        )
        db.session.commit()

    @staticmethod
    def pending(cooperative: Cooperative) -> int:
        return cooperative_balance(cooperative.id)[0]

    @staticmethod
    def available(cooperative: Cooperative) -> int:
        return cooperative_balance(cooperative.id)[1]

    @staticmethod
    def balance(code: str) -> int:
        return balance(code)

    @staticmethod
    def assert_balanced() -> None:
        assert trial_balance().total_cents == 0


@pytest.fixture
def books() -> Books:
    return Books()


@pytest.fixture
def bank_cooperative() -> Cooperative:
    """A verified cooperative paid by bank transfer, with a valid RIB and an owner."""
    cooperative = CooperativeFactory(payout_method="bank_transfer")
    MembershipFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture
def stripe_cooperative() -> Cooperative:
    """A verified cooperative paid by Stripe transfer to its connected account, with an owner."""
    cooperative = CooperativeFactory(
        payout_method="stripe", rib=None, stripe_account_id="acct_1SoukTighza0001"
    )
    MembershipFactory(cooperative=cooperative)
    return cooperative


@dataclass
class Shop:
    """Checks out, pays by card at the fake Stripe (webhook signed), and delivers."""

    fake: FakeStripe
    client: FlaskClient
    webhook_secret: str

    def checkout(self, shopper: User, lines: dict[Product, int], *, payment: str) -> Order:
        cart = ShopperCart(shopper.id)
        for product, quantity in lines.items():
            set_cart_quantity(cart, product.id, quantity)
        choices = {str(product.cooperative_id): "home_delivery" for product in lines}
        return place_order(
            shopper, cart, CheckoutRequest(payment, choices, HOME, "0612345678", uuid.uuid4().hex)
        ).order

    def send(self, event: dict):
        # The request runs in its own session on the test's connection: end this one's
        # savepoint first, or a later rollback here would undo what the webhook did.
        db.session.commit()
        body, headers = self.fake.signed_webhook(event, self.webhook_secret)
        response = self.client.post("/webhooks/stripe", data=body, headers=headers)
        assert response.status_code == 200, response.get_json()
        return response

    def paid_card_order(self, shopper: User, lines: dict[Product, int]) -> Order:
        order = self.checkout(shopper, lines, payment="card")
        assert payments.start_card_payment(order) is not None
        payment = db.session.query(Payment).filter_by(order_id=order.id).one()
        self.send(self.fake.succeed_payment(payment.intent_id))
        db.session.refresh(order)
        assert order.status == "paid"
        return order

    @staticmethod
    def deliver(order: Order, member: User) -> datetime:
        """Every part confirmed, shipped and delivered by ``member``; when it was delivered."""
        for part in order.parts:
            for status in (PartStatus.CONFIRMED, PartStatus.SHIPPED, PartStatus.DELIVERED):
                move_part(part, status, member=member)
        return utcnow()


@pytest.fixture
def shop(fee_rules, fake_stripe, client, stripe_webhook_secret) -> Shop:
    return Shop(fake_stripe, client, stripe_webhook_secret)


@pytest.fixture
def seller():
    """`seller(**cooperative_fields)` -> (product at 120.00 MAD, owner of its cooperative)."""

    def make(**fields):
        cooperative = CooperativeFactory(**fields)
        product = ProductFactory(cooperative=cooperative, price_cents=12000, stock=50)
        owner = MembershipFactory(cooperative=cooperative).user
        return product, owner

    return make
