"""Errors of payouts, mapped by faces to form messages or JSON errors."""

from __future__ import annotations

from app.core.errors import Conflict, DomainError


class PayoutDetailsMissing(Conflict):
    """The cooperative has no valid RIB (bank transfer) or no Stripe account (Stripe)."""

    code = "payout_details_missing"


class BalanceChanged(Conflict):
    """The cooperative's available balance fell below the payout since it was proposed.

    The payout is marked failed (nothing was paid); the next run proposes what is payable.
    """

    code = "balance_changed"


class TransferInDoubt(Conflict):
    """A Stripe payout being sent may have been paid: it is retried with its key, never failed."""

    code = "transfer_in_doubt"


class EmptyBatch(Conflict):
    """A batch with no payout to pay cannot be sent to the bank."""

    code = "empty_batch"


class TransferPending(DomainError):
    """Stripe could not be reached or failed on its side: the transfer is tried again later
    with the same idempotency key, so it pays once. The payout stays processing."""

    code = "transfer_pending"
    status = 503
