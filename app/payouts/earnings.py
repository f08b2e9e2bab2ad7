"""Held earnings: which delivered parts are due for release, and releasing them (flush only).

A card payment posts each cooperative's earnings for its part (its lines'
producer shares plus its shipping fee) to ``coop:<id>:pending``, under the
order (ledger refs ``order_id``). Cash parts never touch ``pending``: the
cooperative holds the cash, and only the fees it owes are posted, to
``available``. So only card parts are released.

What is still pending for a part is read from the ledger, the truth: the sum
of the entries on its cooperative's ``pending`` account in transactions that
reference its order. An order has at most one part per cooperative, so those
entries are the part's: its card payment, the refunds its cooperative funded
while the earnings were held (negative), and its release once made. A part
refunded meanwhile thus releases only what is left of it; a part refunded
whole releases nothing.

A part is due once it was delivered (its ``PartEvent`` to ``delivered``) at
least ``PAYOUT_HOLD_DAYS`` days ago. Refused and cancelled parts are never
delivered, so they release nothing. The release is one ledger transaction per
part, key ``release:part:<id>``: ``pending`` down, ``available`` up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select

from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.models import Account, LedgerEntry, LedgerTransaction
from app.ledger.services import Entry, post
from app.orders.models import CooperativeOrder, Order, PartEvent, PartStatus, PaymentMethod

#: Ledger kind of held earnings becoming payable.
RELEASE = "release"


def hold_period() -> timedelta:
    """How long delivered earnings are held (setting ``PAYOUT_HOLD_DAYS``, default 7 days)."""
    return timedelta(days=int(current_app.config.get("PAYOUT_HOLD_DAYS", 7)))


def release_key(part_id: int) -> str:
    """The ledger key of a part's release: posted once, whatever repeats."""
    return f"release:part:{int(part_id)}"


@dataclass(frozen=True)
class Release:
    part_id: int
    cooperative_id: int
    order_id: int
    order_number: str
    #: Centimes moved from pending to available.
    amount_cents: int


def _pending_for_part():
    """SQL: what is still pending for the part in the enclosing query (centimes)."""
    return (
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(Account, Account.id == LedgerEntry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerTransaction.order_id == CooperativeOrder.order_id,
            Account.kind == ledger_codes.COOPERATIVE_PENDING,
            Account.cooperative_id == CooperativeOrder.cooperative_id,
        )
        .correlate(CooperativeOrder)
        .scalar_subquery()
    )


def delivered_at_clause():
    """SQL: when the part in the enclosing query was delivered (None if never)."""
    return (
        select(func.min(PartEvent.at))
        .where(
            PartEvent.part_id == CooperativeOrder.id,
            PartEvent.to_status == PartStatus.DELIVERED,
        )
        .correlate(CooperativeOrder)
        .scalar_subquery()
    )


def due_releases(now: datetime, hold: timedelta) -> list[Release]:
    """Card parts delivered at or before ``now - hold`` that still hold earnings, by order id.

    One query. Parts already released, or with nothing left pending, are not listed.
    What is pending is summed only for the parts that pass every other test, so
    a run costs the same however many parts were released before.
    """
    released = (
        select(LedgerTransaction.id)
        .where(
            LedgerTransaction.kind == RELEASE,
            LedgerTransaction.cooperative_order_id == CooperativeOrder.id,
        )
        .correlate(CooperativeOrder)
        .exists()
    )
    # Delivered by the cutoff as EXISTS (a semi-join), not min(at) <= cutoff (a subquery per part).
    delivered_by_cutoff = (
        select(PartEvent.id)
        .where(
            PartEvent.part_id == CooperativeOrder.id,
            PartEvent.to_status == PartStatus.DELIVERED,
            PartEvent.at <= now - hold,
        )
        .correlate(CooperativeOrder)
        .exists()
    )
    rows = db.session.execute(
        select(
            CooperativeOrder.id,
            CooperativeOrder.cooperative_id,
            CooperativeOrder.order_id,
            Order.number,
            _pending_for_part(),
        )
        .join(Order, Order.id == CooperativeOrder.order_id)
        .where(
            and_(
                Order.payment_method == PaymentMethod.CARD,
                CooperativeOrder.status == PartStatus.DELIVERED,
                delivered_by_cutoff,
                ~released,
            )
        )
        .order_by(CooperativeOrder.order_id, CooperativeOrder.id)
    ).tuples()
    # "pending > 0" is checked here: in the WHERE clause PostgreSQL sums the pending entries
    # of every delivered part, released ones included, before the anti-join drops them.
    return [Release(*row) for row in rows if row[4] > 0]


def pending_for_part(part_id: int) -> int:
    """What is still pending for one part, in centimes (0 for a cash part)."""
    return int(
        db.session.scalar(
            select(_pending_for_part())
            .select_from(CooperativeOrder)
            .where(CooperativeOrder.id == part_id)
        )
        or 0
    )


def release(due: Release, now: datetime) -> int:
    """Move what is still pending for the part to available; return the centimes moved.

    Locks the part's order first (refunds lock it too), so a refund and the
    release never both count the same pending centimes. Posts nothing when
    nothing is left or the part was released already. Only flushes.
    """
    db.session.scalars(select(Order.id).where(Order.id == due.order_id).with_for_update()).all()
    already = db.session.scalar(
        select(LedgerTransaction.id).where(
            LedgerTransaction.idempotency_key == release_key(due.part_id)
        )
    )
    amount = pending_for_part(due.part_id)
    if already is not None or amount <= 0:
        return 0
    post(
        RELEASE,
        release_key(due.part_id),
        [
            Entry(ledger_codes.cooperative_pending(due.cooperative_id), -amount),
            Entry(ledger_codes.cooperative_available(due.cooperative_id), amount),
        ],
        memo=f"Earnings released for order {due.order_number}",
        occurred_at=now,
        refs={"order_id": due.order_id, "cooperative_order_id": due.part_id},
    )
    return amount
