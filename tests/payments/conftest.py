"""Payments tests: the app talks to the local fake Stripe over HTTP, webhooks signed with the
app's own secret, orders placed through the real checkout services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support.factories import HOME, MembershipFactory, ProductFactory
from support.stripe_fake import FakeStripe

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.extensions import db
from app.ledger.queries import balance, trial_balance
from app.orders.checkout import CheckoutRequest
from app.orders.models import Order
from app.orders.services import place_order
from app.payments import services
from app.payments.models import Payment


@pytest.fixture(autouse=True)
def stripe_settings(stripe_settings):
    """Every payment test talks to the fake Stripe."""
    return stripe_settings


@pytest.fixture(autouse=True)
def _in_request(app, request):
    with app.test_request_context():
        yield


@dataclass
class Shop:
    """Checks out through the real services and talks to Stripe the way the app does."""

    fake: FakeStripe
    client: FlaskClient
    webhook_secret: str

    def checkout(
        self,
        shopper: User,
        lines: dict[Product, int],
        *,
        payment: str = "card",
        delivery: str = "home_delivery",
    ) -> Order:
        cart = ShopperCart(shopper.id)
        for product, quantity in lines.items():
            set_cart_quantity(cart, product.id, quantity)
        choices = {str(product.cooperative_id): delivery for product in lines}
        return place_order(
            shopper, cart, CheckoutRequest(payment, choices, HOME, "0612345678", uuid.uuid4().hex)
        ).order

    def card_order(self, shopper: User, lines: dict[Product, int], **kwargs) -> Order:
        """A card order with its PaymentIntent created, not paid yet."""
        order = self.checkout(shopper, lines, **kwargs)
        assert services.start_card_payment(order) is not None
        return order

    @staticmethod
    def stock_of(product: Product) -> int:
        return db.session.scalar(select(Product.stock).where(Product.id == product.id))

    @staticmethod
    def payment_of(order: Order) -> Payment:
        return db.session.scalars(select(Payment).where(Payment.order_id == order.id)).one()

    @staticmethod
    def assert_books_balance() -> None:
        assert trial_balance().total_cents == 0

    @staticmethod
    def stripe_clearing() -> int:
        return balance("clearing:stripe")

    def send(self, event: dict, secret: str | None = None):
        # The request runs in its own session on the test's connection: end this session's
        # savepoint first, or a later rollback here would undo what the webhook did.
        db.session.commit()
        body, headers = self.fake.signed_webhook(event, secret or self.webhook_secret)
        return self.client.post("/webhooks/stripe", data=body, headers=headers)

    def pay(self, order: Order) -> dict:
        """The shopper pays at Stripe; Stripe's signed webhook reaches the app. The event."""
        event = self.fake.succeed_payment(self.payment_of(order).intent_id)
        response = self.send(event)
        assert response.status_code == 200, response.get_json()
        return event

    def paid_order(self, shopper: User, lines: dict[Product, int], **kwargs) -> Order:
        order = self.card_order(shopper, lines, **kwargs)
        self.pay(order)
        db.session.refresh(order)
        return order


@pytest.fixture
def shop(fee_rules, fake_stripe, client, stripe_webhook_secret) -> Shop:
    return Shop(fake_stripe, client, stripe_webhook_secret)


@pytest.fixture
def product_with_owner():
    """`product_with_owner(**product_fields)` -> (product, owner of its cooperative)."""

    def make(**fields):
        product = ProductFactory(**fields)
        owner = MembershipFactory(cooperative=product.cooperative).user
        return product, owner

    return make
