"""Hostile input: schemathesis throws generated requests, valid and invalid, at every
operation of /api/v1/openapi.json, as a shopper, a cooperative member and an admin.

What must hold for every one of them is what ``schemathesis run --checks all`` checks: no
5xx, the answer matching what the document says (status, content type, headers, body,
error bodies included), requests valid by the document accepted and invalid ones refused,
a 405 with its ``Allow`` header for methods a path does not take, and no answer without
the credentials the document asks for. The rules no document can state (across fields,
or on what the server holds) are listed, each with why, in ``schemathesis.toml``, which
schemathesis reads here as in the CLI. Bounded to a few examples per operation
(``DRILLS_FULL=1`` for more) so that the whole drill runs in about a minute.
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
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
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

#: ``--checks all`` but for the stateful ones (use_after_free, ensure_resource_availability,
#: object_level_authorization need a sequence of calls: tests/drills/test_route_guards.py
#: sweeps object-level access instead); not_a_server_error is always run.
CHECKS = [
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    positive_data_acceptance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
]


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
