"""Stripe's webhook endpoint: ``POST /webhooks/stripe`` (API.md "Webhooks").

Stripe signs the raw body, so the view hands ``request.get_data()`` untouched
to the service, which verifies it before anything is recorded. Answers are
JSON: 200 once the event is recorded (or was already), 400 with
``{"error": {...}}`` when the signature does not check out. No CSRF token: the
signature is what proves the sender (the app factory exempts `bp`).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.payments import services

bp = Blueprint("payments", __name__)


@bp.route("/webhooks/stripe", methods=["POST"])
def stripe_webhook():
    """Verify, record once, act; ``WebhookRejected`` becomes a JSON 400 (app.web.errors)."""
    receipt = services.receive_webhook(
        request.get_data(cache=False), request.headers.get("Stripe-Signature")
    )
    return jsonify(
        received=True, event=receipt.event_id, outcome=receipt.outcome, duplicate=receipt.duplicate
    )
