"""Double-entry ledger rows (DESIGN.md section 7): accounts, transactions, entries.

Balances are the sum of entries; nothing else stores money. Entries and
transactions are append-only: the ORM refuses to update or delete them, and
``app.ledger.operations.post`` is the only code that creates them. See
``app.ledger.operations`` for the sign convention.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from app.core.db import utcnow
from app.extensions import db


class Account(db.Model):
    """A place money is owed to or held at, named by a code (``app.ledger.codes``)."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('cooperative_pending', 'cooperative_available', 'platform', 'clearing')",
            name="kind_known",
        ),
        CheckConstraint(
            "(cooperative_id IS NULL) = (kind IN ('platform', 'clearing'))",
            name="cooperative_accounts_name_one",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "coop:7:pending", "platform:revenue", "clearing:stripe".
    code: Mapped[str] = mapped_column(String(60), unique=True)
    #: One of app.ledger.codes.KINDS.
    kind: Mapped[str] = mapped_column(String(30))
    #: The cooperative a pending/available account belongs to; None for platform and clearing.
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerTransaction(db.Model):
    """One business event (payment, cash collected, release, refund, payout): balanced entries."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        # Which parts were released already: a payout run anti-joins every delivered part
        # against this, an index-only scan instead of reading every transaction.
        Index(
            "ix_ledger_transactions_released_parts",
            "cooperative_order_id",
            sqlite_where=text("kind = 'release'"),
            postgresql_where=text("kind = 'release'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What happened, e.g. "card_payment", "cash_collected", "release", "refund", "payout".
    kind: Mapped[str] = mapped_column(String(40), index=True)
    #: Names the business event; a second post with the same key records nothing.
    #: None only for events that cannot repeat.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    #: When the event happened (statements and "as of" balances use it), UTC.
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: References to the rows that caused the event (plain ids: those domains sit above the
    #: ledger, so it holds no foreign keys to them).
    order_id: Mapped[int | None] = mapped_column(index=True)
    cooperative_order_id: Mapped[int | None] = mapped_column(index=True)
    refund_id: Mapped[int | None] = mapped_column(index=True)
    payout_id: Mapped[int | None] = mapped_column(index=True)
    #: The transaction this one reverses; unique, so nothing is reversed twice.
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )

    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="transaction", order_by="LedgerEntry.id"
    )


class LedgerEntry(db.Model):
    """A signed amount posted to one account; a transaction's entries sum to zero."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        # Balances are sums by account: PostgreSQL reads them from the index alone.
        Index("ix_ledger_entries_account_id", "account_id", postgresql_include=["amount_cents"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    #: Centimes of MAD, credit-positive: positive adds to what the account is owed.
    amount_cents: Mapped[int]

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")
    account: Mapped[Account] = relationship()


class LedgerIsAppendOnly(RuntimeError):
    """Ledger rows are never changed or removed: post a reversing transaction instead."""


def guard_ledger_rows() -> None:
    """Refuse any UPDATE or DELETE of posted ledger rows (the app factory calls this once).

    Idempotent: a second app in the same process adds no second listener.
    """
    for model in (LedgerEntry, LedgerTransaction):
        for name, listener in (
            ("before_update", _refuse_update),
            ("before_delete", _refuse_delete),
        ):
            if not event.contains(model, name, listener):
                event.listen(model, name, listener)


def _refuse_update(mapper, connection, target) -> None:
    # Loading or appending to a relationship marks a row dirty without changing it.
    session = object_session(target)
    if session is not None and session.is_modified(target, include_collections=False):
        raise LedgerIsAppendOnly(f"{type(target).__name__} {target.id} cannot be changed")


def _refuse_delete(mapper, connection, target) -> None:
    raise LedgerIsAppendOnly(f"{type(target).__name__} {target.id} cannot be deleted")
