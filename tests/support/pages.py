"""Reading pages in tests: the text a person sees, whatever isolates surround amounts."""

from __future__ import annotations

import re

_ISOLATES = re.compile(r"</?bdi[^>]*>")


def without_isolates(html: str) -> str:
    """``html`` without its ``<bdi>`` tags (amounts, phones and codes are isolated on pages),
    so that "Of 120.00 MAD, ..." is found as one sentence."""
    return _ISOLATES.sub("", html)


def hidden(page: str, name: str) -> str:
    """The value of the hidden field ``name`` on the page (attributes in either order)."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, name
    return match.group(1)


def checkout_form(client) -> dict[str, str]:
    """The hidden fields of the checkout page a shopper (or guest) has open: CSRF token and
    the idempotency key that makes a double submit one order."""
    page = client.get("/checkout").get_data(as_text=True)
    return {
        "csrf_token": hidden(page, "csrf_token"),
        "idempotency_key": hidden(page, "idempotency_key"),
    }
