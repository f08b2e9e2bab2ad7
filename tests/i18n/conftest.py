"""A small marketplace to read in every language: the demo data (names and descriptions in
Arabic, French and English), an order in progress, and readers of every kind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from support.factories import MembershipFactory

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.catalog.models import Product
from app.cooperatives.models import Cooperative, CooperativeStatus
from app.demo.seed import seed_demo
from app.extensions import db
from app.fair.models import Stand
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import Order
from app.orders.services import move_part, place_order

HOME = Address(
    name="فاطمة الزهراء", line1="12، زنقة القدس، حي السلام", city="بني ملال", postal_code="23000"
)


@dataclass
class Marketplace:
    admin: User  # also an owner of `exhibitor`, so the dashboard has something to show
    shopper: User
    exhibitor: Cooperative  # has a stand at the open fair
    other: Cooperative
    order: Order  # cash on delivery from `other`, stand pickup from `exhibitor`


@pytest.fixture
def marketplace(app) -> Marketplace:
    report = seed_demo(cooperatives=2, images=False, log=lambda line: None)
    admin = db.session.scalar(
        select(User).where(User.email == report.accounts_with_role("admin")[0].email)
    )
    shopper = db.session.scalar(
        select(User).where(User.email == report.accounts_with_role("shopper")[0].email)
    )
    verified = db.session.scalars(
        select(Cooperative)
        .where(Cooperative.status == CooperativeStatus.VERIFIED)
        .order_by(Cooperative.id)
    ).all()
    stands = {stand.cooperative_id for stand in db.session.scalars(select(Stand))}
    exhibitor = next(cooperative for cooperative in verified if cooperative.id in stands)
    other = next(cooperative for cooperative in verified if cooperative.id != exhibitor.id)
    MembershipFactory(user=admin, cooperative=exhibitor)
    owner = exhibitor.memberships[0].user

    cart = ShopperCart(shopper.id)
    for cooperative in (exhibitor, other):
        product = db.session.scalars(
            select(Product).where(Product.cooperative_id == cooperative.id, Product.stock > 2)
        ).first()
        set_cart_quantity(cart, product.id, 1)
    choices = {str(exhibitor.id): "stand_pickup", str(other.id): "home_delivery"}
    order = place_order(
        shopper,
        cart,
        CheckoutRequest("cash_on_delivery", choices, HOME, "0612345678", uuid.uuid4().hex),
    ).order
    part = next(part for part in order.parts if part.cooperative_id == exhibitor.id)
    move_part(part, "confirmed", member=owner)
    return Marketplace(admin=admin, shopper=shopper, exhibitor=exhibitor, other=other, order=order)
