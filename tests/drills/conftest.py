"""What the drills share: submitting a page's form as a browser would, with extra fields."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from support.url_map import World, build_world


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each schemathesis test (one per API operation) gets its operation in its node id.

    schemathesis names them ``test_x[GET /api/v1/...]``, but pytest 9 builds node ids from
    the original function name alone, so every operation had the same id: pytest-xdist,
    which hands tests to workers by id, then ran one operation of 48 and reported success.
    """
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and item._id.params is None and not item.nodeid.endswith(f"[{label}]"):
            item._id = item._id.with_params(label)


class _FormReader(HTMLParser):
    """The fields of the form whose action ends with `action`, as a browser would send them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").split("?")[0].endswith(self.action)
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"radio", "checkbox"}:
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in {"submit", "file"}:
                self.fields.setdefault(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.fields.setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@pytest.fixture
def form_on():
    """`form_on(client, page, action)`: the fields of the form posting to `action` on `page`,
    filled as rendered (hidden fields, CSRF token, checked and selected choices)."""

    def read(client, page: str, action: str) -> dict[str, str]:
        response = client.get(page)
        assert response.status_code == 200, f"{page}: {response.status_code}"
        reader = _FormReader(action)
        reader.feed(response.get_data(as_text=True))
        assert reader.found, f"no form posting to {action} on {page}"
        return reader.fields

    return read


@pytest.fixture
def stripe_app(app, stripe_settings):
    """The app talks to the local fake Stripe (no client retries: the drills decide)."""
    return app


@pytest.fixture
def in_request(app):
    """Services that read the request's language or config run inside a request context."""
    with app.test_request_context():
        yield


@pytest.fixture
def world(app) -> World:
    """A cooperative with an order part, a payout and its members, a shopper, an outsider
    and an admin; ``world.values`` fills every URL argument of the URL map."""
    return build_world(app)
