"""Payment use cases: take a card order's payment, hear Stripe's webhooks, expire, refund.

Each public function commits (or rolls back) what it does; none is left
half-done when it raises. The order becomes ``paid`` only on Stripe's word: a
webhook whose signature checks out, or an intent retrieved from Stripe that
says ``succeeded`` (``confirm_from_stripe``), never on the browser's.

No database transaction stays open while Stripe is called (SQLite takes its
write lock when a transaction begins), except for a refund, whose order stays
locked so that two refunds cannot both pass the "never beyond what was paid"
check. Amounts are int centimes of MAD.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.operations import record
from app.cart.carts import Cart
from app.core.db import utcnow
from app.core.errors import Forbidden, ValidationFailed
from app.core.transactions import committed
from app.extensions import db
from app.notifications.operations import notify
from app.orders import services as orders
from app.orders.checkout import CheckoutRequest
from app.orders.models import Order, OrderStatus, PaymentMethod
from app.orders.operations import cancel_unpaid_order
from app.payments import events, operations, refunds, stripe_client
from app.payments.errors import PaymentGatewayError
from app.payments.models import Payment, PaymentStatus, Refund, StripeEvent

log = logging.getLogger(__name__)

#: Orders one expiry sweep handles at most; the next sweep takes the rest.
EXPIRY_BATCH = 100


@dataclass(frozen=True)
class CardPayment:
    """What the payment page needs to let Stripe.js take the card."""

    intent_id: str
    client_secret: str


@dataclass(frozen=True)
class Checkout:
    """An order placed (or found again by its idempotency key), and for a card order the
    payment Stripe.js completes."""

    order: Order
    #: False when the idempotency key named an order placed before (a replayed checkout).
    created: bool
    #: Card orders waiting for payment only.
    card: CardPayment | None


@dataclass(frozen=True)
class EventReceipt:
    event_id: str
    type: str
    #: What handling did (see app.payments.events), or what it did the first time.
    outcome: str
    #: True when this event id was recorded before: nothing was done now.
    duplicate: bool


@dataclass(frozen=True)
class ExpiryReport:
    #: Numbers of the orders cancelled, their stock returned.
    expired: list[str]
    #: Numbers of the orders found paid at Stripe instead, and marked paid.
    confirmed: list[str]
    #: Late payments given back to the card.
    returned: int


# Checkout and cancel --------------------------------------------------------------------


def checkout(
    shopper: User,
    cart: Cart,
    request: CheckoutRequest,
    *,
    links: orders.CheckoutLinks | None = None,
) -> Checkout:
    """Place the order (``app.orders.services.place_order``, which commits), then, for a
    card order, start its payment (``start_card_payment``, outside any transaction).

    Raises what ``place_order`` raises, and ``PaymentGatewayError`` when Stripe
    cannot be reached (the card order is then cancelled and its lines put back
    in the cart).
    """
    placed = orders.place_order(shopper, cart, request, links=links)
    card = None
    if placed.order.payment_method == PaymentMethod.CARD:
        card = start_card_payment(placed.order)
    return Checkout(placed.order, placed.created, card)


def cancel_order(order: Order, shopper: User) -> Order:
    """The shopper cancels the whole order (``app.orders.services.cancel_order``, which
    commits); what was paid by card for it then goes back to the card.

    A refund Stripe refuses now is made by the next expiry sweep.
    """
    cancelled = orders.cancel_order(order, shopper)
    refund_cancelled_parts(cancelled)
    return cancelled


def _end_transaction() -> None:
    """Close the read transaction before calling Stripe, so no lock waits on the network."""
    db.session.commit()


# Taking the payment ------------------------------------------------------------------


def start_card_payment(order: Order) -> CardPayment | None:
    """Create (or find again) the PaymentIntent of a card order placed by ``place_order``.

    Returns the intent's client secret for Stripe.js, the same one whenever it
    is asked again (a replayed checkout); None when the order is not waiting
    for a card payment (cash, paid, cancelled). If Stripe cannot create the
    intent, the order is cancelled at once, its stock returned and its lines
    put back in the shopper's cart, and ``PaymentGatewayError`` says so.
    """
    if order.payment_method != PaymentMethod.CARD or order.status != OrderStatus.PENDING_PAYMENT:
        return None
    payment = operations.payment_of(order)
    if payment is not None and payment.status not in operations.PAYABLE:
        return None
    order_id, number, total = order.id, order.number, order.total_cents
    intent_id = payment.intent_id if payment is not None else None
    _end_transaction()
    if intent_id is not None:
        intent = stripe_client.retrieve_intent(intent_id)
        return CardPayment(intent.id, intent.client_secret or "")
    try:
        intent = stripe_client.create_payment_intent(
            order_number=number,
            amount_cents=total,
            description=f"Souk Tadamon {number}",
            idempotency_key=operations.intent_key(number),
        )
    except PaymentGatewayError as error:
        _give_up_checkout(order_id)
        raise PaymentGatewayError(
            _(
                "Card payment is unavailable right now, so order %(number)s was cancelled and "
                "nothing was charged. Your products are back in your cart: try again later or "
                "choose cash on delivery.",
                number=number,
            ),
            transient=error.transient,
        )
    try:
        db.session.add(Payment(order_id=order_id, intent_id=intent.id, amount_cents=total))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a replay of this checkout recorded the same intent first
    return CardPayment(intent.id, intent.client_secret or "")


def _give_up_checkout(order_id: int) -> None:
    order = operations.lock_order(order_id)
    if order.status == OrderStatus.PENDING_PAYMENT and operations.payment_of(order) is None:
        cancel_unpaid_order(
            order, _("Card payment could not be started: nothing was charged."), restore_cart=True
        )
    db.session.commit()


def confirm_from_stripe(order: Order) -> Payment | None:
    """Ask Stripe how the order's payment stands, and record a success (the return page).

    The browser coming back only prompts the question: the order becomes paid
    when the retrieved intent says ``succeeded``, exactly as from the webhook
    (whichever comes first; the other changes nothing). Returns the payment
    (None for an order without one). Raises ``PaymentGatewayError``.
    """
    payment = operations.payment_of(order)
    if payment is None or payment.status not in operations.PAYABLE:
        return payment
    order_id, intent_id = order.id, payment.intent_id
    _end_transaction()
    intent = stripe_client.retrieve_intent(intent_id)
    if intent.status != "succeeded":
        return operations.payment_with_intent(intent_id)
    operations.lock_order(order_id)
    payment = operations.payment_with_intent(intent_id)
    outcome = operations.record_success(payment, intent.amount_received, intent.latest_charge)
    db.session.commit()
    if outcome == "late_payment":
        return_late_payments()
    return payment


# Webhooks -------------------------------------------------------------------------------


def receive_webhook(raw_body: bytes, signature_header: str | None) -> EventReceipt:
    """Verify a webhook's signature on its raw body, then ``handle_event``.

    Raises ``WebhookRejected`` (400) before anything is recorded when the
    signature, its timestamp or the body do not check out.
    """
    return handle_event(stripe_client.construct_event(raw_body, signature_header))


def handle_event(event: dict[str, Any]) -> EventReceipt:
    """Record a verified event once by its id and act on it, in one transaction.

    A second delivery of the same id (also at the same moment) does nothing
    and says it is a duplicate. If the handler fails, nothing is recorded and
    the error propagates, so that Stripe delivers the event again later.
    """
    event_id, event_type = event["id"], event["type"]
    seen = db.session.scalar(select(StripeEvent.outcome).where(StripeEvent.event_id == event_id))
    if seen is not None:
        return EventReceipt(event_id, event_type, seen, duplicate=True)
    record = StripeEvent(event_id=event_id, type=event_type, payload=event, received_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        db.session.rollback()
        return EventReceipt(event_id, event_type, "", duplicate=True)
    with committed():
        outcome = events.dispatch(event)
        record.outcome = outcome
        record.processed_at = utcnow()
    if outcome == "late_payment":
        return_late_payments()
    return EventReceipt(event_id, event_type, outcome, duplicate=False)


# Expiry and late payments ---------------------------------------------------------------


def expire_unpaid_card_orders(now: datetime | None = None) -> ExpiryReport:
    """Cancel card orders still unpaid after ``expires_at``; safe to run twice.

    For each one, the PaymentIntent is cancelled at Stripe first (best effort:
    when Stripe cannot be reached the order is cancelled all the same, and a
    payment that still arrives goes back to the card). An intent that turns out
    to have succeeded meanwhile pays the order instead. A cancelled order's
    stock returns and its shopper is told. One commit per order. Then late
    payments still owed back are returned (``return_late_payments``).
    """
    now = now or utcnow()
    due = db.session.execute(
        select(Order.id, Payment.intent_id, Payment.status)
        .outerjoin(Payment, Payment.order_id == Order.id)
        .where(
            Order.payment_method == PaymentMethod.CARD,
            Order.status == OrderStatus.PENDING_PAYMENT,
            Order.expires_at <= now,
        )
        .order_by(Order.id)
        .limit(EXPIRY_BATCH)
    ).all()
    _end_transaction()
    expired, confirmed = [], []
    for order_id, intent_id, status in due:
        intent = None
        if intent_id is not None and status in operations.PAYABLE:
            try:
                intent = stripe_client.cancel_intent(intent_id)
            except PaymentGatewayError:
                log.warning("could not cancel intent %s; expiring its order anyway", intent_id)
        order = operations.lock_order(order_id)
        if order.status != OrderStatus.PENDING_PAYMENT:
            db.session.commit()  # paid or cancelled meanwhile
            continue
        payment = operations.payment_of(order)
        if payment is not None and intent is not None and intent.status == "succeeded":
            operations.record_success(payment, intent.amount_received, intent.latest_charge)
            db.session.commit()
            confirmed.append(order.number)
            continue
        if payment is not None and intent is not None and intent.status == "canceled":
            payment.status = PaymentStatus.CANCELED
        cancel_unpaid_order(order, _("The card payment was not completed in time."))
        db.session.commit()
        expired.append(order.number)
    returned = return_late_payments()
    refund_cancelled_parts()
    return ExpiryReport(expired, confirmed, returned)


def return_late_payments() -> int:
    """Give back to the card every payment that arrived after its order was cancelled.

    One Stripe refund per payment (its idempotency key names the intent and
    the amount, so retries refund once); a payment Stripe cannot refund now
    stays owed and is tried again by the next expiry sweep. Returns how many
    were given back. Posts nothing to the ledger: that money never belonged to anyone.
    """
    due = db.session.execute(
        select(Payment.id, Payment.intent_id, Payment.amount_cents - Payment.amount_refunded_cents)
        .where(Payment.status == PaymentStatus.NEEDS_REFUND)
        .order_by(Payment.id)
    ).all()
    _end_transaction()
    returned = 0
    for payment_id, intent_id, left in due:
        try:
            if left > 0:
                stripe_client.refund(
                    intent_id=intent_id,
                    amount_cents=left,
                    idempotency_key=f"late:{intent_id}:{left}",
                    metadata={"reason": "order cancelled before payment"},
                )
        except PaymentGatewayError:
            log.warning("late payment %s not returned yet; the next sweep tries again", intent_id)
            continue
        payment = db.session.get(Payment, payment_id)
        operations.lock_order(payment.order_id)
        if payment.status == PaymentStatus.NEEDS_REFUND:
            payment.amount_refunded_cents = payment.amount_cents
            payment.status = PaymentStatus.RETURNED
            notify(
                "order_refunded",
                user=payment.order.shopper,
                context={"order_number": payment.order.number, "amount_cents": left},
                dedupe_key=f"late_payment_returned:{intent_id}",
            )
            returned += 1
        db.session.commit()
    return returned


# Refunds --------------------------------------------------------------------------------


def refund_cancelled_parts(order: Order | None = None) -> int:
    """Give back to the card what was paid for cancelled parts of paid card orders.

    A paid order cancelled by its shopper, or a part cancelled by its
    cooperative, leaves money to return: each such part is refunded whole
    through Stripe, funded by the cooperative (the payment's split reversed;
    the cancellation returned the stock already). For ``order`` only, or for
    every order still owing (the expiry sweep runs it, so a refund Stripe
    refused now is made later). The Stripe idempotency key names the part and
    the amount, so retries refund once. Returns how many parts were refunded.
    """
    statement = (
        select(Order.id)
        .join(Payment, Payment.order_id == Order.id)
        .where(
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.amount_refunded_cents < Payment.amount_cents,
            Order.parts.any(status="cancelled"),
        )
    )
    if order is not None:
        statement = statement.where(Order.id == order.id)
    order_ids = list(db.session.scalars(statement.order_by(Order.id)))
    refunded = 0
    for order_id in order_ids:
        while True:
            locked = operations.lock_order(order_id)
            payment = operations.payment_of(locked)
            owed = refunds.cancelled_parts_to_refund(locked, payment)
            if not owed:
                break
            part_id, amount = owed[0]
            key = f"cancelled-part:{part_id}:{amount}"
            try:
                plan = refunds.plan_refund(
                    locked, payment, funded_by="cooperative", part_id=part_id, amount_cents=amount
                )
                stripe_refund = stripe_client.refund(
                    intent_id=payment.intent_id,
                    amount_cents=amount,
                    idempotency_key=f"refund:{key}",
                    metadata={"order_number": locked.number, "refund_key": key},
                )
            except PaymentGatewayError:
                db.session.rollback()
                log.warning(
                    "cancelled part %s not refunded yet; the next sweep tries again", part_id
                )
                break
            reason = _("The part was cancelled: its payment goes back to the card.")
            refunds.record_refund(
                plan, payment, actor=None, reason=reason, key=key, stripe_refund_id=stripe_refund.id
            )
            db.session.commit()
            refunded += 1
    db.session.commit()
    return refunded


def refund(
    order: Order,
    admin: User,
    *,
    reason: str,
    funded_by: str,
    lines: Sequence[refunds.LineRequest] | None = None,
    part_id: int | None = None,
    amount_cents: int | None = None,
) -> Refund:
    """An admin gives money back for lines of one part, or an amount of one part; commit.

    ``funded_by`` is ``"cooperative"`` or ``"platform"`` (see
    ``app.payments.refunds`` for the ledger). A card order is refunded through
    Stripe (once, whatever retries: the refund's key is its idempotency key); a
    cash order records a cash refund. Raises ``Forbidden`` (403) for a
    non-admin, ``ValidationFailed`` (422) for bad input, ``RefundExceedsPaid``
    (409) beyond what was paid, ``PaymentGatewayError`` when Stripe refuses or
    cannot be reached; then nothing is written.
    """
    if not admin.is_admin:
        raise Forbidden(_("Only admins can refund."))
    reason = (reason or "").strip()
    if not reason or len(reason) > refunds.REASON_MAX:
        message = _("Give the reason for the refund (at most %(count)d characters).", count=500)
        raise ValidationFailed(message, fields={"reason": [message]})
    order = operations.lock_order(order.id)
    payment = operations.payment_of(order)
    with committed():
        plan = refunds.plan_refund(
            order,
            payment,
            funded_by=funded_by,
            lines=lines,
            part_id=part_id,
            amount_cents=amount_cents,
        )
        key = refunds.new_refund_key()
        stripe_refund_id = None
        if not order.is_cash:
            stripe_refund_id = stripe_client.refund(
                intent_id=payment.intent_id,
                amount_cents=plan.amount_cents,
                idempotency_key=f"refund:{key}",
                metadata={"order_number": order.number, "refund_key": key},
            ).id
        before = {
            "order_status": order.status,
            "refunded_cents": refunds.refunded_for_order(order.id),
        }
        result = refunds.record_refund(
            plan, payment, actor=admin, reason=reason, key=key, stripe_refund_id=stripe_refund_id
        )
        _audit_refund(admin, result, before)
    return result


def _audit_refund(admin: User, refund: Refund, before: dict[str, Any]) -> None:
    """Log the refund with the order's status and refunded total before and after it."""
    record(
        admin,
        "refund.create",
        "refund",
        refund.id,
        before,
        {
            "order_status": refund.order.status,
            "refunded_cents": refunds.refunded_for_order(refund.order_id),
            "order_number": refund.order.number,
            "part_id": refund.part_id,
            "amount_cents": refund.amount_cents,
            "funded_by": refund.funded_by,
            "producer_cents": refund.producer_cents,
            "platform_cents": refund.platform_cents,
            "solidarity_cents": refund.solidarity_cents,
            "lines": refund.lines,
        },
        refund.reason,
    )
