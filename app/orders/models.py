"""Orders across cooperatives (DESIGN.md section 6).

One checkout makes one ``Order`` (what the shopper pays once), holding one
``CooperativeOrder`` ("part") per cooperative (what that cooperative prepares),
each holding ``OrderLine`` snapshots of name, unit price, quantity and the fee
split. Amounts are int centimes of MAD. Statuses change only through
``app.orders.services`` (``transition_order`` / ``transition_part``), each move
recorded as an ``OrderEvent`` or ``PartEvent`` row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.units import unit_text
from app.core.db import TimestampMixin, sql_in_list, utcnow
from app.extensions import db
from app.orders.delivery_window import DeliveryWindow, delivery_window

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.cooperatives.models import Cooperative
    from app.fair.models import Fair, Stand


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PLACED = "placed"
    PAID = "paid"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class PartStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    READY = "ready"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class PaymentMethod(StrEnum):
    CARD = "card"
    CASH_ON_DELIVERY = "cash_on_delivery"
    PAY_AT_STAND = "pay_at_stand"


class DeliveryMethod(StrEnum):
    HOME_DELIVERY = "home_delivery"
    COOP_PICKUP = "coop_pickup"
    STAND_PICKUP = "stand_pickup"


class ConfirmedVia(StrEnum):
    """How a cash-on-delivery shopper confirmed their part before it shipped."""

    LINK = "link"
    CALL = "call"


#: Payment methods where a cooperative collects the money itself when it hands the part over.
CASH_METHODS = frozenset({PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.PAY_AT_STAND})
#: Delivery methods where the shopper collects the part and shows a pickup code.
PICKUP_METHODS = frozenset({DeliveryMethod.COOP_PICKUP, DeliveryMethod.STAND_PICKUP})


class Order(TimestampMixin, db.Model):
    """What a shopper pays once, across every cooperative of one checkout."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shopper_id", "idempotency_key"),
        CheckConstraint(f"status IN ({sql_in_list(OrderStatus)})", name="status_known"),
        CheckConstraint(f"payment_method IN ({sql_in_list(PaymentMethod)})", name="payment_known"),
        CheckConstraint("subtotal_cents >= 0", name="subtotal_not_negative"),
        CheckConstraint("shipping_cents >= 0", name="shipping_not_negative"),
        CheckConstraint("total_cents = subtotal_cents + shipping_cents", name="total_adds_up"),
        CheckConstraint(
            "shopper_id IS NOT NULL OR guest_token_hash IS NOT NULL", name="shopper_or_guest"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public reference "ST-" + 6 characters drawn with `secrets`: unique, not guessable.
    number: Mapped[str] = mapped_column(String(12), unique=True)
    #: The shopper's account; None for a guest's order until an account takes it over.
    shopper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Guest orders: hex SHA-256 of the secret token in the link that opens the order page.
    guest_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Guest orders: the e-mail address the guest gave (optional), normalised.
    guest_email: Mapped[str | None] = mapped_column(String(254))
    #: The language the shopper checked out in (a guest's messages are written in it).
    locale: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(20), index=True)
    payment_method: Mapped[str] = mapped_column(String(20))
    #: Chosen by the client per checkout attempt: a replay with the same key gets this order.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    #: Sum of the lines of every part, centimes.
    subtotal_cents: Mapped[int]
    #: Sum of the parts' home-delivery fees, centimes.
    shipping_cents: Mapped[int]
    #: What the shopper pays: subtotal + shipping, centimes.
    total_cents: Mapped[int]
    #: Delivery contact as given at checkout (later profile edits do not change it).
    contact_name: Mapped[str] = mapped_column(String(120))
    #: E.164 Moroccan number, +212 then 9 digits.
    contact_phone: Mapped[str] = mapped_column(String(13), index=True)
    #: Street address for home delivery; empty when every part is picked up.
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_city: Mapped[str] = mapped_column(String(80), default="")
    #: 5-digit Moroccan postal code, or empty when every part is picked up.
    address_postal_code: Mapped[str] = mapped_column(String(5), default="")
    #: When the shopper checked out, UTC.
    placed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Card orders only: unpaid after this instant, the order is cancelled and its stock freed.
    expires_at: Mapped[datetime | None]

    shopper: Mapped[User | None] = relationship()
    parts: Mapped[list[CooperativeOrder]] = relationship(
        back_populates="order", order_by="CooperativeOrder.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_cash(self) -> bool:
        return self.payment_method in CASH_METHODS

    @property
    def is_guest(self) -> bool:
        return self.shopper_id is None


class CooperativeOrder(TimestampMixin, db.Model):
    """One cooperative's part of an order: what it prepares, hands over, and is paid for."""

    __tablename__ = "cooperative_orders"
    __table_args__ = (
        UniqueConstraint("order_id", "cooperative_id"),
        CheckConstraint(f"status IN ({sql_in_list(PartStatus)})", name="status_known"),
        CheckConstraint(
            f"delivery_method IN ({sql_in_list(DeliveryMethod)})", name="delivery_known"
        ),
        CheckConstraint("subtotal_cents >= 0", name="subtotal_not_negative"),
        CheckConstraint("shipping_cents >= 0", name="shipping_not_negative"),
        CheckConstraint(
            "cash_collected_cents IS NULL OR cash_collected_cents >= 0",
            name="cash_not_negative",
        ),
        CheckConstraint(
            "delivery_method != 'stand_pickup' OR (stand_id IS NOT NULL AND fair_id IS NOT NULL)",
            name="stand_pickup_has_stand",
        ),
        CheckConstraint(
            f"shopper_confirmed_via IS NULL OR shopper_confirmed_via IN "
            f"({sql_in_list(ConfirmedVia)})",
            name="confirmed_via_known",
        ),
        # The parts whose earnings are held, by delivery: a payout run reads the ones past the
        # hold from here instead of anti-joining every delivered part against every release.
        Index(
            "ix_cooperative_orders_earnings_held",
            "earnings_held_since",
            sqlite_where=text("earnings_held_since IS NOT NULL"),
            postgresql_where=text("earnings_held_since IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    delivery_method: Mapped[str] = mapped_column(String(20))
    #: The cooperative's flat home-delivery fee at checkout, centimes (0 for pickups); all its own.
    shipping_cents: Mapped[int] = mapped_column(default=0)
    #: Sum of this part's line totals, centimes.
    subtotal_cents: Mapped[int]
    #: Stand pickups: the stand and fair where the shopper collects (and may pay).
    stand_id: Mapped[int | None] = mapped_column(ForeignKey("stands.id"))
    fair_id: Mapped[int | None] = mapped_column(ForeignKey("fairs.id"))
    #: Pickups only: digits the shopper shows and the cooperative enters to hand over.
    pickup_code: Mapped[str | None] = mapped_column(String(8))
    #: Cash orders: what the cooperative recorded collecting (always the part's total), centimes.
    #: Who carries a shipped part and its tracking number, as the cooperative gave them.
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    cash_collected_cents: Mapped[int | None]
    #: Cash on delivery: when the shopper confirmed they still want the part, and how
    #: (``link``: the signed link sent at checkout; ``call``: the cooperative called them).
    shopper_confirmed_at: Mapped[datetime | None]
    shopper_confirmed_via: Mapped[str | None] = mapped_column(String(10))
    cash_collected_at: Mapped[datetime | None]
    cash_collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Card parts delivered whose earnings are still held: when delivered. Cleared once the
    #: earnings are released, or nothing is left to release (``app.payouts.earnings``); never
    #: set for cash parts, which hold no earnings. Only speeds the search: the ledger decides.
    earnings_held_since: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="parts")
    cooperative: Mapped[Cooperative] = relationship()
    stand: Mapped[Stand | None] = relationship()
    fair: Mapped[Fair | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="part", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[PartEvent]] = relationship(
        back_populates="part", order_by="PartEvent.id", cascade="all, delete-orphan"
    )

    @property
    def total_cents(self) -> int:
        """What the shopper pays for this part: its lines plus its shipping, centimes."""
        return self.subtotal_cents + self.shipping_cents

    @property
    def is_pickup(self) -> bool:
        return self.delivery_method in PICKUP_METHODS

    @property
    def delivery_window(self) -> DeliveryWindow | None:
        """Home delivery: the dates the parcel is expected, from the cooperative's stated
        delivery time (None for pickups, or when it stated none)."""
        if self.delivery_method != DeliveryMethod.HOME_DELIVERY:
            return None
        return delivery_window(
            self.order.placed_at,
            self.cooperative.delivery_days_min,
            self.cooperative.delivery_days_max,
        )

    @property
    def platform_cents(self) -> int:
        return sum(line.platform_cents for line in self.lines)

    @property
    def solidarity_cents(self) -> int:
        return sum(line.solidarity_cents for line in self.lines)

    @property
    def producer_cents(self) -> int:
        """What the cooperative earns: its lines' producer shares plus its whole shipping fee."""
        return sum(line.producer_cents for line in self.lines) + self.shipping_cents


class OrderLine(db.Model):
    """A snapshot of one product bought: later price or fee rule edits never change it."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents > 0", name="unit_price_positive"),
        CheckConstraint("total_cents = unit_price_cents * quantity", name="total_is_price_x_qty"),
        CheckConstraint(
            "producer_cents >= 0 AND platform_cents >= 0 AND solidarity_cents >= 0",
            name="split_not_negative",
        ),
        CheckConstraint(
            "producer_cents + platform_cents + solidarity_cents = total_cents",
            name="split_adds_up",
        ),
        CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity",
            name="refunded_within_quantity",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("cooperative_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    #: The product's name at checkout.
    name: Mapped[str] = mapped_column(String(160))
    #: What one unit was at checkout, language-neutral ("500 g"); the code and quantity
    #: below word it in the reader's language (``unit_text``).
    unit: Mapped[str] = mapped_column(String(40), default="")
    unit_code: Mapped[str | None] = mapped_column(String(12))
    unit_quantity: Mapped[int | None]
    #: Price of one unit at checkout, centimes (from the database, never from the client).
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]
    #: unit_price_cents x quantity.
    total_cents: Mapped[int]
    #: The fee engine's split of total_cents at checkout: producer + platform + solidarity.
    producer_cents: Mapped[int]
    platform_cents: Mapped[int]
    solidarity_cents: Mapped[int]
    #: The fee rule that split this line; rules are never edited, so it explains the split.
    fee_rule_id: Mapped[int | None] = mapped_column(ForeignKey("fee_rules.id"))
    #: Units refunded so far (refunds issue); never more than quantity.
    refunded_quantity: Mapped[int] = mapped_column(default=0)

    part: Mapped[CooperativeOrder] = relationship(back_populates="lines")

    @property
    def unit_text(self) -> str:
        """What one unit was, in the reader's language; the stored text for old lines."""
        if self.unit_code is None:
            return self.unit
        return unit_text(self.unit_code, self.unit_quantity)


class OrderEvent(db.Model):
    """One move of an order's status: from what, to what, who, when, why. A guest order
    taken over by an account (app.orders.takeover) records an event that keeps its status."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    #: None for the order's creation at checkout.
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    #: Who moved it; None for the system (expiry, completion derived from the parts).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class PartEvent(db.Model):
    """One move of a cooperative's part: from what, to what, who, when, why."""

    __tablename__ = "part_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("cooperative_orders.id", ondelete="CASCADE"), index=True
    )
    #: None for the part's creation at checkout.
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    #: Who moved it: a member of the cooperative, the shopper, or None for the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[CooperativeOrder] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class PickupOutcome(StrEnum):
    #: The code given was the part's: the hand-over went ahead.
    RIGHT = "right"
    WRONG = "wrong"
    #: Refused unread: too many wrong codes in the hour before.
    LOCKED = "locked"


class PickupAttempt(db.Model):
    """One try at handing over a pickup with the shopper's code: who, when, how it went.

    Kept in its own table rather than as ``PartEvent`` rows: an attempt moves nothing, and
    the part's events are the story of its statuses that shoppers read. Counted to lock
    the hand-over after too many wrong codes (``app.orders.pickup_attempts``).
    """

    __tablename__ = "pickup_attempts"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({sql_in_list(PickupOutcome)})", name="outcome_known"),
        Index("ix_pickup_attempts_part_id_at", "part_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("cooperative_orders.id", ondelete="CASCADE"))
    #: The member who typed the code (None if that account was deleted since).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    part: Mapped[CooperativeOrder] = relationship()
    actor: Mapped[User | None] = relationship()
