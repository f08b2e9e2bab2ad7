"""The payout and batch state machines as plain tables; ``app.payouts.operations`` applies them."""

from __future__ import annotations

from app.payouts.models import BatchStatus, PayoutStatus

PAYOUT_MOVES: dict[str, frozenset[str]] = {
    PayoutStatus.PROPOSED: frozenset({PayoutStatus.APPROVED, PayoutStatus.FAILED}),
    PayoutStatus.APPROVED: frozenset({PayoutStatus.PROCESSING, PayoutStatus.FAILED}),
    PayoutStatus.PROCESSING: frozenset({PayoutStatus.PAID, PayoutStatus.FAILED}),
    # Only Stripe takes a paid transfer back (transfer.reversed).
    PayoutStatus.PAID: frozenset({PayoutStatus.FAILED}),
    PayoutStatus.FAILED: frozenset(),
}

BATCH_MOVES: dict[str, frozenset[str]] = {
    BatchStatus.OPEN: frozenset({BatchStatus.SENT}),
    BatchStatus.SENT: frozenset({BatchStatus.PAID}),
    BatchStatus.PAID: frozenset(),
}


def payout_move_allowed(from_status: str, to_status: str) -> bool:
    return to_status in PAYOUT_MOVES.get(from_status, frozenset())


def batch_move_allowed(from_status: str, to_status: str) -> bool:
    return to_status in BATCH_MOVES.get(from_status, frozenset())
