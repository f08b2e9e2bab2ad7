"""Cooperatives move their parts; shoppers cancel; stock comes back when goods do."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.factories import CooperativeFactory, MembershipFactory, ProductFactory, UserFactory

from app.catalog.models import Product
from app.core.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from app.extensions import db
from app.ledger.models import LedgerTransaction
from app.orders.errors import AlreadyShipped, AwaitingPayment, WrongPickupCode
from app.orders.operations import cancel_unpaid_order, mark_paid
from app.orders.services import cancel_order, move_part


def stock_of(product: Product) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product.id))


def test_a_cooperative_takes_a_home_delivery_to_the_door(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(stock=5)
    order = shop.checkout(shopper, {oil: 2}, payment="card")
    mark_paid(order, note="pi_123")
    part = order.parts[0]

    for status in ("confirmed", "shipped", "delivered"):
        move_part(part, status, member=owner)

    assert part.status == "delivered"
    assert [(e.from_status, e.to_status) for e in part.events] == [
        (None, "pending"),
        ("pending", "confirmed"),
        ("confirmed", "shipped"),
        ("shipped", "delivered"),
    ]
    assert {e.actor_id for e in part.events[1:]} == {owner.id}
    assert order.status == "completed"
    assert order.events[-1].actor_id is None  # completion is derived, not done by a person


def test_handing_over_a_pickup_needs_the_shoppers_code(shop, shopper, product_with_owner):
    oil, owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1}, default_delivery="coop_pickup")
    part = order.parts[0]
    move_part(part, "confirmed", member=owner)
    move_part(part, "ready", member=owner)

    for wrong in (None, "", "000000" if part.pickup_code != "000000" else "111111"):
        with pytest.raises(WrongPickupCode) as raised:
            move_part(part, "delivered", member=owner, pickup_code=wrong)
        assert raised.value.status == 422 and "pickup_code" in raised.value.fields
        assert part.status == "ready"

    spaced = f" {part.pickup_code[:3]} {part.pickup_code[3:]} "
    move_part(part, "delivered", member=owner, pickup_code=spaced)
    assert part.status == "delivered"


def test_a_cooperative_cancels_its_part_with_a_reason_and_the_stock_returns(
    shop, shopper, product_with_owner
):
    oil, owner = product_with_owner(stock=5)
    order = shop.checkout(shopper, {oil: 3})
    part = order.parts[0]
    assert stock_of(oil) == 2

    with pytest.raises(ValidationFailed) as raised:
        move_part(part, "cancelled", member=owner, note="  ")
    assert "note" in raised.value.fields

    move_part(part, "cancelled", member=owner, note="Rupture de stock après la récolte")

    assert stock_of(oil) == 5
    assert part.events[-1].note == "Rupture de stock après la récolte"
    assert order.status == "cancelled"  # its only part was cancelled


def test_a_refused_parcel_returns_its_stock_and_posts_nothing(shop, shopper, product_with_owner):
    oil, owner = product_with_owner(stock=5)
    order = shop.checkout(shopper, {oil: 2})
    part = order.parts[0]
    for status in ("confirmed", "shipped", "refused"):
        move_part(part, status, member=owner, note="Refusé à la porte")

    assert stock_of(oil) == 5
    assert part.cash_collected_cents is None
    assert db.session.scalars(select(LedgerTransaction)).all() == []
    assert order.status == "completed"


def test_members_of_another_cooperative_cannot_move_a_part(shop, shopper, product_with_owner):
    oil, _owner = product_with_owner()
    stranger = MembershipFactory(cooperative=CooperativeFactory()).user
    order = shop.checkout(shopper, {oil: 1})

    for someone in (stranger, shopper):
        with pytest.raises(Forbidden):
            move_part(order.parts[0], "confirmed", member=someone)
    assert order.parts[0].status == "pending"


def test_an_unpaid_card_order_cannot_be_prepared_only_cancelled(shop, shopper, product_with_owner):
    oil, owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1}, payment="card")

    with pytest.raises(AwaitingPayment) as raised:
        move_part(order.parts[0], "confirmed", member=owner)
    assert raised.value.status == 409

    move_part(order.parts[0], "cancelled", member=owner, note="Plus de stock")
    assert order.status == "cancelled"


def test_an_illegal_move_leaves_the_part_as_it_was(shop, shopper, product_with_owner):
    oil, owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1})
    with pytest.raises(IllegalTransition) as raised:
        move_part(order.parts[0], "delivered", member=owner)
    assert raised.value.status == 409
    assert order.parts[0].status == "pending"


def test_the_shopper_cancels_before_anything_shipped_and_all_stock_returns(shop, shopper):
    tighza, amal = CooperativeFactory(), CooperativeFactory()
    oil = ProductFactory(cooperative=tighza, stock=5)
    honey = ProductFactory(cooperative=amal, stock=5)
    order = shop.checkout(shopper, {oil: 2, honey: 1})
    owner = MembershipFactory(cooperative=tighza).user
    move_part(
        next(p for p in order.parts if p.cooperative_id == tighza.id), "confirmed", member=owner
    )

    cancel_order(order, shopper)

    assert order.status == "cancelled"
    assert {part.status for part in order.parts} == {"cancelled"}
    assert (stock_of(oil), stock_of(honey)) == (5, 5)
    assert order.events[-1].actor_id == shopper.id
    assert all(part.events[-1].actor_id == shopper.id for part in order.parts)


def test_the_shopper_cannot_cancel_once_a_part_has_shipped(shop, shopper):
    tighza, amal = CooperativeFactory(), CooperativeFactory()
    oil = ProductFactory(cooperative=tighza, stock=5)
    honey = ProductFactory(cooperative=amal, stock=5)
    order = shop.checkout(shopper, {oil: 1, honey: 1})
    owner = MembershipFactory(cooperative=tighza).user
    shipped = next(p for p in order.parts if p.cooperative_id == tighza.id)
    move_part(shipped, "confirmed", member=owner)
    move_part(shipped, "shipped", member=owner)

    with pytest.raises(AlreadyShipped) as raised:
        cancel_order(order, shopper)

    assert raised.value.status == 409
    assert order.status == "placed"
    assert {part.status for part in order.parts} == {"shipped", "pending"}
    assert stock_of(honey) == 4


def test_a_shopper_cannot_cancel_someone_elses_order(shop, shopper):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    with pytest.raises(NotFound):
        cancel_order(order, UserFactory())
    assert order.status == "placed"


def test_a_finished_order_cannot_be_cancelled(shop, shopper, product_with_owner):
    oil, owner = product_with_owner()
    order = shop.checkout(shopper, {oil: 1})
    move_part(order.parts[0], "cancelled", member=owner, note="Fermé")
    with pytest.raises(IllegalTransition):
        cancel_order(order, shopper)


def test_an_expired_card_order_is_cancelled_and_its_stock_freed(shop, shopper):
    oil = ProductFactory(stock=5)
    order = shop.checkout(shopper, {oil: 2}, payment="card")

    cancel_unpaid_order(order, "The card payment was not completed in time.")
    db.session.commit()

    assert order.status == "cancelled"
    assert order.parts[0].status == "cancelled"
    assert stock_of(oil) == 5


def test_only_a_pending_card_order_can_be_marked_paid(shop, shopper):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    with pytest.raises(IllegalTransition):
        mark_paid(order)
