"""What a card payment's success or failure does to an order, its ledger and its people.

Flush-only steps for ``app.payments.services`` and the webhook handlers in
``app.payments.events``: the caller owns the transaction. The order becomes
paid here only, and only on Stripe's word (a verified webhook, or an intent
retrieved from Stripe), never on the browser's. Amounts are int centimes.

A payment's ledger transaction (key ``payment:<order number>``) moves the
whole amount Stripe received out of ``clearing:stripe`` into each
cooperative's pending earnings (its lines' producer shares plus its shipping
fee), the platform's revenue and the solidarity fund, by the lines'
breakdowns. Money that arrives after the order was cancelled posts nothing:
it goes straight back to the card (``PaymentStatus.NEEDS_REFUND``).
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.db import utcnow
from app.core.locking import lock_all
from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.operations import Entry, post
from app.notifications.operations import notify
from app.orders import operations as orders
from app.orders.models import Order, OrderStatus
from app.payments.models import Payment, PaymentStatus

log = logging.getLogger(__name__)

#: Ledger kind of a card payment received.
CARD_PAYMENT = "card_payment"
#: Payment statuses in which the shopper may still pay.
PAYABLE = frozenset({PaymentStatus.PENDING, PaymentStatus.FAILED})
#: Payment statuses after Stripe took the money.
MONEY_RECEIVED = frozenset(
    {PaymentStatus.SUCCEEDED, PaymentStatus.NEEDS_REFUND, PaymentStatus.RETURNED}
)


def intent_key(order_number: str) -> str:
    """The idempotency key of the order's PaymentIntent: a retried checkout gets the same one."""
    return f"pi:{order_number}"


def payment_key(order_number: str) -> str:
    """The ledger key of the order's card payment: posted once, whatever repeats."""
    return f"payment:{order_number}"


def payment_of(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def payment_with_intent(intent_id: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.intent_id == intent_id))


def lock_order(order_id: int) -> Order:
    """Lock the order and its parts (``app.orders.operations.lock_order``), then its payment,
    and re-read them, before a payments use case changes them.

    A webhook, the return page, a refund and the expiry sweep thus act on one
    order one at a time, taking the locks in the same order as every order use case.
    """
    order = orders.lock_order(order_id)
    lock_all(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id))
    return order


def record_success(payment: Payment, amount_received: int, charge_id: str | None) -> str:
    """Stripe says the payment succeeded: pay the order, post the ledger, tell everyone.

    Returns what it did: ``"order_paid"``; ``"already_recorded"`` when the
    money was recorded before (a repeated or late event changes nothing);
    ``"late_payment"`` when the order was cancelled (expired unpaid, or by the
    shopper) or the amount is not the order's, so the money must go back
    whole: the payment is marked ``NEEDS_REFUND`` and nothing is posted.
    Call with the order locked (``lock_order``). Only flushes.
    """
    if payment.status in MONEY_RECEIVED:
        return "already_recorded"
    order = payment.order
    payment.charge_id = charge_id
    payment.succeeded_at = utcnow()
    payment.last_error = None
    amount_is_right = amount_received == payment.amount_cents == order.total_cents
    if order.status != OrderStatus.PENDING_PAYMENT or not amount_is_right:
        log.warning(
            "payment %s of order %s (%s) received %s centimes: it goes back to the card",
            payment.intent_id,
            order.number,
            order.status,
            amount_received,
        )
        payment.status = PaymentStatus.NEEDS_REFUND
        db.session.flush()
        return "late_payment"
    orders.mark_paid(order, note=_("Paid by card."))
    payment.status = PaymentStatus.SUCCEEDED
    _post_payment(order, amount_received)
    notify(
        "order_paid",
        user=order.shopper,
        context={"order_number": order.number, "total_cents": order.total_cents},
        dedupe_key=f"order_paid:{order.number}",
    )
    db.session.flush()
    return "order_paid"


def record_failure(payment: Payment, message: str | None) -> str:
    """A payment attempt was declined: note Stripe's message; the shopper may try again.

    The order stays pending payment until it expires. A failure reported after
    the money arrived (events out of order) changes nothing. Only flushes.
    """
    if payment.status not in PAYABLE:
        return "ignored_after_outcome"
    payment.status = PaymentStatus.FAILED
    payment.last_error = (message or "")[:1000] or None
    db.session.flush()
    return "payment_failed"


def _post_payment(order: Order, amount_received: int) -> None:
    entries = [Entry(ledger_codes.CLEARING_STRIPE, -amount_received)]
    entries += [
        Entry(ledger_codes.cooperative_pending(part.cooperative_id), part.producer_cents)
        for part in order.parts
    ]
    entries.append(
        Entry(ledger_codes.PLATFORM_REVENUE, sum(part.platform_cents for part in order.parts))
    )
    entries.append(
        Entry(
            ledger_codes.PLATFORM_SOLIDARITY_FUND,
            sum(part.solidarity_cents for part in order.parts),
        )
    )
    post(
        CARD_PAYMENT,
        payment_key(order.number),
        entries,
        memo=f"Card payment for order {order.number}",
        refs={"order_id": order.id},
    )
