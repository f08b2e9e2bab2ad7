"""Use cases of the outbox: deliver a notification once, sweep what was missed, read them.

Rows are written by ``app.notifications.operations.notify`` inside the use case
whose event they tell; ``deliver`` claims a row with one conditional UPDATE so
that two deliverers never both send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from app.core.db import utcnow
from app.extensions import db
from app.notifications.channels import ChannelError, OutgoingMessage, channel_for
from app.notifications.errors import DeliveryFailed
from app.notifications.kinds import without_secrets
from app.notifications.models import (
    LOCALES,
    Notification,
    NotificationStatus,
)
from app.notifications.operations import Recipient
from app.notifications.rendering import render

log = logging.getLogger(__name__)


#: A claim older than this is taken as abandoned (its worker died) and may be re-claimed.
CLAIM_TIMEOUT = timedelta(minutes=5)
#: After this many attempts a row is marked failed and no longer tried.
MAX_ATTEMPTS = 12
#: Longest wait the sweep leaves between two failed attempts at one row.
MAX_SWEEP_BACKOFF = timedelta(hours=1)
#: Rows one sweep delivers at most; the next sweep takes the rest.
SWEEP_BATCH = 100


def deliver(notification_id: int, *, now: datetime | None = None) -> bool:
    """Send one pending notification through its channel; True when this call sent it.

    Safe to call twice, also at the same moment: the row is claimed (and the
    claim committed) by one conditional UPDATE before sending, so only one
    caller sends; the others, and calls for a sent, failed or unknown row,
    return False. A claim older than CLAIM_TIMEOUT is taken over. When the
    channel fails, the claim is released, `last_error` recorded and
    DeliveryFailed raised (retry later); a permanent refusal, a message that
    cannot be rendered or the MAX_ATTEMPTS-th failure marks the row failed and
    returns False. A crash between sending and recording it means the message
    may be sent again later; its Message-ID is the same, so it shows as a duplicate.
    """
    now = now or utcnow()
    claimed = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == NotificationStatus.PENDING,
            or_(Notification.claimed_at.is_(None), Notification.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()

    notification = db.session.get(Notification, notification_id, populate_existing=True)
    try:
        message = _message(notification)
    except Exception as error:
        # A template or context bug: no retry can fix it, so fail loudly and stop trying.
        log.exception("notification %s cannot be rendered", notification_id)
        _record_failure(notification, f"cannot render: {error}", permanent=True, now=now)
        return False
    try:
        channel_for(notification.channel, current_app.config).send(message)
    except ChannelError as error:
        failed = _record_failure(notification, str(error), permanent=error.permanent, now=now)
        if failed:
            log.error("notification %s failed for good: %s", notification_id, error)
            return False
        raise DeliveryFailed(notification_id, str(error))

    notification.status = NotificationStatus.SENT
    notification.sent_at = utcnow()
    notification.next_attempt_at = None
    notification.context = without_secrets(notification.kind, notification.context)
    db.session.commit()
    return True


def _message(notification: Notification) -> OutgoingMessage:
    rendered = render(notification.kind, notification.locale, notification.context)
    return OutgoingMessage(
        kind=notification.kind,
        locale=notification.locale,
        subject=rendered.subject,
        body=rendered.body,
        dedupe_key=notification.dedupe_key,
        to_email=notification.recipient_email,
        to_phone=notification.recipient_phone,
    )


def _record_failure(
    notification: Notification, error: str, *, permanent: bool, now: datetime
) -> bool:
    """Release the claim and note `error`; True when the row is now failed for good."""
    notification.last_error = error[:2000]
    notification.claimed_at = None
    if permanent or notification.attempts >= MAX_ATTEMPTS:
        notification.status = NotificationStatus.FAILED
        notification.next_attempt_at = None
        notification.context = without_secrets(notification.kind, notification.context)
    else:
        notification.next_attempt_at = now + sweep_backoff(notification.attempts)
    db.session.commit()
    return notification.status == NotificationStatus.FAILED


def sweep_backoff(attempts: int) -> timedelta:
    """How long the sweep leaves a row alone after its `attempts`-th failure:
    1, 2, 4... minutes, at most MAX_SWEEP_BACKOFF."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_SWEEP_BACKOFF)


def pending_to_sweep(
    older_than: timedelta, *, now: datetime | None = None, limit: int = SWEEP_BATCH
) -> list[int]:
    """Ids of pending rows created more than `older_than` ago that nobody holds (no
    live claim) and whose backoff has passed, oldest first, at most `limit`."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Notification.id)
            .where(
                Notification.status == NotificationStatus.PENDING,
                Notification.created_at < now - older_than,
                or_(
                    Notification.claimed_at.is_(None),
                    Notification.claimed_at < now - CLAIM_TIMEOUT,
                ),
                or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
            )
            .order_by(Notification.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class SweepResult:
    sent: int
    not_sent: int


def sweep(
    older_than: timedelta = timedelta(minutes=1),
    *,
    now: datetime | None = None,
    limit: int = SWEEP_BATCH,
) -> SweepResult:
    """Deliver what a lost or failed task left behind (see pending_to_sweep).

    Each row is delivered on its own claim, so a sweep overlapping a task or
    another sweep sends nothing twice; a failure is recorded on its row and
    does not stop the sweep.
    """
    sent = not_sent = 0
    for notification_id in pending_to_sweep(older_than, now=now, limit=limit):
        try:
            delivered = deliver(notification_id, now=now)
        except DeliveryFailed as error:
            log.warning("sweep: %s", error)
            delivered = False
        sent += delivered
        not_sent += not delivered
    return SweepResult(sent=sent, not_sent=not_sent)


def mark_read(user: Recipient, ids: list[int] | None = None) -> int:
    """Mark `user`'s unread notifications read (only those in `ids` when given);
    others' ids are ignored. Returns how many changed. Commits."""
    statement = (
        update(Notification)
        .where(Notification.recipient_user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    changed = db.session.execute(statement).rowcount
    db.session.commit()
    return changed


@dataclass(frozen=True)
class InboxEntry:
    id: int
    kind: str
    subject: str
    body: str
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class InboxPage:
    entries: list[InboxEntry]
    page: int
    per_page: int
    total: int
    unread: int


def for_user(
    user: Recipient, page: int = 1, *, per_page: int = 20, language: str | None = None
) -> InboxPage:
    """One page of `user`'s notifications, newest first, rendered in `language`
    (the reader's; default each message's own), with the count of unread ones."""
    page = max(page, 1)
    mine = Notification.recipient_user_id == user.id
    total = db.session.scalar(select(func.count()).where(mine)) or 0
    unread = db.session.scalar(select(func.count()).where(mine, Notification.read_at.is_(None)))
    rows = db.session.scalars(
        select(Notification)
        .where(mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    entries = []
    for row in rows:
        rendered = render(row.kind, language if language in LOCALES else row.locale, row.context)
        entries.append(
            InboxEntry(
                id=row.id,
                kind=row.kind,
                subject=rendered.subject,
                body=rendered.body,
                created_at=row.created_at,
                read=row.read_at is not None,
            )
        )
    return InboxPage(entries, page, per_page, int(total), int(unread or 0))
