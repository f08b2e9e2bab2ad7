"""Deep catalog pages, the fix the catalog benchmark led to.

``app.catalog.queries.search_product_ids`` sorts and skips product ids only, then
loads the page's rows with their details: sorting whole rows made page 300 of
10,000 products half as fast as page 1. Pages must still cut the same ordered
list, whatever the sort.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from support.catalog_search import search_products
from support.factories import CategoryFactory, CooperativeFactory, ProductFactory

from app.catalog.queries import SORTS
from app.core.db import utcnow
from app.extensions import db


@pytest.fixture
def shelf():
    """Eleven visible products with repeated prices and listing times (ties to break)."""
    now = utcnow()
    cooperatives = [CooperativeFactory(), CooperativeFactory()]
    category = CategoryFactory()
    products = [
        ProductFactory(
            cooperative=cooperatives[index % 2],
            category=category,
            name=f"Miel d'euphorbe {index}" if index % 3 == 0 else f"Amandes {index}",
            description="miel" if index % 4 == 0 else "",
            price_cents=1000 * (index % 4 + 1),
            created_at=now - timedelta(hours=index % 5),
        )
        for index in range(11)
    ]
    ProductFactory(cooperative=CooperativeFactory(status="pending"), category=category)
    return products


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", [None, "miel"])
def test_pages_of_three_cut_the_whole_ordered_list_for_every_sort(shelf, sort, q):
    everything, total = search_products(q=q, sort=sort, per_page=100)

    pages = [search_products(q=q, sort=sort, page=page, per_page=3)[0] for page in (1, 2, 3, 4, 5)]

    assert [product.id for page in pages for product in page] == [p.id for p in everything]
    assert total == len(everything)
    assert all(product.cooperative.is_verified for product in everything)


def test_the_page_is_cut_from_a_sort_of_product_ids_only(shelf):
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        products, _ = search_products(sort="newest", page=2, per_page=3)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)

    assert len(products) == 3
    (paged,) = [statement for statement in statements if "OFFSET" in statement.upper()]
    selected = re.match(r"\s*SELECT (.*?)\s+FROM products", paged, re.DOTALL)
    assert selected, paged
    # The ids only: no product row is sorted whole. The total is counted apart, unsorted
    # (a window count over the page's query would read and sort every match).
    assert selected.group(1).strip() == "products.id"
    (counted,) = [statement for statement in statements if "count(*)" in statement]
    assert "ORDER BY" not in counted.upper() and "OFFSET" not in counted.upper()
