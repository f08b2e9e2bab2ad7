"""The outbox: one row per message to send, written in the transaction of the event behind it.

A row is delivered after its transaction commits (a task, or in-process when
tasks run eagerly); the periodic sweep delivers what a lost task left behind.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Channel(StrEnum):
    EMAIL = "email"
    LOG = "log"
    SMS = "sms"


#: Languages a message is written in; the recipient's, else French.
LOCALES = ("ar", "fr", "en")
DEFAULT_LOCALE = "fr"


class Notification(db.Model):
    """One message to one recipient, rendered from its kind's templates when delivered."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
        CheckConstraint("channel IN ('email', 'log', 'sms')", name="channel_known"),
        CheckConstraint("locale IN ('ar', 'fr', 'en')", name="locale_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            "channel <> 'email' OR recipient_email IS NOT NULL", name="email_has_address"
        ),
        CheckConstraint("channel <> 'sms' OR recipient_phone IS NOT NULL", name="sms_has_phone"),
        # The sweep looks for old pending rows; the inbox lists a user's newest first.
        Index("ix_notifications_status_created_at", "status", "created_at"),
        Index("ix_notifications_recipient_created_at", "recipient_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A key of app.notifications.kinds.KINDS, e.g. "order_paid"; picks the templates.
    kind: Mapped[str] = mapped_column(String(40))
    #: How it is sent: email (to the console when MAIL_SERVER is unset), log or sms.
    channel: Mapped[str] = mapped_column(String(10))
    #: The account it is for, when it is for one; it then shows on their notifications page.
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    #: E.164 form, +212 then 9 digits.
    recipient_phone: Mapped[str | None] = mapped_column(String(16))
    #: Language of the message: ar, fr or en.
    locale: Mapped[str] = mapped_column(String(5))
    #: Template variables: only strings, ints, booleans and None (money as *_cents).
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Names the event and the recipient ("order_paid:ST-7K3Q9X:user:12"), so a
    #: retried event records its message once; also seeds the email's Message-ID.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=NotificationStatus.PENDING)
    #: Delivery attempts so far (each claim counts one); the row fails after the maximum.
    attempts: Mapped[int] = mapped_column(default=0)
    #: Why the last attempt failed, as the channel reported it.
    last_error: Mapped[str | None] = mapped_column(Text)
    #: When a deliverer claimed the row; a claim older than the claim timeout is abandoned.
    claimed_at: Mapped[datetime | None]
    #: After a failed attempt, the sweep waits until then before trying again (backoff).
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: When the recipient marked it read on their notifications page.
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} {self.status}>"
