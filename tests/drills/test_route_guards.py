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

import pytest
from flask import Flask
from support.factories import login_as
from support.url_map import Route, World, routes, url

from app.accounts.models import User

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: API writes that anyone may call without credentials, and why.
PUBLIC_API_WRITES = {
    ("POST", "/api/v1/auth/register"): "anyone may open an account",
    ("POST", "/api/v1/auth/token"): "trades an email and password for a token",
    ("POST", "/api/v1/auth/password-reset"): "e-mails a reset link; says the same for any address",
    ("POST", "/api/v1/auth/password-reset/confirm"): "the e-mailed single-use token is the key",
    ("PUT", "/api/v1/cart/items/<id:product_id>"): "a visitor's cart lives in their session",
    ("DELETE", "/api/v1/cart/items/<id:product_id>"): "a visitor's cart lives in their session",
    ("POST", "/api/v1/checkout/quote"): "quotes the caller's own cart and changes nothing",
}
#: Writes that check a credential of their own instead of a user's.
SIGNED_WRITES = {("POST", "/webhooks/stripe"): "Stripe-Signature, checked before anything"}

#: URL arguments that name an object belonging to one cooperative (or to one shopper).
OWNED_ARGUMENTS = frozenset({"cooperative_id", "part_id", "product_id", "payout_id", "number"})
#: Routes with such an argument that are meant for everyone, and why.
NOT_OWNED = {
    ("GET", "/api/v1/cooperatives/<id:cooperative_id>"): "public profile of a verified coop",
    ("GET", "/api/v1/products/<id:product_id>"): "public product",
    ("GET", "/products/<id:product_id>"): "public product page",
    ("PUT", "/api/v1/cart/items/<id:product_id>"): "the caller's own cart",
    ("DELETE", "/api/v1/cart/items/<id:product_id>"): "the caller's own cart",
    ("POST", "/cart/items/<id:product_id>"): "the caller's own cart",
    ("POST", "/cart/items/<id:product_id>/remove"): "the caller's own cart",
    ("POST", "/confirm-order/<token>/parts/<id:part_id>"): "the signed link is the key",
}


# Fixtures ----------------------------------------------------------------------------------


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
        "PUT /api/v1/cart/items/<id:product_id>": 422,
        "DELETE /api/v1/cart/items/<id:product_id>": 200,
        "POST /api/v1/checkout/quote": 422,
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
