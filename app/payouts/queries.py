"""Reading payouts and batches: for runs, the admin and cooperative pages, and the API.

Nothing here writes. Amounts are int centimes of MAD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import NotFound
from app.core.ids import is_id
from app.extensions import db
from app.payouts.models import (
    WAITING,
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutMethod,
    PayoutStatus,
)


def _get(model, row_id: int):
    return db.session.get(model, row_id) if is_id(row_id) else None


def payout_or_404(payout_id: int) -> Payout:
    payout = _get(Payout, payout_id)
    if payout is None:
        raise NotFound(_("No such payout."))
    return payout


def batch_or_404(batch_id: int) -> PayoutBatch:
    batch = _get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(_("No such payout batch."))
    return batch


def payouts(status: str | None = None, cooperative_id: int | None = None) -> Select:
    """Payouts (in ``status``, of one cooperative), newest first, with their cooperative."""
    statement = select(Payout).options(joinedload(Payout.cooperative), joinedload(Payout.batch))
    if status:
        statement = statement.where(Payout.status == status)
    if cooperative_id is not None:
        statement = statement.where(Payout.cooperative_id == cooperative_id)
    return statement.order_by(Payout.id.desc())


def count_by_status() -> dict[str, int]:
    """How many payouts are in each status (0 for none), for the admin's tabs."""
    rows = db.session.execute(select(Payout.status, func.count()).group_by(Payout.status)).tuples()
    found = {status: count for status, count in rows}
    return {status: int(found.get(status, 0)) for status in PayoutStatus}


def next_payout_cents(cooperative_id: int) -> int | None:
    """What the cooperative will be paid next: its oldest payout on its way (proposed,
    approved or being executed), or None when none is.

    A balance that reached the minimum shows here once the next run (every
    morning, or an admin's) has proposed it: until then it may still change,
    and a cooperative without valid payout details is not proposed at all.
    """
    on_its_way = db.session.scalar(
        select(Payout.amount_cents)
        .where(
            Payout.cooperative_id == cooperative_id,
            Payout.status.in_([*WAITING, PayoutStatus.PROCESSING]),
        )
        .order_by(Payout.id)
        .limit(1)
    )
    return None if on_its_way is None else int(on_its_way)


@dataclass(frozen=True)
class BatchSummary:
    batch: PayoutBatch
    #: Payouts the file holds (not failed).
    count: int
    total_cents: int


def in_file(batch: PayoutBatch) -> list[Payout]:
    """The batch's payouts that the bank file holds (failed ones are left out), by id."""
    return [payout for payout in batch.payouts if payout.status != PayoutStatus.FAILED]


def batches(limit: int = 20) -> list[BatchSummary]:
    """The newest batches with what their file holds."""
    found = db.session.scalars(
        select(PayoutBatch)
        .options(selectinload(PayoutBatch.payouts).joinedload(Payout.cooperative))
        .order_by(PayoutBatch.id.desc())
        .limit(limit)
    ).all()
    return [summary(batch) for batch in found]


def summary(batch: PayoutBatch) -> BatchSummary:
    payouts_in_file = in_file(batch)
    return BatchSummary(
        batch, len(payouts_in_file), sum(payout.amount_cents for payout in payouts_in_file)
    )


def unsent_stripe_payouts(lease_taken_before: datetime) -> list[int]:
    """Ids of executed Stripe payouts with no transfer yet whose send lease is free or was
    taken before ``lease_taken_before`` (its sender died), by id."""
    return list(
        db.session.scalars(
            select(Payout.id)
            .where(
                Payout.status == PayoutStatus.PROCESSING,
                Payout.method == PayoutMethod.STRIPE,
                Payout.stripe_transfer_id.is_(None),
                or_(
                    Payout.sending_since.is_(None),
                    Payout.sending_since < lease_taken_before,
                ),
            )
            .order_by(Payout.id)
        )
    )


def open_batch() -> PayoutBatch | None:
    return db.session.scalar(select(PayoutBatch).where(PayoutBatch.status == BatchStatus.OPEN))
