"""Products as plain rows for lists: only the columns a summary shows, no ORM objects.

A page of 24 products read through the ORM spent most of its time building
objects (and their cooperative, category and labels) that the list then turned
into dicts. Here one query reads the summary's columns, names already in the
reader's language (the JSON path of the translation, falling back to the
default), and one more reads the labels. Both are catalog reads: a read replica serves
them when one is configured (app/core/replica.py).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from app.catalog.models import Category, Product, ProductLabel
from app.catalog.units import unit_text
from app.cooperatives.models import Cooperative
from app.core.replica import read_session


def _in_language(column: Any, field: str, language: str) -> Any:
    """The translation of ``field`` in ``language`` if there is one, else the default column."""
    owner = column.class_
    return func.coalesce(func.nullif(owner.translations[(language, field)].as_string(), ""), column)


def product_rows(product_ids: Sequence[int], language: str) -> list[dict[str, Any]]:
    """The summary of each product, in the order of ``product_ids`` (missing ones left out).

    Keys: ``id, slug, name, description, price_cents, stock, unit, image_path,
    image_width, image_height, origin_province, category_id, category_slug,
    category_name, cooperative_id, cooperative_name, province`` (the cooperative's),
    ``legal_form, labels`` (kinds). Two queries whatever the number of products.
    """
    if not product_ids:
        return []
    ids = {"ids": list(product_ids)}
    rows = {
        row["id"]: dict(row) for row in read_session().execute(_summaries(language), ids).mappings()
    }
    for row in rows.values():
        row["unit"] = unit_text(row.pop("unit_code"), row.pop("unit_quantity"))
        row["labels"] = []
    for product_id, kind in read_session().execute(_LABELS, ids):
        rows[product_id]["labels"].append(kind)
    return [rows[product_id] for product_id in product_ids if product_id in rows]


_LABELS = (
    select(ProductLabel.product_id, ProductLabel.kind)
    .where(ProductLabel.product_id.in_(bindparam("ids", expanding=True)))
    .order_by(ProductLabel.id)
)


@functools.cache
def _summaries(language: str) -> Select:
    """The summary query in ``language`` (built once per language; the ids are a parameter)."""
    return (
        select(
            Product.id,
            Product.slug,
            _in_language(Product.name, "name", language).label("name"),
            _in_language(Product.description, "description", language).label("description"),
            Product.price_cents,
            Product.stock,
            Product.unit_code,
            Product.unit_quantity,
            Product.image_path,
            Product.image_width,
            Product.image_height,
            Product.origin_province,
            Product.category_id,
            Category.slug.label("category_slug"),
            _in_language(Category.name, "name", language).label("category_name"),
            Product.cooperative_id,
            _in_language(Cooperative.name, "name", language).label("cooperative_name"),
            Cooperative.province,
            Cooperative.legal_form,
        )
        .join(Category, Category.id == Product.category_id)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(Product.id.in_(bindparam("ids", expanding=True)))
    )


def stock_of(product_ids: Sequence[int]) -> dict[int, int]:
    """Product id -> units on hand now (one query): what cached pages show fresh."""
    if not product_ids:
        return {}
    rows = read_session().execute(
        select(Product.id, Product.stock).where(Product.id.in_(list(product_ids)))
    )
    return {product_id: stock for product_id, stock in rows}
