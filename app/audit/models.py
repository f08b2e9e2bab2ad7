"""One row per admin action: who, what, on which record, when, and the record before and after.

Rows are written by ``app.audit.operations.record`` inside the use case they
describe (same transaction: an action that rolls back leaves no trace, one
that commits always does) and are never changed afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db


class AdminAction(db.Model):
    """An admin's action on one record, with the record's fields before and after it."""

    __tablename__ = "admin_actions"
    __table_args__ = (Index("ix_admin_actions_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The admin who acted; None for the command line (``flask create-admin``) or the system.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Who acted, as shown then (the admin's e-mail, or "command line"): kept if the user goes.
    actor_label: Mapped[str] = mapped_column(String(254))
    #: What was done, "<record>.<verb>", e.g. "cooperative.verify", "product.hide".
    action: Mapped[str] = mapped_column(String(60), index=True)
    #: The kind of record acted on, e.g. "cooperative", "fee_rule", "refund", "payout".
    target_type: Mapped[str] = mapped_column(String(40))
    #: Its id (or public number for an order), as text.
    target_id: Mapped[str] = mapped_column(String(40))
    #: The fields the action changed, as they were before (empty for a creation).
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The same fields after the action.
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The reason or note the admin gave, if any.
    note: Mapped[str] = mapped_column(Text, default="")
    #: When it happened, UTC.
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
