from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from flask import session
from flask_login import login_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.factories import (
    CartItemFactory,
    CooperativeFactory,
    FairFactory,
    ProductFactory,
    StandFactory,
    UserFactory,
)

from app.cart.carts import SESSION_KEY, GuestCart, ShopperCart, cart_for, guest_quantities
from app.cart.errors import CartFull, OutOfStock, ProductNotForSale
from app.cart.queries import cart_contents
from app.cart.services import (
    MAX_LINES,
    add_to_cart,
    merge_guest_cart,
    remove_from_cart,
    set_cart_quantity,
)
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.extensions import db


def test_adding_to_a_shoppers_cart_keeps_the_line_in_the_database(shopper):
    product = ProductFactory(stock=5)
    cart = ShopperCart(shopper.id)

    add_to_cart(cart, product.id, 2)
    add_to_cart(cart, product.id, 1)

    assert ShopperCart(shopper.id).quantities() == {product.id: 3}


def test_a_guest_cart_lives_in_the_session_mapping():
    product = ProductFactory(stock=5)
    store: dict = {}

    add_to_cart(GuestCart(store), product.id, 2)

    assert store[SESSION_KEY] == {str(product.id): 2}
    assert GuestCart(store).quantities() == {product.id: 2}


def test_quantity_above_stock_is_refused_as_out_of_stock(shopper):
    product = ProductFactory(stock=3)
    cart = ShopperCart(shopper.id)
    add_to_cart(cart, product.id, 3)

    with pytest.raises(OutOfStock) as raised:
        add_to_cart(cart, product.id, 1)

    assert raised.value.status == 409
    assert raised.value.code == "out_of_stock"
    assert cart.quantities() == {product.id: 3}


@pytest.mark.parametrize("quantity", [-1, -50, True, "2", 1.5, 1000])
def test_quantities_below_zero_or_not_whole_numbers_are_refused(shopper, quantity):
    product = ProductFactory(stock=5)
    with pytest.raises(ValidationFailed) as raised:
        set_cart_quantity(ShopperCart(shopper.id), product.id, quantity)
    assert "quantity" in raised.value.fields


def test_setting_zero_removes_the_line(shopper):
    product = ProductFactory(stock=5)
    cart = ShopperCart(shopper.id)
    add_to_cart(cart, product.id, 2)

    set_cart_quantity(cart, product.id, 0)

    assert cart.quantities() == {}


def test_remove_takes_the_line_out_even_when_the_product_left_the_catalog(shopper):
    product = ProductFactory(stock=5)
    cart = ShopperCart(shopper.id)
    add_to_cart(cart, product.id, 2)
    product.status = "archived"
    db.session.commit()

    remove_from_cart(cart, product.id)

    assert cart.quantities() == {}


@pytest.mark.parametrize(
    "change",
    [
        lambda p: setattr(p, "status", "draft"),
        lambda p: setattr(p, "hidden_at", utcnow()),
        lambda p: setattr(p.cooperative, "status", "suspended"),
    ],
    ids=["draft", "hidden", "cooperative-suspended"],
)
def test_products_not_on_sale_cannot_be_added(shopper, change):
    product = ProductFactory(stock=5)
    change(product)
    db.session.flush()

    with pytest.raises(ProductNotForSale) as raised:
        add_to_cart(ShopperCart(shopper.id), product.id, 1)
    assert raised.value.status == 404


def test_a_cart_holds_a_bounded_number_of_products():
    store: dict = {}
    cart = GuestCart(store)
    cooperative = CooperativeFactory()
    products = [ProductFactory(cooperative=cooperative) for _ in range(MAX_LINES + 1)]
    for product in products[:MAX_LINES]:
        add_to_cart(cart, product.id, 1)

    with pytest.raises(CartFull):
        add_to_cart(cart, products[-1].id, 1)


def test_tampered_session_cart_values_are_ignored():
    store = {SESSION_KEY: {"12": 2, "abc": 1, "13": -4, "14": "9", "15": 1.5, "16": True}}
    assert guest_quantities(store) == {12: 2}
    assert guest_quantities({SESSION_KEY: ["not", "a", "dict"]}) == {}


def test_cart_for_a_guest_is_the_session_and_for_a_shopper_the_database(shopper):
    class Anonymous:
        is_authenticated = False

    assert isinstance(cart_for(Anonymous(), {}), GuestCart)
    assert isinstance(cart_for(None, {}), GuestCart)
    assert isinstance(cart_for(shopper, {}), ShopperCart)


def test_logging_in_merges_the_guest_cart_into_the_shoppers_cart():
    user = UserFactory()
    both = ProductFactory(stock=4)
    guest_only = ProductFactory(stock=9)
    gone = ProductFactory(stock=9, status="archived")
    CartItemFactory(user_id=user.id, product=both, quantity=3)
    session[SESSION_KEY] = {str(both.id): 3, str(guest_only.id): 2, str(gone.id): 1}

    login_user(user)

    # 3 + 3 is capped at the 4 in stock; a product no longer on sale is dropped.
    assert ShopperCart(user.id).quantities() == {both.id: 4, guest_only.id: 2}
    assert SESSION_KEY not in session


def test_merging_an_empty_guest_cart_changes_nothing(shopper):
    product = ProductFactory()
    CartItemFactory(user_id=shopper.id, product=product, quantity=2)
    merge_guest_cart(shopper.id, {})
    assert ShopperCart(shopper.id).quantities() == {product.id: 2}


def test_contents_group_lines_by_cooperative_with_prices_from_the_database(shopper):
    olive = CooperativeFactory(name="Tighza", shipping_fee_cents=3000)
    honey = CooperativeFactory(name="Amal", offers_home_delivery=False)
    oil = ProductFactory(cooperative=olive, price_cents=12000, stock=5)
    jar = ProductFactory(cooperative=honey, price_cents=9000, stock=5)
    cart = ShopperCart(shopper.id)
    add_to_cart(cart, oil.id, 2)
    add_to_cart(cart, jar.id, 1)
    oil.price_cents = 13000  # the cooperative changes its price after the shopper added it
    db.session.commit()

    contents = cart_contents(cart)

    assert [group.cooperative.name for group in contents.groups] == ["Amal", "Tighza"]
    amal, tighza = contents.groups
    assert tighza.subtotal_cents == 26000
    assert tighza.delivery_options == ["home_delivery", "coop_pickup"]
    assert tighza.shipping_fee_cents == 3000
    assert amal.delivery_options == ["coop_pickup"]
    assert contents.total_cents == 26000 + 9000


def test_stand_pickup_is_offered_only_while_a_fair_with_its_stand_is_open(shopper):
    exhibitor = CooperativeFactory()
    absent = CooperativeFactory()
    StandFactory(cooperative=exhibitor, fair=FairFactory())
    closed_fair = FairFactory(
        starts_on=date.today() - timedelta(days=30), ends_on=date.today() - timedelta(days=20)
    )
    StandFactory(cooperative=absent, fair=closed_fair)
    cart = ShopperCart(shopper.id)
    add_to_cart(cart, ProductFactory(cooperative=exhibitor).id, 1)
    add_to_cart(cart, ProductFactory(cooperative=absent).id, 1)

    contents = cart_contents(cart)

    assert "stand_pickup" in contents.group_for(exhibitor.id).delivery_options
    assert contents.group_for(exhibitor.id).stand is not None
    assert "stand_pickup" not in contents.group_for(absent.id).delivery_options


def test_lines_no_longer_for_sale_are_listed_apart(shopper):
    product = ProductFactory(stock=5)
    cart = ShopperCart(shopper.id)
    add_to_cart(cart, product.id, 1)
    product.status = "archived"
    db.session.commit()

    contents = cart_contents(cart)

    assert contents.groups == []
    assert [line.product_id for line in contents.unavailable] == [product.id]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.integers(min_value=-3, max_value=12), min_size=1, max_size=12))
def test_a_line_never_holds_more_than_the_stock_nor_less_than_zero(shopper, steps):
    product = ProductFactory(stock=7)
    store: dict = {}
    cart = GuestCart(store)
    for step in steps:
        with contextlib.suppress(OutOfStock, ValidationFailed):
            set_cart_quantity(cart, product.id, step)
        quantity = cart.quantities().get(product.id, 0)
        assert 0 <= quantity <= product.stock
