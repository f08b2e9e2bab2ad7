"""A season of the marketplace, simulated through its services: the fair, then the weeks
after. Shoppers order by card, cash on delivery and at the stand; cooperatives confirm,
ship, hand over, refuse at the door and cancel; shoppers cancel; admins refund (funded by
either side); earnings are released after the hold period and paid out by bank batch and
Stripe transfer. A sample of the orders goes through the JSON API instead.

``Season.books()`` then recomputes, independently of the ledger, what each cooperative
is owed (from order lines, payments, cash collected and refunds) and where every unit
of stock went (from order lines, cancelled and refused parts and restocked refunds), for
the test to compare with the ledger and the shelves.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.errors import OutOfStock
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger import codes
from app.ledger.queries import balances
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import CooperativeOrder, Order, OrderLine, PartStatus
from app.orders.services import cancel_order, move_part, place_order, record_cash_collected
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus, Refund
from app.payments.refunds import LineRequest
from app.payouts import services as payouts
from app.payouts.models import Payout, PayoutBatch, PayoutStatus
from support.factories import (
    AdminFactory,
    CooperativeFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    StandFactory,
    UserFactory,
    issue_token,
    valid_rib,
)
from support.stripe_fake import FakeStripe

ADDRESS = Address("Fatima Zahra", "12 rue Al Qods", "Khenifra", "54000")
API_ADDRESS = {
    "name": "Youssef",
    "line1": "3 av. Hassan II",
    "city": "Azilal",
    "postal_code": "22000",
}
#: Share of the orders placed through the JSON API rather than the services.
API_SHARE = 0.1


@dataclass
class Tally:
    """What happened, for the report (counts by kind)."""

    counts: Counter = field(default_factory=Counter)

    def __call__(self, what: str, n: int = 1) -> None:
        self.counts[what] += n


@dataclass
class Books:
    """What the records say, computed without the ledger."""

    #: Per cooperative id: card earnings - fees on cash kept - refunds it funded, centimes.
    owed: dict[int, int]
    #: Per cooperative id: what the ledger says (payouts executed + pending + available).
    ledger: dict[int, int]
    #: Per product id: (initial, on the shelf, sold, returned to the shelf).
    units: dict[int, tuple[int, int, int, int]]


class Season:
    def __init__(
        self,
        fake: FakeStripe,
        client: FlaskClient,
        seed: int,
        *,
        cooperatives: int = 10,
        shoppers: int = 40,
    ) -> None:
        self.fake, self.client = fake, client
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.now = utcnow()
        install_default_rules()
        fair = FairFactory(starts_on=self.now.date() - timedelta(days=1))
        install_default_rules(fair)
        self.admin: User = AdminFactory()
        self.members: dict[int, User] = {}
        self.initial_stock: dict[int, int] = {}
        self.stand_coops: set[int] = set()
        self.products: list[Product] = []
        for index in range(cooperatives):
            stripe = index % 3 == 0
            cooperative = CooperativeFactory(
                legal_form="association" if index % 4 == 1 else "cooperative",
                payout_method="stripe" if stripe else "bank_transfer",
                rib=None if stripe else valid_rib(9000 + index),
                stripe_account_id=f"acct_1SoukSeason{index:04d}" if stripe else None,
                shipping_fee_cents=self.rng.choice([0, 2000, 3500]),
            )
            self.members[cooperative.id] = MembershipFactory(cooperative=cooperative).user
            if index % 2 == 0:
                StandFactory(fair=fair, cooperative=cooperative)
                self.stand_coops.add(cooperative.id)
            for _ in range(4):
                product = ProductFactory(
                    cooperative=cooperative,
                    price_cents=self.rng.randrange(1500, 60000, 50),
                    stock=self.rng.randint(40, 120),
                )
                self.products.append(product)
                self.initial_stock[product.id] = product.stock
        self.shoppers: list[User] = [UserFactory() for _ in range(shoppers)]
        db.session.commit()
        self.tokens = {shopper.id: issue_token(shopper) for shopper in self.shoppers}

    # Orders ------------------------------------------------------------------------------

    def place(self, count: int) -> list[int]:
        """Try `count` checkouts; the ids of the orders placed."""
        placed = []
        for _ in range(count):
            order_id = self._one_checkout()
            if order_id is not None:
                placed.append(order_id)
        return placed

    def _one_checkout(self) -> int | None:
        shopper = self.rng.choice(self.shoppers)
        method = self.rng.choices(["card", "cash_on_delivery", "pay_at_stand"], weights=[5, 4, 1])[
            0
        ]
        pool = [p for p in self.products if p.cooperative_id in self.stand_coops]
        if method != "pay_at_stand":
            pool = self.products
        chosen = self.rng.sample(pool, k=self.rng.randint(1, 3))
        cart = ShopperCart(shopper.id)
        for product_id in list(cart.quantities()):
            cart.put(product_id, 0)
        try:
            for product in chosen:
                set_cart_quantity(cart, product.id, self.rng.randint(1, 3))
        except OutOfStock:
            self.tally("out_of_stock_in_cart")
            return None
        delivery = {}
        for cooperative_id in sorted({p.cooperative_id for p in chosen}):
            options = ["home_delivery", "coop_pickup"]
            if cooperative_id in self.stand_coops:
                options.append("stand_pickup")
            delivery[str(cooperative_id)] = (
                "stand_pickup" if method == "pay_at_stand" else self.rng.choice(options)
            )
        if self.rng.random() < API_SHARE:
            return self._checkout_by_api(shopper, method, delivery)
        try:
            order = place_order(
                shopper,
                cart,
                CheckoutRequest(method, delivery, ADDRESS, "0612345678", uuid.uuid4().hex),
            ).order
        except DomainError:
            self.tally("checkout_refused")
            return None
        self.tally(f"placed_{method}")
        if method == "card":
            payments.start_card_payment(order)
        return order.id

    def _checkout_by_api(self, shopper: User, method: str, delivery: dict) -> int | None:
        db.session.commit()
        response = self.client.post(
            "/api/v1/checkout",
            json={
                "idempotency_key": uuid.uuid4().hex,
                "payment_method": method,
                "delivery": delivery,
                "address": API_ADDRESS,
                "phone": "0661234567",
            },
            headers={"Authorization": f"Bearer {self.tokens[shopper.id]}"},
        )
        assert response.status_code in {201, 409, 422}, response.get_json()
        db.session.expire_all()
        if response.status_code != 201:
            self.tally("checkout_refused")
            return None
        self.tally(f"placed_{method}_by_api")
        return db.session.scalar(
            select(Order.id).where(Order.number == response.get_json()["number"])
        )

    def pay(self, order_ids: list[int]) -> None:
        """Most card orders are paid (Stripe's webhook); a few are declined, or abandoned."""
        for order_id in order_ids:
            order = db.session.get(Order, order_id)
            if order.payment_method != "card":
                continue
            payment = db.session.scalar(select(Payment).where(Payment.order_id == order_id))
            roll = self.rng.random()
            if roll < 0.08:
                self.tally("card_abandoned")
                continue
            if roll < 0.16:
                payments.handle_event(self.fake.fail_payment(payment.intent_id))
                self.tally("card_declined_then_paid")
            payments.handle_event(self.fake.succeed_payment(payment.intent_id))
            self.tally("card_paid")

    def expire(self) -> None:
        """The periodic sweep, past every card order's deadline."""
        report = payments.expire_unpaid_card_orders(utcnow() + timedelta(hours=1))
        self.tally("card_expired", len(report.expired))

    # Fulfilment -------------------------------------------------------------------------------

    def fulfil(self, order_ids: list[int]) -> None:
        for order_id in order_ids:
            order = db.session.get(Order, order_id)
            if order.status in {"pending_payment", "cancelled"}:
                continue
            if self.rng.random() < 0.05:
                try:
                    cancel_order(order, order.shopper)
                    payments.refund_cancelled_parts(order)
                    self.tally("shopper_cancelled")
                    continue
                except DomainError:
                    pass
            for part in list(order.parts):
                self._fulfil_part(part.id)

    def _fulfil_part(self, part_id: int) -> None:
        part = db.session.get(CooperativeOrder, part_id)
        member = self.members[part.cooperative_id]
        roll = self.rng.random()
        if roll < 0.05:
            move_part(part, PartStatus.CANCELLED, member=member, note="Rupture de stock")
            self.tally("cooperative_cancelled")
            return
        move_part(part, PartStatus.CONFIRMED, member=member)
        if part.is_pickup:
            move_part(part, PartStatus.READY, member=member)
            if part.order.is_cash and self.rng.random() < 0.5:
                record_cash_collected(part, member, part.total_cents)
            if self.rng.random() < 0.1 and self._by_api(part, "delivered", part.pickup_code):
                return
            move_part(part, PartStatus.DELIVERED, member=member, pickup_code=part.pickup_code)
        else:
            move_part(part, PartStatus.SHIPPED, member=member)
            if part.order.payment_method == "cash_on_delivery" and roll < 0.15:
                move_part(part, PartStatus.REFUSED, member=member, note="Refusé à la porte")
                self.tally("refused_at_the_door")
                return
            move_part(part, PartStatus.DELIVERED, member=member)
        self.tally("delivered")

    def _by_api(self, part: CooperativeOrder, to: str, pickup_code: str | None) -> bool:
        """The member hands a pickup over through the API instead (a sample of them)."""
        token = issue_token(self.members[part.cooperative_id])
        db.session.commit()
        response = self.client.post(
            f"/api/v1/order-parts/{part.id}/transition",
            json={"to": to, "pickup_code": pickup_code},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.get_json()
        db.session.expire_all()
        self.tally("delivered")
        self.tally("handed_over_by_api")
        return True

    def refund_some(self, order_ids: list[int]) -> None:
        """Admins refund some finished orders: lines or an amount, funded by either side."""
        for order_id in order_ids:
            if self.rng.random() > 0.12:
                continue
            order = db.session.get(Order, order_id)
            delivered = [p for p in order.parts if p.status == PartStatus.DELIVERED]
            if not delivered or any(p.status not in {"delivered", "refused", "cancelled"}
                                    for p in order.parts):  # fmt: skip
                continue
            part = self.rng.choice(delivered)
            funded_by = self.rng.choice(["cooperative", "platform"])
            try:
                if self.rng.random() < 0.5:
                    line = self.rng.choice(part.lines)
                    payments.refund(
                        order,
                        self.admin,
                        reason="Produit abîmé",
                        funded_by=funded_by,
                        lines=[LineRequest(line.id, 1, restock=self.rng.random() < 0.5)],
                    )
                else:
                    payments.refund(
                        order,
                        self.admin,
                        reason="Geste commercial",
                        funded_by=funded_by,
                        part_id=part.id,
                        amount_cents=max(1, part.total_cents // self.rng.choice([2, 4, 10])),
                    )
                self.tally(f"refund_{funded_by}")
            except DomainError:
                self.tally("refund_refused")

    # Money out -------------------------------------------------------------------------------

    def pay_out(self, days_later: int) -> None:
        """`days_later`: release what is due, propose, approve, execute; the bank pays."""
        self.now = utcnow() + timedelta(days=days_later)
        payments.refund_cancelled_parts()
        report = payouts.run_payouts(self.now, self.admin)
        self.tally("released_parts", len(report.released))
        for payout in report.proposed:
            payouts.approve(payout, self.admin)
            done = payouts.execute(db.session.get(Payout, payout.id), self.admin)
            self.tally(f"payout_{done.method}")
        for batch in db.session.scalars(select(PayoutBatch).where(PayoutBatch.status == "open")):
            payouts.mark_batch_paid(payouts.mark_batch_sent(batch, self.admin), self.admin)
            self.tally("bank_batch_paid")

    # The books ---------------------------------------------------------------------------------

    def books(self) -> Books:
        owed: Counter = Counter()
        parts = db.session.scalars(select(CooperativeOrder)).all()
        succeeded = set(
            db.session.scalars(
                select(Payment.order_id).where(Payment.status == PaymentStatus.SUCCEEDED)
            )
        )
        for part in parts:
            if part.order.payment_method == "card" and part.order_id in succeeded:
                owed[part.cooperative_id] += part.producer_cents  # its lines' share + shipping
            elif part.cash_collected_cents is not None:
                owed[part.cooperative_id] -= part.platform_cents + part.solidarity_cents
        for refund in db.session.scalars(select(Refund).where(Refund.part_id.is_not(None))):
            owed[refund.part.cooperative_id] -= refund.producer_cents
        ledger = {}
        for cooperative_id in self.members:
            accounts = balances(
                [
                    codes.cooperative_pending(cooperative_id),
                    codes.cooperative_available(cooperative_id),
                ]
            )
            paid_out = db.session.scalar(
                select(func.coalesce(func.sum(Payout.amount_cents), 0)).where(
                    Payout.cooperative_id == cooperative_id,
                    Payout.status.in_([PayoutStatus.PROCESSING, PayoutStatus.PAID]),
                )
            )
            ledger[cooperative_id] = int(paid_out) + sum(accounts.values())

        sold: Counter = Counter()
        returned: Counter = Counter()
        for line in db.session.scalars(select(OrderLine)):
            sold[line.product_id] += line.quantity
            if line.part.status in {PartStatus.CANCELLED, PartStatus.REFUSED}:
                returned[line.product_id] += line.quantity
        line_products = dict(db.session.execute(select(OrderLine.id, OrderLine.product_id)).all())
        for refund in db.session.scalars(select(Refund)):
            for item in refund.lines or []:
                if item["restock"]:
                    returned[line_products[item["line_id"]]] += item["quantity"]
        units = {}
        for product_id, initial in self.initial_stock.items():
            shelf = db.session.scalar(select(Product.stock).where(Product.id == product_id))
            units[product_id] = (initial, shelf, sold[product_id], returned[product_id])
        return Books(owed={cid: owed[cid] for cid in self.members}, ledger=ledger, units=units)


def run_season(season: Season, orders: int, waves: int = 3) -> Season:
    """`orders` checkouts in `waves`: the fair, then the weeks after, each settled and paid."""
    per_wave = max(1, orders // waves)
    for wave in range(waves):
        placed = season.place(per_wave)
        season.pay(placed)
        season.expire()
        season.fulfil(placed)
        season.refund_some(placed)
        season.pay_out(days_later=9 * (wave + 1))
    return season
