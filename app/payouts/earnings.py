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

A part is due once it was delivered at least ``PAYOUT_HOLD_DAYS`` days ago.
Delivering a card part stamps ``CooperativeOrder.earnings_held_since`` (the
delivery instant); a partial index holds only the stamped parts, so a run
reads the few parts past the hold instead of every delivered part in history.
Refused and cancelled parts are never delivered, cash parts never stamped, so
they release nothing. The release is one ledger transaction per part, key
``release:part:<id>``: ``pending`` down, ``available`` up; the same run clears
the stamp of the parts it released, and of stamped parts with nothing left to
release (refunded whole while held, or released though still stamped). The
stamp only narrows the search: the ledger still decides what was released, so
a stamp left behind never releases twice. A run writes a day's releases
together (multi-row inserts), so its cost does not grow with the number of
parts released: it is a handful of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.models import Account, LedgerEntry, LedgerTransaction
from app.ledger.operations import Entry, Posting, post_many
from app.orders.models import CooperativeOrder, Order, PartStatus, PaymentMethod

#: Ledger kind of held earnings becoming payable.
RELEASE = "release"


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


def _released():
    """SQL: the part in the enclosing query was released already (EXISTS)."""
    return (
        select(LedgerTransaction.id)
        .where(
            LedgerTransaction.kind == RELEASE,
            LedgerTransaction.cooperative_order_id == CooperativeOrder.id,
        )
        .correlate(CooperativeOrder)
        .exists()
    )


def _held_by(cutoff: datetime):
    """SQL: the part in the enclosing query is stamped as holding earnings since ``cutoff`` or
    before (reads the partial index ``ix_cooperative_orders_earnings_held``)."""
    return and_(
        CooperativeOrder.earnings_held_since.is_not(None),
        CooperativeOrder.earnings_held_since <= cutoff,
    )


def due_releases(now: datetime, hold: timedelta) -> list[Release]:
    """Card parts delivered at or before ``now - hold`` that still hold earnings, by order id.

    One query, over the parts stamped as holding earnings: its cost follows the
    parts awaiting release, not the history. Parts already released (stamped or
    not), or with nothing left pending, are not listed.
    """
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
                _held_by(now - hold),
                Order.payment_method == PaymentMethod.CARD,
                CooperativeOrder.status == PartStatus.DELIVERED,
                ~_released(),
            )
        )
        .order_by(CooperativeOrder.order_id, CooperativeOrder.id)
    ).tuples()
    # "pending > 0" is checked here: in the WHERE clause PostgreSQL would sum the pending
    # entries of every part listed before the anti-join drops the released ones.
    return [Release(*row) for row in rows if row[4] > 0]


def _releasable(part_ids: list[int]) -> dict[int, int]:
    """What is still pending for each of these parts not released yet (centimes); one query."""
    rows = db.session.execute(
        select(CooperativeOrder.id, _pending_for_part()).where(
            CooperativeOrder.id.in_(part_ids), ~_released()
        )
    ).tuples()
    return {int(part_id): int(pending or 0) for part_id, pending in rows}


def release_all(due: list[Release], now: datetime) -> list[Release]:
    """Move what is still pending for each part to available; return the releases made, with
    the centimes each moved.

    Locks the parts' orders first, by id (refunds lock them too), so a refund and a
    release never both count the same pending centimes; then reads again what each
    part still holds, so a part another run released meanwhile, or with nothing left,
    posts nothing. Each release is its own balanced ledger transaction, key
    ``release:part:<id>`` (``pending`` down, ``available`` up), all written by one
    ``post_many``: a run releases a day's deliveries in a constant number of statements.
    Clears the listed parts' ``earnings_held_since`` in the same transaction. Only flushes.
    """
    if not due:
        return []
    order_ids = sorted({item.order_id for item in due})
    db.session.scalars(
        select(Order.id).where(Order.id.in_(order_ids)).order_by(Order.id).with_for_update()
    ).all()
    pending = _releasable([item.part_id for item in due])
    made = [
        replace(item, amount_cents=pending[item.part_id])
        for item in due
        if pending.get(item.part_id, 0) > 0
    ]
    # Every part listed is done holding: released now, by another run meanwhile, or empty.
    _unstamp(CooperativeOrder.id.in_([item.part_id for item in due]))
    if not made:
        return []
    post_many(
        Posting(
            RELEASE,
            release_key(item.part_id),
            (
                Entry(ledger_codes.cooperative_pending(item.cooperative_id), -item.amount_cents),
                Entry(ledger_codes.cooperative_available(item.cooperative_id), item.amount_cents),
            ),
            memo=f"Earnings released for order {item.order_number}",
            occurred_at=now,
            refs={"order_id": item.order_id, "cooperative_order_id": item.part_id},
        )
        for item in made
    )
    return made


def forget_spent(now: datetime, hold: timedelta) -> None:
    """Clear the stamp of parts past the hold with nothing left to release; one UPDATE; flush.

    A part refunded whole while held, or released though its stamp stayed, is
    never listed as due, so ``release_all`` would leave it in the index for
    good. Run after ``release_all``: by then the stamped parts past the hold are
    only these. Pending earnings never grow after delivery (refunds only take
    from them), so a part found empty stays empty.
    """
    _unstamp(and_(_held_by(now - hold), or_(_released(), _pending_for_part() <= 0)))


def _unstamp(which) -> None:
    db.session.execute(
        update(CooperativeOrder).where(which).values(earnings_held_since=None),
        execution_options={"synchronize_session": "fetch"},
    )
