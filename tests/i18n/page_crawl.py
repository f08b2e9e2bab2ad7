"""Walk the site's pages as one reader, following links, the way a person would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

_LINK = re.compile(r"""<a\s[^>]*href="([^"#]+)""")
#: Not pages: the API, files, downloads, the language switch and actions behind a link.
_SKIPPED = re.compile(
    r"^/(api|static|media|lang|healthz|readyz|webhooks)\b|\.(csv|pdf|png|jpg|svg)$|/logout"
)


@dataclass(frozen=True)
class Page:
    path: str
    endpoint: str
    html: str


def crawl(
    app: Flask,
    client: FlaskClient,
    start: list[str],
    *,
    per_endpoint: int = 2,
    limit: int = 150,
    headers: dict[str, str] | None = None,
) -> Iterator[Page]:
    """The HTML pages reachable from `start` by links, at most `per_endpoint` pages for
    each route (one product page stands for all) and `limit` in all."""
    adapter = app.url_map.bind("localhost")
    queue = list(start)
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or _SKIPPED.search(urlsplit(path).path):
            continue
        seen.add(path)
        try:
            endpoint = adapter.match(urlsplit(path).path, method="GET")[0]
        except HTTPException:  # a link to no route, or to one that takes no GET: no page
            continue
        if per_route.get(endpoint, 0) >= per_endpoint:
            continue
        per_route[endpoint] = per_route.get(endpoint, 0) + 1
        response = client.get(path, headers=headers)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        yield Page(path, endpoint, html)
        for href in _LINK.findall(html):
            target = urljoin(path, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if not parts.netloc and target not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def walk_as_every_reader(app: Flask, client: FlaskClient, marketplace, language: str):
    """The pages each kind of reader reaches by links in `language`: a visitor, a shopper
    (with a cart, so the checkout too), a member of a cooperative who is not an admin, and
    an admin. `marketplace` is i18n.conftest's. Returns {reader: [Page]}."""
    from i18n.test_pages_in_each_language import LOGGED_OUT, MEMBER_AND_ADMIN, SHOPPER, STOREFRONT
    from sqlalchemy import select
    from support.factories import add_to_cart, login_as

    from app.catalog.models import Product
    from app.extensions import db

    member = marketplace.exhibitor.memberships[0].user
    client.get(f"/lang/{language}")
    pages = {"visitor": list(crawl(app, client, [*STOREFRONT, *LOGGED_OUT], limit=300))}

    login_as(client, marketplace.shopper)
    product = db.session.scalars(
        select(Product).where(Product.cooperative_id == marketplace.other.id, Product.stock > 0)
    ).first()
    add_to_cart(client, product)
    start = [*SHOPPER, f"/orders/{marketplace.order.number}", "/checkout"]
    pages["shopper"] = list(crawl(app, client, start, limit=300))

    login_as(client, member)
    pages["member"] = list(crawl(app, client, ["/dashboard/"], limit=300))
    login_as(client, marketplace.admin)
    pages["admin"] = list(crawl(app, client, MEMBER_AND_ADMIN, limit=300))
    return pages
