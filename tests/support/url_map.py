"""The routes of the URL map, and a small marketplace for their URL arguments to land on.

Drills that attack every route (tests/drills/test_route_guards.py,
tests/drills/test_bad_input.py) find them here, so that a route added tomorrow is covered
without anyone remembering to add a test.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from flask import Flask
from werkzeug.routing import Rule

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.cart.services import set_cart_quantity
from app.extensions import db
from app.fees.services import install_default_rules
from app.ledger import codes
from app.ledger.operations import Entry, post
from app.orders.checkout import Address, CheckoutRequest
from app.orders.models import Order
from app.orders.services import place_order
from app.payouts.models import Payout, PayoutBatch
from support.factories import (
    AdminFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
)


@dataclass(frozen=True)
class Route:
    method: str
    rule: Rule

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.rule.rule)

    @property
    def is_api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    @property
    def is_admin(self) -> bool:
        return self.rule.rule.startswith(("/admin", "/api/v1/admin"))

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule}"


def routes(app: Flask) -> list[Route]:
    """Every (method, rule) the app answers, HEAD and OPTIONS aside."""
    found = [
        Route(method, rule)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda route: (route.rule.rule, route.method))


def url(app: Flask, route: Route, values: dict) -> str:
    arguments = {name: values.get(name, 1) for name in route.rule.arguments}
    return app.url_map.bind("localhost").build(route.rule.endpoint, arguments, method=route.method)


@dataclass
class World:
    """Cooperative A with its owner, product, an order part and a payout in a batch;
    cooperative B with its own member; a shopper who ordered from A; an admin."""

    owner: User
    outsider: User
    shopper: User
    stranger: User
    admin: User
    values: dict


def build_world(app: Flask) -> World:
    with app.test_request_context():
        install_default_rules()
        product = ProductFactory(stock=20)
        cooperative = product.cooperative
        owner = MembershipFactory(cooperative=cooperative).user
        outsider = MembershipFactory(cooperative=ProductFactory().cooperative).user
        shopper, stranger, admin = UserFactory(), UserFactory(), AdminFactory()
        cart = ShopperCart(shopper.id)
        set_cart_quantity(cart, product.id, 1)
        order: Order = place_order(
            shopper,
            cart,
            CheckoutRequest(
                "cash_on_delivery",
                {str(cooperative.id): "home_delivery"},
                Address(
                    name="Fatima", line1="12 rue Al Qods", city="Khenifra", postal_code="54000"
                ),
                "0612345678",
                uuid.uuid4().hex,
            ),
        ).order
        post(
            "card_payment",
            f"drill:{uuid.uuid4().hex}",
            [
                Entry(codes.cooperative_available(cooperative.id), 50000),
                Entry(codes.CLEARING_STRIPE, -50000),
            ],
        )
        batch = PayoutBatch(status="open")
        db.session.add(batch)
        db.session.flush()
        payout = Payout(
            cooperative_id=cooperative.id,
            amount_cents=50000,
            method="bank_transfer",
            status="proposed",
            key=f"payout:{cooperative.id}:{uuid.uuid4().hex}",
        )
        db.session.add(payout)
        db.session.commit()
        from app.cooperatives.services import upload_document

        document = upload_document(
            cooperative, owner, "statutes", "statuts.pdf", b"%PDF-1.4\n%%EOF\n"
        )
        today = date.today()
        values = {
            "cooperative_id": cooperative.id,
            "product_id": product.id,
            "part_id": order.parts[0].id,
            "number": order.number,
            "payout_id": payout.id,
            "batch_id": batch.id,
            "user_id": owner.id,
            "fair_id": FairFactory().id,
            "to": "confirmed",
            "year": today.year,
            "month": today.month,
            "slug": cooperative.slug,
            "name": "sales",
            "code": "fr",
            "filename": "none.jpg",
            "document_id": document.id,
            "size": "a4",
            "language": "fr",
        }
        db.session.commit()
        return World(owner, outsider, shopper, stranger, admin, values)
