"""The payout run's search for due releases, the fix the payouts benchmark's profile led to.

``app.payouts.earnings.due_releases`` used to sum the pending entries of every
delivered card part ever (released ones included) before discarding the
released ones, so a payout run grew with the whole history of the ledger.
It then listed the same parts while summing only for the parts it returns; it
now reads only the parts marked as holding earnings (``earnings_held_since``).
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import event
from support.factories import CooperativeFactory, UserFactory

from app.core.db import utcnow
from app.extensions import db
from app.ledger import codes
from app.ledger.operations import Entry, post
from app.orders.models import CooperativeOrder, Order, PartEvent
from app.payouts.earnings import due_releases, release_key

HOLD = timedelta(days=7)
_numbers = count(1)


def _part(
    shopper,
    cooperative,
    *,
    delivered_days_ago: float | None,
    payment_method: str = "card",
    earned_cents: int = 11_040,
    released: bool = False,
    refunded_cents: int = 0,
) -> CooperativeOrder:
    """A one-part order as the services leave it, with its ledger postings; flushed."""
    now = utcnow()
    number = next(_numbers)
    order = Order(
        number=f"ST-T{number:06d}",
        shopper_id=shopper.id,
        status="completed" if delivered_days_ago is not None else "paid",
        payment_method=payment_method,
        idempotency_key=f"due-releases-{number}",
        subtotal_cents=12_000,
        shipping_cents=0,
        total_cents=12_000,
        contact_name="Fatima Zahra",
        contact_phone="+212612345678",
        placed_at=now - timedelta(days=30),
    )
    part = CooperativeOrder(
        cooperative_id=cooperative.id,
        status="delivered" if delivered_days_ago is not None else "shipped",
        delivery_method="home_delivery",
        shipping_cents=0,
        subtotal_cents=12_000,
    )
    order.parts.append(part)
    db.session.add(order)
    db.session.flush()
    if delivered_days_ago is not None:
        delivered = now - timedelta(days=delivered_days_ago)
        db.session.add(PartEvent(part_id=part.id, to_status="delivered", at=delivered))
        if payment_method == "card" and not released:
            part.earnings_held_since = delivered
    pending = codes.cooperative_pending(cooperative.id)
    if payment_method == "card":
        post(
            "card_payment",
            f"test-payment:{order.id}",
            [Entry(codes.CLEARING_STRIPE, -earned_cents), Entry(pending, earned_cents)],
            refs={"order_id": order.id},
        )
    if refunded_cents:
        post(
            "refund",
            f"test-refund:{order.id}",
            [Entry(pending, -refunded_cents), Entry(codes.CLEARING_STRIPE, refunded_cents)],
            refs={"order_id": order.id},
        )
    if released:
        post(
            "release",
            release_key(part.id),
            [
                Entry(pending, -earned_cents),
                Entry(codes.cooperative_available(cooperative.id), earned_cents),
            ],
            refs={"order_id": order.id, "cooperative_order_id": part.id},
        )
    db.session.flush()
    return part


def test_due_releases_lists_card_parts_past_the_hold_that_still_hold_earnings():
    shopper, cooperative = UserFactory(), CooperativeFactory()
    due = _part(shopper, cooperative, delivered_days_ago=10)
    partly_refunded = _part(shopper, cooperative, delivered_days_ago=8, refunded_cents=4_000)
    _part(shopper, cooperative, delivered_days_ago=10, released=True)
    _part(shopper, cooperative, delivered_days_ago=2)
    _part(shopper, cooperative, delivered_days_ago=10, refunded_cents=11_040)
    _part(shopper, cooperative, delivered_days_ago=10, payment_method="cash_on_delivery")
    _part(shopper, cooperative, delivered_days_ago=None)

    found = due_releases(utcnow(), HOLD)

    assert [(item.part_id, item.amount_cents) for item in found] == [
        (due.id, 11_040),
        (partly_refunded.id, 7_040),
    ]


def test_a_part_released_though_still_marked_as_holding_earnings_is_not_listed():
    shopper, cooperative = UserFactory(), CooperativeFactory()
    part = _part(shopper, cooperative, delivered_days_ago=10, released=True)
    part.earnings_held_since = utcnow() - timedelta(days=10)
    db.session.flush()

    assert due_releases(utcnow(), HOLD) == []


def test_a_part_delivered_exactly_at_the_cutoff_is_due():
    shopper, cooperative = UserFactory(), CooperativeFactory()
    now = utcnow()
    part = _part(shopper, cooperative, delivered_days_ago=None)
    part.status = "delivered"
    part.earnings_held_since = now - HOLD
    db.session.add(PartEvent(part_id=part.id, to_status="delivered", at=now - HOLD))
    db.session.flush()

    assert [item.part_id for item in due_releases(now, HOLD)] == [part.id]


def _subplan_loops(plan: dict) -> list[int]:
    loops = []
    if plan.get("Parent Relationship") == "SubPlan":
        loops.append(plan["Actual Loops"])
    for child in plan.get("Plans", []):
        loops.extend(_subplan_loops(child))
    return loops


@pytest.mark.postgres
def test_pending_earnings_are_summed_only_for_the_parts_listed():
    shopper, cooperative = UserFactory(), CooperativeFactory()
    for _ in range(12):
        _part(shopper, cooperative, delivered_days_ago=30, released=True)
    due = [_part(shopper, cooperative, delivered_days_ago=9) for _ in range(2)]
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        found = due_releases(utcnow(), HOLD)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = statements[-1]
    plan = (
        db.session.connection()
        .exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
        .scalar()[0]["Plan"]
    )

    assert [item.part_id for item in found] == [part.id for part in due]
    assert _subplan_loops(plan), "the pending sum is a correlated subquery"
    assert max(_subplan_loops(plan)) <= len(due)
