"""Approving and executing payouts: one payment whatever is clicked twice, retried or crashes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support.factories import AdminFactory, UserFactory

from app.core.db import utcnow
from app.core.errors import Forbidden, IllegalTransition, ValidationFailed
from app.extensions import db
from app.ledger import codes
from app.ledger.models import LedgerTransaction
from app.notifications.models import Notification
from app.payments import stripe_client
from app.payouts import services
from app.payouts.errors import BalanceChanged, PayoutDetailsMissing, TransferInDoubt
from app.payouts.models import Payout, PayoutStatus


def _approved(cooperative, books, cents: int = 25000) -> Payout:
    books.earn(cooperative, cents)
    [payout] = services.run_payouts().proposed
    return services.approve(payout, AdminFactory())


def _transfers(fake) -> list[dict]:
    """Transfers the fake Stripe made (its own records, not the requests it received)."""
    with fake._lock:
        return [obj for obj in fake._objects.values() if obj["object"] == "transfer"]


def _postings(payout: Payout) -> list[LedgerTransaction]:
    return list(
        db.session.scalars(
            select(LedgerTransaction)
            .where(LedgerTransaction.payout_id == payout.id)
            .order_by(LedgerTransaction.id)
        )
    )


def test_approving_records_who_and_approving_again_changes_nothing(bank_cooperative, books):
    books.earn(bank_cooperative, 20000)
    [payout] = services.run_payouts().proposed
    admin = AdminFactory()

    services.approve(payout, admin)
    services.approve(payout, AdminFactory())

    assert payout.status == PayoutStatus.APPROVED
    assert payout.approved_by_id == admin.id
    assert [(e.from_status, e.to_status) for e in payout.events] == [
        (None, "proposed"),
        ("proposed", "approved"),
    ]


def test_only_admins_approve_and_execute(bank_cooperative, books):
    books.earn(bank_cooperative, 20000)
    [payout] = services.run_payouts().proposed
    with pytest.raises(Forbidden):
        services.approve(payout, UserFactory())
    services.approve(payout, AdminFactory())
    with pytest.raises(Forbidden):
        services.execute(payout, UserFactory())
    assert payout.status == PayoutStatus.APPROVED


def test_a_payout_must_be_approved_before_it_is_executed(bank_cooperative, books):
    books.earn(bank_cooperative, 20000)
    [payout] = services.run_payouts().proposed

    with pytest.raises(IllegalTransition):
        services.execute(payout, AdminFactory())
    assert db.session.get(Payout, payout.id).status == PayoutStatus.PROPOSED
    assert _postings(payout) == []


def test_a_bank_payout_joins_the_open_batch_and_leaves_the_balance(bank_cooperative, books):
    payout = _approved(bank_cooperative, books, 25000)
    admin = AdminFactory()

    executed = services.execute(payout, admin)

    assert executed.status == PayoutStatus.PROCESSING
    assert executed.executed_by_id == admin.id
    assert executed.destination == bank_cooperative.rib
    assert executed.batch is not None and executed.batch.status == "open"
    [posting] = _postings(payout)
    assert posting.idempotency_key == f"payout:{payout.id}"
    assert sorted((e.account.code, e.amount_cents) for e in posting.entries) == [
        (codes.CLEARING_BANK, 25000),
        (codes.cooperative_available(bank_cooperative.id), -25000),
    ]
    assert books.available(bank_cooperative) == 0
    books.assert_balanced()


def test_executing_a_bank_payout_twice_posts_once(bank_cooperative, books):
    payout = _approved(bank_cooperative, books)
    admin = AdminFactory()

    first = services.execute(payout, admin)
    second = services.execute(payout, AdminFactory())

    assert second.id == first.id and second.status == PayoutStatus.PROCESSING
    assert second.batch_id == first.batch_id
    assert len(_postings(payout)) == 1
    assert books.available(bank_cooperative) == 0


def test_a_stripe_payout_is_one_transfer_keyed_by_the_payout(
    stripe_cooperative, books, fake_stripe
):
    payout = _approved(stripe_cooperative, books, 30000)

    paid = services.execute(payout, AdminFactory())

    assert paid.status == PayoutStatus.PAID
    assert paid.paid_at is not None
    [transfer] = _transfers(fake_stripe)
    assert paid.stripe_transfer_id == transfer["id"]
    assert transfer["amount"] == 30000
    assert transfer["currency"] == "mad"
    assert transfer["destination"] == "acct_1SoukTighza0001"
    assert transfer["transfer_group"] == paid.reference
    [request] = fake_stripe.requests_to("POST", "/v1/transfers")
    assert request.headers["Idempotency-Key"] == payout.key
    assert books.balance(codes.CLEARING_STRIPE) == -30000 + 30000
    assert books.available(stripe_cooperative) == 0
    books.assert_balanced()


def test_executing_a_stripe_payout_twice_pays_once(stripe_cooperative, books, fake_stripe):
    payout = _approved(stripe_cooperative, books)
    admin = AdminFactory()

    services.execute(payout, admin)
    again = services.execute(payout, admin)

    assert again.status == PayoutStatus.PAID
    assert len(_transfers(fake_stripe)) == 1
    assert len(fake_stripe.requests_to("POST", "/v1/transfers")) == 1
    assert len(_postings(payout)) == 1


def test_paid_payouts_tell_every_member_of_the_cooperative(stripe_cooperative, books):
    payout = _approved(stripe_cooperative, books, 30000)

    services.execute(payout, AdminFactory())

    [notification] = db.session.scalars(
        select(Notification).where(Notification.kind == "payout_paid")
    ).all()
    assert notification.context["reference"] == payout.reference
    assert notification.context["amount_cents"] == 30000
    assert notification.context["cooperative_name"] == stripe_cooperative.name


def test_a_crash_after_stripe_acted_then_a_retry_pays_once(stripe_cooperative, books, fake_stripe):
    payout = _approved(stripe_cooperative, books)
    # Stripe makes the transfer, then the connection drops before we hear of it.
    fake_stripe.drop_next_response("POST", "/v1/transfers")

    unanswered = services.execute(payout, AdminFactory())

    assert unanswered.status == PayoutStatus.PROCESSING
    assert unanswered.stripe_transfer_id is None
    assert unanswered.last_error
    assert len(_transfers(fake_stripe)) == 1

    retried = services.execute(payout, AdminFactory())

    assert retried.status == PayoutStatus.PAID
    [transfer] = _transfers(fake_stripe)
    assert retried.stripe_transfer_id == transfer["id"]
    keys = [r.headers["Idempotency-Key"] for r in fake_stripe.requests_to("POST", "/v1/transfers")]
    assert keys == [payout.key, payout.key]
    assert retried.attempts == 2
    assert len(_postings(payout)) == 1
    books.assert_balanced()


class WorkerKilled(BaseException):
    """The process dies: nothing after this line of the worker runs."""


def test_a_worker_killed_mid_transfer_is_recovered_once_its_lease_expires(
    stripe_cooperative, books, fake_stripe, monkeypatch
):
    payout = _approved(stripe_cooperative, books)
    real_transfer = stripe_client.transfer

    def transfer_then_die(**kwargs):
        real_transfer(**kwargs)
        raise WorkerKilled

    monkeypatch.setattr(stripe_client, "transfer", transfer_then_die)
    with pytest.raises(WorkerKilled):
        services.execute(payout, AdminFactory())
    monkeypatch.setattr(stripe_client, "transfer", real_transfer)
    db.session.rollback()

    stuck = db.session.get(Payout, payout.id)
    assert stuck.status == PayoutStatus.PROCESSING and stuck.sending_since is not None
    # While its lease runs, nobody else sends it: a double click changes nothing.
    assert services.execute(stuck, AdminFactory()).status == PayoutStatus.PROCESSING
    assert services.recover_stuck_payouts(utcnow()) == []
    assert len(fake_stripe.requests_to("POST", "/v1/transfers")) == 1

    [recovered] = services.recover_stuck_payouts(
        utcnow() + services.SEND_LEASE + timedelta(seconds=1)
    )

    assert recovered.status == PayoutStatus.PAID
    [transfer] = _transfers(fake_stripe)
    assert recovered.stripe_transfer_id == transfer["id"]
    assert len(fake_stripe.requests_to("POST", "/v1/transfers")) == 2
    books.assert_balanced()


def test_stripe_refusing_a_transfer_fails_the_payout_and_gives_the_money_back(
    stripe_cooperative, books, fake_stripe
):
    payout = _approved(stripe_cooperative, books, 25000)
    fake_stripe.fail_next(
        "POST",
        "/v1/transfers",
        error_type="invalid_request_error",
        code="resource_missing",
        message="No such destination: 'acct_1SoukTighza0001'",
        replay_with_idempotency_key=True,
    )

    failed = services.execute(payout, AdminFactory())

    assert failed.status == PayoutStatus.FAILED
    assert failed.failure_reason
    assert [t.kind for t in _postings(payout)] == ["payout", "reversal"]
    assert books.available(stripe_cooperative) == 25000
    assert _transfers(fake_stripe) == []
    books.assert_balanced()
    # The money is owed again: the next run proposes it anew.
    [again] = services.run_payouts().proposed
    assert again.amount_cents == 25000


def test_a_balance_that_fell_below_the_payout_fails_it_unpaid(bank_cooperative, books, admin):
    payout = _approved(bank_cooperative, books, 25000)
    books.earn(bank_cooperative, -5000)  # a refund the cooperative funded, after the proposal

    with pytest.raises(BalanceChanged):
        services.execute(payout, admin)

    payout = db.session.get(Payout, payout.id)
    assert payout.status == PayoutStatus.FAILED
    assert _postings(payout) == []
    [proposed] = services.run_payouts().proposed
    assert proposed.amount_cents == 20000


def test_missing_payout_details_change_nothing(bank_cooperative, books):
    payout = _approved(bank_cooperative, books)
    bank_cooperative.rib = None
    db.session.commit()

    with pytest.raises(PayoutDetailsMissing):
        services.execute(payout, AdminFactory())

    assert db.session.get(Payout, payout.id).status == PayoutStatus.APPROVED
    assert _postings(payout) == []


def test_failing_an_executed_bank_payout_reverses_it_and_takes_it_out_of_the_batch(
    bank_cooperative, books
):
    payout = _approved(bank_cooperative, books, 25000)
    services.execute(payout, AdminFactory())

    failed = services.fail(payout, AdminFactory(), "Account closed at the bank.")

    assert failed.status == PayoutStatus.FAILED
    assert failed.batch_id is None
    assert failed.failure_reason == "Account closed at the bank."
    assert books.available(bank_cooperative) == 25000
    assert books.balance(codes.CLEARING_BANK) == 0
    books.assert_balanced()


def test_failing_needs_a_reason_and_never_touches_a_stripe_transfer_in_flight(
    stripe_cooperative, books, fake_stripe
):
    payout = _approved(stripe_cooperative, books)
    with pytest.raises(ValidationFailed):
        services.fail(payout, AdminFactory(), "  ")
    fake_stripe.drop_next_response("POST", "/v1/transfers")
    services.execute(payout, AdminFactory())

    with pytest.raises(TransferInDoubt):
        services.fail(payout, AdminFactory(), "Taking too long.")
    assert db.session.get(Payout, payout.id).status == PayoutStatus.PROCESSING


def test_a_paid_payout_cannot_be_failed_by_hand(stripe_cooperative, books):
    payout = _approved(stripe_cooperative, books)
    services.execute(payout, AdminFactory())

    with pytest.raises(IllegalTransition):
        services.fail(payout, AdminFactory(), "Changed my mind.")


def test_stripe_network_errors_are_retried_by_the_client_with_the_same_key(
    app, monkeypatch, stripe_cooperative, books, fake_stripe
):
    monkeypatch.setitem(app.config, "STRIPE_MAX_NETWORK_RETRIES", 2)
    payout = _approved(stripe_cooperative, books)
    fake_stripe.drop_next_response("POST", "/v1/transfers")

    paid = services.execute(payout, AdminFactory())

    assert paid.status == PayoutStatus.PAID
    assert len(_transfers(fake_stripe)) == 1
