"""Hostile input: schemathesis throws generated requests, valid and invalid, at every
operation of /api/v1/openapi.json, as a shopper, a cooperative member and an admin.

What must hold for every one of them: no 5xx (``not_a_server_error``) and the answer
matches what the document says, error bodies included (``response_schema_conformance``,
``status_code_conformance``, ``content_type_conformance``). Bounded to a few examples
per operation (``DRILLS_FULL=1`` for more) so that the whole drill runs in about a minute.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support.factories import (
    AdminFactory,
    FairFactory,
    MembershipFactory,
    ProductFactory,
    StandFactory,
    UserFactory,
)

from app.extensions import db
from app.fees.services import install_default_rules
from app.orders.checkout import Address, CheckoutRequest
from app.orders.services import place_order

FULL = os.environ.get("DRILLS_FULL") == "1"
MAX_EXAMPLES = 25 if FULL else 4
OPENAPI = "/api/v1/openapi.json"


def served_document():
    """The OpenAPI document as the app serves it (a second app, no database needed)."""
    from app import create_app

    return schemathesis.openapi.from_wsgi(
        OPENAPI, create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    )


# schemathesis' lazy fixture loader does not run under pytest 9 (it sets Function._nodeid),
# so the document is loaded at collection; requests go to the test's app at call time.
fuzzed = served_document()
checks_settings = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

#: Besides not_a_server_error, which schemathesis always runs.
CHECKS = [response_schema_conformance, status_code_conformance, content_type_conformance]


def fresh_context(app):
    """The app as WSGI, each request in its own app context as in production (the test's
    own context would otherwise be reused, and with it ``g`` and the logged-in user)."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    return wsgi


@pytest.fixture
def marketplace(app):
    """A small marketplace for generated ids to land on: a verified cooperative with a
    member and products, a fair with its stand, fee rules, and an order placed."""
    with app.test_request_context():
        install_default_rules()
        product = ProductFactory(stock=50)
        member = MembershipFactory(cooperative=product.cooperative).user
        ProductFactory(cooperative=product.cooperative)
        StandFactory(fair=FairFactory(), cooperative=product.cooperative)
        shopper = UserFactory()
        admin = AdminFactory()
        from app.cart.carts import ShopperCart
        from app.cart.services import set_cart_quantity

        cart = ShopperCart(shopper.id)
        set_cart_quantity(cart, product.id, 2)
        place_order(
            shopper,
            cart,
            CheckoutRequest(
                "cash_on_delivery",
                {str(product.cooperative_id): "home_delivery"},
                Address(
                    name="Fatima", line1="12 rue Al Qods", city="Khenifra", postal_code="54000"
                ),
                "0612345678",
                uuid.uuid4().hex,
            ),
        )
        set_cart_quantity(cart, product.id, 1)
        db.session.commit()
        return {"shopper": shopper, "member": member, "admin": admin}


ROLES = ("shopper", "member", "admin")
COVERAGE_SHARE = 4


@pytest.fixture
def coverage_turns() -> Iterator[int]:
    """Counts one operation's coverage cases from zero, so which of them are sent does not
    depend on which operations ran before in the process (under xdist, any of them)."""
    return itertools.count()


def roles_for(case, turns: Iterator[int]) -> tuple[str, ...]:
    """Every role for generated examples. The coverage phase's boundary cases (up to ~200
    per operation) go to one role each in turn, and in CI only one case in COVERAGE_SHARE
    is sent (all of them, as every role, with ``DRILLS_FULL=1``)."""
    if FULL or case.meta is None or case.meta.phase.name.value != "coverage":
        return ROLES
    turn = next(turns)
    if turn % COVERAGE_SHARE:
        return ()
    return (ROLES[(turn // COVERAGE_SHARE) % len(ROLES)],)


@fuzzed.parametrize()
@checks_settings
def test_every_api_operation_answers_each_role_within_its_documented_schema(
    case, app, marketplace, api_token, coverage_turns
):
    target = fresh_context(app)
    for role in roles_for(case, coverage_turns):
        case.call_and_validate(app=target, headers=api_token(marketplace[role]), checks=CHECKS)
