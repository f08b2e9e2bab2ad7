"""The search documents of products and cooperatives, in the database's own full-text index.

Each product has one document of four weighted parts, built by
``search_text.index_text`` (the normalisation queries go through too):

====== =====================================================================
weight what
====== =====================================================================
A      its name, in every language (a shopper reads the name in hers)
B      its cooperative's name, in every language
C      its category and the parent category, its origin (commune, province),
       its labels (IGP, bio...), in every language
D      its description, in every language
====== =====================================================================

A cooperative's document: A its names, B its commune and province, D its
descriptions. PostgreSQL keeps them as weighted ``tsvector``\\ s (``'simple'``
configuration: the terms are already normalised; ``search_unaccent``, an IMMUTABLE
wrapper of ``unaccent`` made by migration 0004, guards both sides against letters
Python left) in ``product_search`` / ``cooperative_search``, with
a GIN index; SQLite keeps them in FTS5 tables of the same names, one column per
weight. ``search_words`` holds every term with a spelling to show, for typos
(pg_trgm on PostgreSQL) and "did you mean".

Nothing here knows the ORM: documents are read and written with plain SQL on a
connection, so the migration that creates the index fills it with the same code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text

from app.catalog import search_text

#: The words of each label kind in the three languages (labels are codes in the database).
LABEL_WORDS = {
    "IGP": "IGP indication géographique protégée protected geographical indication "
    "مؤشر جغرافي محمي",
    "AOP": "AOP appellation d'origine protégée protected designation of origin "
    "تسمية المنشأ المحمية",
    "label_agricole": "label agricole agricultural label علامة فلاحية",
    "organic": "bio biologique organic عضوي بيولوجي",
}
#: Province code -> its names (kept here so the migration needs no other domain's module).
PROVINCE_WORDS = {
    "azilal": "Azilal أزيلال",
    "beni_mellal": "Béni Mellal بني ملال",
    "fquih_ben_salah": "Fquih Ben Salah الفقيه بن صالح",
    "khenifra": "Khénifra خنيفرة",
    "khouribga": "Khouribga خريبكة",
}
WEIGHTS = ("A", "B", "C", "D")
#: Longest term kept in the vocabulary (a longer "word" is a code or a URL, not a typo).
MAX_TERM_LENGTH = 60


@dataclass(frozen=True)
class SearchIndex:
    """A kind of document: its table, the id column naming the row it describes."""

    table: str
    id_column: str


PRODUCTS = SearchIndex("product_search", "product_id")
COOPERATIVES = SearchIndex("cooperative_search", "cooperative_id")


# Building documents -----------------------------------------------------------------


def _translations(value: Any) -> dict[str, dict[str, str]]:
    if isinstance(value, str):  # SQLite returns JSON columns of raw text as text
        value = json.loads(value or "{}")
    return value if isinstance(value, dict) else {}


def _in_every_language(default: str | None, translations: Any, field: str) -> list[str]:
    texts = [default or ""]
    for values in _translations(translations).values():
        if isinstance(values, dict) and values.get(field):
            texts.append(str(values[field]))
    return texts


#: The texts of each weight of a document, as written (before normalisation).
Sources = tuple[list[str], list[str], list[str], list[str]]


def documents_of(sources: dict[int, Sources]) -> dict[int, tuple[str, ...]]:
    """Id -> the four normalised parts of its document."""
    return {
        key: tuple(search_text.index_text(*texts) for texts in parts)
        for key, parts in sources.items()
    }


def product_sources(connection: Connection, product_ids: Iterable[int]) -> dict[int, Sources]:
    """Product id -> the texts of each part (A, B, C, D) of its document, for those that exist."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rows = connection.execute(
        text(
            "SELECT p.id, p.name, p.description, p.translations, p.origin_commune,"
            " p.origin_province, c.name, c.translations, c.province, cat.name,"
            " cat.translations, parent.name, parent.translations"
            " FROM products p JOIN cooperatives c ON c.id = p.cooperative_id"
            " JOIN categories cat ON cat.id = p.category_id"
            " LEFT JOIN categories parent ON parent.id = cat.parent_id"
            " WHERE p.id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    ).all()
    labels: dict[int, list[str]] = {}
    for product_id, kind in connection.execute(
        text("SELECT product_id, kind FROM product_labels WHERE product_id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    ):
        labels.setdefault(product_id, []).append(LABEL_WORDS.get(kind, kind))
    sources: dict[int, Sources] = {}
    for row in rows:
        (product_id, name, description, translations, commune, province) = row[:6]
        (coop_name, coop_translations, coop_province) = row[6:9]
        (category, category_translations, parent, parent_translations) = row[9:13]
        sources[product_id] = (
            _in_every_language(name, translations, "name"),
            _in_every_language(coop_name, coop_translations, "name"),
            [
                *_in_every_language(category, category_translations, "name"),
                *(_in_every_language(parent, parent_translations, "name") if parent else []),
                commune or "",
                PROVINCE_WORDS.get(province or coop_province, ""),
                *labels.get(product_id, []),
            ],
            _in_every_language(description, translations, "description"),
        )
    return sources


def cooperative_sources(
    connection: Connection, cooperative_ids: Iterable[int]
) -> dict[int, Sources]:
    """Cooperative id -> the texts of its document's parts (A names, B place, D descriptions)."""
    ids = sorted(set(cooperative_ids))
    if not ids:
        return {}
    rows = connection.execute(
        text(
            "SELECT id, name, description, translations, commune, province FROM cooperatives"
            " WHERE id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    )
    return {
        cooperative_id: (
            _in_every_language(name, translations, "name"),
            [commune or "", PROVINCE_WORDS.get(province, "")],
            [],
            _in_every_language(description, translations, "description"),
        )
        for cooperative_id, name, description, translations, commune, province in rows
    }


# Writing documents ------------------------------------------------------------------


def write_documents(
    connection: Connection,
    index: SearchIndex,
    documents: dict[int, tuple[str, ...]],
    gone: Iterable[int] = (),
) -> None:
    """Store ``documents`` (id -> parts) in ``index``, drop the ids in ``gone``, and add
    their new terms to the vocabulary."""
    dropped = sorted(set(gone) | set(documents))
    if not dropped:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(f"DELETE FROM {index.table} WHERE {index.id_column} IN :ids").bindparams(  # noqa: S608
                bindparam("ids", expanding=True)
            ),
            {"ids": dropped},
        )
        weighted = " || ".join(
            f"setweight(to_tsvector('simple', search_unaccent(:{weight.lower()})), '{weight}')"
            for weight in WEIGHTS
        )
        statement = text(
            f"INSERT INTO {index.table} ({index.id_column}, document) VALUES (:id, {weighted})"  # noqa: S608
        )
    else:
        connection.execute(
            text(f"DELETE FROM {index.table} WHERE rowid IN :ids").bindparams(  # noqa: S608
                bindparam("ids", expanding=True)
            ),
            {"ids": dropped},
        )
        statement = text(
            f"INSERT INTO {index.table} (rowid, a, b, c, d) VALUES (:id, :a, :b, :c, :d)"  # noqa: S608
        )
    if documents:
        connection.execute(
            statement,
            [
                dict(zip(("id", "a", "b", "c", "d"), (key, *parts), strict=True))
                for key, parts in documents.items()
            ],
        )


def add_to_vocabulary(connection: Connection, texts: Iterable[str | None]) -> None:
    """Remember the terms of ``texts`` with a spelling each (the first one met is kept)."""
    spellings: dict[str, str] = {}
    for value in texts:
        for word in search_text.words(value):
            if len(word.term) <= MAX_TERM_LENGTH and len(word.spelling) <= MAX_TERM_LENGTH:
                spellings.setdefault(word.term, word.spelling)
    if not spellings:
        return
    # No lookup of the known terms first: the primary key skips them. (Looking up a chunk
    # with ``term IN (...1000 terms)`` in the transaction that had just added thousands of
    # terms, before any ANALYZE, made PostgreSQL compare every row with every term:
    # seconds a chunk when growing the bench catalog.)
    connection.execute(
        text(
            "INSERT INTO search_words (term, spelling) VALUES (:term, :spelling)"
            " ON CONFLICT (term) DO NOTHING"
        ),
        [{"term": term, "spelling": spellings[term]} for term in sorted(spellings)],
    )


def reindex_products(connection: Connection, product_ids: Iterable[int]) -> None:
    """Rebuild the documents of these products (a missing product's document is dropped)."""
    _reindex(connection, PRODUCTS, product_sources, product_ids)


def reindex_cooperatives(connection: Connection, cooperative_ids: Iterable[int]) -> None:
    """Rebuild the documents of these cooperatives (not their products')."""
    _reindex(connection, COOPERATIVES, cooperative_sources, cooperative_ids)


def _reindex(connection: Connection, index: SearchIndex, read_sources, ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        sources = read_sources(connection, chunk)
        write_documents(connection, index, documents_of(sources), gone=chunk)
        add_to_vocabulary(
            connection, (text for parts in sources.values() for texts in parts for text in texts)
        )


def reindex_everything(connection: Connection) -> None:
    """Rebuild every document (after a bulk load that bypassed the ORM, or in the migration)."""
    reindex_cooperatives(connection, connection.scalars(text("SELECT id FROM cooperatives")))
    reindex_products(connection, connection.scalars(text("SELECT id FROM products")))
    every_category = connection.scalars(text("SELECT id FROM categories")).all()
    add_to_vocabulary(
        connection,
        [
            *category_texts(connection, every_category),
            *LABEL_WORDS.values(),
            *PROVINCE_WORDS.values(),
        ],
    )


def category_texts(connection: Connection, category_ids: Iterable[int]) -> list[str]:
    """The names of these categories in every language."""
    ids = sorted(set(category_ids))
    if not ids:
        return []
    found: list[str] = []
    for name, translations in connection.execute(
        text("SELECT name, translations FROM categories WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    ):
        found.extend(_in_every_language(name, translations, "name"))
    return found
