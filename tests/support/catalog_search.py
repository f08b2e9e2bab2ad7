"""Search results as products, for tests that read what a search finds.

The pages and the API read ``search_product_ids`` and then plain rows
(``app.catalog.summaries``); tests compare products, so they load them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.catalog.models import Product
from app.catalog.queries import search_product_ids
from app.extensions import db


def search_products(**filters: Any) -> tuple[list[Product], int]:
    """``search_product_ids`` with the page's products loaded, in the search's order."""
    ids, total = search_product_ids(**filters)
    if not ids:
        return [], total
    statement = (
        select(Product)
        .where(Product.id.in_(ids))
        .options(
            joinedload(Product.cooperative),
            joinedload(Product.category),
            selectinload(Product.labels),
        )
    )
    loaded = {product.id: product for product in db.session.scalars(statement).unique()}
    return [loaded[product_id] for product_id in ids], total
