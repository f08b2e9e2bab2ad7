"""Shared setup for order tests: a request to run services in, the default fee rules, and
`shop`, which fills a shopper's cart and checks it out through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from support.factories import HOME, MembershipFactory, ProductFactory

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import Order
from app.orders.services import place_order

PHONE = "0612345678"


@pytest.fixture(autouse=True)
def _in_request(app, request):
    if "committing_db" in request.fixturenames:
        yield
        return
    with app.test_request_context():
        yield


@dataclass
class Shop:
    """Fills carts and checks out through app.cart and app.orders services."""

    home = HOME
    phone = PHONE

    def fill(self, shopper: User, lines: dict[Product, int]) -> ShopperCart:
        cart = ShopperCart(shopper.id)
        for product, quantity in lines.items():
            set_cart_quantity(cart, product.id, quantity)
        return cart

    def checkout(
        self,
        shopper: User,
        lines: dict[Product, int] | None = None,
        *,
        payment: str = "cash_on_delivery",
        delivery: dict | None = None,
        default_delivery: str = "home_delivery",
        address: Address = HOME,
        phone: str = PHONE,
        key: str | None = None,
    ) -> Order:
        cart = self.fill(shopper, lines) if lines else ShopperCart(shopper.id)
        if delivery is None:
            cooperative_ids = {product.cooperative_id for product in (lines or {})}
            delivery = {str(cid): default_delivery for cid in cooperative_ids}
        placed = place_order(
            shopper,
            cart,
            CheckoutRequest(payment, delivery, address, phone, key or uuid.uuid4().hex),
        )
        return placed.order


@pytest.fixture
def headers(shopper, api_token):
    """The shopper's bearer token, for the API tests."""
    return api_token(shopper)


@pytest.fixture
def shop(fee_rules) -> Shop:
    return Shop()


@pytest.fixture
def product_with_owner():
    """`product_with_owner(**product_fields)` -> (product, owner of its cooperative)."""

    def make(**fields):
        product = ProductFactory(**fields)
        owner = MembershipFactory(cooperative=product.cooperative).user
        return product, owner

    return make
