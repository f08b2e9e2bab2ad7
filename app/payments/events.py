"""Stripe webhook events: a table from event type to handler; flush only.

``app.payments.services.handle_event`` records each event once and commits
what its handler did. A handler gets the event's ``data.object`` (plain JSON),
locks the order it concerns, and returns a short outcome stored on the event.
Every handler is idempotent and order-proof: an event repeated, or arriving
after a later one (a failure after the success), changes nothing twice.

``HANDLED_TYPES`` lists every type the marketplace acts on. The payouts domain
(to the right of payments) handles ``transfer.*``: the app factory hands its
handlers to ``register_handler`` (``app.payouts.transfers.register_webhook_handlers``)
and checks with
``require_every_handler`` that none is missing. A handled type whose handler is
not registered raises ``HandlerMissing``: nothing is recorded and Stripe
delivers the event again, instead of storing it as done. Other types are
recorded as ``"ignored"``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.payments import operations, refunds
from app.payments.errors import EventTooEarly
from app.payments.models import Payment, PaymentStatus, Refund

log = logging.getLogger(__name__)

JSON = dict[str, Any]
Handler = Callable[[JSON], str]


def _on_intent_succeeded(intent: JSON) -> str:
    payment = _locked_payment(intent.get("id"))
    if payment is None:
        return "unknown_intent"
    return operations.record_success(
        payment, int(intent.get("amount_received") or 0), _id_of(intent.get("latest_charge"))
    )


def _on_intent_failed(intent: JSON) -> str:
    payment = _locked_payment(intent.get("id"))
    if payment is None:
        return "unknown_intent"
    error = intent.get("last_payment_error") or {}
    return operations.record_failure(payment, error.get("message"))


def _on_charge_refunded(charge: JSON) -> str:
    """Record refunds made outside the app (Stripe's dashboard); ours are known by their id.

    Uses the charge's refund list when Stripe sends it whole, and in any case
    makes what we recorded as refunded equal the charge's ``amount_refunded``.
    """
    payment = _locked_payment(_id_of(charge.get("payment_intent")))
    if payment is None:
        return "unknown_intent"
    refunded_at_stripe = int(charge.get("amount_refunded") or 0)
    if payment.status in operations.PAYABLE:
        # Webhooks come in any order: the success this refund follows is still on its way.
        raise EventTooEarly("The payment of this refund is not recorded yet; send it again.")
    if payment.status != PaymentStatus.SUCCEEDED:
        # A late payment (its order cancelled) posted nothing: only its refunded amount counts.
        payment.amount_refunded_cents = max(payment.amount_refunded_cents, refunded_at_stripe)
        if payment.status == PaymentStatus.NEEDS_REFUND and payment.refundable_cents == 0:
            payment.status = PaymentStatus.RETURNED
        return "late_payment_refund"
    known = set(
        db.session.scalars(
            select(Refund.stripe_refund_id).where(
                Refund.order_id == payment.order_id, Refund.stripe_refund_id.is_not(None)
            )
        )
    )
    outcome = "refunds_known"
    listed = charge.get("refunds") or {}
    data = listed.get("data") if isinstance(listed, dict) else None
    if isinstance(data, list) and listed.get("total_count", len(data)) == len(data):
        for stripe_refund in reversed(data):  # Stripe lists the newest first
            if stripe_refund.get("id") in known or stripe_refund.get("status") == "failed":
                continue
            refunds.record_outside_refund(
                payment, int(stripe_refund["amount"]), stripe_refund["id"]
            )
            outcome = "outside_refund_recorded"
    missing = min(refunded_at_stripe, payment.amount_cents) - payment.amount_refunded_cents
    if missing > 0:
        refunds.record_outside_refund(payment, missing, None)
        outcome = "outside_refund_recorded"
    return outcome


#: Every Stripe event type the marketplace acts on (the endpoint subscribes to these).
HANDLED_TYPES = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "charge.refunded",
        "transfer.created",  # app.payouts.transfers
        "transfer.reversed",  # app.payouts.transfers
    }
)
#: What an event of a type we do not act on is recorded with.
IGNORED = "ignored"

HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
}


class HandlerMissing(RuntimeError):
    """An event type we act on has no handler in this process: the wiring is incomplete."""


def register_handler(event_type: str, handler: Handler) -> None:
    """Let a domain to the right of payments (payouts) handle one of ``HANDLED_TYPES``.

    Called by the app factory, never at import. Raises ``ValueError`` for a type
    not listed in ``HANDLED_TYPES`` (add it there first, so the list stays whole).
    """
    if event_type not in HANDLED_TYPES:
        raise ValueError(f"{event_type!r} is not in HANDLED_TYPES")
    HANDLERS[event_type] = handler


def require_every_handler() -> None:
    """Raise ``HandlerMissing`` unless each of ``HANDLED_TYPES`` has its handler."""
    missing = sorted(HANDLED_TYPES - HANDLERS.keys())
    if missing:
        raise HandlerMissing(f"no handler registered for Stripe events {', '.join(missing)}")


def dispatch(event: JSON) -> str:
    """Run the handler of ``event["type"]`` on its object; ``"ignored"`` for types we do not use.

    Raises ``HandlerMissing`` for a type we act on whose handler is not registered,
    so that the event is not recorded as done (Stripe delivers it again).
    """
    event_type = event["type"]
    handler = HANDLERS.get(event_type)
    if handler is None:
        if event_type in HANDLED_TYPES:
            raise HandlerMissing(f"no handler registered for Stripe events {event_type}")
        return IGNORED
    obj = event["data"].get("object")
    if not isinstance(obj, dict):
        log.warning("Stripe event %s has no object; ignored", event["id"])
        return IGNORED
    return handler(obj)


def _locked_payment(intent_id: str | None) -> Payment | None:
    """The payment of that intent, its order locked and both re-read; None when not ours."""
    if not intent_id:
        return None
    payment = operations.payment_with_intent(intent_id)
    if payment is None:
        log.info("Stripe event for intent %s, which is not one of ours", intent_id)
        return None
    operations.lock_order(payment.order_id)
    return payment


def _id_of(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.get("id") if isinstance(value, dict) else None
