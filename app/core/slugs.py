"""URL names made from what people call things: "Huile d'olive" -> "huile-d-olive"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by dashes ("Aït Taguella" -> "ait-taguella"); may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def unique_slug(
    column: InstrumentedAttribute[str],
    name: str,
    *,
    max_length: int,
    fallback: str,
    reserved: Set[str] = frozenset(),
) -> str:
    """A slug of ``name`` that no row uses in ``column`` yet: "tighza", "tighza-2"...

    ``fallback`` when ``name`` has no ASCII letter or digit (an Arabic name); ``reserved``
    slugs are taken by the site's own pages.
    """
    base = slugify(name)[:max_length].strip("-") or fallback
    taken = set(
        db.session.scalars(select(column).where((column == base) | column.like(f"{base}-%")))
    )
    taken |= reserved
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
