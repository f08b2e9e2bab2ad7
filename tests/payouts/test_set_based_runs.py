"""A payout run writes a day's releases and proposals together: its number of SQL statements
does not grow with the number of cooperatives, and what it writes is what one-at-a-time
writing recorded (balanced releases under their keys, one proposal and its history row each)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from support.factories import CooperativeFactory

from app.core.db import utcnow
from app.extensions import db
from app.ledger.models import LedgerTransaction
from app.ledger.queries import cooperative_balance
from app.payouts import operations, services
from app.payouts.models import Payout, PayoutEvent, PayoutStatus


def _owed(books, count: int) -> list:
    cooperatives = [CooperativeFactory(payout_method="bank_transfer") for _ in range(count)]
    for cooperative in cooperatives:
        books.earn(cooperative, 20000)
    return cooperatives


def test_a_run_takes_as_many_statements_for_six_cooperatives_as_for_two(books, count_queries):
    _owed(books, 2)
    with count_queries() as few:
        assert len(services.run_payouts().proposed) == 2
    _owed(books, 6)
    with count_queries() as many:
        assert len(services.run_payouts().proposed) == 6

    assert len(many) == len(few)


def test_each_proposal_written_together_has_its_key_and_its_history_row(books):
    cooperatives = _owed(books, 3)

    proposed = services.run_payouts().proposed

    assert [payout.cooperative_id for payout in proposed] == [c.id for c in cooperatives]
    assert len({payout.key for payout in proposed}) == 3
    for payout in proposed:
        assert payout.status == PayoutStatus.PROPOSED
        assert payout.amount_cents == 20000
        events = db.session.scalars(select(PayoutEvent).where(PayoutEvent.payout_id == payout.id))
        assert [(e.from_status, e.to_status) for e in events] == [(None, "proposed")]


def test_proposing_together_skips_a_cooperative_another_run_proposed_first(books):
    first, second = _owed(books, 2)
    [earlier] = operations.propose_all([(first, 20000)], utcnow(), None)

    proposed = operations.propose_all([(first, 20000), (second, 20000)], utcnow(), None)

    assert [payout.cooperative_id for payout in proposed] == [second.id]
    waiting = db.session.scalars(select(Payout.id).where(Payout.cooperative_id == first.id))
    assert list(waiting) == [earlier.id]


def test_releases_written_together_are_balanced_and_keyed_by_part(shop, seller, shopper, books):
    orders = []
    for _ in range(3):
        product, owner = seller()
        order = shop.paid_card_order(shopper, {product: 1})
        delivered_at = shop.deliver(order, owner)
        orders.append(order)

    released = services.release_due_earnings(delivered_at + timedelta(days=7, minutes=1))

    assert sorted(item.part_id for item in released) == sorted(o.parts[0].id for o in orders)
    for item in released:
        transaction = db.session.scalars(
            select(LedgerTransaction).where(
                LedgerTransaction.idempotency_key == f"release:part:{item.part_id}"
            )
        ).one()
        assert transaction.cooperative_order_id == item.part_id
        assert sorted(entry.amount_cents for entry in transaction.entries) == [
            -item.amount_cents,
            item.amount_cents,
        ]
        assert cooperative_balance(item.cooperative_id) == (0, item.amount_cents)
    books.assert_balanced()
    assert services.release_due_earnings(delivered_at + timedelta(days=8)) == []
