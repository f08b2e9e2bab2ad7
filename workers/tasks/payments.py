"""Card payments in the background: expire unpaid card orders, return late payments."""

from __future__ import annotations

from celery import shared_task

from app.payments import services


@shared_task(name="workers.tasks.payments.expire_unpaid_card_orders", acks_late=True)
def expire_unpaid_card_orders() -> dict[str, int]:
    """Cancel card orders unpaid past their time (stock back, intent cancelled at Stripe).

    Safe to run twice or at once with the webhooks: each order is locked and
    re-read before it changes, and Stripe calls carry idempotency keys.
    """
    report = services.expire_unpaid_card_orders()
    return {
        "expired": len(report.expired),
        "confirmed": len(report.confirmed),
        "returned": report.returned,
    }
