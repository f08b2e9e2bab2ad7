"""Keeping the search documents up to date with every ORM write, in the same transaction.

A flush that inserts, changes the searched texts of, or deletes a product, a
product label, a cooperative or a category marks the documents it affects;
right after the flush (still inside the transaction, so a rollback undoes
both) those documents are rebuilt from the rows. A change of stock, price or
status touches no document and costs nothing. Registered by the app factory.

Writes that bypass the ORM (bulk loads of the benchmarks) call
``search_index.reindex_everything`` themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event, inspect, text
from sqlalchemy.orm import Session, UOWTransaction

from app.catalog import search_index
from app.catalog.models import Category, Product, ProductLabel
from app.cooperatives.models import Cooperative

#: The columns whose change changes a document (stock, price and status do not).
SEARCHED_FIELDS = {
    Product: ("name", "description", "translations", "category_id", "cooperative_id",
              "origin_commune", "origin_province"),
    Cooperative: ("name", "description", "translations", "commune", "province"),
    Category: ("name", "translations", "parent_id"),
    ProductLabel: ("kind", "product_id"),
}  # fmt: skip
_PENDING = "search_documents_pending"


def watch_search_documents() -> None:
    """Listen to every ORM session (once per process, whatever the number of apps)."""
    for name, listener in (
        ("after_flush", _note_changes),
        ("after_flush_postexec", _rebuild_documents),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _changed(instance: Any) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in SEARCHED_FIELDS[type(instance)])


def _note_changes(session: Session, _flush: UOWTransaction) -> None:
    pending = session.info.setdefault(
        _PENDING, {"products": set(), "cooperatives": set(), "categories": set()}
    )
    touched = [(instance, True) for instance in (*session.new, *session.deleted)]
    touched += [(instance, False) for instance in session.dirty]
    for instance, whole in touched:
        kind = type(instance)
        if kind not in SEARCHED_FIELDS or not (whole or _changed(instance)):
            continue
        if kind is Product:
            pending["products"].add(instance.id)
        elif kind is ProductLabel:
            pending["products"].add(instance.product_id)
        elif kind is Cooperative:
            pending["cooperatives"].add(instance.id)
        else:
            pending["categories"].add(instance.id)
    if not any(pending.values()):
        session.info.pop(_PENDING, None)


def _rebuild_documents(session: Session, _flush: UOWTransaction) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    products = set(pending["products"])
    if pending["cooperatives"]:
        products.update(_ids_where(connection, "cooperative_id", pending["cooperatives"]))
    if pending["categories"]:
        categories = set(pending["categories"])
        categories.update(
            connection.scalars(
                text("SELECT id FROM categories WHERE parent_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": sorted(categories)},
            )
        )
        products.update(_ids_where(connection, "category_id", categories))
        search_index.add_to_vocabulary(
            connection, search_index.category_texts(connection, pending["categories"])
        )
    search_index.reindex_cooperatives(connection, pending["cooperatives"])
    search_index.reindex_products(connection, products)


def _ids_where(connection: Any, column: str, values: set[int]) -> list[int]:
    return list(
        connection.scalars(
            text(f"SELECT id FROM products WHERE {column} IN :ids").bindparams(  # noqa: S608
                bindparam("ids", expanding=True)
            ),
            {"ids": sorted(values)},
        )
    )
