"""Refunds by lines and by amount, card and cash, with the ledger balanced throughout."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.factories import AdminFactory, CooperativeFactory, ProductFactory

from app.core.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.ledger.queries import balance, cooperative_balance
from app.orders.services import move_part
from app.payments import services
from app.payments.errors import PaymentGatewayError, RefundExceedsPaid
from app.payments.models import Refund
from app.payments.refunds import LineRequest


def refund_count() -> int:
    return db.session.scalar(select(func.count(Refund.id)))


def deliver(part, member) -> None:
    for status in ("confirmed", "shipped", "delivered"):
        move_part(part, status, member=member)


@pytest.fixture
def paid(shop, shopper, product_with_owner, admin):
    """A paid card order: 3 bottles of oil at 120.00 from one cooperative, shipping 30.00."""
    oil, owner = product_with_owner(price_cents=12000, stock=10)
    order = shop.paid_order(shopper, {oil: 3})
    return order, oil, owner


def test_partial_then_full_refund_by_lines_reverses_the_payment_exactly(
    shop, paid, admin, fake_stripe
):
    order, oil, _owner = paid
    part = order.parts[0]
    line = part.lines[0]
    coop = part.cooperative_id
    assert cooperative_balance(coop) == (part.producer_cents, 0)

    first = services.refund(
        order,
        admin,
        lines=[LineRequest(line.id, 1)],
        reason="Bouteille cassée",
        funded_by="cooperative",
    )
    assert first.amount_cents == 12000
    assert (first.producer_cents, first.platform_cents, first.solidarity_cents) == (11040, 840, 120)
    assert order.status == "paid" and line.refunded_quantity == 1
    assert shop.stripe_clearing() == -(order.total_cents - 12000)
    shop.assert_books_balance()

    rest = services.refund(
        order,
        admin,
        lines=[LineRequest(line.id, 2)],
        reason="Le reste aussi",
        funded_by="cooperative",
    )

    # The part had not left the cooperative: it is cancelled and its shipping refunded too.
    assert rest.amount_cents == 2 * 12000 + 3000
    assert order.status == "refunded"
    assert [p.status for p in order.parts] == ["cancelled"]
    for code in ("clearing:stripe", "platform:revenue", "platform:solidarity_fund"):
        assert balance(code) == 0
    assert cooperative_balance(coop) == (0, 0)
    shop.assert_books_balance()
    charge = fake_stripe.get(fake_stripe.get(shop.payment_of(order).intent_id)["latest_charge"])
    assert charge["amount_refunded"] == order.total_cents
    assert shop.payment_of(order).amount_refunded_cents == order.total_cents
    assert shop.stock_of(oil) == 10  # the part had not left: every unit is back


def test_partial_then_full_refund_by_amount(shop, paid, admin):
    order, _oil, owner = paid
    part = order.parts[0]
    deliver(part, owner)
    assert order.status == "completed"

    services.refund(
        order, admin, part_id=part.id, amount_cents=10001, reason="Geste", funded_by="cooperative"
    )
    assert order.status == "completed"
    shop.assert_books_balance()
    services.refund(
        order,
        admin,
        part_id=part.id,
        amount_cents=order.total_cents - 10001,
        reason="Retour",
        funded_by="cooperative",
    )

    assert order.status == "refunded"
    assert part.status == "delivered"
    assert cooperative_balance(part.cooperative_id) == (0, 0)
    assert balance("platform:revenue") == balance("platform:solidarity_fund") == 0
    assert shop.stripe_clearing() == 0
    shop.assert_books_balance()


def test_a_refund_beyond_what_was_paid_is_refused_and_changes_nothing(
    shop, paid, admin, fake_stripe
):
    order, _oil, _owner = paid
    part, line = order.parts[0], order.parts[0].lines[0]
    services.refund(
        order, admin, lines=[LineRequest(line.id, 2)], reason="x", funded_by="cooperative"
    )
    refunds_asked = len(fake_stripe.requests_to("POST", "/v1/refunds"))

    with pytest.raises(RefundExceedsPaid) as too_many_units:
        services.refund(
            order, admin, lines=[LineRequest(line.id, 2)], reason="x", funded_by="cooperative"
        )
    with pytest.raises(RefundExceedsPaid) as too_much:
        services.refund(
            order,
            admin,
            part_id=part.id,
            amount_cents=order.total_cents - 24000 + 1,
            reason="x",
            funded_by="platform",
        )

    assert too_many_units.value.status == too_much.value.status == 409
    assert too_much.value.code == "refund_exceeds_paid"
    assert refund_count() == 1
    assert line.refunded_quantity == 2
    assert len(fake_stripe.requests_to("POST", "/v1/refunds")) == refunds_asked


def test_nothing_is_refunded_before_the_card_is_charged(shop, shopper, admin):
    order = shop.card_order(shopper, {ProductFactory(): 1})
    with pytest.raises(RefundExceedsPaid):
        services.refund(
            order,
            admin,
            part_id=order.parts[0].id,
            amount_cents=100,
            reason="x",
            funded_by="platform",
        )


def test_a_goodwill_refund_comes_from_the_platform_revenue_only(shop, paid, admin):
    order, _oil, _owner = paid
    part = order.parts[0]
    revenue_before = balance("platform:revenue")

    refund = services.refund(
        order, admin, part_id=part.id, amount_cents=2000, reason="Retard", funded_by="platform"
    )

    assert (refund.producer_cents, refund.platform_cents, refund.solidarity_cents) == (0, 2000, 0)
    assert balance("platform:revenue") == revenue_before - 2000
    assert cooperative_balance(part.cooperative_id) == (part.producer_cents, 0)
    shop.assert_books_balance()


def test_stock_comes_back_only_for_units_marked_returned(shop, paid, admin):
    order, oil, owner = paid
    part, line = order.parts[0], order.parts[0].lines[0]
    deliver(part, owner)
    stock = shop.stock_of(oil)

    services.refund(
        order, admin, lines=[LineRequest(line.id, 1)], reason="x", funded_by="cooperative"
    )
    assert shop.stock_of(oil) == stock
    services.refund(
        order,
        admin,
        lines=[LineRequest(line.id, 1, restock=True)],
        reason="Retour",
        funded_by="cooperative",
    )
    assert shop.stock_of(oil) == stock + 1


def test_a_refund_of_released_earnings_debits_the_available_balance(shop, paid, admin):
    from app.ledger.operations import Entry, post

    order, _oil, _owner = paid
    part = order.parts[0]
    coop = part.cooperative_id
    post(
        "release",
        f"release:part:{part.id}",
        [
            Entry(f"coop:{coop}:pending", -part.producer_cents),
            Entry(f"coop:{coop}:available", part.producer_cents),
        ],
        refs={"cooperative_order_id": part.id},
    )

    services.refund(
        order, admin, part_id=part.id, amount_cents=1000, reason="x", funded_by="cooperative"
    )

    pending, available = cooperative_balance(coop)
    assert pending == 0 and available < part.producer_cents


def test_a_cash_refund_is_recorded_without_stripe(
    shop, shopper, product_with_owner, admin, fake_stripe
):
    honey, owner = product_with_owner(price_cents=9000, stock=5)
    order = shop.checkout(shopper, {honey: 2}, payment="cash_on_delivery")
    part = order.parts[0]
    with pytest.raises(RefundExceedsPaid):
        services.refund(
            order, admin, part_id=part.id, amount_cents=100, reason="x", funded_by="cooperative"
        )
    deliver(part, owner)
    assert part.cash_collected_cents == part.total_cents
    available_before = cooperative_balance(part.cooperative_id)[1]

    refund = services.refund(
        order,
        admin,
        lines=[LineRequest(part.lines[0].id, 1, restock=True)],
        reason="Pot fêlé",
        funded_by="cooperative",
    )

    assert refund.method == "cash" and refund.stripe_refund_id is None
    assert balance("clearing:cash") == 9000
    assert cooperative_balance(part.cooperative_id)[1] == available_before - refund.producer_cents
    assert fake_stripe.requests_to("POST", "/v1/refunds") == []
    assert shop.stock_of(honey) == 4
    shop.assert_books_balance()


def test_stripe_refusing_the_refund_records_nothing(shop, paid, admin, fake_stripe):
    order, _oil, _owner = paid
    fake_stripe.fail_next("POST", "/v1/refunds", error_type="api_error")

    with pytest.raises(PaymentGatewayError):
        services.refund(
            order,
            admin,
            part_id=order.parts[0].id,
            amount_cents=500,
            reason="x",
            funded_by="cooperative",
        )

    assert refund_count() == 0
    assert order.status == "paid"
    shop.assert_books_balance()


def test_only_admins_refund_and_they_give_a_reason(shop, paid, shopper):
    order, _oil, owner = paid
    part = order.parts[0]
    for someone in (shopper, owner):
        with pytest.raises(Forbidden):
            services.refund(
                order, someone, part_id=part.id, amount_cents=1, reason="x", funded_by="platform"
            )
    with pytest.raises(ValidationFailed) as no_reason:
        services.refund(
            order,
            AdminFactory(),
            part_id=part.id,
            amount_cents=1,
            reason="  ",
            funded_by="platform",
        )
    assert "reason" in no_reason.value.fields


def test_lines_of_two_cooperatives_are_refunded_separately(shop, shopper, admin):
    oil = ProductFactory(cooperative=CooperativeFactory())
    honey = ProductFactory(cooperative=CooperativeFactory())
    order = shop.paid_order(shopper, {oil: 1, honey: 1})
    lines = [LineRequest(part.lines[0].id, 1) for part in order.parts]

    with pytest.raises(ValidationFailed):
        services.refund(order, admin, lines=lines, reason="x", funded_by="cooperative")


def test_a_refund_made_in_stripe_is_reconciled_once_and_ours_are_not_counted_twice(
    shop, paid, admin, fake_stripe, stripe_client
):
    order, _oil, _owner = paid
    ours = services.refund(
        order,
        admin,
        part_id=order.parts[0].id,
        amount_cents=1500,
        reason="x",
        funded_by="cooperative",
    )
    known = shop.send(fake_stripe.refund_event(ours.stripe_refund_id))
    assert known.get_json()["outcome"] == "refunds_known"
    assert refund_count() == 1

    intent_id = shop.payment_of(order).intent_id
    outside = stripe_client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 700})
    event = fake_stripe.refund_event(outside.id)
    first = shop.send(event)
    shop.send(event)

    assert first.get_json()["outcome"] == "outside_refund_recorded"
    recorded = db.session.scalars(select(Refund).where(Refund.stripe_refund_id == outside.id)).one()
    assert (recorded.amount_cents, recorded.funded_by, recorded.part_id) == (700, "platform", None)
    assert shop.payment_of(order).amount_refunded_cents == 1500 + 700
    assert shop.stripe_clearing() == -(order.total_cents - 2200)
    shop.assert_books_balance()
