"""Where a page may send the reader back to: same-site paths only."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and newlines inside URLs and read "\" as "/", so such
# characters could turn "/\evil.example" into a link to another site.
_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site ("/cart?x=1"), else None (open redirects refused)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if _UNSAFE_IN_PATH.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
