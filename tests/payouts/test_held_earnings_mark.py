"""Parts holding earnings are marked (``earnings_held_since``) so a run finds them by index.

The mark only narrows the search: the ledger still decides what was released,
so a mark left behind never releases twice, and a run clears the marks of
parts with nothing left to release, so they do not stay in the index.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from support.factories import AdminFactory

from app.extensions import db
from app.ledger.models import LedgerTransaction
from app.orders.models import CooperativeOrder
from app.payments import services as payments
from app.payouts import services

AFTER_HOLD = timedelta(days=7, minutes=1)


def _mark(part: CooperativeOrder):
    db.session.expire(part)
    return part.earnings_held_since


def _releases_of(part: CooperativeOrder) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LedgerTransaction)
        .where(
            LedgerTransaction.kind == "release",
            LedgerTransaction.cooperative_order_id == part.id,
        )
    )


def _refund_from_the_cooperative(order, part: CooperativeOrder, cents: int) -> None:
    payments.refund(
        order,
        AdminFactory(),
        reason="The parcel arrived broken.",
        funded_by="cooperative",
        part_id=part.id,
        amount_cents=cents,
    )


def test_delivering_a_card_part_marks_it_as_holding_earnings_since_delivery(shop, seller, shopper):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    part = order.parts[0]
    assert _mark(part) is None

    delivered_at = shop.deliver(order, owner)

    assert _mark(part) == part.events[-1].at
    assert _mark(part) <= delivered_at


def test_a_cash_part_is_never_marked(shop, seller, shopper):
    product, owner = seller()
    order = shop.checkout(shopper, {product: 1}, payment="cash_on_delivery")
    shop.deliver(order, owner)

    assert _mark(order.parts[0]) is None


def test_the_mark_stays_through_the_hold_and_goes_with_the_release(shop, seller, shopper):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    part = order.parts[0]
    delivered_at = shop.deliver(order, owner)

    services.release_due_earnings(delivered_at + timedelta(days=6))
    assert _mark(part) is not None

    released = services.release_due_earnings(delivered_at + AFTER_HOLD)

    assert [item.part_id for item in released] == [part.id]
    assert _mark(part) is None


def test_a_part_released_but_still_marked_is_not_released_twice(shop, seller, shopper, books):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    part = order.parts[0]
    delivered_at = shop.deliver(order, owner)
    services.release_due_earnings(delivered_at + AFTER_HOLD)
    held_since = delivered_at - timedelta(minutes=1)
    db.session.execute(
        update(CooperativeOrder)
        .where(CooperativeOrder.id == part.id)
        .values(earnings_held_since=held_since)
    )
    db.session.commit()

    assert services.release_due_earnings(delivered_at + timedelta(days=30)) == []

    assert _releases_of(part) == 1
    assert books.pending(product.cooperative) == 0
    assert books.available(product.cooperative) == part.producer_cents
    assert _mark(part) is None
    books.assert_balanced()


def test_a_part_refunded_whole_while_held_releases_nothing_and_loses_its_mark(
    shop, seller, shopper, books
):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    part = order.parts[0]
    delivered_at = shop.deliver(order, owner)
    _refund_from_the_cooperative(order, part, part.total_cents)
    assert books.pending(product.cooperative) == 0
    assert _mark(part) is not None

    assert services.release_due_earnings(delivered_at + AFTER_HOLD) == []

    assert _releases_of(part) == 0
    assert _mark(part) is None
    books.assert_balanced()


def test_a_refund_after_the_release_leaves_the_mark_cleared_and_debits_available(
    shop, seller, shopper, books
):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    part = order.parts[0]
    delivered_at = shop.deliver(order, owner)
    services.release_due_earnings(delivered_at + AFTER_HOLD)
    _refund_from_the_cooperative(order, part, 1_000)

    assert services.release_due_earnings(delivered_at + timedelta(days=30)) == []

    assert _mark(part) is None
    assert _releases_of(part) == 1
    assert books.pending(product.cooperative) == 0
    assert books.available(product.cooperative) < part.producer_cents
    books.assert_balanced()
