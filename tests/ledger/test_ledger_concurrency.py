"""Two processes posting the same business event at once record it once (real commits)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from support.factories import CooperativeFactory

from app.extensions import db
from app.ledger import codes, operations, queries
from app.ledger.models import Account, LedgerTransaction
from app.ledger.operations import Entry

THREADS = 4


def test_concurrent_posts_with_the_same_key_record_the_event_once(app, committing_db):
    cooperative_id = CooperativeFactory().id
    db.session.commit()
    entries = [
        Entry(codes.CLEARING_STRIPE, -12000),
        Entry(codes.cooperative_pending(cooperative_id), 11040),
        Entry(codes.PLATFORM_REVENUE, 840),
        Entry(codes.PLATFORM_SOLIDARITY_FUND, 120),
    ]
    barrier = threading.Barrier(THREADS)
    transaction_ids: list[int] = []
    failures: list[BaseException] = []

    def post_payment() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                transaction = operations.post("card_payment", "order:42:paid", entries)
                db.session.commit()
                transaction_ids.append(transaction.id)
            except BaseException as error:  # reported below, with the thread's traceback
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=post_payment) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert len(set(transaction_ids)) == 1
    assert db.session.scalar(select(func.count()).select_from(LedgerTransaction)) == 1
    assert db.session.scalar(select(func.count()).select_from(Account)) == 4
    assert queries.balance(codes.CLEARING_STRIPE) == -12000
    assert queries.cooperative_balance(cooperative_id) == (11040, 0)
