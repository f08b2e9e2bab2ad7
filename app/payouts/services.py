"""Payout use cases: release held earnings, run, approve, execute, fail, bank batches, recovery.

Each use case commits once (``execute`` of a Stripe payout commits the claim
before it calls Stripe, then the outcome) and leaves nothing half-written
when it raises. Amounts are int centimes of MAD; see ``app.payouts.operations``
for the ledger and ``app.payouts.earnings`` for the release.

Exactly once, whatever retries, crashes, double clicks or two admins at once:

- ``execute`` claims the payout with one conditional UPDATE (approved ->
  processing): one caller wins, the others get the payout as it is.
- The claim, the ledger posting (key ``payout:<id>``) and, for a bank
  transfer, its place in the open batch commit together.
- A Stripe transfer is sent by whoever takes the payout's send lease (another
  conditional UPDATE on ``sending_since``), always with the payout's ``key``
  as Stripe's idempotency key and the same parameters, so a retry after a
  crash gets Stripe's first answer back instead of a second transfer. A
  sender that died leaves the lease to expire (``SEND_LEASE``);
  ``recover_stuck_payouts`` then sends again with the same key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select, text

from app.accounts.models import User
from app.audit.operations import record
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import cooperatives_with_unverified_owners
from app.core.db import utcnow
from app.core.errors import Forbidden, IllegalTransition, ValidationFailed
from app.core.money import money_in_text
from app.core.tasks import enqueue
from app.core.transactions import committed
from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.queries import balance
from app.payments import stripe_client
from app.payments.errors import PaymentGatewayError
from app.payouts import earnings, operations, queries, rules, states, transfers
from app.payouts.errors import BalanceChanged, EmptyBatch, TransferInDoubt, TransferPending
from app.payouts.models import (
    BatchStatus,
    Payout,
    PayoutBatch,
    PayoutMethod,
    PayoutStatus,
)

log = logging.getLogger(__name__)

#: The Celery task that sends a Stripe payout, by name: domains never import workers.
SEND_TASK = "workers.tasks.payouts.execute_payout_task"
#: How long a sender may hold a Stripe payout before it is taken as dead. Longer than the
#: longest Stripe call with the client's own retries.
SEND_LEASE = timedelta(minutes=10)
#: Longest reason an admin may give for failing a payout.
REASON_MAX = 500


# Earnings and runs ----------------------------------------------------------------------


def release_due_earnings(now: datetime | None = None) -> list[earnings.Release]:
    """Move the earnings of every card part delivered at least the hold period before ``now``
    from pending to available (one ledger transaction per part, ``release:part:<id>``); commit.

    Returns what this call released; a second call releases nothing again.
    """
    now = now or utcnow()
    with committed():
        _without_jit()
        hold = rules.hold_period()
        released = earnings.release_all(earnings.due_releases(now, hold), now)
        earnings.forget_spent(now, hold)
    return released


@dataclass(frozen=True)
class Blocked:
    cooperative: Cooperative
    available_cents: int
    reason: str


@dataclass(frozen=True)
class RunReport:
    released: list[earnings.Release]
    proposed: list[Payout]
    #: Cooperatives owed at least the minimum that cannot be paid yet, and why.
    blocked: list[Blocked]


def run_payouts(now: datetime | None = None, actor: User | None = None) -> RunReport:
    """Release what is due, then propose one payout per cooperative owed at least the minimum.

    A cooperative is proposed its whole available balance, which already nets
    what it owes (fees on cash it kept, refunds it funded): a negative balance
    gets nothing and is carried to the next run. Cooperatives with a payout
    waiting for approval or execution are skipped, so a second run (also at
    the same moment: a unique index decides) proposes nothing again.
    Cooperatives not verified, or without a valid RIB or Stripe account, are
    reported as blocked instead. ``actor`` is the admin who asked, or None for
    the daily run. Commits once after the release.
    """
    now = now or utcnow()
    if actor is not None and not actor.is_admin:
        raise Forbidden(_("Only admins can run payouts."))
    released = release_due_earnings(now)
    offers: list[tuple[Cooperative, int]] = []
    blocked: list[Blocked] = []
    with committed():
        _without_jit()
        candidates = rules.payout_candidates(rules.minimum_payout_cents())
        unverified = cooperatives_with_unverified_owners(
            candidate.cooperative.id for candidate in candidates
        )
        for candidate in candidates:
            cooperative = candidate.cooperative
            reason = rules.blocker(cooperative, owners_verified=cooperative.id not in unverified)
            if reason is not None:
                blocked.append(Blocked(cooperative, candidate.available_cents, reason))
            else:
                offers.append((cooperative, candidate.available_cents))
        proposed = operations.propose_all(offers, now, actor)
    return RunReport(released, proposed, blocked)


def _without_jit() -> None:
    """No JIT compilation for the rest of this transaction on PostgreSQL.

    The run's reads sum over the whole ledger, so their estimated cost passes
    ``jit_above_cost``, and compiling them took longer than running them (3x on
    a 1,000,000-entry ledger, docs/benchmarks.md). ``SET LOCAL`` ends with the
    transaction: other queries on the connection keep the server's setting.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


# Approval and execution ---------------------------------------------------------------------


def _require_admin(user: User | None) -> User:
    if user is None or not user.is_admin:
        raise Forbidden(_("Only admins can manage payouts."))
    return user


def approve(payout: Payout, admin: User) -> Payout:
    """An admin agrees to pay a proposed payout; commit. Approving it again changes nothing.

    Raises ``Forbidden`` (403) for a non-admin, ``IllegalTransition`` (409) once
    it is past approval (executed, paid or failed).
    """
    _require_admin(admin)
    with committed():
        payout = operations.locked_payout(payout.id)
        if payout.status != PayoutStatus.APPROVED:
            before = _audited(payout)
            operations.move(payout, PayoutStatus.APPROVED, actor=admin)
            payout.approved_by_id = admin.id
            payout.approved_at = utcnow()
            record(admin, "payout.approve", "payout", payout.id, before, _audited(payout))
    return payout


def execute(payout: Payout, admin: User) -> Payout:
    """Pay an approved payout, once; return it as it is after this call.

    Claims it (approved -> processing) with one conditional UPDATE, checks the
    cooperative's details and that its available balance still covers the
    amount, posts the ledger, and commits. A bank transfer joins the open
    batch (created if none) and is paid when its batch is; a Stripe transfer
    is sent now (or by a worker when tasks are queued) and is paid once Stripe
    answers. Executing again, or from two admins at once, pays nothing more:
    a payout already processing or paid comes back unchanged (a Stripe payout
    whose sender gave up is sent again, with the same key).

    Raises ``Forbidden`` (403) for a non-admin; ``IllegalTransition`` (409) for
    a payout not approved yet or failed; ``PayoutDetailsMissing`` (409, nothing
    changes); ``BalanceChanged`` (409) when the balance fell below the amount:
    the payout is then marked failed, and the next run proposes what is payable.
    """
    admin = _require_admin(admin)
    now = utcnow()
    if not operations.claim(payout.id, admin, now):
        db.session.rollback()
        payout = operations.locked_payout(payout.id)
        db.session.commit()
        if payout.status in {PayoutStatus.PROCESSING, PayoutStatus.PAID}:
            return _send_if_stuck(payout)
        raise IllegalTransition("payout", payout.status, PayoutStatus.PROCESSING)
    try:
        with committed():
            payout = operations.locked_payout(payout.id)
            payout.destination = rules.destination(payout.cooperative, payout.method)
            available = balance(ledger_codes.cooperative_available(payout.cooperative_id))
            if available < payout.amount_cents:
                raise _BalanceShort(available)  # the claim is rolled back with the rest
            operations.record_move(
                payout, PayoutStatus.APPROVED, PayoutStatus.PROCESSING, actor=admin
            )
            operations.post_payout(payout, now)
            if payout.method == PayoutMethod.BANK_TRANSFER:
                payout.batch = operations.open_batch(admin)
            db.session.flush()  # sets batch_id for the audit log
            before = {**_audited(payout), "status": PayoutStatus.APPROVED, "batch_id": None}
            record(admin, "payout.execute", "payout", payout.id, before, _audited(payout))
    except _BalanceShort as short:
        _fail_short_payout(payout.id, short.available_cents, admin)
    if payout.method == PayoutMethod.STRIPE:
        return _dispatch_send(payout)
    return payout


class _BalanceShort(Exception):
    def __init__(self, available_cents: int) -> None:
        super().__init__(available_cents)
        self.available_cents = available_cents


def _fail_short_payout(payout_id: int, available_cents: int, admin: User) -> NoReturn:
    """The balance no longer covers an approved payout: fail it (commit), then say why."""
    message = _(
        "The cooperative's available balance (%(available)s) no longer covers this payout: "
        "it is marked failed, and the next run proposes what is payable.",
        available=money_in_text(available_cents, str(get_locale() or "en")),
    )
    with committed():
        operations.fail(operations.locked_payout(payout_id), message, actor=admin)
    raise BalanceChanged(message)


def _resumable(payout: Payout) -> bool:
    return (
        payout.status == PayoutStatus.PROCESSING
        and payout.method == PayoutMethod.STRIPE
        and payout.stripe_transfer_id is None
    )


def _send_if_stuck(payout: Payout) -> Payout:
    """A second execution: a Stripe payout nobody is sending is sent again; else unchanged."""
    if _resumable(payout) and payout.sending_since is None:
        return _dispatch_send(payout)
    return payout


def _dispatch_send(payout: Payout) -> Payout:
    """Hand the transfer to a worker, or send it here when tasks run eagerly (no broker).

    A broker that cannot be reached, or Stripe unreachable here (``TransferPending``),
    leaves the payout processing: ``recover_stuck_payouts`` sends it later.
    """
    payout_id = payout.id
    try:
        if not enqueue(SEND_TASK, payout_id):
            log.warning("payout %s waits for recovery", payout_id)
    except TransferPending:
        pass
    return db.session.get(Payout, payout_id)


def send_transfer(payout_id: int, now: datetime | None = None) -> Payout:
    """Send an executed Stripe payout's transfer, unless it is paid or someone is sending it.

    Takes the send lease with one conditional UPDATE (free, or older than
    ``SEND_LEASE``) and commits it; then calls Stripe with the payout's key as
    idempotency key. Stripe's answer marks it paid, with its transfer id, and
    tells the cooperative's members. Stripe refusing it (no such account...)
    marks it failed and gives the money back to the available balance. Stripe
    unreachable or failing on its side releases the lease and raises
    ``TransferPending`` (503): try again later; the key makes it pay once.
    """
    now = now or utcnow()
    taken = operations.take_send_lease(payout_id, now, SEND_LEASE)
    db.session.commit()
    payout = db.session.scalars(
        select(Payout).where(Payout.id == payout_id).execution_options(populate_existing=True)
    ).one()
    if not taken:
        return payout
    try:
        transfer = stripe_client.transfer(
            amount_cents=payout.amount_cents,
            destination=payout.destination or "",
            idempotency_key=payout.key,
            transfer_group=payout.reference,
            description=f"Souk Tadamon payout {payout.reference}",
            metadata={"payout_id": str(payout.id), "reference": payout.reference},
        )
    except PaymentGatewayError as error:
        # stripe_client logged Stripe's own words; its message speaks to shoppers.
        db.session.rollback()
        if error.transient:
            message = _("Stripe could not be reached or failed on its side.")
            operations.release_send_lease(payout_id, now, message)
            db.session.commit()
            raise TransferPending(message)
        payout = operations.locked_payout(payout_id)
        if payout.status == PayoutStatus.PROCESSING:
            operations.fail(
                payout,
                _("Stripe refused the transfer: check the cooperative's Stripe account."),
                actor=None,
            )
        db.session.commit()
        return payout
    payout = operations.locked_payout(payout_id)
    transfers.record_transfer(payout, transfer.id)
    db.session.commit()
    return payout


def recover_stuck_payouts(now: datetime | None = None) -> list[Payout]:
    """Send again every Stripe payout left processing with no sender alive (a worker killed
    mid-call, a broker that lost the task), with the same key: Stripe pays each once.

    Returns the payouts tried, as they are afterwards (still processing if Stripe
    is unreachable).
    """
    now = now or utcnow()
    stuck = queries.unsent_stripe_payouts(now - SEND_LEASE)
    db.session.commit()
    tried = []
    for payout_id in stuck:
        try:
            tried.append(send_transfer(payout_id, now))
        except TransferPending:
            tried.append(db.session.get(Payout, payout_id))
    return tried


def fail(payout: Payout, admin: User, reason: str) -> Payout:
    """An admin rejects a payout, or records that the bank refused its transfer; commit.

    Proposed and approved payouts just end; a bank payout already executed
    gives its amount back to the cooperative's available balance (its ledger
    posting is reversed) and leaves the batch if not sent yet. Raises
    ``ValidationFailed`` (422) without a reason, ``TransferInDoubt`` (409) for a
    Stripe payout being sent (Stripe may have paid it: it is retried, never
    failed by hand), ``IllegalTransition`` (409) once paid or failed.
    """
    _require_admin(admin)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        message = _("Give the reason (at most %(count)d characters).", count=REASON_MAX)
        raise ValidationFailed(message, fields={"reason": [message]})
    with committed():
        payout = operations.locked_payout(payout.id)
        if payout.status == PayoutStatus.PROCESSING and payout.method == PayoutMethod.STRIPE:
            raise TransferInDoubt(
                _("Stripe may already have made this transfer: it is retried with its key.")
            )
        if payout.status == PayoutStatus.PAID:
            raise IllegalTransition("payout", payout.status, PayoutStatus.FAILED)
        before = _audited(payout)
        operations.fail(payout, reason, actor=admin)
        record(admin, "payout.fail", "payout", payout.id, before, _audited(payout), reason)
    return payout


# Bank batches ---------------------------------------------------------------------------


def mark_batch_sent(batch: PayoutBatch, admin: User) -> PayoutBatch:
    """The admin gave the batch's file to the bank: open -> sent; commit.

    Bank payouts executed from now on go to a new batch. Marking it sent again
    changes nothing. Raises ``EmptyBatch`` (409) for a batch with nothing to pay,
    ``IllegalTransition`` (409) for a paid batch.
    """
    _require_admin(admin)
    with committed():
        batch = operations.locked_batch(batch.id)
        if batch.status == BatchStatus.SENT:
            return batch
        before = {"status": batch.status}
        _move_batch(batch, BatchStatus.SENT)
        if not queries.in_file(batch):
            raise EmptyBatch(_("This batch has no payout to send."))
        batch.sent_at = utcnow()
        batch.sent_by_id = admin.id
        after = {"status": batch.status, "payout_ids": [p.id for p in queries.in_file(batch)]}
        record(admin, "payout_batch.sent", "payout_batch", batch.id, before, after)
    return batch


def mark_batch_paid(batch: PayoutBatch, admin: User) -> PayoutBatch:
    """The bank made the transfers: sent -> paid, and each of its payouts still processing
    is paid (its cooperative's members are told); commit. Again changes nothing.

    Raises ``IllegalTransition`` (409) for a batch not sent yet.
    """
    _require_admin(admin)
    with committed():
        batch = operations.locked_batch(batch.id)
        if batch.status == BatchStatus.PAID:
            return batch
        before = {"status": batch.status}
        _move_batch(batch, BatchStatus.PAID)
        paid = []
        for payout in batch.payouts:
            if payout.status == PayoutStatus.PROCESSING:
                operations.mark_paid(payout, actor=admin, note=batch.reference)
                paid.append(payout.id)
        batch.paid_at = utcnow()
        batch.paid_by_id = admin.id
        after = {"status": batch.status, "paid_payout_ids": paid}
        record(admin, "payout_batch.paid", "payout_batch", batch.id, before, after)
    return batch


def _audited(payout: Payout) -> dict[str, object]:
    """What the audit log keeps of a payout before and after an admin's action."""
    return {
        "status": payout.status,
        "cooperative_id": payout.cooperative_id,
        "amount_cents": payout.amount_cents,
        "method": payout.method,
        "batch_id": payout.batch_id,
    }


def _move_batch(batch: PayoutBatch, to_status: str) -> None:
    if not states.batch_move_allowed(batch.status, to_status):
        raise IllegalTransition("payout batch", batch.status, to_status)
    batch.status = to_status
