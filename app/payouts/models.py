"""Payouts to cooperatives (DESIGN.md section 8): payouts, bank-transfer batches, their history.

A ``Payout`` pays one cooperative what its ``available`` ledger account holds,
by bank transfer to its RIB or by Stripe transfer to its connected account.
Its status moves ``proposed -> approved -> processing -> paid`` (or ``failed``)
only through ``app.payouts.services``, each move recorded as a ``PayoutEvent``.
Bank transfers executed together are gathered in a ``PayoutBatch`` whose CSV
file the admin hands to the bank. Amounts are int centimes of MAD.

Exactly-once rests on three constraints: at most one payout per cooperative
waiting for approval or execution (``uq_payouts_one_open_per_cooperative``),
at most one open batch, and each payout's unique ``key``, which is both its
ledger key and its Stripe idempotency key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cooperatives.models import PayoutMethod
from app.core.db import TimestampMixin, sql_in_list, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.cooperatives.models import Cooperative

__all__ = ["BatchStatus", "Payout", "PayoutBatch", "PayoutEvent", "PayoutMethod", "PayoutStatus"]


class PayoutStatus(StrEnum):
    #: Computed by a payout run; waits for an admin.
    PROPOSED = "proposed"
    #: An admin agreed; waits for execution.
    APPROVED = "approved"
    #: Executed: the money left the cooperative's balance and is on its way (in a bank
    #: batch, or being sent to Stripe).
    PROCESSING = "processing"
    #: The cooperative has the money.
    PAID = "paid"
    #: Rejected, refused by the bank or Stripe, or reversed; any posting was reversed.
    FAILED = "failed"


class BatchStatus(StrEnum):
    #: Gathers the bank payouts executed since the last batch was sent.
    OPEN = "open"
    #: The admin gave the file to the bank.
    SENT = "sent"
    #: The bank made the transfers: its payouts are paid.
    PAID = "paid"


#: Payouts that block another proposal for the same cooperative.
WAITING = (PayoutStatus.PROPOSED, PayoutStatus.APPROVED)


_WAITING_SQL = text(f"status IN ({sql_in_list(WAITING)})")
_OPEN_BATCH_SQL = text(f"status = '{BatchStatus.OPEN}'")


class PayoutBatch(TimestampMixin, db.Model):
    """Bank-transfer payouts sent to the bank in one file."""

    __tablename__ = "payout_batches"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in_list(BatchStatus)})", name="status_known"),
        # One batch gathers payouts at a time, also when two executions start one at once.
        Index(
            "uq_payout_batches_one_open",
            "status",
            unique=True,
            sqlite_where=_OPEN_BATCH_SQL,
            postgresql_where=_OPEN_BATCH_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.OPEN, index=True)
    #: The admin whose execution opened the batch.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When the admin gave the file to the bank, and who.
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When the admin saw the transfers made, and who.
    paid_at: Mapped[datetime | None]
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    payouts: Mapped[list[Payout]] = relationship(back_populates="batch", order_by="Payout.id")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def reference(self) -> str:
        """The batch's name for people and file names, from its id: "ST-BATCH-000007"."""
        return f"ST-BATCH-{self.id:06d}"


class Payout(TimestampMixin, db.Model):
    """What one cooperative is paid at once, and how far that payment has gone."""

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(f"status IN ({sql_in_list(PayoutStatus)})", name="status_known"),
        CheckConstraint(f"method IN ({sql_in_list(PayoutMethod)})", name="method_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # A second run, or two runs at once, cannot propose a cooperative twice.
        Index(
            "uq_payouts_one_open_per_cooperative",
            "cooperative_id",
            unique=True,
            sqlite_where=_WAITING_SQL,
            postgresql_where=_WAITING_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: Centimes of MAD paid; the cooperative's available balance when proposed.
    amount_cents: Mapped[int]
    #: The cooperative's payout method when proposed: "bank_transfer" or "stripe".
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=PayoutStatus.PROPOSED, index=True)
    #: Assigned at proposal ("payout:<cooperative>:<uuid>"); Stripe's idempotency key, so a
    #: retried transfer pays once.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    #: Where the money goes, copied at execution so that retries send it to the same place:
    #: the 24-digit RIB for a bank transfer, the connected account "acct_..." for Stripe.
    destination: Mapped[str | None] = mapped_column(String(64))
    #: The bank batch a bank payout was executed into.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    #: Stripe's transfer ("tr_..."), once Stripe made it.
    stripe_transfer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Who proposed it: the admin who ran the payouts, or None for the daily run.
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When it went to processing: the money left the cooperative's available balance.
    executed_at: Mapped[datetime | None]
    #: Stripe payouts: when a sender started calling Stripe; None while nobody is. A sender
    #: that has held it longer than ``services.SEND_LEASE`` is taken as dead.
    sending_since: Mapped[datetime | None]
    #: Calls made to Stripe for this payout (retries reuse the key).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Why the last call to Stripe did not get an answer (it is tried again).
    last_error: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)

    cooperative: Mapped[Cooperative] = relationship()
    batch: Mapped[PayoutBatch | None] = relationship(back_populates="payouts")
    events: Mapped[list[PayoutEvent]] = relationship(
        back_populates="payout", order_by="PayoutEvent.id", cascade="all, delete-orphan"
    )
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    executed_by: Mapped[User | None] = relationship(foreign_keys=[executed_by_id])

    @property
    def reference(self) -> str:
        """The payout's name on bank statements and in the CSV, from its id: "ST-PAY-000123".

        Derived from the id, so it is unique and never changes.
        """
        return f"ST-PAY-{self.id:06d}"


class PayoutEvent(db.Model):
    """One move of a payout's status: from what, to what, who, when, why."""

    __tablename__ = "payout_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[int] = mapped_column(ForeignKey("payouts.id", ondelete="CASCADE"), index=True)
    #: None for the proposal.
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    #: Who moved it: an admin, or None for the system (runs, workers, Stripe's webhooks).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    payout: Mapped[Payout] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
