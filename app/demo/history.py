"""Eight weeks of the demo marketplace's life, written through its real services.

``seed_history`` replays a calendar of events, each at its own instant under
``app.core.db.clock_at``: shoppers place orders (card, cash on delivery, and pay
at the stand while the Khenifra fair is open), card orders are paid through the
webhook's own handler (``payments.services.handle_event`` with a
``payment_intent.succeeded`` event), cooperatives confirm, ship, deliver, hand
over at the stand, refuse at the door or cancel, shoppers cancel, admins refund,
unpaid card orders expire, and weekly payout runs are approved, executed and paid
by bank batch. So every ledger entry is posted by the code that posts it in
production, and the trial balance stays 0.

What the calendar leaves on ``today``: orders in every state (the latest still
waiting, being prepared or on their way), card earnings past the hold period
released by the day's release (the payout candidates of "Run payouts"), a paid
bank batch, and payouts of Stripe-paid cooperatives waiting for approval.

No Stripe account is needed: a card order's PaymentIntent is recorded under a
``pi_demo_`` id, as ``start_card_payment`` records the one Stripe creates, and
nothing the calendar does calls Stripe (refunds are made on cash orders; only
orders nobody paid are cancelled by the expiry sweep).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.cooperatives.models import Cooperative, CooperativeStatus, MemberRole, Membership
from app.core.db import clock_at, utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.fair.models import Fair, Stand
from app.fair.queries import MOROCCO, morocco_today
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import CooperativeOrder, Order, PartStatus
from app.orders.services import move_part, place_order
from app.payments import services as payments
from app.payments.models import Payment
from app.payments.refunds import LineRequest
from app.payouts import services as payouts
from app.payouts.models import PayoutBatch, PayoutMethod, PayoutStatus

log = logging.getLogger(__name__)

#: How far back the history starts.
WEEKS = 8
#: Orders placed on an ordinary day, and on a day the fair is open (stand sales on top).
ORDERS_PER_DAY = (1, 3)
#: Products with fewer units are left alone (a little shop's last jars).
MIN_STOCK = 8
STAND_SALES_PER_DAY = 4
#: Days before today of the weekly payout runs; each is approved, executed and paid.
PAYOUT_RUN_DAYS = (43, 29, 15)
#: The placeholder keys that let checkout take cards while the history is written, when
#: no Stripe account is configured (nothing here calls Stripe).
_DEMO_STRIPE_KEYS = {"STRIPE_SECRET_KEY": "sk_demo_history", "STRIPE_PUBLISHABLE_KEY": "pk_demo"}
ADDRESSES = (
    Address("Salma Bennani", "14 rue Ibn Khaldoun, Hay Al Amal", "Khenifra", "54000"),
    Address("Youssef Amrani", "3 avenue Hassan II", "Beni Mellal", "23000"),
    Address("Khadija Ouhaddou", "27 derb Tiznit", "Azilal", "22000"),
    Address("Mehdi Tazi", "8 boulevard Zerktouni", "Casablanca", "20000"),
    Address("Amina Lahlou", "51 rue Oued Sebou, Agdal", "Rabat", "10080"),
)


@dataclass
class HistoryReport:
    """What the calendar did, by kind ("orders", "card_paid", "refused"...)."""

    counts: Counter[str] = field(default_factory=Counter)
    skipped: bool = False


@dataclass(frozen=True)
class _Cast:
    """Who acts: the admin, the shoppers, each cooperative's owner, the fair's stands."""

    admin: User
    shoppers: list[User]
    owners: dict[int, User]
    products: dict[int, list[int]]  # cooperative id -> ids of its products on sale
    stands: dict[int, Stand]  # cooperative id -> its stand at the open fair


class _Calendar:
    """Events by instant; an event may add later ones. Runs each under ``clock_at``."""

    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, instant: datetime, event: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (instant, next(self._order), event))

    def run(self, until: datetime) -> None:
        while self._queue and self._queue[0][0] <= until:
            instant, _n, event = heapq.heappop(self._queue)
            with clock_at(instant):
                event()


def seed_history(
    today: date,
    admin: User,
    shoppers: list[User],
    fair: Fair,
    *,
    seed: int = 18,
    weeks: int = WEEKS,
    log_line: Callable[[str], object] = print,
) -> HistoryReport:
    """Write ``weeks`` weeks of orders, payments, refunds and payouts ending ``today`` (the
    payout runs of ``PAYOUT_RUN_DAYS`` that fall before the first week find nothing to pay).

    Idempotent: a database that has any order already gets nothing (the report says it
    skipped). ``fair`` is the open fair (stand sales on its days up to today).
    """
    report = HistoryReport()
    if db.session.scalar(select(Order.id).limit(1)) is not None:
        report.skipped = True
        return report
    cast = _cast(admin, shoppers, fair)
    if not cast.owners:
        report.skipped = True
        return report
    calendar = _Calendar()
    story = _Story(cast, random.Random(seed), report.counts, calendar)
    start = today - timedelta(weeks=weeks)
    # The history ends now when it is written for today (nothing happens in the future),
    # else at six in the evening of `today`.
    now = utcnow() if today == morocco_today() else _instant(today, time(18, 0))
    for offset in range((today - start).days + 1):
        day = start + timedelta(days=offset)
        busy = fair.starts_on <= day <= fair.ends_on
        for _n in range(story.rng.randint(*ORDERS_PER_DAY) + (1 if busy else 0)):
            minute = story.rng.randrange(8 * 60, 21 * 60)
            placed_at = _instant(day, time(minute // 60, minute % 60))
            if placed_at < now:
                calendar.at(placed_at, story.order_online)
        if busy and cast.stands:
            for hour in range(10, 10 + STAND_SALES_PER_DAY):
                sold_at = _instant(day, time(hour, 30))
                if sold_at < now:
                    calendar.at(sold_at, story.sell_at_stand)
        calendar.at(_instant(day, time(23, 30)), story.expire_unpaid)
    # At the close of today: a stand sale ready for its shopper, and a card order whose
    # shopper is still on the payment page.
    if cast.stands:
        calendar.at(now - timedelta(minutes=12), story.sell_at_stand)
    calendar.at(now - timedelta(minutes=1), lambda: story.order_online(method="card"))
    for days_before in PAYOUT_RUN_DAYS:
        calendar.at(_instant(today - timedelta(days=days_before), time(9, 0)), story.run_payouts)
    with _cards_accepted(), _quiet_outbox():
        calendar.run(until=now)
        # The day's release (the daily task's first half): earnings past the hold, now due.
        with clock_at(now):
            report.counts["released_today"] = len(payouts.release_due_earnings(now))
    log_line("history: " + ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts.items())))
    return report


def _instant(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=MOROCCO)


def _cast(admin: User, shoppers: list[User], fair: Fair) -> _Cast:
    verified = select(Cooperative.id).where(Cooperative.status == CooperativeStatus.VERIFIED)
    owners: dict[int, User] = {}
    for membership in db.session.scalars(
        select(Membership)
        .where(Membership.role == MemberRole.OWNER, Membership.cooperative_id.in_(verified))
        .order_by(Membership.id)
    ):
        owners.setdefault(membership.cooperative_id, membership.user)
    products: dict[int, list[int]] = {}
    for product_id, cooperative_id in db.session.execute(
        select(Product.id, Product.cooperative_id)
        .where(Product.cooperative_id.in_(list(owners)), Product.stock >= MIN_STOCK)
        .order_by(Product.id)
    ):
        products.setdefault(cooperative_id, []).append(product_id)
    stands = {
        stand.cooperative_id: stand
        for stand in db.session.scalars(select(Stand).where(Stand.fair_id == fair.id))
        if stand.cooperative_id in products
    }
    owners = {cid: owner for cid, owner in owners.items() if cid in products}
    return _Cast(admin, shoppers, owners, products, stands)


@contextmanager
def _cards_accepted() -> Iterator[None]:
    """Let checkout take cards while the history is written, without a Stripe account."""
    config = current_app.config
    missing = {name: value for name, value in _DEMO_STRIPE_KEYS.items() if not config.get(name)}
    config.update(missing)
    try:
        yield
    finally:
        for name in missing:
            config[name] = None


@contextmanager
def _quiet_outbox() -> Iterator[None]:
    """The hundreds of notices of the history are delivered, but not printed one by one."""
    outbox = logging.getLogger("app.notifications.outbox")
    level = outbox.level
    outbox.setLevel(logging.WARNING)
    try:
        yield
    finally:
        outbox.setLevel(level)


class _Story:
    """The events of the calendar: what shoppers, cooperatives and admins do, and when."""

    def __init__(
        self, cast: _Cast, rng: random.Random, counts: Counter[str], calendar: _Calendar
    ) -> None:
        self.cast, self.rng, self.counts, self.calendar = cast, rng, counts, calendar
        self._cooperatives = sorted(cast.owners)

    # Orders --------------------------------------------------------------------------------

    def _checkout(self, shopper: User, lines: dict[int, int], request: CheckoutRequest):
        cart = ShopperCart(shopper.id)
        for product_id in list(cart.quantities()):
            set_cart_quantity(cart, product_id, 0)
        try:
            for product_id, quantity in lines.items():
                set_cart_quantity(cart, product_id, quantity)
            return place_order(shopper, cart, request).order
        except DomainError:  # sold out meanwhile: the use case wrote nothing
            self.counts["checkout_refused"] += 1
            return None

    def order_online(self, method: str | None = None) -> None:
        """A shopper orders from one or two cooperatives, by card (paid minutes later, or
        abandoned) or cash on delivery; ``method`` chooses, else the dice."""
        calendar = self.calendar
        shopper = self.rng.choice(self.cast.shoppers)
        chosen = self.rng.sample(self._cooperatives, k=1 if self.rng.random() < 0.7 else 2)
        lines = {}
        for cooperative_id in chosen:
            for product_id in self.rng.sample(self.cast.products[cooperative_id], k=1):
                lines[product_id] = self.rng.choice((1, 1, 2, 3))
        method = method or ("card" if self.rng.random() < 0.55 else "cash_on_delivery")
        address = self.rng.choice(ADDRESSES)
        request = CheckoutRequest(
            method,
            {str(cooperative_id): "home_delivery" for cooperative_id in chosen},
            address,
            "0661234567",
            uuid.uuid4().hex,
        )
        order = self._checkout(shopper, lines, request)
        if order is None:
            return
        self.counts["orders"] += 1
        placed = order.placed_at
        if method == "card":
            if self.rng.random() < 0.06:
                self.counts["card_abandoned"] += 1  # the expiry sweep cancels it
                return
            calendar.at(placed + timedelta(minutes=3), lambda: self.pay(order.id))
        elif self.rng.random() < 0.05:
            calendar.at(placed + timedelta(hours=2), lambda: self.shopper_cancels(order.id))
            return
        for part in order.parts:
            self._plan_part(calendar, part.id, placed, card=method == "card")

    def _plan_part(
        self, calendar: _Calendar, part_id: int, placed: datetime, *, card: bool
    ) -> None:
        """Confirm the next morning, ship the day after, deliver (or refuse) two days later."""
        roll = self.rng.random()
        confirm = placed + timedelta(hours=self.rng.randint(14, 30))
        if not card and roll < 0.04:
            calendar.at(confirm, lambda: self.move(part_id, PartStatus.CANCELLED))
            return
        calendar.at(confirm, lambda: self.move(part_id, PartStatus.CONFIRMED))
        ship = confirm + timedelta(hours=self.rng.randint(18, 30))
        calendar.at(ship, lambda: self.move(part_id, PartStatus.SHIPPED))
        arrive = ship + timedelta(hours=self.rng.randint(40, 72))
        if not card and roll < 0.16:
            calendar.at(arrive, lambda: self.move(part_id, PartStatus.REFUSED))
            return
        calendar.at(arrive, lambda: self.move(part_id, PartStatus.DELIVERED))
        if not card and roll > 0.9:
            calendar.at(arrive + timedelta(days=2), lambda: self.refund(part_id))

    def sell_at_stand(self) -> None:
        """A visitor orders at a stand, pays there and takes the products at once."""
        calendar = self.calendar
        cooperative_id = self.rng.choice(sorted(self.cast.stands))
        product_id = self.rng.choice(self.cast.products[cooperative_id])
        shopper = self.rng.choice(self.cast.shoppers)
        request = CheckoutRequest(
            "pay_at_stand",
            {str(cooperative_id): "stand_pickup"},
            Address(shopper.name or "Visiteur"),
            "0661234567",
            uuid.uuid4().hex,
        )
        order = self._checkout(shopper, {product_id: 1}, request)
        if order is None:
            return
        self.counts["stand_sales"] += 1
        part_id = order.parts[0].id
        for minutes, to in ((5, PartStatus.CONFIRMED), (10, PartStatus.READY)):
            calendar.at(order.placed_at + timedelta(minutes=minutes), self._mover(part_id, to))
        calendar.at(
            order.placed_at + timedelta(minutes=20), self._mover(part_id, PartStatus.DELIVERED)
        )

    def _mover(self, part_id: int, to: str) -> Callable[[], None]:
        return lambda: self.move(part_id, to)

    # What happens to them -------------------------------------------------------------------

    def pay(self, order_id: int) -> None:
        """The shopper pays by card: Stripe's ``payment_intent.succeeded``, handled as the
        webhook handles it."""
        order = db.session.get(Order, order_id)
        intent_id = f"pi_demo_{order.number}"
        # What start_card_payment records of the intent Stripe creates; the handler commits it.
        db.session.add(
            Payment(order_id=order.id, intent_id=intent_id, amount_cents=order.total_cents)
        )
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "status": "succeeded",
            "amount": order.total_cents,
            "amount_received": order.total_cents,
            "latest_charge": f"ch_demo_{order.number}",
        }
        event = {
            "id": f"evt_demo_{order.number}",
            "type": "payment_intent.succeeded",
            "data": {"object": intent},
        }
        payments.handle_event(event)
        self.counts["card_paid"] += 1

    def move(self, part_id: int, to: str) -> None:
        part = db.session.get(CooperativeOrder, part_id)
        if part.order.status == "pending_payment" or part.status in {"cancelled", "refused"}:
            return  # never paid (the sweep cancels it), or cancelled meanwhile
        note = {
            PartStatus.CANCELLED: "Rupture de stock, désolés.",
            PartStatus.REFUSED: "Colis refusé à la porte.",
        }.get(to, "")
        move_part(
            part,
            to,
            member=self.cast.owners[part.cooperative_id],
            note=note,
            pickup_code=part.pickup_code if to == PartStatus.DELIVERED else None,
            carrier="Amana" if to == PartStatus.SHIPPED else None,
            tracking_number=f"CA{part.id:09d}MA" if to == PartStatus.SHIPPED else None,
        )
        self.counts[f"part_{to}"] += 1

    def shopper_cancels(self, order_id: int) -> None:
        order = db.session.get(Order, order_id)
        payments.cancel_order(order, order.shopper)
        self.counts["shopper_cancelled"] += 1

    def refund(self, part_id: int) -> None:
        """An admin refunds a cash sale: the whole part when the parcel arrived spoilt (the
        first time, and a quarter of the others; the order is then refunded) or a damaged
        jar (one unit), both funded by the cooperative; or a goodwill gesture of a fifth,
        funded by the platform."""
        part = db.session.get(CooperativeOrder, part_id)
        roll = self.rng.random()
        admin, order = self.cast.admin, part.order
        if len(order.parts) == 1 and (not self.counts["orders_refunded"] or roll >= 0.75):
            reason, funded_by, amount = "Colis arrivé abîmé.", "cooperative", part.total_cents
            payments.refund(
                order, admin, reason=reason, funded_by=funded_by, part_id=part.id,
                amount_cents=amount,
            )  # fmt: skip
            self.counts["orders_refunded"] += 1
        elif roll < 0.45:
            line = LineRequest(part.lines[0].id, 1)
            payments.refund(
                order, admin, reason="Un pot est arrivé cassé.", funded_by="cooperative",
                lines=[line],
            )  # fmt: skip
        else:
            payments.refund(
                order, admin, reason="Geste commercial : retard.", funded_by="platform",
                part_id=part.id, amount_cents=max(1, part.total_cents // 5),
            )  # fmt: skip
        self.counts["refunds"] += 1

    def expire_unpaid(self) -> None:
        self.counts["card_expired"] += len(payments.expire_unpaid_card_orders().expired)

    # Money out ------------------------------------------------------------------------------

    def run_payouts(self) -> None:
        """The weekly run: release, propose; the admin approves and executes the bank
        transfers, sends the batch the same day and marks it paid two days later. Payouts
        to Stripe accounts wait for approval (no Stripe account in the demo)."""
        admin = self.cast.admin
        report = payouts.run_payouts(actor=admin)
        for payout in report.proposed:
            if payout.method != PayoutMethod.BANK_TRANSFER:
                continue
            payouts.approve(payout, admin)
            if payouts.execute(payout, admin).status == PayoutStatus.PROCESSING:
                self.counts["payouts_paid"] += 1
        batch = db.session.scalar(select(PayoutBatch).where(PayoutBatch.status == "open"))
        if batch is not None:
            batch_id = payouts.mark_batch_sent(batch, admin).id
            self.calendar.at(utcnow() + timedelta(days=2), lambda: self.bank_paid(batch_id))

    def bank_paid(self, batch_id: int) -> None:
        payouts.mark_batch_paid(db.session.get(PayoutBatch, batch_id), self.cast.admin)
        self.counts["bank_batches_paid"] += 1
