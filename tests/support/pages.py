"""Reading pages in tests: the text a person sees, whatever isolates surround amounts."""

from __future__ import annotations

import re

_ISOLATES = re.compile(r"</?bdi[^>]*>")


def without_isolates(html: str) -> str:
    """``html`` without its ``<bdi>`` tags (amounts, phones and codes are isolated on pages),
    so that "Of 120.00 MAD, ..." is found as one sentence."""
    return _ISOLATES.sub("", html)
