"""The payout rule, in one place: when earnings may be paid, how much, to whom, and why not.

1. **Hold.** A card part's earnings stay ``pending`` for ``hold_period()`` after
   its delivery (refusals and refunds come in that time), then a run releases
   them to ``available`` (``app.payouts.earnings``). Cash parts never wait: the
   cooperative holds the cash and only owes the fees.
2. **Minimum.** A run proposes a cooperative's whole available balance (already
   net of fees on cash it kept and refunds it funded) when it is at least
   ``minimum_payout_cents()``; less, or negative, is carried to the next run.
3. **Candidates.** ``payout_candidates``: cooperatives at or over the minimum
   with no payout waiting for approval or execution (a unique index on waiting
   payouts keeps two runs at once from proposing twice).
4. **Blockers.** ``blocker``: a candidate is reported, not proposed, until it is
   verified, every owner has confirmed their e-mail address (any owner can
   change the RIB), and it has the details its payout method needs
   (``destination``: a RIB whose key checks out, or a connected Stripe account).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.cooperatives.models import Cooperative, CooperativeStatus
from app.cooperatives.queries import cooperatives_with_unverified_owners
from app.cooperatives.validation import validate_rib
from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.models import Account, LedgerEntry
from app.payouts.errors import PayoutDetailsMissing
from app.payouts.models import WAITING, Payout, PayoutMethod


def hold_period() -> timedelta:
    """How long delivered earnings are held (setting ``PAYOUT_HOLD_DAYS``, default 7 days)."""
    return timedelta(days=int(current_app.config.get("PAYOUT_HOLD_DAYS", 7)))


def minimum_payout_cents() -> int:
    """The smallest payout a run proposes (setting ``PAYOUT_MINIMUM_CENTS``, default 100.00 MAD)."""
    return int(current_app.config.get("PAYOUT_MINIMUM_CENTS", 10000))


@dataclass(frozen=True)
class Candidate:
    cooperative: Cooperative
    #: Its available balance, already net of what it owes (cash fees, refunds it funded).
    available_cents: int


def payout_candidates(minimum_cents: int) -> list[Candidate]:
    """Cooperatives whose available balance is at least ``minimum_cents`` and that have no
    payout waiting for approval or execution, by id. Two queries.

    Payouts being executed or paid were posted already, so the balance is what is left
    to pay; a negative balance (it owes fees) is never a candidate.
    """
    waiting = select(Payout.cooperative_id).where(Payout.status.in_(WAITING))
    rows = db.session.execute(
        select(Account.cooperative_id, func.sum(LedgerEntry.amount_cents))
        .join(LedgerEntry, LedgerEntry.account_id == Account.id)
        .where(
            Account.kind == ledger_codes.COOPERATIVE_AVAILABLE,
            Account.cooperative_id.not_in(waiting),
        )
        .group_by(Account.cooperative_id)
        .having(func.sum(LedgerEntry.amount_cents) >= minimum_cents)
    ).tuples()
    available = {int(cooperative_id): int(total) for cooperative_id, total in rows}
    if not available:
        return []
    cooperatives = db.session.scalars(
        select(Cooperative).where(Cooperative.id.in_(available)).order_by(Cooperative.id)
    )
    return [Candidate(cooperative, available[cooperative.id]) for cooperative in cooperatives]


def blocker(cooperative: Cooperative, *, owners_verified: bool) -> str | None:
    """Why the cooperative cannot be paid now, or None: it must be verified, every owner
    must have confirmed their e-mail address (``owners_verified``, read for all candidates
    at once by ``cooperatives_with_unverified_owners``), and it must have the details its
    payout method needs (a RIB whose key checks out, or a Stripe account)."""
    if cooperative.status != CooperativeStatus.VERIFIED:
        return _("The cooperative is not verified.")
    if not owners_verified:
        return _unverified_owners().message
    try:
        _payout_details(cooperative, cooperative.payout_method)
    except PayoutDetailsMissing as error:
        return error.message
    return None


def destination(cooperative: Cooperative, method: str) -> str:
    """Where its money goes by ``method``: its RIB (24 digits, key checked) for a bank
    transfer, its connected account for Stripe. Raises ``PayoutDetailsMissing`` (409),
    also while an owner has not confirmed their e-mail address (any owner can change
    the RIB, so an unproven account must not be able to redirect the money).
    """
    if cooperative.id in cooperatives_with_unverified_owners([cooperative.id]):
        raise _unverified_owners()
    return _payout_details(cooperative, method)


def _unverified_owners() -> PayoutDetailsMissing:
    return PayoutDetailsMissing(
        _("Every owner of the cooperative must first confirm their email address.")
    )


def _payout_details(cooperative: Cooperative, method: str) -> str:
    if method == PayoutMethod.STRIPE:
        if not cooperative.stripe_account_id:
            raise PayoutDetailsMissing(_("The cooperative has no connected Stripe account."))
        return cooperative.stripe_account_id
    try:
        return validate_rib(cooperative.rib or "")
    except ValueError:
        raise PayoutDetailsMissing(_("The cooperative has no valid RIB."))
