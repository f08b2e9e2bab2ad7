"""The demo's eight weeks of history (`seed_demo(history=True)`, what `flask seed-demo` writes):
made through the services, so the books balance and every page has figures to show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import clock_at, utcnow
from app.demo.history import HistoryReport
from app.demo.seed import seed_demo
from app.extensions import db
from app.ledger.queries import trial_balance
from app.orders.models import CooperativeOrder, Order, OrderStatus, PartStatus, PaymentMethod
from app.payments.models import Refund
from app.payouts import rules
from app.payouts.models import PayoutBatch, PayoutStatus

TODAY = date(2026, 5, 14)


@pytest.fixture
def history(committing_db):
    # Real commits: in a rolled-back session the history's hundreds of commits would keep
    # every row in one transaction's identity map.
    report = seed_demo(TODAY, cooperatives=12, images=False, history=True, log=lambda _: None)
    return report.history


def _counts(column) -> dict[str, int]:
    return {key: n for key, n in db.session.execute(select(column, func.count()).group_by(column))}


def _seed() -> HistoryReport:
    return seed_demo(TODAY, cooperatives=12, images=False, history=True, log=lambda _: None).history


@pytest.mark.slow
def test_the_demo_history_balances_its_books_and_leaves_every_state_a_paid_batch_and_payouts_due(
    committing_db,  # real commits: hundreds of them would not fit one rolled-back transaction
):
    history = _seed()
    assert not history.skipped
    assert trial_balance().total_cents == 0

    # Orders in every state, from many cooperatives, by card, cash and at the stand, refunds.
    assert set(_counts(Order.status)) == set(OrderStatus)
    assert set(_counts(CooperativeOrder.status)) == set(PartStatus)
    assert set(_counts(Order.payment_method)) == set(PaymentMethod)
    sellers = select(func.count(func.distinct(CooperativeOrder.cooperative_id)))
    assert db.session.scalar(sellers) >= 10
    assert db.session.scalar(select(func.count()).select_from(Refund)) > 0
    placed = db.session.scalars(select(Order.placed_at)).all()
    assert min(placed).date() <= TODAY - timedelta(weeks=7)
    assert max(placed).date() == TODAY

    # A payout run already paid by its bank batch, and earnings due now for the next run.
    batch = db.session.scalar(select(PayoutBatch).where(PayoutBatch.status == "paid").limit(1))
    assert batch is not None and batch.paid_at.date() < TODAY
    assert batch.payouts and all(p.status == PayoutStatus.PAID for p in batch.payouts)
    candidates = rules.payout_candidates(rules.minimum_payout_cents())
    assert candidates

    # A second run finds the history there and writes none.
    orders = db.session.scalar(select(func.count()).select_from(Order))
    assert _seed().skipped
    assert db.session.scalar(select(func.count()).select_from(Order)) == orders


def test_clock_at_holds_utcnow_inside_the_block_only():
    instant = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with clock_at(instant):
        assert utcnow() == instant
    assert utcnow() > instant + timedelta(days=100)
    with pytest.raises(ValueError), clock_at(datetime(2026, 3, 1, 9, 30)):
        pass
