from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from support.factories import CooperativeFactory, FairFactory, ProductFactory, StandFactory

from app.cart.carts import ShopperCart
from app.cart.errors import OutOfStock
from app.catalog.models import Product
from app.core.errors import ValidationFailed
from app.extensions import db
from app.fees.services import install_default_rules
from app.orders import checkout as checkout_module
from app.orders import services as order_services
from app.orders.checkout import Address, CheckoutRequest
from app.orders.codes import NUMBER_ALPHABET, new_order_number
from app.orders.errors import ProductsNotForSale
from app.orders.models import Order, OrderLine
from app.orders.services import place_order


def stock_of(product: Product) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product.id))


def order_count() -> int:
    return db.session.scalar(select(func.count(Order.id)))


def test_one_checkout_makes_one_order_with_one_part_per_cooperative(shop, shopper):
    tighza = CooperativeFactory(name="Tighza", shipping_fee_cents=3000)
    amal = CooperativeFactory(name="Amal", shipping_fee_cents=2500)
    oil = ProductFactory(cooperative=tighza, price_cents=12000, stock=5, name="Huile")
    honey = ProductFactory(cooperative=amal, price_cents=9000, stock=4, name="Miel")
    almonds = ProductFactory(cooperative=amal, price_cents=4000, stock=9, name="Amandes")

    order = shop.checkout(
        shopper,
        {oil: 2, honey: 1, almonds: 3},
        delivery={str(tighza.id): "home_delivery", str(amal.id): "coop_pickup"},
    )

    assert order.status == "placed"
    assert order.payment_method == "cash_on_delivery"
    # Parts come in the cart's order: by cooperative name.
    assert [part.cooperative_id for part in order.parts] == [amal.id, tighza.id]
    by_coop = {part.cooperative_id: part for part in order.parts}
    assert by_coop[tighza.id].shipping_cents == 3000
    assert by_coop[tighza.id].subtotal_cents == 24000
    assert by_coop[tighza.id].pickup_code is None
    assert by_coop[amal.id].shipping_cents == 0
    assert by_coop[amal.id].subtotal_cents == 9000 + 12000
    assert re.fullmatch(r"\d{6}", by_coop[amal.id].pickup_code)
    assert order.subtotal_cents == 24000 + 21000
    assert order.shipping_cents == 3000
    assert order.total_cents == 48000
    assert (stock_of(oil), stock_of(honey), stock_of(almonds)) == (3, 3, 6)
    assert ShopperCart(shopper.id).quantities() == {}
    assert order.contact_phone == "+212612345678"
    assert [(e.from_status, e.to_status) for e in order.events] == [(None, "placed")]
    assert all(part.status == "pending" and part.events for part in order.parts)


def test_lines_snapshot_name_price_and_the_fee_split(shop, shopper):
    oil = ProductFactory(price_cents=12000, stock=5, name="Huile d'olive Tighza")

    order = shop.checkout(shopper, {oil: 1})
    line = order.parts[0].lines[0]
    oil.name, oil.price_cents = "Renamed", 99900
    db.session.commit()
    db.session.expire_all()

    line = db.session.get(OrderLine, line.id)
    assert (line.name, line.unit_price_cents, line.quantity, line.total_cents) == (
        "Huile d'olive Tighza",
        12000,
        1,
        12000,
    )
    # Default rule: 8 % of which 1 % to the solidarity fund.
    assert (line.producer_cents, line.platform_cents, line.solidarity_cents) == (11040, 840, 120)
    assert line.fee_rule_id is not None


def test_prices_come_from_the_database_at_checkout_not_from_when_added(shop, shopper):
    oil = ProductFactory(price_cents=12000, stock=5)
    cart = shop.fill(shopper, {oil: 2})
    oil.price_cents = 15000
    db.session.commit()

    order = place_order(
        shopper,
        cart,
        CheckoutRequest(
            "cash_on_delivery",
            {str(oil.cooperative_id): "coop_pickup"},
            shop.home,
            shop.phone,
            "k1",
        ),
    )

    assert order.order.total_cents == 30000
    assert order.order.parts[0].lines[0].unit_price_cents == 15000


def test_card_orders_wait_for_payment_until_they_expire(shop, shopper, app):
    oil = ProductFactory(stock=5)

    order = shop.checkout(shopper, {oil: 1}, payment="card")

    assert order.status == "pending_payment"
    minutes = app.config["CARD_ORDER_TIMEOUT_MINUTES"]
    assert order.expires_at - order.placed_at == timedelta(minutes=minutes)
    assert stock_of(oil) == 4


def test_cash_orders_have_no_expiry(shop, shopper):
    order = shop.checkout(shopper, {ProductFactory(): 1})
    assert order.expires_at is None


def test_stand_pickup_parts_name_the_stand_and_pay_the_fair_rule(shop, shopper):
    fair = FairFactory()
    install_default_rules(fair)
    exhibitor = CooperativeFactory()
    stand = StandFactory(cooperative=exhibitor, fair=fair)
    oil = ProductFactory(cooperative=exhibitor, price_cents=12000)
    order = shop.checkout(
        shopper, {oil: 1}, payment="pay_at_stand", default_delivery="stand_pickup"
    )

    part = order.parts[0]
    assert (part.stand_id, part.fair_id, part.delivery_method) == (
        stand.id,
        fair.id,
        "stand_pickup",
    )
    assert part.pickup_code
    # Exhibitors pay no commission on what is collected at their stand during the fair.
    assert (part.lines[0].producer_cents, part.lines[0].platform_cents) == (12000, 0)


@pytest.mark.parametrize("legal_form", ["association", "mutual", "social_enterprise"])
def test_every_legal_form_pays_what_a_cooperative_pays_at_its_stand(shop, shopper, legal_form):
    """DESIGN.md section 5: the fair's rule outranks the legal-form rule at the stand
    (an association once paid 19,49 + 2,79 DH there while a cooperative paid 0)."""
    fair = FairFactory()
    install_default_rules(fair)
    cooperative = CooperativeFactory(legal_form="cooperative")
    other = CooperativeFactory(legal_form=legal_form)
    StandFactory(cooperative=cooperative, fair=fair)
    StandFactory(cooperative=other, fair=fair)
    honey = ProductFactory(cooperative=cooperative, price_cents=25000)
    oil = ProductFactory(cooperative=other, price_cents=25000)

    order = shop.checkout(
        shopper, {honey: 1, oil: 1}, payment="pay_at_stand", default_delivery="stand_pickup"
    )

    paid = {
        part.cooperative_id: (
            part.lines[0].producer_cents,
            part.lines[0].platform_cents,
            part.lines[0].solidarity_cents,
        )
        for part in order.parts
    }
    assert paid[cooperative.id] == paid[other.id] == (25000, 0, 0)


def test_pay_at_stand_needs_every_part_picked_up_at_a_stand(shop, shopper):
    fair = FairFactory()
    exhibitor = CooperativeFactory()
    StandFactory(cooperative=exhibitor, fair=fair)
    other = CooperativeFactory()
    at_stand = ProductFactory(cooperative=exhibitor)
    shipped = ProductFactory(cooperative=other)

    with pytest.raises(ValidationFailed) as raised:
        shop.checkout(
            shopper,
            {at_stand: 1, shipped: 1},
            payment="pay_at_stand",
            delivery={str(exhibitor.id): "stand_pickup", str(other.id): "home_delivery"},
        )

    assert "payment_method" in raised.value.fields
    assert order_count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "0812345678"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"address": Address(name="", line1="x", city="y", postal_code="23000")}, "address.name"),
        ({"address": Address(name="A", city="Beni Mellal", postal_code="23000")}, "address.line1"),
        ({"address": Address(name="A", line1="x", postal_code="23000")}, "address.city"),
        (
            {"address": Address(name="A", line1="x", city="y", postal_code="2300")},
            "address.postal_code",
        ),
        ({"payment": "bitcoin"}, "payment_method"),
        ({"default_delivery": "teleport"}, None),
    ],
)
def test_bad_checkout_details_are_refused_with_their_field_and_nothing_written(
    shop, shopper, changes, field
):
    oil = ProductFactory(stock=5)

    with pytest.raises(ValidationFailed) as raised:
        shop.checkout(shopper, {oil: 2}, **changes)

    expected = field or f"delivery.{oil.cooperative_id}"
    assert expected in raised.value.fields
    assert raised.value.status == 422
    assert order_count() == 0
    assert stock_of(oil) == 5
    assert ShopperCart(shopper.id).quantities() == {oil.id: 2}


def test_pickups_need_only_a_name_and_a_phone(shop, shopper):
    oil = ProductFactory()
    order = shop.checkout(
        shopper, {oil: 1}, default_delivery="coop_pickup", address=Address(name="Fatima")
    )
    assert order.address_line1 == "" and order.contact_name == "Fatima"


def test_a_delivery_the_cooperative_does_not_offer_is_refused(shop, shopper):
    no_delivery = CooperativeFactory(offers_home_delivery=False)
    oil = ProductFactory(cooperative=no_delivery)
    with pytest.raises(ValidationFailed) as raised:
        shop.checkout(shopper, {oil: 1}, default_delivery="home_delivery")
    assert f"delivery.{no_delivery.id}" in raised.value.fields


def test_stand_pickup_is_refused_when_no_fair_is_open(shop, shopper):
    oil = ProductFactory()
    with pytest.raises(ValidationFailed) as raised:
        shop.checkout(shopper, {oil: 1}, default_delivery="stand_pickup")
    assert f"delivery.{oil.cooperative_id}" in raised.value.fields


def test_an_empty_cart_cannot_be_checked_out(shop, shopper):
    with pytest.raises(ValidationFailed) as raised:
        shop.checkout(shopper, None, delivery={})
    assert "cart" in raised.value.fields


def test_card_is_refused_when_stripe_is_not_configured(shop, shopper, app, monkeypatch):
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    with pytest.raises(ValidationFailed) as raised:
        shop.checkout(shopper, {ProductFactory(): 1}, payment="card")
    assert "payment_method" in raised.value.fields


def test_products_no_longer_for_sale_are_named_and_nothing_is_sold(shop, shopper):
    oil = ProductFactory(stock=5)
    gone = ProductFactory(stock=5, name="Miel retiré")
    cart = shop.fill(shopper, {oil: 1, gone: 1})
    gone.status = "archived"
    db.session.commit()

    with pytest.raises(ProductsNotForSale) as raised:
        place_order(
            shopper,
            cart,
            CheckoutRequest(
                "cash_on_delivery",
                {str(oil.cooperative_id): "home_delivery"},
                shop.home,
                shop.phone,
                "k",
            ),
        )

    assert raised.value.status == 409
    assert raised.value.fields["products"] == ["Miel retiré"]
    assert stock_of(oil) == 5


def test_a_cart_beyond_the_stock_is_refused_naming_the_products(shop, shopper):
    oil = ProductFactory(stock=5, name="Huile")
    cart = shop.fill(shopper, {oil: 5})
    oil.stock = 2
    db.session.commit()

    with pytest.raises(OutOfStock) as raised:
        place_order(
            shopper,
            cart,
            CheckoutRequest(
                "cash_on_delivery",
                {str(oil.cooperative_id): "home_delivery"},
                shop.home,
                shop.phone,
                "k",
            ),
        )

    assert raised.value.code == "out_of_stock"
    assert raised.value.fields["products"] == ["Huile"]


def test_stock_lost_during_checkout_rolls_everything_back(shop, shopper, monkeypatch):
    cooperative = CooperativeFactory()
    first = ProductFactory(cooperative=cooperative, stock=5, name="Premier")
    second = ProductFactory(cooperative=cooperative, stock=5, name="Second")
    cart = shop.fill(shopper, {first: 2, second: 3})
    real_take_stock = checkout_module.take_stock

    def another_shopper_buys_the_second_first(product_id, quantity):
        if product_id == second.id:
            db.session.execute(
                Product.__table__.update().where(Product.id == second.id).values(stock=1)
            )
        return real_take_stock(product_id, quantity)

    monkeypatch.setattr(checkout_module, "take_stock", another_shopper_buys_the_second_first)

    with pytest.raises(OutOfStock) as raised:
        place_order(
            shopper,
            cart,
            CheckoutRequest(
                "cash_on_delivery",
                {str(cooperative.id): "home_delivery"},
                shop.home,
                shop.phone,
                "k",
            ),
        )

    assert raised.value.fields["products"] == ["Second"]
    assert order_count() == 0
    assert stock_of(first) == 5
    assert ShopperCart(shopper.id).quantities() == {first.id: 2, second.id: 3}


def test_the_same_idempotency_key_returns_the_first_order(shop, shopper):
    oil = ProductFactory(stock=5)
    cart = shop.fill(shopper, {oil: 2})
    delivery = {str(oil.cooperative_id): "home_delivery"}

    first = place_order(
        shopper,
        cart,
        CheckoutRequest("cash_on_delivery", delivery, shop.home, shop.phone, "double-click"),
    )
    second = place_order(
        shopper,
        cart,
        CheckoutRequest("cash_on_delivery", delivery, shop.home, shop.phone, "double-click"),
    )

    assert first.created and not second.created
    assert second.order.id == first.order.id
    assert order_count() == 1
    assert stock_of(oil) == 3


def test_a_racing_replay_loses_on_the_unique_key_and_gets_the_first_order(
    shop, shopper, monkeypatch
):
    oil = ProductFactory(stock=5)
    delivery = {str(oil.cooperative_id): "home_delivery"}
    first = shop.checkout(shopper, {oil: 1}, key="race")
    cart = shop.fill(shopper, {oil: 2})
    real_lookup = order_services._order_with_key
    lookups = []

    def lookup_before_the_first_commit(shopper_id, key):
        # The replay looked for the key before the first request had committed.
        lookups.append(key)
        return None if len(lookups) == 1 else real_lookup(shopper_id, key)

    monkeypatch.setattr(order_services, "_order_with_key", lookup_before_the_first_commit)

    replay = place_order(
        shopper, cart, CheckoutRequest("cash_on_delivery", delivery, shop.home, shop.phone, "race")
    )

    assert replay.order.id == first.id and not replay.created
    assert len(lookups) == 2
    assert order_count() == 1
    assert stock_of(oil) == 4
    assert ShopperCart(shopper.id).quantities() == {oil.id: 2}


def test_another_shopper_may_use_the_same_key(shop, shopper):
    from support.factories import UserFactory

    other = UserFactory()
    oil = ProductFactory(stock=5)
    mine = shop.checkout(shopper, {oil: 1}, key="same")
    theirs = shop.checkout(other, {oil: 1}, key="same")
    assert mine.id != theirs.id


@pytest.mark.parametrize("key", ["", "   ", "x" * 65, None])
def test_the_idempotency_key_is_required(shop, shopper, key):
    oil = ProductFactory()
    cart = shop.fill(shopper, {oil: 1})
    with pytest.raises(ValidationFailed) as raised:
        place_order(
            shopper,
            cart,
            CheckoutRequest(
                "cash_on_delivery",
                {str(oil.cooperative_id): "home_delivery"},
                shop.home,
                shop.phone,
                key,
            ),
        )
    assert "idempotency_key" in raised.value.fields


def test_order_numbers_are_public_unique_and_unambiguous(shop, shopper):
    numbers = {shop.checkout(shopper, {ProductFactory(): 1}).number for _ in range(5)}
    assert len(numbers) == 5
    for number in numbers:
        assert re.fullmatch(r"ST-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}", number)


def test_a_drawn_number_already_taken_is_drawn_again(shop, shopper, monkeypatch):
    taken = shop.checkout(shopper, {ProductFactory(): 1}).number
    draws = iter([taken, taken, "ST-NEW234"])
    monkeypatch.setattr(checkout_module, "new_order_number", lambda: next(draws))

    order = shop.checkout(shopper, {ProductFactory(): 1})

    assert order.number == "ST-NEW234"


@given(st.integers(min_value=0, max_value=50))
def test_new_numbers_only_use_the_unambiguous_alphabet(_):
    number = new_order_number()
    assert number.startswith("ST-") and len(number) == 9
    assert set(number[3:]) <= set(NUMBER_ALPHABET)
    assert not set(number[3:]) & set("01OIL")
