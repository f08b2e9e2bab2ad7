"""Two admins executing one payout at the same moment: one payment (real commits, threads).

Each thread has its own app context, so its own session and connection, as two
gunicorn workers would. Runs on SQLite here and on PostgreSQL when DATABASE_URL
points at one.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from support.factories import AdminFactory, CooperativeFactory, MembershipFactory

from app.accounts.models import User
from app.extensions import db
from app.ledger import codes
from app.ledger.models import LedgerTransaction
from app.ledger.operations import Entry, post
from app.ledger.queries import balance, trial_balance
from app.payouts import services
from app.payouts.models import Payout, PayoutBatch, PayoutStatus

THREADS = 2


def _approved_payout(app, **cooperative_fields) -> tuple[int, list[int], int]:
    """A committed approved payout of 250.00 MAD, and admins to execute it."""
    with app.test_request_context():
        cooperative = CooperativeFactory(**cooperative_fields)
        MembershipFactory(cooperative=cooperative)
        admins = [AdminFactory() for _ in range(THREADS)]
        post(
            "card_payment",
            "test:race",
            [
                Entry(codes.cooperative_available(cooperative.id), 25000),
                Entry(codes.CLEARING_STRIPE, -25000),
            ],
        )
        db.session.commit()
        [payout] = services.run_payouts().proposed
        services.approve(payout, admins[0])
        ids = payout.id, [admin.id for admin in admins], cooperative.id
        db.session.remove()
    return ids


def _execute_at_once(app, payout_id: int, admin_ids: list[int]) -> list[str]:
    barrier = threading.Barrier(len(admin_ids))
    statuses: list[str] = []
    failures: list[BaseException] = []

    def execute(admin_id: int) -> None:
        with app.test_request_context():
            try:
                payout = db.session.get(Payout, payout_id)
                admin = db.session.get(User, admin_id)
                db.session.commit()  # on SQLite, an open transaction holds the write lock
                barrier.wait(timeout=20)
                statuses.append(services.execute(payout, admin).status)
            except BaseException as error:  # reported below, with the thread's traceback
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=execute, args=(admin_id,)) for admin_id in admin_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an execution hung"
    assert not failures, failures
    return statuses


def _payout_postings(payout_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LedgerTransaction)
        .where(LedgerTransaction.payout_id == payout_id)
    )


def test_two_admins_executing_a_bank_payout_at_once_put_it_in_one_batch_once(app, committing_db):
    payout_id, admin_ids, cooperative_id = _approved_payout(app, payout_method="bank_transfer")

    statuses = _execute_at_once(app, payout_id, admin_ids)

    with app.test_request_context():
        assert statuses == [PayoutStatus.PROCESSING] * THREADS
        assert _payout_postings(payout_id) == 1
        assert db.session.scalar(select(func.count()).select_from(PayoutBatch)) == 1
        assert balance(codes.cooperative_available(cooperative_id)) == 0
        assert balance(codes.CLEARING_BANK) == 25000
        assert trial_balance().total_cents == 0


def test_two_admins_executing_a_stripe_payout_at_once_make_one_transfer(
    app, committing_db, fake_stripe
):
    payout_id, admin_ids, cooperative_id = _approved_payout(
        app, payout_method="stripe", rib=None, stripe_account_id="acct_1SoukRace0001"
    )

    statuses = _execute_at_once(app, payout_id, admin_ids)

    with app.test_request_context():
        payout = db.session.get(Payout, payout_id)
        assert payout.status == PayoutStatus.PAID
        # The loser saw it being paid (processing) or paid; neither sent a transfer.
        assert set(statuses) <= {PayoutStatus.PROCESSING, PayoutStatus.PAID}
        assert PayoutStatus.PAID in statuses
        requests = fake_stripe.requests_to("POST", "/v1/transfers")
        assert [r.headers["Idempotency-Key"] for r in requests] == [payout.key]
        assert _payout_postings(payout_id) == 1
        assert balance(codes.cooperative_available(cooperative_id)) == 0
        assert trial_balance().total_cents == 0
