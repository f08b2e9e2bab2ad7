"""Both state machines over their full from x to tables: every move either works or is refused."""

from __future__ import annotations

import itertools

import pytest
from support.factories import ProductFactory

from app.core.errors import IllegalTransition
from app.extensions import db
from app.orders import states
from app.orders.labels import PART_STATUS_NAMES
from app.orders.models import OrderStatus, PartStatus
from app.orders.operations import transition_order, transition_part

PICKUP = "coop_pickup"
HOME = "home_delivery"

#: The machine as DESIGN section 6 states it, written out independently of app.orders.states:
#: (from, to) -> the delivery methods and payment methods for which the move exists.
ALL_DELIVERIES = {HOME, PICKUP, "stand_pickup"}
PICKUPS = {PICKUP, "stand_pickup"}
ALL_PAYMENTS = {"card", "cash_on_delivery", "pay_at_stand"}
EXPECTED_PART_MOVES = {
    ("pending", "confirmed"): (ALL_DELIVERIES, ALL_PAYMENTS),
    ("pending", "cancelled"): (ALL_DELIVERIES, ALL_PAYMENTS),
    ("confirmed", "ready"): (PICKUPS, ALL_PAYMENTS),
    ("confirmed", "shipped"): ({HOME}, ALL_PAYMENTS),
    ("confirmed", "cancelled"): (ALL_DELIVERIES, ALL_PAYMENTS),
    ("ready", "delivered"): (PICKUPS, ALL_PAYMENTS),
    ("ready", "cancelled"): (PICKUPS, ALL_PAYMENTS),
    ("shipped", "delivered"): ({HOME}, ALL_PAYMENTS),
    ("shipped", "refused"): ({HOME}, {"cash_on_delivery"}),
}
EXPECTED_ORDER_MOVES = {
    ("pending_payment", "paid"),
    ("pending_payment", "cancelled"),
    ("placed", "completed"),
    ("placed", "cancelled"),
    ("paid", "completed"),
    ("paid", "cancelled"),
    ("paid", "refunded"),
    ("placed", "refunded"),
    ("completed", "refunded"),
}


def expected_part_move(from_status, to_status, delivery, payment) -> bool:
    deliveries, payments = EXPECTED_PART_MOVES.get((from_status, to_status), (set(), set()))
    return delivery in deliveries and payment in payments


@pytest.mark.parametrize(
    ("from_status", "to_status", "delivery", "payment"),
    list(itertools.product(PartStatus, PartStatus, sorted(ALL_DELIVERIES), sorted(ALL_PAYMENTS))),
)
def test_part_table_allows_exactly_the_designed_moves(from_status, to_status, delivery, payment):
    assert states.part_move_allowed(from_status, to_status, delivery, payment) == (
        expected_part_move(from_status, to_status, delivery, payment)
    )


@pytest.mark.parametrize(
    ("from_status", "to_status"), list(itertools.product(OrderStatus, OrderStatus))
)
def test_order_table_allows_exactly_the_designed_moves(from_status, to_status):
    allowed = (from_status.value, to_status.value) in EXPECTED_ORDER_MOVES
    assert states.order_move_allowed(from_status, to_status) == allowed


@pytest.mark.parametrize(
    ("from_status", "to_status", "delivery"),
    list(itertools.product(PartStatus, PartStatus, [HOME, PICKUP])),
)
def test_transition_part_refuses_every_illegal_move_and_records_every_legal_one(
    shop, shopper, from_status, to_status, delivery
):
    order = shop.checkout(shopper, {ProductFactory(stock=5): 1}, default_delivery=delivery)
    part = order.parts[0]
    part.status = from_status
    db.session.flush()
    events_before = len(part.events)
    legal = expected_part_move(from_status, to_status, delivery, "cash_on_delivery")

    if legal:
        transition_part(part, to_status, actor=shopper, note="n", pickup_code=part.pickup_code)
        assert part.status == to_status
        assert (part.events[-1].from_status, part.events[-1].to_status) == (from_status, to_status)
        assert part.events[-1].actor_id == shopper.id
    else:
        with pytest.raises(IllegalTransition) as raised:
            transition_part(part, to_status, actor=shopper, pickup_code=part.pickup_code)
        assert raised.value.status == 409
        assert (raised.value.from_state, raised.value.to_state) == (from_status, to_status)
        message = raised.value.message
        assert f"“{PART_STATUS_NAMES[from_status]}”" in message
        assert f"“{PART_STATUS_NAMES[to_status]}”" in message
        assert part.status == from_status
        assert len(part.events) == events_before


def test_a_card_parcel_cannot_be_refused_at_the_door(shop, shopper):
    order = shop.checkout(shopper, {ProductFactory(): 1}, payment="card")
    order.status = "paid"
    part = order.parts[0]
    part.status = "shipped"
    db.session.flush()
    with pytest.raises(IllegalTransition):
        transition_part(part, "refused", actor=shopper)


@pytest.mark.parametrize(
    ("from_status", "to_status"), list(itertools.product(OrderStatus, OrderStatus))
)
def test_transition_order_refuses_every_illegal_move_and_records_every_legal_one(
    shop, shopper, from_status, to_status
):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    order.status = from_status
    db.session.flush()
    events_before = len(order.events)

    if (from_status.value, to_status.value) in EXPECTED_ORDER_MOVES:
        transition_order(order, to_status, actor=shopper, note="why")
        assert order.status == to_status
        event = order.events[-1]
        assert (event.from_status, event.to_status, event.actor_id, event.note) == (
            from_status,
            to_status,
            shopper.id,
            "why",
        )
        assert event.at is not None
    else:
        with pytest.raises(IllegalTransition):
            transition_order(order, to_status, actor=shopper)
        assert order.status == from_status
        assert len(order.events) == events_before


@pytest.mark.parametrize(
    ("parts", "settled"),
    [
        (["delivered", "refused"], "completed"),
        (["delivered", "cancelled"], "completed"),
        (["cancelled", "cancelled"], "cancelled"),
        (["delivered", "shipped"], None),
        (["pending"], None),
        ([], None),
    ],
)
def test_an_order_settles_once_every_part_is_final(parts, settled):
    assert states.settled_order_status(parts) == settled


def test_allowed_moves_list_one_button_per_next_status():
    assert states.allowed_part_moves("confirmed", HOME, "cash_on_delivery") == [
        "shipped",
        "cancelled",
    ]
    assert states.allowed_part_moves("shipped", HOME, "cash_on_delivery") == [
        "delivered",
        "refused",
    ]
    assert states.allowed_part_moves("confirmed", PICKUP, "card") == ["ready", "cancelled"]
    assert states.allowed_part_moves("delivered", PICKUP, "card") == []
    assert states.allowed_part_moves("pending", HOME, "card", "pending_payment") == ["cancelled"]
