"""A known data set of sales for the reports, admin and dashboard tests, built through the real
services (checkout, card payment through the local fake Stripe, cash, refunds) with the
default fee rules, and the figures it must give, computed by hand.

Fee rules: 8 % commission of which 1 % to the fund (associations 4 % of which 0.5 %), and no
commission at a stand of the open fair. Cooperatives: Tighza (Azilal, delivery 30.00, stand
A-01 at the fair), Zaytoun (Khenifra, an association, delivery 20.00), Amal (Beni Mellal,
free delivery). Orders, all placed and paid today:

- O1, card, Tighza 2 x honey 120.00 + delivery 30.00, Zaytoun 1 x oil 100.00 + delivery 20.00.
  Tighza's line: fee 19.20 = 16.80 platform + 2.40 fund, producer 220.80.
  Zaytoun's line: fee 4.00 = 3.50 + 0.50, producer 96.00. Then one honey is refunded, funded
  by the cooperative: 120.00 = 110.40 producer + 8.40 platform + 1.20 fund.
- O2, cash on delivery, Tighza 1 x oil 80.00 + delivery 30.00 (fee 6.40 = 5.60 + 0.80),
  Amal 1 x honey 250.00 (fee 20.00 = 17.50 + 2.50); both delivered, cash recorded.
- O3, pay at the stand, Tighza 1 x honey 120.00 picked up at its stand: no commission.
- O4, cash on delivery, Zaytoun 1 x oil, refused at the door: counts nothing.
- O5, cash on delivery, Amal 1 x honey, cancelled by the shopper: counts nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Category, Product
from app.cooperatives.models import Cooperative
from app.extensions import db
from app.fair.models import Fair
from app.fees.services import install_default_rules
from app.orders.checkout import CheckoutRequest
from app.orders.models import Order
from app.orders.services import cancel_order, move_part, place_order
from app.payments import services as payments
from app.payments.models import Payment
from app.payments.refunds import LineRequest
from support.factories import (
    HOME,
    AdminFactory,
    CategoryFactory,
    CooperativeFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    StandFactory,
    UserFactory,
)
from support.stripe_fake import FakeStripe

#: Hand-computed totals of the data set (centimes): gross, producer, platform, solidarity.
TOTAL = (75000, 71000, 3500, 500)
BY_PROVINCE = {
    "azilal": (3, (38000, 36400, 1400, 200)),
    "khenifra": (1, (12000, 11600, 350, 50)),
    "beni_mellal": (1, (25000, 23000, 1750, 250)),
    "fquih_ben_salah": (0, (0, 0, 0, 0)),
    "khouribga": (0, (0, 0, 0, 0)),
}
BY_CATEGORY = {
    "honey": (3, (49000, 46040, 2590, 370)),
    "olive-oil": (2, (18000, 16960, 910, 130)),
    "delivery": (2, (8000, 8000, 0, 0)),
}
BY_PAYMENT_METHOD = {
    "card": (1, (27000, 25640, 1190, 170)),
    "cash_on_delivery": (1, (36000, 33360, 2310, 330)),
    "pay_at_stand": (1, (12000, 12000, 0, 0)),
}
#: Balances after the data set (centimes): (pending, available).
BALANCES = {"tighza": (14040, -640), "zaytoun": (11600, 0), "amal": (0, -2000)}


@dataclass
class SalesData:
    admin: User
    fair: Fair
    tighza: Cooperative
    zaytoun: Cooperative
    amal: Cooperative
    owners: dict[str, User]
    honey: Category
    oil: Category
    orders: dict[str, Order] = field(default_factory=dict)


def _checkout(shopper: User, lines: dict[Product, int], payment: str, delivery: str) -> Order:
    cart = ShopperCart(shopper.id)
    for product, quantity in lines.items():
        set_cart_quantity(cart, product.id, quantity)
    choices = {str(product.cooperative_id): delivery for product in lines}
    return place_order(
        shopper, cart, CheckoutRequest(payment, choices, HOME, "0612345678", uuid.uuid4().hex)
    ).order


def _pay_by_card(order: Order, fake: FakeStripe, client: FlaskClient, secret: str) -> None:
    assert payments.start_card_payment(order) is not None
    intent_id = db.session.scalars(select(Payment.intent_id).where(Payment.order_id == order.id))
    event = fake.succeed_payment(intent_id.one())
    db.session.commit()  # the webhook runs in its own session on this connection
    body, headers = fake.signed_webhook(event, secret)
    response = client.post("/webhooks/stripe", data=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()


def _deliver(order: Order, owners: dict[int, User], *, refuse: bool = False) -> None:
    for part in order.parts:
        owner = owners[part.cooperative_id]
        move_part(part, "confirmed", member=owner)
        if part.delivery_method == "stand_pickup":
            move_part(part, "ready", member=owner)
            move_part(part, "delivered", member=owner, pickup_code=part.pickup_code)
        else:
            move_part(part, "shipped", member=owner)
            move_part(part, "refused" if refuse else "delivered", member=owner)


def build_sales_data(fake: FakeStripe, client: FlaskClient, webhook_secret: str) -> SalesData:
    """The data set of the module's docstring; every order placed and paid now."""
    fair = FairFactory()
    install_default_rules(fair)
    honey = CategoryFactory(slug="honey", name="Honey")
    oil = CategoryFactory(slug="olive-oil", name="Olive oil")
    tighza = CooperativeFactory(
        name="Tighza", slug="tighza", province="azilal", shipping_fee_cents=3000
    )
    zaytoun = CooperativeFactory(
        name="Zaytoun",
        slug="zaytoun",
        province="khenifra",
        legal_form="association",
        shipping_fee_cents=2000,
    )
    amal = CooperativeFactory(
        name="Amal", slug="amal", province="beni_mellal", shipping_fee_cents=0
    )
    StandFactory(fair=fair, cooperative=tighza, code="A-01")
    owners = {c.slug: MembershipFactory(cooperative=c).user for c in (tighza, zaytoun, amal)}
    by_id = {c.id: owners[c.slug] for c in (tighza, zaytoun, amal)}
    tighza_honey = ProductFactory(
        cooperative=tighza, category=honey, price_cents=12000, stock=20, name="Miel d'euphorbe"
    )
    tighza_oil = ProductFactory(
        cooperative=tighza, category=oil, price_cents=8000, stock=20, name="Huile d'olive"
    )
    zaytoun_oil = ProductFactory(
        cooperative=zaytoun, category=oil, price_cents=10000, stock=20, name="Huile Zaytoun"
    )
    amal_honey = ProductFactory(
        cooperative=amal, category=honey, price_cents=25000, stock=20, name="Miel Amal"
    )
    data = SalesData(AdminFactory(), fair, tighza, zaytoun, amal, owners, honey, oil)
    shopper = UserFactory()

    o1 = _checkout(shopper, {tighza_honey: 2, zaytoun_oil: 1}, "card", "home_delivery")
    _pay_by_card(o1, fake, client, webhook_secret)
    o1 = db.session.get(Order, o1.id)
    honey_line = next(line for part in o1.parts for line in part.lines if line.quantity == 2)
    payments.refund(
        o1,
        data.admin,
        reason="One jar arrived broken",
        funded_by="cooperative",
        lines=[LineRequest(honey_line.id, 1)],
    )
    o2 = _checkout(shopper, {tighza_oil: 1, amal_honey: 1}, "cash_on_delivery", "home_delivery")
    _deliver(o2, by_id)
    o3 = _checkout(shopper, {tighza_honey: 1}, "pay_at_stand", "stand_pickup")
    _deliver(o3, by_id)
    o4 = _checkout(shopper, {zaytoun_oil: 1}, "cash_on_delivery", "home_delivery")
    _deliver(o4, by_id, refuse=True)
    o5 = _checkout(shopper, {amal_honey: 1}, "cash_on_delivery", "home_delivery")
    cancel_order(o5, shopper)
    data.orders = {"O1": o1, "O2": o2, "O3": o3, "O4": o4, "O5": o5}
    return data


@pytest.fixture
def sales_data(app, stripe_settings, fake_stripe, client, stripe_webhook_secret) -> SalesData:
    """The known data set, built inside a request (the services speak the reader's language)."""
    with app.test_request_context():
        return build_sales_data(fake_stripe, client, stripe_webhook_secret)
