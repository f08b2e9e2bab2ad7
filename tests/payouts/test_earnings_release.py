"""Held earnings move from pending to available once delivered plus the hold period (7 days)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from support.factories import AdminFactory

from app.extensions import db
from app.ledger.models import LedgerTransaction
from app.orders.models import PartStatus
from app.orders.services import move_part
from app.payments import services as payments
from app.payments.refunds import LineRequest
from app.payouts import services
from app.payouts.earnings import release_key

#: Safely past the default hold period of 7 days.
AFTER_HOLD = timedelta(days=7, minutes=1)


def _releases() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LedgerTransaction)
        .where(LedgerTransaction.kind == "release")
    )


def test_earnings_stay_pending_until_the_hold_period_after_delivery_has_passed(
    shop, seller, shopper, books
):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 2})
    part = order.parts[0]
    delivered_at = shop.deliver(order, owner)
    # Two bottles at 120.00 MAD keep 110.40 each after fees, plus the whole 30.00 shipping.
    assert part.producer_cents == 2 * 11040 + 3000
    assert books.pending(product.cooperative) == part.producer_cents

    assert services.release_due_earnings(delivered_at + timedelta(days=7, minutes=-1)) == []
    assert books.available(product.cooperative) == 0

    released = services.release_due_earnings(delivered_at + AFTER_HOLD)

    assert [(item.part_id, item.amount_cents) for item in released] == [
        (part.id, part.producer_cents)
    ]
    assert books.pending(product.cooperative) == 0
    assert books.available(product.cooperative) == part.producer_cents
    books.assert_balanced()


def test_releasing_again_posts_nothing_more(shop, seller, shopper, books):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    delivered_at = shop.deliver(order, owner)
    services.release_due_earnings(delivered_at + AFTER_HOLD)

    assert services.release_due_earnings(delivered_at + timedelta(days=30)) == []
    assert _releases() == 1
    release = db.session.scalar(
        select(LedgerTransaction).where(LedgerTransaction.kind == "release")
    )
    assert release.idempotency_key == release_key(order.parts[0].id)
    assert release.cooperative_order_id == order.parts[0].id
    assert books.available(product.cooperative) == order.parts[0].producer_cents


def test_parts_not_delivered_release_nothing_however_long_ago_they_were_paid(
    shop, seller, shopper, books
):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    move_part(order.parts[0], PartStatus.CONFIRMED, member=owner)
    move_part(order.parts[0], PartStatus.SHIPPED, member=owner)

    assert services.release_due_earnings(order.placed_at + timedelta(days=60)) == []
    assert books.available(product.cooperative) == 0


def test_cancelled_parts_release_nothing(shop, seller, shopper, books):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 1})
    move_part(order.parts[0], PartStatus.CANCELLED, member=owner, note="Out of honey.")

    assert services.release_due_earnings(order.placed_at + timedelta(days=60)) == []
    assert books.available(product.cooperative) == 0


def test_cash_parts_have_nothing_held_so_nothing_is_released(shop, seller, shopper, books):
    product, owner = seller()
    order = shop.checkout(shopper, {product: 1}, payment="cash_on_delivery")
    delivered_at = shop.deliver(order, owner)

    assert services.release_due_earnings(delivered_at + AFTER_HOLD) == []
    # The cooperative kept the cash: it owes the platform its fee and the fund's share.
    assert books.available(product.cooperative) == -(840 + 120)
    books.assert_balanced()


def test_a_part_refunded_while_held_releases_only_what_is_left(shop, seller, shopper, books):
    product, owner = seller()
    order = shop.paid_card_order(shopper, {product: 3})
    part = order.parts[0]
    delivered_at = shop.deliver(order, owner)
    refund = payments.refund(
        order,
        AdminFactory(),
        reason="One jar arrived broken.",
        funded_by="cooperative",
        lines=[LineRequest(line_id=part.lines[0].id, quantity=1)],
    )
    left = part.producer_cents - refund.producer_cents
    assert books.pending(product.cooperative) == left

    released = services.release_due_earnings(delivered_at + AFTER_HOLD)

    assert [item.amount_cents for item in released] == [left]
    assert books.pending(product.cooperative) == 0
    assert books.available(product.cooperative) == left
    books.assert_balanced()


def test_each_cooperative_of_an_order_gets_its_own_part_released(shop, seller, shopper, books):
    olive_oil, tighza = seller()
    honey, azilal = seller(shipping_fee_cents=2000)
    order = shop.paid_card_order(shopper, {olive_oil: 1, honey: 2})
    for part in order.parts:
        member = tighza if part.cooperative_id == olive_oil.cooperative_id else azilal
        for status in (PartStatus.CONFIRMED, PartStatus.SHIPPED, PartStatus.DELIVERED):
            move_part(part, status, member=member)
    now = order.placed_at + timedelta(days=8)

    released = {item.part_id: item.amount_cents for item in services.release_due_earnings(now)}

    assert released == {part.id: part.producer_cents for part in order.parts}
    assert books.available(olive_oil.cooperative) == 11040 + 3000
    assert books.available(honey.cooperative) == 2 * 11040 + 2000
    books.assert_balanced()
