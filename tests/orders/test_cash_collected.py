"""Cash collected by a cooperative posts what it owes; the ledger stays balanced throughout."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.factories import (
    CooperativeFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    StandFactory,
)

from app.core.errors import Forbidden
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger import codes
from app.ledger.models import LedgerTransaction
from app.ledger.queries import balance, trial_balance
from app.orders.errors import NotCashPart, WrongCashAmount
from app.orders.operations import mark_paid
from app.orders.services import cancel_order, move_part, record_cash_collected


def transactions() -> int:
    return db.session.scalar(select(func.count(LedgerTransaction.id)))


def assert_balanced() -> None:
    assert trial_balance().total_cents == 0


def test_cash_collected_moves_the_fees_from_the_cooperative_to_the_platform(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner(price_cents=12000, stock=5)
    coop = oil.cooperative
    order = shop.checkout(shopper, {oil: 1})
    part = order.parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "shipped", member=owner)

    record_cash_collected(part, owner, 12000 + 3000)

    assert part.cash_collected_cents == 15000 and part.cash_collected_by_id == owner.id
    # The cooperative holds 150.00 MAD and owes 8.40 + 1.20 of fees.
    assert balance(codes.cooperative_available(coop.id)) == -960
    assert balance(codes.PLATFORM_REVENUE) == 840
    assert balance(codes.PLATFORM_SOLIDARITY_FUND) == 120
    assert_balanced()


def test_recording_the_same_cash_twice_posts_once(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1}, default_delivery="coop_pickup")
    part = order.parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "ready", member=owner)

    record_cash_collected(part, owner, 12000)
    record_cash_collected(part, owner, 12000)
    move_part(part, "delivered", member=owner, pickup_code=part.pickup_code)

    assert transactions() == 1
    assert balance(codes.cooperative_available(oil.cooperative_id)) == -960


def test_delivering_a_cash_part_records_its_cash_when_the_cooperative_forgot(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1})
    part = order.parts[0]
    for status in ("confirmed", "shipped", "delivered"):
        move_part(part, status, member=owner)

    assert part.cash_collected_cents == part.total_cents == 15000
    assert transactions() == 1
    assert_balanced()


@pytest.mark.parametrize("amount", [14999, 15001, 0, 12000])
def test_the_amount_must_be_the_parts_whole_total(shop, shopper, product_with_owner, amount):
    oil, owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1})
    part = order.parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "shipped", member=owner)

    with pytest.raises(WrongCashAmount) as raised:
        record_cash_collected(part, owner, amount)

    assert raised.value.status == 422
    assert "150" in raised.value.message or "15000" in raised.value.message
    assert part.cash_collected_cents is None
    assert transactions() == 0


def test_card_orders_have_no_cash_to_record(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1}, payment="card")
    mark_paid(order)
    db.session.commit()
    with pytest.raises(NotCashPart) as raised:
        record_cash_collected(order.parts[0], owner, 15000)
    assert raised.value.status == 409


def test_cash_is_recorded_only_once_the_part_is_handed_over(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1})
    with pytest.raises(NotCashPart):
        record_cash_collected(order.parts[0], owner, 15000)


def test_only_members_record_cash(shop, shopper, product_with_owner):
    oil, _owner = product_with_owner(price_cents=12000)
    order = shop.checkout(shopper, {oil: 1})
    stranger = MembershipFactory(cooperative=CooperativeFactory()).user
    with pytest.raises(Forbidden):
        record_cash_collected(order.parts[0], stranger, 15000)


def test_a_stand_sale_without_commission_posts_nothing(shop, shopper):
    fair = FairFactory()
    install_default_rules(fair)
    exhibitor = CooperativeFactory()
    StandFactory(cooperative=exhibitor, fair=fair)
    owner = MembershipFactory(cooperative=exhibitor).user
    oil = ProductFactory(cooperative=exhibitor, price_cents=12000)
    order = shop.checkout(
        shopper, {oil: 1}, payment="pay_at_stand", default_delivery="stand_pickup"
    )
    part = order.parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "ready", member=owner)

    record_cash_collected(part, owner, 12000)

    assert part.cash_collected_cents == 12000
    assert transactions() == 0


def test_the_trial_balance_stays_zero_through_cash_cancellations_and_refusals(shop, shopper):
    cooperatives = [CooperativeFactory() for _ in range(3)]
    owners = [MembershipFactory(cooperative=c).user for c in cooperatives]
    products = [ProductFactory(cooperative=c, price_cents=9950, stock=20) for c in cooperatives]

    delivered = shop.checkout(shopper, {products[0]: 2, products[1]: 1, products[2]: 3})
    for part in delivered.parts:
        owner = owners[cooperatives.index(part.cooperative)]
        move_part(part, "confirmed", member=owner)
        move_part(part, "shipped", member=owner)
        assert_balanced()
        if part.cooperative_id == cooperatives[1].id:
            move_part(part, "refused", member=owner)
        else:
            record_cash_collected(part, owner, part.total_cents)
            move_part(part, "delivered", member=owner)
        assert_balanced()

    cancelled = shop.checkout(shopper, {products[0]: 1, products[2]: 1})
    cancel_order(cancelled, shopper)
    assert_balanced()

    fees = {
        c.id: sum(
            p.platform_cents + p.solidarity_cents
            for p in delivered.parts
            if p.cooperative_id == c.id
        )
        for c in cooperatives
    }
    assert balance(codes.cooperative_available(cooperatives[0].id)) == -fees[cooperatives[0].id]
    assert balance(codes.cooperative_available(cooperatives[1].id)) == 0  # refused: owes nothing
    assert balance(codes.cooperative_available(cooperatives[2].id)) == -fees[cooperatives[2].id]
    assert transactions() == 2
    assert delivered.status == "completed"
