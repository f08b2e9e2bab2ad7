"""Reading the ledger: balances (now or as of an instant), the trial balance, statements.

Every balance is a sum of entries (credit-positive, see ``app.ledger.operations``);
"as of" an instant counts the transactions that occurred at or before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, func, select

from app.extensions import db
from app.fees.defaults import local_midnight
from app.ledger import codes
from app.ledger.models import Account, LedgerEntry, LedgerTransaction


def _sum_by_code(as_of: datetime | None = None) -> Select:
    statement = (
        select(Account.code, func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(LedgerEntry, LedgerEntry.account_id == Account.id)
        .group_by(Account.code)
    )
    if as_of is not None:
        statement = statement.join(
            LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id
        ).where(LedgerTransaction.occurred_at <= as_of)
    return statement


def balance(code: str, as_of: datetime | None = None) -> int:
    """Balance of the account ``code`` in centimes (0 for an account never posted to)."""
    return balances([code], as_of).get(code, 0)


def balances(account_codes: Iterable[str], as_of: datetime | None = None) -> dict[str, int]:
    """Balance of each of ``account_codes`` in one query; 0 for accounts never posted to."""
    wanted = list(dict.fromkeys(account_codes))
    if not wanted:
        return {}
    rows = db.session.execute(_sum_by_code(as_of).where(Account.code.in_(wanted))).tuples()
    found = {code: int(total) for code, total in rows}
    return {code: found.get(code, 0) for code in wanted}


def cooperative_balance(cooperative_id: int, as_of: datetime | None = None) -> tuple[int, int]:
    """``(pending, available)`` centimes owed to a cooperative (negative: it owes us)."""
    pending = codes.cooperative_pending(cooperative_id)
    available = codes.cooperative_available(cooperative_id)
    found = balances([pending, available], as_of)
    return found[pending], found[available]


class TrialBalance(NamedTuple):
    #: Every account ever posted to, by code, with its balance in centimes.
    accounts: list[tuple[str, int]]
    #: Sum of all balances: 0 whenever every transaction balanced.
    total_cents: int


def trial_balance(as_of: datetime | None = None) -> TrialBalance:
    """Every account's balance, ordered by code, and their total (always 0)."""
    rows = db.session.execute(_sum_by_code(as_of).order_by(Account.code)).tuples()
    accounts = [(code, int(total)) for code, total in rows]
    return TrialBalance(accounts, sum(total for _, total in accounts))


@dataclass(frozen=True)
class StatementLine:
    occurred_at: datetime
    kind: str
    memo: str
    #: "pending" or "available".
    account: str
    amount_cents: int
    #: What the cooperative is owed on both accounts together after this line.
    balance_cents: int
    transaction_id: int
    #: The rows that caused it (plain ids), so a statement words the line from its kind
    #: and these, in the reader's language, never from the stored English ``memo``.
    order_id: int | None = None
    cooperative_order_id: int | None = None
    refund_id: int | None = None
    payout_id: int | None = None


@dataclass(frozen=True)
class Statement:
    cooperative_id: int
    #: First and last day covered, inclusive, in Morocco's calendar.
    from_: date
    to: date
    opening_balance_cents: int
    lines: list[StatementLine]
    closing_balance_cents: int


def statement(cooperative_id: int, from_: date, to: date) -> Statement:
    """A cooperative's ledger lines from day ``from_`` to day ``to`` with running balance.

    Covers both of its accounts (pending and available), ordered by when each
    event occurred then by entry; days are Morocco's local days. The opening
    balance sums everything before ``from_``; the closing balance is the
    opening plus the lines. Two queries. ``ValueError`` if ``from_ > to``.
    """
    if from_ > to:
        raise ValueError("from_ must not be after to")
    start = local_midnight(from_)
    end = local_midnight(to + timedelta(days=1))
    opening = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(Account, Account.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(Account.cooperative_id == cooperative_id, LedgerTransaction.occurred_at < start)
    )
    rows = db.session.execute(
        select(
            LedgerTransaction.occurred_at,
            LedgerTransaction.kind,
            LedgerTransaction.memo,
            Account.kind,
            LedgerEntry.amount_cents,
            LedgerTransaction.id,
            LedgerTransaction.order_id,
            LedgerTransaction.cooperative_order_id,
            LedgerTransaction.refund_id,
            LedgerTransaction.payout_id,
        )
        .join(Account, Account.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            Account.cooperative_id == cooperative_id,
            LedgerTransaction.occurred_at >= start,
            LedgerTransaction.occurred_at < end,
        )
        .order_by(LedgerTransaction.occurred_at, LedgerEntry.id)
    ).tuples()
    running = int(opening or 0)
    lines = []
    for occurred_at, kind, memo, account_kind, amount_cents, transaction_id, *refs in rows:
        running += amount_cents
        lines.append(
            StatementLine(
                occurred_at=occurred_at,
                kind=kind,
                memo=memo,
                account="pending" if account_kind == codes.COOPERATIVE_PENDING else "available",
                amount_cents=amount_cents,
                balance_cents=running,
                transaction_id=transaction_id,
                order_id=refs[0],
                cooperative_order_id=refs[1],
                refund_id=refs[2],
                payout_id=refs[3],
            )
        )
    return Statement(cooperative_id, from_, to, int(opening or 0), lines, running)
