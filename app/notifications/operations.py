"""Recording a notification inside another use case's transaction (flush only).

``notify`` writes an outbox row with the event that causes it, so the message
exists exactly when the event committed; once it commits the row is handed to
a worker (or delivered here when tasks run eagerly) by
``app.notifications.services.deliver``.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.after_commit import after_commit
from app.core.tasks import enqueue
from app.extensions import db
from app.notifications.errors import DeliveryFailed
from app.notifications.kinds import check_context
from app.notifications.models import (
    DEFAULT_LOCALE,
    LOCALES,
    Channel,
    Notification,
    NotificationStatus,
)

log = logging.getLogger(__name__)


#: The Celery task that delivers one row, by name: domains never import workers.
DELIVER_TASK = "workers.tasks.notifications.deliver_notification"


class Recipient(Protocol):
    """What notify() reads from a user (app.accounts.models.User fits)."""

    id: int
    email: str
    name: str
    locale: str | None
    phone: str | None


def notify(
    kind: str,
    *,
    user: Recipient | None = None,
    email: str | None = None,
    phone: str | None = None,
    locale: str | None = None,
    context: dict[str, Any],
    dedupe_key: str,
    channel: str | None = None,
) -> Notification | None:
    """Record a `kind` message in the caller's transaction; deliver it once that commits.

    The recipient is `user` (then `email`/`phone` default to theirs and it shows on
    their notifications page) and/or an `email` or `phone`. The language is
    `locale`, else the user's, else French. The channel is `channel`, else email
    when there is an address, else sms when there is a phone, else log.
    Only flushes. Returns the new row, or None when `dedupe_key` is already
    recorded (also when another transaction records it at the same moment).
    Raises ValueError for an unknown kind, a context that does not fit it, or no
    recipient: those are programming errors.
    """
    context = dict(context)
    if user is not None and "name" not in context:
        context["name"] = user.name
    check_context(kind, context)
    if not dedupe_key or len(dedupe_key) > 200:
        raise ValueError("a dedupe_key of 1 to 200 characters is required")
    email = email or (user.email if user is not None else None)
    phone = phone or getattr(user, "phone", None)
    if user is None and not email and not phone:
        raise ValueError("a notification needs a user, an email or a phone")
    channel = channel or (Channel.EMAIL if email else Channel.SMS if phone else Channel.LOG)
    if channel not in set(Channel):
        raise ValueError(f"unknown channel {channel!r}")

    if _recorded(dedupe_key):
        return None
    notification = Notification(
        kind=kind,
        channel=str(channel),
        recipient_user_id=user.id if user is not None else None,
        recipient_email=email,
        recipient_phone=phone,
        locale=_language(locale, user),
        context=context,
        dedupe_key=dedupe_key,
        status=NotificationStatus.PENDING,
        attempts=0,
    )
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        # Another transaction recorded the same key since we looked: that one stands.
        if _recorded(dedupe_key):
            return None
        raise
    after_commit(db.session, partial(_dispatch, current_app._get_current_object(), notification.id))
    return notification


def _recorded(dedupe_key: str) -> bool:
    return (
        db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key))
        is not None
    )


def _language(locale: str | None, user: Recipient | None) -> str:
    for candidate in (locale, getattr(user, "locale", None)):
        language = (candidate or "").replace("-", "_").split("_")[0].lower()
        if language in LOCALES:
            return language
    return DEFAULT_LOCALE


def _dispatch(app: Flask, notification_id: int) -> None:
    """After commit: hand the row to a worker, or deliver it here when tasks run eagerly.

    A broker that cannot be reached, or a delivery that failed here, leaves the
    row committed and pending: the outbox sweep delivers it later.
    """
    # A fresh app context gives a fresh session: the committing one can no longer query.
    with app.app_context():
        try:
            if not enqueue(DELIVER_TASK, notification_id):
                log.warning("notification %s waits for the outbox sweep", notification_id)
        except DeliveryFailed as error:
            log.warning("%s; the outbox sweep will try again", error)
