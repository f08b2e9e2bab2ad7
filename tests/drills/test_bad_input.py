"""Hostile input: never a 500. Every route of ``app.url_map``, pages and API alike, gets
ids beyond what a row can have, page numbers and dates out of any range, 5,000-digit
integers, JSON nested 100,000 deep and lone surrogates; each must answer 404 or 422
(400 for JSON that is malformed), never a server error. Runs on SQLite and, with
DATABASE_URL set, on PostgreSQL, whose integer columns refuse what SQLite stores.
"""

from __future__ import annotations

import re
import sys

import pytest
from support.factories import csrf_from, issue_token, login_as
from support.url_map import Route, routes

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: A number with 5,000 digits: beyond Python's default limit on converting digit strings.
HUGE = "9" * 5000
IDS_TOO_LARGE = (str(2**31), str(2**63), str(2**64 + 1), HUGE)
#: What each hostile query argument is tried with (one at a time and all at once).
QUERY_VALUES = {
    "page": ("0", "-1", str(2**31), str(2**63), HUGE, "x"),
    "per_page": ("0", str(2**63), HUGE),
    "from": ("0001-01-01", "9999-12-31", "2026-02-30", "10000-01-01", HUGE),
    "to": ("0001-01-01", "9999-12-31", "9999-12-31T23:59:59"),
    "as_of": ("0001-01-01", "9999-12-31"),
    "fair": (str(2**63), HUGE),
    "cooperative": (str(2**63),),
    "category": (str(2**63),),
    "min_price": (str(2**63),),
    "max_price": ("-" + HUGE,),
    # A lone surrogate cannot be sent in a URL (it is not UTF-8); its bytes can.
    "q": ("%ED%A0%80", "%00"),
}
ALLOWED_FOR_IDS = {404, 405}
#: What an API read may answer to hostile query arguments (403: the admin is no member of
#: the cooperative whose money routes are read).
API_READ_ANSWERS = {200, 403, 404, 422}


def _path(route: Route, values: dict, **overrides: str) -> str:
    """The route's path with each argument filled from `overrides`, else from `values`.

    Written by hand (not ``url_for``) because the URL builder itself refuses what we send.
    """

    def fill(match: re.Match) -> str:
        name = match.group(1).rpartition(":")[2]
        if name in overrides:
            return overrides[name]
        return str(values.get(name, 1))

    return re.sub(r"<([^>]+)>", fill, route.rule.rule)


def _id_arguments(route: Route) -> list[str]:
    converters = route.rule._converters
    return [
        name for name, converter in converters.items() if type(converter).__name__ == "IdConverter"
    ]


class _ServerError:
    """What a request that raised answers (the test app propagates exceptions)."""

    is_json = False

    def __init__(self, error: Exception) -> None:
        self.status_code = 500
        self.error = error


def send(client, path: str, method: str = "GET", **kwargs):
    """The response, or a 500 stand-in naming the exception the app let through."""
    try:
        return client.open(path, method=method, **kwargs)
    except Exception as error:
        return _ServerError(error)


def described(response) -> object:
    """The status, or the exception the app let through."""
    return getattr(response, "error", None) or response.status_code


def expect_none(found: dict[str, object]) -> None:
    if found:
        pytest.fail("\n".join(f"{route}: {status}" for route, status in sorted(found.items())))


def test_ids_beyond_the_largest_row_id_are_a_404_on_every_route(app, client, world):
    with_ids = [route for route in routes(app) if _id_arguments(route)]
    assert len(with_ids) > 40, "the URL map has no <id:...> routes"
    login_as(client, world.admin)
    token = {"Authorization": f"Bearer {issue_token(world.admin)}"}
    answered = {}
    for route in with_ids:
        for name in _id_arguments(route):
            for value in IDS_TOO_LARGE:
                path = _path(route, world.values, **{name: value})
                response = send(client, path, route.method, headers=token, json={})
                if response.status_code not in ALLOWED_FOR_IDS:
                    answered[f"{route} {name}={value[:20]}"] = described(response)

    expect_none(answered)


def test_page_numbers_dates_and_long_numbers_in_the_query_are_never_a_server_error(
    app, client, world, monkeypatch
):
    """Every GET route gets all the hostile arguments at once, then each hostile value of
    each argument the route reads (a route that never looks at `page` cannot trip on it:
    skipping those cuts the drill from minutes of requests to seconds)."""
    readable = [route for route in routes(app) if route.method == "GET"]
    login_as(client, world.admin)
    token = {"Authorization": f"Bearer {issue_token(world.admin)}"}
    everything = "&".join(f"{name}={values[0]}" for name, values in QUERY_VALUES.items())
    read = _recording_argument_reads(app, monkeypatch)
    failed = {}
    for route in readable:
        base = _path(route, world.values)
        read.clear()
        queries = [everything]
        response = send(client, f"{base}?{everything}", headers=token)
        for name in QUERY_VALUES if ALL_ARGUMENTS in read else sorted(read & QUERY_VALUES.keys()):
            queries += [f"{name}={value}" for value in QUERY_VALUES[name]]
        for query in queries:
            if query is not everything:
                response = send(client, f"{base}?{query}", headers=token)
            if response.status_code >= 500 or (
                route.is_api and response.status_code not in API_READ_ANSWERS
            ):
                failed[f"{route} ?{query[:60]}"] = described(response)

    expect_none(failed)


#: Recorded when a route walks its query arguments rather than asking for one by name.
ALL_ARGUMENTS = "*"
#: Code that walks every request's arguments whatever the route: the request guard (which
#: checks each value) and the catalog cache (whose key holds them). The first request,
#: with every argument at once, goes through them on each route.
WALKS_EVERY_REQUEST = ("app/web/request_guards.py", "app/catalog/cache.py")


def _recording_argument_reads(app, monkeypatch) -> set[str]:
    """The names of the query arguments the requests read, gathered in the returned set."""
    read: set[str] = set()

    def walked() -> None:
        caller = sys._getframe(2).f_code.co_filename
        if not caller.endswith(WALKS_EVERY_REQUEST):
            read.add(ALL_ARGUMENTS)

    class RecordingArguments(app.request_class.parameter_storage_class):
        def __getitem__(self, key):
            read.add(key)
            return super().__getitem__(key)

        def get(self, key, *args, **kwargs):
            read.add(key)
            return super().get(key, *args, **kwargs)

        def getlist(self, key, *args, **kwargs):
            read.add(key)
            return super().getlist(key, *args, **kwargs)

        def __contains__(self, key):
            read.add(key)
            return super().__contains__(key)

        def __iter__(self):
            walked()
            return super().__iter__()

        def items(self, *args, **kwargs):
            walked()
            return super().items(*args, **kwargs)

        def lists(self):
            walked()
            return super().lists()

        def to_dict(self, *args, **kwargs):
            walked()
            return super().to_dict(*args, **kwargs)

        def keys(self):
            walked()
            return super().keys()

        def values(self):
            walked()
            return super().values()

    monkeypatch.setattr(app.request_class, "parameter_storage_class", RecordingArguments)
    return read


def _json_bodies() -> dict[str, bytes]:
    return {
        "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
        "nested objects 100,000 deep": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "a lone surrogate": b'{"name": "\\ud800", "note": "x\\udfffy", "to": "confirmed"}',
        "a 5,000-digit integer": b'{"quantity": ' + HUGE.encode() + b', "amount": 1}',
        "a 5,000-digit float": b'{"quantity": 1.' + HUGE.encode() + b"}",
        "not JSON": b'{"quantity": ',
        "a NUL character": b'{"name": "a\\u0000b", "note": "x"}',
    }


#: What each body gets on every route, whatever the route does (None: anything but a 5xx;
#: a 5,000-digit float is a float, taken or refused by the route's own schema).
EXPECTED_FOR = {
    "nested 100,000 deep": 400,
    "nested objects 100,000 deep": 400,
    "a lone surrogate": 400,
    "not JSON": 400,
    "a 5,000-digit integer": 422,
    "a NUL character": 422,
    "a 5,000-digit float": None,
}


def test_hostile_json_bodies_are_refused_on_every_api_write_never_with_a_server_error(
    app, client, world
):
    writes = [route for route in routes(app) if route.method in WRITE_METHODS and route.is_api]
    assert len(writes) > 20
    token = {"Authorization": f"Bearer {issue_token(world.admin)}"}
    answered = {}
    for route in writes:
        path = _path(route, world.values)
        for what, body in _json_bodies().items():
            response = send(
                client,
                path,
                route.method,
                data=body,
                headers={**token, "Content-Type": "application/json"},
            )
            status = response.status_code
            expected = EXPECTED_FOR.get(what)
            if status >= 500 or not response.is_json:
                answered[f"{route} with {what}"] = described(response)
            elif expected is not None and status != expected:
                answered[f"{route} with {what} ({expected} expected)"] = status

    expect_none(answered)


def test_hostile_json_to_the_stripe_webhook_is_a_400(app, client):
    for what, body in _json_bodies().items():
        response = client.post(
            "/webhooks/stripe", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, what


def test_hostile_form_posts_are_never_a_server_error_on_any_page(app, client, world):
    """Pages take forms, not JSON: every field name a form of ours uses is sent with a
    5,000-digit number, an id beyond the largest and a date out of range."""
    writes = [route for route in routes(app) if route.method in WRITE_METHODS and not route.is_api]
    login_as(client, world.admin)
    fields = [
        "product_id",
        "quantity",
        "amount",
        "price",
        "stock",
        "category_id",
        "cooperative_id",
        "user_id",
        "commission_bps",
        "solidarity_bps",
        "min_fee_cents",
        "max_fee_cents",
        "producer_floor_bps",
        "priority",
        "valid_from",
        "valid_to",
        "starts_on",
        "ends_on",
        "from",
        "to",
        "as_of",
        "line_id",
        "part_id",
    ]
    failed = {}
    for route in writes:
        path = _path(route, world.values)
        login_as(client, world.admin)  # logging out is one of the routes
        token = csrf_from(client, "/account")
        for value in (HUGE, str(2**63), "0001-01-01", "9999-12-31", "a\x00b"):
            data = {name: value for name in fields}
            data["csrf_token"] = token
            response = send(client, path, route.method, data=data)
            if response.status_code >= 500:
                failed[f"{route} with {value[:20]}"] = described(response)

    expect_none(failed)


def test_a_form_part_whose_name_cannot_be_read_is_not_a_server_error(app, client, world):
    """Found by schemathesis: a multipart part named ``"\\"`` reaches Flask with no name."""
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="\\"\r\n\r\n373\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    token = {"Authorization": f"Bearer {issue_token(world.owner)}"}

    response = send(
        client,
        f"/api/v1/products/{world.values['product_id']}/image",
        "POST",
        data=body,
        headers={**token, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.status_code == 422, described(response)
