"""Deliver the outbox: one task per committed notification, and a sweep for what was missed."""

from __future__ import annotations

import smtplib

from celery import shared_task

from app.core.tasks import RETRY_BACKOFF_MAX_SECONDS
from app.notifications import services


@shared_task(
    name="workers.tasks.notifications.deliver_notification",
    acks_late=True,
    autoretry_for=(services.DeliveryFailed, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=5,
)
def deliver_notification(notification_id: int) -> bool:
    """Send notification `notification_id` unless it is sent or being sent; True if this run did."""
    return services.deliver(notification_id)


@shared_task(name="workers.tasks.notifications.sweep_outbox", acks_late=True)
def sweep_outbox() -> dict[str, int]:
    """Deliver pending notifications older than a minute that no task is delivering."""
    result = services.sweep()
    return {"sent": result.sent, "not_sent": result.not_sent}
