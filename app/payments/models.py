"""Card payments, the Stripe events received, and refunds.

A ``Payment`` is the one Stripe PaymentIntent that charges a card order (cash
is recorded on the order's parts by the orders domain). ``StripeEvent`` keeps
each webhook event once, by Stripe's id, so a repeated delivery does nothing.
A ``Refund`` gives money back for one cooperative's part of an order (or, for
a refund made in Stripe's dashboard, for the order as a whole), saying who
funds it; its ledger transaction is keyed by the refund. Amounts are int
centimes of MAD. Rows change only through ``app.payments.services``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, sql_in_list, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.orders.models import CooperativeOrder, Order


class PaymentStatus(StrEnum):
    #: The intent exists; the shopper has not paid yet.
    PENDING = "pending"
    #: The last attempt was declined; the shopper may try again until the order expires.
    FAILED = "failed"
    #: Stripe took the money and the order is paid.
    SUCCEEDED = "succeeded"
    #: The order expired unpaid and the intent was cancelled at Stripe.
    CANCELED = "canceled"
    #: The money arrived after the order was cancelled: it goes back to the card whole.
    NEEDS_REFUND = "needs_refund"
    #: Such a late payment, given back.
    RETURNED = "returned"


class FundedBy(StrEnum):
    #: The cooperative gives back its share, and the platform and the fund theirs.
    COOPERATIVE = "cooperative"
    #: A goodwill refund out of the platform's revenue; the cooperative keeps its share.
    PLATFORM = "platform"


class RefundMethod(StrEnum):
    #: Back to the card, through Stripe.
    STRIPE = "stripe"
    #: Handed back in cash (or by transfer) outside the app, and recorded here.
    CASH = "cash"


class Payment(TimestampMixin, db.Model):
    """The Stripe PaymentIntent of one card order."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("provider IN ('stripe')", name="provider_known"),
        CheckConstraint(f"status IN ({sql_in_list(PaymentStatus)})", name="status_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "amount_refunded_cents >= 0 AND amount_refunded_cents <= amount_cents",
            name="refunded_within_amount",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One intent per order (its idempotency key is "pi:<order number>").
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    #: Who takes the card: Stripe (a local gateway such as CMI would be another value).
    provider: Mapped[str] = mapped_column(String(20), default="stripe")
    #: Stripe's PaymentIntent id, "pi_...". The client secret is not stored: it is
    #: fetched from Stripe when the payment page needs it, so a database leak cannot pay.
    intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.PENDING, index=True)
    #: What the intent charges: the order's total at checkout, centimes.
    amount_cents: Mapped[int]
    #: Given back to the card so far (refunds by admins, in Stripe's dashboard, late payments).
    amount_refunded_cents: Mapped[int] = mapped_column(default=0)
    #: The succeeded charge, "ch_...".
    charge_id: Mapped[str | None] = mapped_column(String(255))
    #: Stripe's message for the last declined attempt, as shown to the shopper.
    last_error: Mapped[str | None] = mapped_column(Text)
    succeeded_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship()

    @property
    def refundable_cents(self) -> int:
        return self.amount_cents - self.amount_refunded_cents


class StripeEvent(db.Model):
    """A webhook event, recorded once by its id together with what handling it did."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stripe's event id, "evt_...": a second delivery of it finds this row and does nothing.
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    #: e.g. "payment_intent.succeeded".
    type: Mapped[str] = mapped_column(String(100), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When its handler ran, in the same transaction as its effects.
    processed_at: Mapped[datetime | None]
    #: What handling it did, e.g. "order_paid", "already_paid", "ignored".
    outcome: Mapped[str] = mapped_column(String(40), default="")
    #: The event as Stripe sent it.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class Refund(db.Model):
    """Money given back to a shopper for one part of an order, and who funds it.

    ``producer_cents + platform_cents + solidarity_cents == amount_cents`` says
    whose balance gave it back (see ``app.payments.refunds`` for the split).
    """

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "producer_cents >= 0 AND platform_cents >= 0 AND solidarity_cents >= 0",
            name="split_not_negative",
        ),
        CheckConstraint(
            "producer_cents + platform_cents + solidarity_cents = amount_cents",
            name="split_adds_up",
        ),
        CheckConstraint(f"funded_by IN ({sql_in_list(FundedBy)})", name="funded_by_known"),
        CheckConstraint(f"method IN ({sql_in_list(RefundMethod)})", name="method_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    #: The cooperative's part refunded; None only for a refund made in Stripe's dashboard.
    part_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative_orders.id"), index=True)
    #: Given back to the shopper, centimes.
    amount_cents: Mapped[int]
    #: Taken back from the cooperative's balance, centimes (0 for a platform-funded refund).
    producer_cents: Mapped[int] = mapped_column(default=0)
    #: Taken back from the platform's revenue, centimes.
    platform_cents: Mapped[int] = mapped_column(default=0)
    #: Taken back from the solidarity fund, centimes.
    solidarity_cents: Mapped[int] = mapped_column(default=0)
    funded_by: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    #: The admin who refunded; None when it was made in Stripe's dashboard.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Unique per refund; also its Stripe idempotency key, so a retry refunds once.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    #: Stripe's refund id, "re_..." (card refunds).
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: Lines refunded: [{"line_id", "quantity", "restock"}] (empty for a refund by amount).
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    order: Mapped[Order] = relationship()
    part: Mapped[CooperativeOrder | None] = relationship()
    actor: Mapped[User | None] = relationship()
