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
