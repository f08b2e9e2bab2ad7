"""The one module that talks to Stripe (and the only one that imports ``stripe``).

The platform charges the shopper once per order (separate charges and
transfers: the order number is the ``transfer_group``) and pays cooperatives
later. Every call that creates something at Stripe sends an idempotency key, so
a retry after a lost answer never charges, refunds or transfers twice; the
client itself retries network failures (``max_network_retries``).

Settings: ``STRIPE_SECRET_KEY``, ``STRIPE_WEBHOOK_SECRET``, ``STRIPE_API_BASE``
(points the real client at another server: the local fake in tests),
``STRIPE_MAX_NETWORK_RETRIES`` (default 2).

Stripe's errors never leave this module: each becomes a ``PaymentGatewayError``
whose message can be shown to a shopper or an admin, while the cause is logged.
Answers come back as small frozen dataclasses, so callers never handle Stripe types.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import stripe
from flask import current_app
from flask_babel import gettext as _

from app.payments.errors import PaymentGatewayError, WebhookRejected

log = logging.getLogger(__name__)

#: Stripe's currency code for the dirham (Stripe answers in lower case).
CURRENCY = "mad"
#: Network retries of one call when the setting is absent (each retry reuses the idempotency key).
DEFAULT_NETWORK_RETRIES = 2
#: How old a webhook's signed timestamp may be, in seconds (Stripe's own default).
WEBHOOK_TOLERANCE_SECONDS = 300

#: Errors worth trying again later: the request may not have reached Stripe, or Stripe failed.
_TRANSIENT = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


@dataclass(frozen=True)
class Intent:
    """A PaymentIntent as we use it; amounts in centimes."""

    id: str
    status: str
    amount: int
    amount_received: int
    currency: str
    #: Lets the browser confirm this intent with Stripe.js; never stored on our side.
    client_secret: str | None
    #: The charge of the last attempt (succeeded or failed), if any.
    latest_charge: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    #: Stripe's message for the shopper when the last attempt failed.
    last_error_message: str | None = None


@dataclass(frozen=True)
class GatewayRefund:
    id: str
    amount: int
    status: str


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: int
    destination: str


def _client() -> stripe.StripeClient:
    config = current_app.config
    secret_key = config.get("STRIPE_SECRET_KEY")
    if not secret_key:
        raise PaymentGatewayError(_("Card payment is not available."), transient=False)
    retries = config.get("STRIPE_MAX_NETWORK_RETRIES", DEFAULT_NETWORK_RETRIES)
    return _cached_client(secret_key, config.get("STRIPE_API_BASE") or None, int(retries))


@lru_cache(maxsize=8)
def _cached_client(secret_key: str, api_base: str | None, retries: int) -> stripe.StripeClient:
    # One client per setting, reused: it keeps its HTTP connections open between calls.
    options: dict[str, Any] = {"max_network_retries": retries}
    if api_base:
        options["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(secret_key, **options)


def _gateway_error(operation: str, error: stripe.StripeError) -> PaymentGatewayError:
    """Log ``error`` with what we were doing; return the message people may see."""
    transient = isinstance(error, _TRANSIENT)
    log.log(
        logging.WARNING if transient else logging.ERROR,
        "Stripe %s failed (%s, status %s, code %s, request %s): %s",
        operation,
        type(error).__name__,
        error.http_status,
        error.code,
        error.request_id,
        error.user_message or str(error),
    )
    if isinstance(error, stripe.CardError):
        message = error.user_message or _("Your card was declined.")
        return PaymentGatewayError(message, transient=False)
    if transient:
        return PaymentGatewayError(
            _("Card payments are unavailable right now. Nothing was charged: try again later."),
            transient=True,
        )
    return PaymentGatewayError(
        _("The card payment service refused the request. Nothing was charged."),
        transient=False,
    )


def _intent(obj: stripe.PaymentIntent) -> Intent:
    data = obj.to_dict()
    error = data.get("last_payment_error")
    return Intent(
        id=data["id"],
        status=data["status"],
        amount=int(data["amount"]),
        amount_received=int(data.get("amount_received") or 0),
        currency=data["currency"],
        client_secret=data.get("client_secret"),
        latest_charge=_id_of(data.get("latest_charge")),
        metadata=dict(data.get("metadata") or {}),
        last_error_message=error.get("message") if error else None,
    )


def _id_of(value: Any) -> str | None:
    """An expandable field's id, whether Stripe sent the id or the object."""
    if value is None or isinstance(value, str):
        return value
    return value.get("id")


def create_payment_intent(
    *, order_number: str, amount_cents: int, description: str, idempotency_key: str
) -> Intent:
    """Create the PaymentIntent that charges an order's total, in MAD, once.

    ``amount_cents`` is the server's total; the order number goes in the
    metadata and is the ``transfer_group`` of the cooperatives' later transfers.
    The same ``idempotency_key`` again returns the same intent (Stripe replays
    it), so a retried checkout never creates a second charge.
    Raises ``PaymentGatewayError``.
    """
    params = {
        "amount": amount_cents,
        "currency": CURRENCY,
        "metadata": {"order_number": order_number},
        "transfer_group": order_number,
        "description": description,
        "automatic_payment_methods": {"enabled": True},
    }
    try:
        created = _client().v1.payment_intents.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise _gateway_error("create payment intent", error)
    return _intent(created)


def retrieve_intent(intent_id: str) -> Intent:
    """The intent as Stripe sees it now (with its client secret). Raises ``PaymentGatewayError``."""
    try:
        return _intent(_client().v1.payment_intents.retrieve(intent_id))
    except stripe.StripeError as error:
        raise _gateway_error("retrieve payment intent", error)


def cancel_intent(intent_id: str) -> Intent:
    """Cancel an intent nobody paid; return it as it ends up.

    An intent that can no longer be cancelled (it succeeded meanwhile, or was
    cancelled already) is not an error: it comes back as it is, and the caller
    reads its status. Raises ``PaymentGatewayError`` otherwise.
    """
    try:
        return _intent(
            _client().v1.payment_intents.cancel(
                intent_id, params={"cancellation_reason": "abandoned"}
            )
        )
    except stripe.InvalidRequestError as error:
        if error.code != "payment_intent_unexpected_state":
            raise _gateway_error("cancel payment intent", error)
    except stripe.StripeError as error:
        raise _gateway_error("cancel payment intent", error)
    return retrieve_intent(intent_id)


def refund(
    *,
    intent_id: str,
    amount_cents: int,
    idempotency_key: str,
    metadata: dict[str, str] | None = None,
) -> GatewayRefund:
    """Give ``amount_cents`` of a succeeded intent back to the card; once per key.

    Raises ``PaymentGatewayError`` (Stripe down, or refusing: more than what is
    left to refund, an intent that was never paid).
    """
    params: dict[str, Any] = {
        "payment_intent": intent_id,
        "amount": amount_cents,
        "reason": "requested_by_customer",
    }
    if metadata:
        params["metadata"] = metadata
    try:
        created = _client().v1.refunds.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise _gateway_error("refund", error)
    return GatewayRefund(id=created.id, amount=int(created.amount), status=created.status)


def transfer(
    *,
    amount_cents: int,
    destination: str,
    idempotency_key: str,
    transfer_group: str | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Transfer:
    """Send ``amount_cents`` MAD to a connected account (``acct_...``); once per key.

    For payouts: the caller chooses the key (its payout's unique key), so a
    retried or repeated execution transfers once. Raises ``PaymentGatewayError``.
    """
    params: dict[str, Any] = {
        "amount": amount_cents,
        "currency": CURRENCY,
        "destination": destination,
    }
    for name, value in (
        ("transfer_group", transfer_group),
        ("description", description),
        ("metadata", metadata),
    ):
        if value:
            params[name] = value
    try:
        created = _client().v1.transfers.create(
            params=params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise _gateway_error("transfer", error)
    return Transfer(id=created.id, amount=int(created.amount), destination=created.destination)


def _refuse_future_timestamp(signature_header: str) -> None:
    """Raise ``SignatureVerificationError`` when the signed ``t=`` is more than
    ``WEBHOOK_TOLERANCE_SECONDS`` ahead of our clock (called once the signature held)."""
    stamps = [
        value
        for key, _, value in (item.strip().partition("=") for item in signature_header.split(","))
        if key == "t"
    ]
    try:
        signed_at = int(stamps[0])
    except (IndexError, ValueError):
        raise stripe.SignatureVerificationError("No valid timestamp", signature_header)
    if signed_at > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise stripe.SignatureVerificationError(
            "Timestamp is in the future beyond the tolerance", signature_header
        )


def construct_event(raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
    """The webhook event in ``raw_body`` as plain JSON, once its signature checks out.

    Verifies the ``Stripe-Signature`` header against the raw bytes (never a
    re-serialised body) with ``STRIPE_WEBHOOK_SECRET`` and a tolerance of
    ``WEBHOOK_TOLERANCE_SECONDS`` either way (Stripe's library only refuses old
    timestamps; one far in the future would stay replayable for as long). Raises
    ``WebhookRejected`` for a missing or wrong signature, a timestamp too old or too far
    ahead, a body that is not an event, or no secret set.
    """
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        log.error("a Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
        raise WebhookRejected("Webhooks are not configured.")
    if not signature_header:
        raise WebhookRejected("The Stripe-Signature header is missing.")
    try:
        stripe.WebhookSignature.verify_header(
            raw_body, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS
        )
        _refuse_future_timestamp(signature_header)
        event = json.loads(raw_body)
    except stripe.SignatureVerificationError as error:
        log.warning("Stripe webhook refused: %s", error)
        raise WebhookRejected("The webhook signature does not match.")
    except ValueError:
        raise WebhookRejected("The webhook body is not JSON.")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise WebhookRejected("The webhook body is not a Stripe event.")
    if not isinstance(event.get("type"), str) or not isinstance(event.get("data"), dict):
        raise WebhookRejected("The webhook body is not a Stripe event.")
    return event
