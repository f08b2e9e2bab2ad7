"""Posting to the double-entry ledger: the only code that writes entries.

Sign convention: credit-positive, seen from the platform's books. An account's
balance is the sum of its entries, and every transaction's entries sum to 0.

- Money owed to a cooperative is positive on ``coop:<id>:pending`` (held) and
  ``coop:<id>:available`` (payable). A negative balance means the cooperative
  owes the platform (it kept cash that included our fees); later payouts net it.
- ``platform:revenue`` and ``platform:solidarity_fund`` grow positive with fees;
  ``platform:card_fees`` goes negative with what card processing costs.
- Clearing accounts ``clearing:stripe``, ``clearing:cash``, ``clearing:bank`` go
  negative while money is held there for us and come back to 0 when it moves on.

A card payment of 120.00 MAD split 110.40 / 8.40 / 1.20 posts::

    clearing:stripe            -12000
    coop:7:pending             +11040
    platform:revenue             +840
    platform:solidarity_fund     +120

``post``, ``post_many`` and ``reverse`` only flush: the calling use case owns the commit, so
the ledger moves together with the order, refund or payout that caused it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.bulk import insert_rows
from app.core.db import utcnow
from app.core.errors import Conflict
from app.extensions import db
from app.ledger import codes
from app.ledger.models import Account, LedgerEntry, LedgerTransaction

#: Keys ``post(refs=...)`` accepts: the ids of the rows that caused the event.
REFERENCE_FIELDS = ("order_id", "cooperative_order_id", "refund_id", "payout_id")


class UnbalancedTransaction(ValueError):
    """Entries that do not sum to zero, or no entries at all: a bug in the caller."""


class IdempotencyKeyReused(Conflict):
    """The key was already posted with other entries: two events were given one name."""

    code = "idempotency_key_reused"


class AlreadyReversed(Conflict):
    code = "already_reversed"


@dataclass(frozen=True)
class Entry:
    """``amount_cents`` (signed, credit-positive) posted to the account named ``account_code``."""

    account_code: str
    amount_cents: int


def account_for(code: str) -> Account:
    """The account named ``code``, created on first use; safe when two posts create it at once.

    Raises ``ValueError`` for a code ``app.ledger.codes`` does not know. Only flushes.
    """
    account = db.session.scalar(select(Account).where(Account.code == code))
    if account is not None:
        return account
    parsed = codes.parse(code)
    try:
        with db.session.begin_nested():
            account = Account(code=code, kind=parsed.kind, cooperative_id=parsed.cooperative_id)
            db.session.add(account)
    except IntegrityError:
        # Another transaction created it between our read and our insert.
        account = db.session.scalars(select(Account).where(Account.code == code)).one()
    return account


def post(
    kind: str,
    key: str | None,
    entries: Iterable[Entry],
    *,
    memo: str = "",
    occurred_at: datetime | None = None,
    refs: Mapping[str, int | None] | None = None,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Record one business event as balanced entries and flush; return its transaction.

    Zero amounts are dropped. The remaining entries must sum to 0 and not be
    empty, else ``UnbalancedTransaction``. A ``key`` is recorded once: posting
    it again returns the first transaction and moves no money, also when two
    posts race (the unique key decides, the loser reads the winner's row); the
    same key with other kind or entries raises ``IdempotencyKeyReused`` (409).
    ``refs`` holds ids named in ``REFERENCE_FIELDS``. ``occurred_at`` defaults
    to now (aware UTC).
    """
    wanted = _balanced(kind, entries)
    refs = _checked_refs(refs)
    if key is not None:
        existing = _posted_with_key(key)
        if existing is not None:
            return _same_event(existing, kind, wanted)
    accounts = {code: account_for(code) for code in sorted({e.account_code for e in wanted})}
    try:
        with db.session.begin_nested():
            transaction = LedgerTransaction(
                kind=kind,
                idempotency_key=key,
                memo=memo,
                occurred_at=occurred_at or utcnow(),
                reverses_id=reverses.id if reverses is not None else None,
                **refs,
            )
            db.session.add(transaction)
            db.session.flush()
            db.session.add_all(
                LedgerEntry(
                    transaction_id=transaction.id,
                    account_id=accounts[entry.account_code].id,
                    amount_cents=entry.amount_cents,
                )
                for entry in wanted
            )
    except IntegrityError:
        existing = _posted_with_key(key) if key is not None else None
        if existing is None:
            if reverses is not None:
                raise AlreadyReversed(f"Transaction {reverses.id} is already reversed.")
            raise
        return _same_event(existing, kind, wanted)
    return transaction


@dataclass(frozen=True)
class Posting:
    """One business event for ``post_many``: what ``post`` takes, as a value."""

    kind: str
    key: str
    entries: tuple[Entry, ...]
    memo: str = ""
    occurred_at: datetime | None = None
    refs: Mapping[str, int | None] = field(default_factory=dict)


def post_many(postings: Iterable[Posting]) -> dict[str, int]:
    """Record many events at once, each its own balanced transaction under its key; only
    flushes. Return the new transaction id of each key.

    For batch jobs (a payout run's releases): two inserts (``insert_rows``) whatever the
    number of events, where ``post`` would take a few statements each. Each posting is checked
    as ``post`` checks it. A key already posted is skipped, so a rerun moves nothing; a
    concurrent writer of the same key makes the flush fail (``IntegrityError``), and the
    caller's transaction with it, rather than post twice: callers lock what they post.
    """
    postings = [
        Posting(
            p.kind,
            p.key,
            tuple(_balanced(p.kind, p.entries)),
            p.memo,
            p.occurred_at,
            _checked_refs(p.refs),
        )
        for p in postings
    ]
    keys = [p.key for p in postings]
    if len(set(keys)) != len(keys):
        raise ValueError("post_many: two postings share a key")
    posted = set(
        db.session.scalars(
            select(LedgerTransaction.idempotency_key).where(
                LedgerTransaction.idempotency_key.in_(keys)
            )
        )
    )
    postings = [p for p in postings if p.key not in posted]
    if not postings:
        return {}
    accounts = _account_ids({e.account_code for p in postings for e in p.entries})
    now = utcnow()
    transaction_ids = dict(
        insert_rows(
            LedgerTransaction.__table__,
            [
                {
                    "kind": p.kind,
                    "idempotency_key": p.key,
                    "memo": p.memo,
                    "occurred_at": p.occurred_at or now,
                    **dict.fromkeys(REFERENCE_FIELDS),
                    **p.refs,
                }
                for p in postings
            ],
            returning=(LedgerTransaction.idempotency_key, LedgerTransaction.id),
        )
    )
    insert_rows(
        LedgerEntry.__table__,
        [
            {
                "transaction_id": transaction_ids[p.key],
                "account_id": accounts[e.account_code],
                "amount_cents": e.amount_cents,
            }
            for p in postings
            for e in p.entries
        ],
    )
    return transaction_ids


def reverse(
    transaction: LedgerTransaction,
    key: str,
    *,
    memo: str = "",
    occurred_at: datetime | None = None,
) -> LedgerTransaction:
    """Cancel ``transaction`` by posting its entries negated, under ``key``; only flushes.

    This is how a mistake is corrected: nothing is ever updated or deleted.
    A transaction is reversed at most once (``AlreadyReversed``, 409, for a
    second reversal under another key); the same key again returns the reversal.
    """
    existing = _posted_with_key(key)
    if existing is None:
        already = db.session.scalar(
            select(LedgerTransaction).where(LedgerTransaction.reverses_id == transaction.id)
        )
        if already is not None:
            raise AlreadyReversed(f"Transaction {transaction.id} is already reversed.")
    refs = {name: getattr(transaction, name) for name in REFERENCE_FIELDS}
    return post(
        "reversal",
        key,
        [Entry(e.account.code, -e.amount_cents) for e in transaction.entries],
        memo=memo or f"Reverses transaction {transaction.id}: {transaction.memo}".strip(": "),
        occurred_at=occurred_at,
        refs=refs,
        reverses=transaction,
    )


def _balanced(kind: str, entries: Iterable[Entry]) -> list[Entry]:
    """The non-zero entries, checked: integer amounts summing to 0, at least one."""
    if not kind or len(kind) > 40:
        raise ValueError("kind must be 1 to 40 characters, e.g. 'card_payment'")
    entries = list(entries)
    for entry in entries:
        if not isinstance(entry.amount_cents, int) or isinstance(entry.amount_cents, bool):
            raise TypeError(f"amount_cents must be an int, got {entry.amount_cents!r}")
    wanted = [entry for entry in entries if entry.amount_cents != 0]
    if not wanted:
        raise UnbalancedTransaction(f"{kind}: a transaction needs at least one non-zero entry")
    total = sum(entry.amount_cents for entry in wanted)
    if total != 0:
        raise UnbalancedTransaction(f"{kind}: entries sum to {total} centimes, not 0")
    return wanted


def _checked_refs(refs: Mapping[str, int | None] | None) -> dict[str, int | None]:
    refs = dict(refs or {})
    unknown = set(refs) - set(REFERENCE_FIELDS)
    if unknown:
        raise ValueError(f"unknown ledger references: {sorted(unknown)}")
    return refs


def _account_ids(account_codes: Iterable[str]) -> dict[str, int]:
    """The id of each account named, created on first use; one query when all exist."""
    wanted = sorted(set(account_codes))
    found = dict(
        db.session.execute(select(Account.code, Account.id).where(Account.code.in_(wanted)))
        .tuples()
        .all()
    )
    for code in wanted:
        if code not in found:
            found[code] = account_for(code).id
    return found


def _posted_with_key(key: str) -> LedgerTransaction | None:
    return db.session.scalar(
        select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
    )


def _same_event(existing: LedgerTransaction, kind: str, wanted: list[Entry]) -> LedgerTransaction:
    """``existing`` when it records the event described, else ``IdempotencyKeyReused``."""
    posted = Counter((entry.account.code, entry.amount_cents) for entry in existing.entries)
    asked = Counter((entry.account_code, entry.amount_cents) for entry in wanted)
    if existing.kind != kind or posted != asked:
        raise IdempotencyKeyReused(
            f"Ledger key {existing.idempotency_key!r} was already posted with other entries."
        )
    return existing
