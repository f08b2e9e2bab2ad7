"""Hostile input: every route that changes state, and every route that names a
cooperative's object, is found in ``app.url_map`` and attacked, so that a route added
tomorrow is covered without anyone remembering to add a test.

- A logged-in browser that leaves out the CSRF token is refused (400), on pages and on
  the API alike.
- An API write with no credentials at all is a 401, except the few that are public by
  design (listed below with why).
- A route naming a cooperative's object (its id, one of its order parts or products,
  its payouts, an order's number) refuses a shopper and a member of another cooperative,
  while the rightful caller gets through (so the ids are right and the refusal is real).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from support.factories import (
    AdminFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
    login_as,
)
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

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: API writes that anyone may call without credentials, and why.
PUBLIC_API_WRITES = {
    ("POST", "/api/v1/auth/register"): "anyone may open an account",
    ("POST", "/api/v1/auth/token"): "trades an email and password for a token",
    ("POST", "/api/v1/auth/password-reset"): "e-mails a reset link; says the same for any address",
    ("POST", "/api/v1/auth/password-reset/confirm"): "the e-mailed single-use token is the key",
    ("PUT", "/api/v1/cart/items/<int:product_id>"): "a visitor's cart lives in their session",
    ("DELETE", "/api/v1/cart/items/<int:product_id>"): "a visitor's cart lives in their session",
}
#: Writes that check a credential of their own instead of a user's.
SIGNED_WRITES = {("POST", "/webhooks/stripe"): "Stripe-Signature, checked before anything"}

#: URL arguments that name an object belonging to one cooperative (or to one shopper).
OWNED_ARGUMENTS = frozenset({"cooperative_id", "part_id", "product_id", "payout_id", "number"})
#: Routes with such an argument that are meant for everyone, and why.
NOT_OWNED = {
    ("GET", "/api/v1/cooperatives/<int:cooperative_id>"): "public profile of a verified coop",
    ("GET", "/api/v1/products/<int:product_id>"): "public product",
    ("GET", "/products/<int:product_id>"): "public product page",
    ("PUT", "/api/v1/cart/items/<int:product_id>"): "the caller's own cart",
    ("DELETE", "/api/v1/cart/items/<int:product_id>"): "the caller's own cart",
    ("POST", "/cart/items/<int:product_id>"): "the caller's own cart",
    ("POST", "/cart/items/<int:product_id>/remove"): "the caller's own cart",
}


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


# Fixtures ----------------------------------------------------------------------------------


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


@pytest.fixture
def world(app) -> World:
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


def expect_none(found: dict[str, int]) -> None:
    """Fail naming every route (and what it answered) that should not be in `found`."""
    if found:
        pytest.fail("\n".join(f"{route}: {status}" for route, status in sorted(found.items())))


def call(client, method: str, path: str, **kwargs):
    return client.open(path, method=method, **kwargs)


# CSRF and credentials ------------------------------------------------------------------------


def test_every_state_changing_route_refuses_a_logged_in_browser_without_the_csrf_token(
    app, client, world
):
    writes = [
        route
        for route in routes(app)
        if route.method in WRITE_METHODS and route.key not in SIGNED_WRITES
    ]
    assert len(writes) > 40, "the URL map looks empty"
    login_as(client, world.admin)
    answered = {}
    for route in writes:
        path = url(app, route, world.values)
        if route.is_api:
            response = call(client, route.method, path, json={})
        else:
            response = call(client, route.method, path, data={})
        answered[str(route)] = response.status_code

    expect_none({route: status for route, status in answered.items() if status != 400})


def test_every_api_write_without_credentials_is_a_401_unless_public_by_design(app, client, world):
    writes = [
        route
        for route in routes(app)
        if route.method in WRITE_METHODS and (route.is_api or route.key in SIGNED_WRITES)
    ]
    assert len(writes) > 20
    refused, public = {}, {}
    for route in writes:
        response = call(client, route.method, url(app, route, world.values), json={})
        assert response.status_code < 500, f"{route}: {response.status_code}"
        assert response.is_json, f"{route} answered {response.content_type}"
        if route.key in PUBLIC_API_WRITES:
            public[str(route)] = response.status_code
        elif route.key in SIGNED_WRITES:
            assert response.status_code == 400, f"{route} took an unsigned request"
        else:
            refused[str(route)] = response.status_code

    expect_none({route: status for route, status in refused.items() if status != 401})
    # Public ones get through to their own checks: an empty body is not valid, and
    # removing what is not in the cart leaves the cart as it is.
    assert public == {
        "POST /api/v1/auth/register": 422,
        "POST /api/v1/auth/token": 422,
        "POST /api/v1/auth/password-reset": 422,
        "POST /api/v1/auth/password-reset/confirm": 422,
        "PUT /api/v1/cart/items/<int:product_id>": 422,
        "DELETE /api/v1/cart/items/<int:product_id>": 200,
    }


# Objects of one cooperative --------------------------------------------------------------------


def owned_routes(app: Flask) -> list[Route]:
    return [
        route
        for route in routes(app)
        if OWNED_ARGUMENTS & set(route.rule.arguments) and route.key not in NOT_OWNED
    ]


def attempt(app, client, world: World, route: Route, user: User):
    """`user` calls `route` on cooperative A's objects: a token for the API, else a logged-in
    browser with its CSRF token (so that only the ownership check can refuse)."""
    path = url(app, route, world.values)
    if route.is_api:
        from support.factories import issue_token

        headers = {"Authorization": f"Bearer {issue_token(user)}"}
        return call(client, route.method, path, headers=headers, json={})
    login_as(client, user)
    if route.method == "GET":
        return call(client, route.method, path)
    from support.factories import csrf_from

    return call(client, route.method, path, data={"csrf_token": csrf_from(client, "/account")})


REFUSED = {403, 404}


def test_every_route_naming_a_cooperatives_object_refuses_shoppers_and_other_cooperatives(
    app, client, world
):
    owned = owned_routes(app)
    assert len(owned) > 30
    let_through = {}
    for route in owned:
        for who, user in (("shopper", world.stranger), ("other member", world.outsider)):
            status = attempt(app, client, world, route, user).status_code
            if status not in REFUSED:
                let_through[f"{route} as {who}"] = status

    expect_none(let_through)


def test_the_rightful_caller_gets_past_the_guard_of_every_such_route(app, client, world):
    """The positive control: the same ids are not refused to the owner, the shopper whose
    order it is, or an admin for admin routes (so the refusals above are about ownership)."""
    refused = {}
    for route in owned_routes(app):
        if route.is_admin:
            user = world.admin
        elif "number" in route.rule.arguments:
            user = world.shopper
        else:
            user = world.owner
        status = attempt(app, client, world, route, user).status_code
        if status in REFUSED or status >= 500:
            refused[str(route)] = status

    expect_none(refused)
