"""Errors of payments and refunds, mapped by faces to form messages or JSON errors."""

from __future__ import annotations

from app.core.errors import Conflict, DomainError


class PaymentGatewayError(DomainError):
    """Stripe refused or could not be reached; ``message`` is fit to show a shopper or an admin.

    The cause (Stripe's own message, request id) is logged, never shown. ``transient``
    says whether trying again later may work (network, rate limit, Stripe's own error):
    such failures answer 503, the others (our request refused) 502.
    """

    code = "payment_gateway_error"
    status = 502

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient
        if transient:
            self.status = 503


class WebhookRejected(DomainError):
    """A webhook whose signature, timestamp or body does not check out: nothing is done (400)."""

    code = "invalid_webhook"
    status = 400


class RefundExceedsPaid(Conflict):
    """A refund beyond what was paid (for the order, the part or a line) and not yet refunded."""

    code = "refund_exceeds_paid"


class EventTooEarly(Conflict):
    """A webhook about money the app has not heard of yet (a refund arriving before the
    payment it refunds): nothing is recorded, and Stripe delivers it again later (409)."""

    code = "event_too_early"
