"""The steps a payout goes through, for ``app.payouts.services`` and the webhook handlers.

Flush only: the calling use case owns the transaction (who is paid what is
``app.payouts.rules``). Ledger (credit-positive, see ``app.ledger.operations``),
key ``payout:<id>``, posted when the payout is executed: the cooperative's
``available`` goes down by the amount and the clearing account the money leaves
from (``clearing:bank`` for a bank transfer, ``clearing:stripe`` for a Stripe
transfer) up. Marking it paid posts nothing more. A failure after execution
reverses that transaction (key ``payout:<id>:reversal``), so the money is owed
to the cooperative again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.cooperatives.models import Cooperative
from app.cooperatives.operations import tell_members
from app.cooperatives.queries import members_of
from app.core.bulk import insert_rows
from app.core.db import utcnow
from app.core.errors import IllegalTransition
from app.core.locking import lock_all, locked
from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.models import LedgerTransaction
from app.ledger.operations import Entry, post, reverse
from app.payouts import states
from app.payouts.models import (
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutEvent,
    PayoutMethod,
    PayoutStatus,
)

#: Ledger kind of a payout leaving a cooperative's balance.
PAYOUT = "payout"

_CLEARING = {
    PayoutMethod.BANK_TRANSFER: ledger_codes.CLEARING_BANK,
    PayoutMethod.STRIPE: ledger_codes.CLEARING_STRIPE,
}


#: How a memo names each method (memos are English, like the ledger's other postings).
_MEMO_METHOD = {
    PayoutMethod.BANK_TRANSFER: "bank transfer",
    PayoutMethod.STRIPE: "Stripe transfer",
}


def ledger_key(payout: Payout) -> str:
    return f"payout:{payout.id}"


def reversal_key(payout: Payout) -> str:
    return f"payout:{payout.id}:reversal"


def locked_payout(payout_id: int) -> Payout:
    """The payout, its row locked and re-read, before a use case changes it."""
    return locked(Payout, payout_id)


def locked_batch(batch_id: int) -> PayoutBatch:
    """The batch, then its payouts by id, locked and re-read (always in this order)."""
    batch = locked(PayoutBatch, batch_id)
    lock_all(select(Payout).where(Payout.batch_id == batch_id).order_by(Payout.id))
    return batch


def move(payout: Payout, to_status: str, *, actor: User | None, note: str = "") -> None:
    """Move ``payout`` to ``to_status`` if ``states.PAYOUT_MOVES`` allows it; record who and why.

    Raises ``IllegalTransition`` (409) otherwise.
    """
    if not states.payout_move_allowed(payout.status, to_status):
        raise IllegalTransition("payout", payout.status, to_status)
    record_move(payout, payout.status, to_status, actor=actor, note=note)
    payout.status = to_status


def record_move(
    payout: Payout, from_status: str | None, to_status: str, *, actor: User | None, note: str = ""
) -> None:
    """Append the history row of a move already made (a claim by conditional UPDATE)."""
    db.session.add(
        PayoutEvent(
            payout_id=payout.id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.id if actor is not None else None,
            note=note,
            at=utcnow(),
        )
    )


def propose_all(
    offers: list[tuple[Cooperative, int]], now: datetime, actor: User | None
) -> list[Payout]:
    """A proposed payout of each ``(cooperative, amount_cents)``, each with its own key and its
    history row, written with one insert each (``insert_rows``); by cooperative id.

    A cooperative that a run at the same moment proposed first is left out: the unique
    index on waiting payouts decides, and its conflict skips the row (``ON CONFLICT DO
    NOTHING``) instead of failing the others.
    """
    if not offers:
        return []
    actor_id = actor.id if actor is not None else None
    ids = [
        row.id
        for row in insert_rows(
            Payout.__table__,
            [
                {
                    "cooperative_id": cooperative.id,
                    "amount_cents": amount_cents,
                    "method": cooperative.payout_method,
                    "status": PayoutStatus.PROPOSED,
                    "key": f"payout:{cooperative.id}:{uuid.uuid4().hex}",
                    "proposed_by_id": actor_id,
                    "created_at": now,
                }
                for cooperative, amount_cents in offers
            ],
            returning=(Payout.__table__.c.id,),
            skip_conflicts=True,
        )
    ]
    if not ids:
        return []
    at = utcnow()
    insert_rows(
        PayoutEvent.__table__,
        [
            {
                "payout_id": payout_id,
                "from_status": None,
                "to_status": PayoutStatus.PROPOSED,
                "actor_id": actor_id,
                "note": "",
                "at": at,
            }
            for payout_id in ids
        ],
    )
    return list(
        db.session.scalars(select(Payout).where(Payout.id.in_(ids)).order_by(Payout.cooperative_id))
    )


def claim(payout_id: int, admin: User, now: datetime) -> bool:
    """approved -> processing with one conditional UPDATE; True for the one caller that won.

    A second caller (also at the same moment: the row lock makes it wait) finds
    the payout no longer approved and gets False. The history row is the caller's
    to add once it knows the execution goes ahead.
    """
    return bool(
        db.session.execute(
            update(Payout)
            .where(Payout.id == payout_id, Payout.status == PayoutStatus.APPROVED)
            .values(
                status=PayoutStatus.PROCESSING,
                executed_at=now,
                executed_by_id=admin.id,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def take_send_lease(payout_id: int, now: datetime, lease: timedelta) -> bool:
    """Become the one sender of an executed Stripe payout with no transfer yet, when nobody
    is sending it or its sender took it longer than ``lease`` ago; True if taken."""
    return bool(
        db.session.execute(
            update(Payout)
            .where(
                Payout.id == payout_id,
                Payout.status == PayoutStatus.PROCESSING,
                Payout.method == PayoutMethod.STRIPE,
                Payout.stripe_transfer_id.is_(None),
                or_(Payout.sending_since.is_(None), Payout.sending_since < now - lease),
            )
            .values(sending_since=now, attempts=Payout.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def release_send_lease(payout_id: int, taken_at: datetime, error: str) -> None:
    """Give the lease taken at ``taken_at`` back after an attempt without an answer."""
    db.session.execute(
        update(Payout)
        .where(Payout.id == payout_id, Payout.sending_since == taken_at)
        .values(sending_since=None, last_error=error[:1000])
        .execution_options(synchronize_session=False)
    )


def post_payout(payout: Payout, occurred_at: datetime) -> LedgerTransaction:
    """The money leaves the cooperative's available balance for the clearing account."""
    return post(
        PAYOUT,
        ledger_key(payout),
        [
            Entry(ledger_codes.cooperative_available(payout.cooperative_id), -payout.amount_cents),
            Entry(_CLEARING[payout.method], payout.amount_cents),
        ],
        memo=f"Payout {payout.reference} by {_MEMO_METHOD[payout.method]}",
        occurred_at=occurred_at,
        refs={"payout_id": payout.id},
    )


def open_batch(actor: User | None) -> PayoutBatch:
    """The batch gathering bank payouts now, opened if none is; safe when two executions
    open one at once (one open batch at most: the loser joins the winner's)."""
    batch = _current_open_batch()
    if batch is not None:
        return batch
    try:
        with db.session.begin_nested():
            batch = PayoutBatch(
                status=BatchStatus.OPEN, created_by_id=actor.id if actor is not None else None
            )
            db.session.add(batch)
    except IntegrityError:
        batch = _current_open_batch()
        assert batch is not None
    return batch


def _current_open_batch() -> PayoutBatch | None:
    return db.session.scalar(select(PayoutBatch).where(PayoutBatch.status == BatchStatus.OPEN))


def mark_paid(payout: Payout, *, actor: User | None, note: str = "") -> None:
    """processing -> paid, and tell each member of the cooperative."""
    move(payout, PayoutStatus.PAID, actor=actor, note=note)
    payout.paid_at = utcnow()
    payout.sending_since = None
    tell_members(
        payout.cooperative,
        members_of(payout.cooperative_id),
        "payout_paid",
        {"amount_cents": payout.amount_cents, "reference": payout.reference},
        dedupe_key=f"payout_paid:{payout.id}",
    )
    db.session.flush()


def fail(payout: Payout, reason: str, *, actor: User | None) -> None:
    """-> failed with ``reason``; an executed payout's posting is reversed, so the cooperative
    is owed the money again; a payout still in an open batch leaves it (the file to send
    must not hold it)."""
    executed = payout.status in {PayoutStatus.PROCESSING, PayoutStatus.PAID}
    move(payout, PayoutStatus.FAILED, actor=actor, note=reason)
    payout.failed_at = utcnow()
    payout.failure_reason = reason
    payout.sending_since = None
    if executed:
        posted = db.session.scalar(
            select(LedgerTransaction).where(LedgerTransaction.idempotency_key == ledger_key(payout))
        )
        if posted is not None:
            reverse(posted, reversal_key(payout), memo=f"Payout {payout.reference} failed")
    if payout.batch is not None and payout.batch.status == BatchStatus.OPEN:
        payout.batch = None
    db.session.flush()
