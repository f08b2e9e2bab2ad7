"""Help for shoppers typing a search: completions, other spellings, matching categories.

Built on app/catalog/search.py, so that help and results agree on what matches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, select, text

from app.catalog import search_text
from app.catalog.models import Category, Product
from app.catalog.queries import visible_clause
from app.catalog.search import Understood, _candidates, hits, ranked_page, understand
from app.catalog.search_index import COOPERATIVES, PRODUCTS
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import selling_clause
from app.extensions import db

#: Completions offered while a word is typed.
SUGGESTIONS = 8


def spelling_suggestions(q: str, limit: int = 3) -> list[str]:
    """Other spellings of ``q`` that find products: its unknown words replaced by indexed
    words up to two edits away, closest first (none when every word is known)."""
    understood = understand(q)
    if not understood.unknown:
        return []
    choices: dict[str, list[str]] = {}
    for word in understood.unknown:
        term = word.term
        spellings = _spellings_of(
            sorted(
                (candidate for candidate in _candidates(term, spread=2) if candidate != term),
                key=lambda candidate: (search_text.edit_distance(term, candidate), candidate),
            )
        )
        near = [
            spelling
            for candidate, spelling in spellings
            if search_text.edit_distance(term, candidate) <= 2
        ]
        if not near:
            return []
        choices[word.spelling] = near[:limit]
    suggestions = []
    for rank in range(limit):
        spelled = q.casefold()
        for typed, near in choices.items():
            spelled = spelled.replace(typed, near[min(rank, len(near) - 1)])
        if spelled not in suggestions and _finds_products(spelled):
            suggestions.append(spelled)
    return suggestions


def _spellings_of(terms: list[str]) -> list[tuple[str, str]]:
    if not terms:
        return []
    statement = text("SELECT term, spelling FROM search_words WHERE term IN :terms").bindparams(
        bindparam("terms", expanding=True)
    )
    spellings = dict(db.session.execute(statement, {"terms": terms[:50]}).all())
    return [(term, spellings[term]) for term in terms[:50] if term in spellings]


def _finds_products(q: str) -> bool:
    understood = understand(q)
    if not understood or understood.unknown:
        return False
    found = hits(PRODUCTS, understood)
    return db.session.scalar(select(found.c.id).limit(1)) is not None


def matching_categories(
    q: str | None, language: str, prefix_last: bool = False
) -> list[dict[str, Any]]:
    """Categories whose name, in any language, holds one of the query's words (or their
    synonyms and corrections): ``[{"id", "slug", "name"}]`` by position."""
    understood = understand(q, prefix_last=prefix_last)
    wanted = understood.terms()
    if not wanted:
        return []
    typed = {
        term.removesuffix(search_text.PREFIX)
        for term in wanted
        if term.endswith(search_text.PREFIX)
    }
    found = []
    for category in db.session.scalars(select(Category).order_by(Category.position, Category.id)):
        names = [
            category.name,
            *((values or {}).get("name", "") for values in (category.translations or {}).values()),
        ]
        terms = {term for name in names for term in search_text.terms(name)}
        if terms & wanted or any(term.startswith(start) for term in terms for start in typed):
            found.append(
                {
                    "id": category.id,
                    "slug": category.slug,
                    "name": category.translated("name", language),
                }
            )
    return found


def suggest(q: str | None, language: str) -> list[dict[str, Any]]:
    """Up to eight completions of ``q`` being typed: categories, then products, then
    cooperatives whose names hold every word (the last one as a prefix), best first."""
    understood = understand(q, prefix_last=True)
    if not understood:
        return []
    completions = [
        {"kind": "category", "id": category["id"], "label": category["name"]}
        for category in matching_categories(q, language, prefix_last=True)[:3]
    ]
    products = _named_products(understood)
    cooperative_hits = hits(COOPERATIVES, understood, "cooperative_hits")
    cooperatives = db.session.execute(
        select(Cooperative.id, Cooperative.name, Cooperative.translations)
        .join(cooperative_hits, cooperative_hits.c.id == Cooperative.id)
        .where(cooperative_hits.c.in_name, selling_clause())
        .order_by(cooperative_hits.c.score.desc(), Cooperative.id)
        .limit(3)
    ).all()
    room = SUGGESTIONS - len(completions) - min(len(cooperatives), 2)
    completions += [
        {
            "kind": "product",
            "id": row.id,
            "label": _translated(row.name, row.translations, language),
        }
        for row in products[:room]
    ]
    completions += [
        {
            "kind": "cooperative",
            "id": row.id,
            "label": _translated(row.name, row.translations, language),
        }
        for row in cooperatives
    ]
    return completions[:SUGGESTIONS]


#: Type-ahead ranks (ts_rank) at most this many of the products whose name matches (the
#: first by id, in SQL): ranking every match grew with the catalog.
RANKED_SUGGESTIONS = 64


def _named_products(understood: Understood) -> list[Row]:
    """The visible products whose name holds every word, best first (id, name, translations)."""
    product_hits = hits(PRODUCTS, understood, "product_hits")
    named = (
        select(Product.id, Product.name, Product.translations)
        .join(product_hits, product_hits.c.id == Product.id)
        .join(Product.cooperative)
        .where(product_hits.c.in_name, visible_clause())
    )
    if db.session.get_bind().dialect.name != "postgresql":
        return list(
            db.session.execute(
                named.order_by(product_hits.c.score.desc(), Product.id).limit(SUGGESTIONS)
            )
        )
    candidates = (
        named.with_only_columns(Product.id.label("id"), product_hits.c.in_name)
        .order_by(Product.id)
        .limit(RANKED_SUGGESTIONS)
        .subquery("candidates")
    )
    ids = list(
        db.session.scalars(
            ranked_page(PRODUCTS, understood, candidates, [candidates.c.id]).limit(SUGGESTIONS)
        )
    )
    rows = {
        row.id: row
        for row in db.session.execute(
            select(Product.id, Product.name, Product.translations).where(Product.id.in_(ids))
        )
    }
    return [rows[product_id] for product_id in ids]


def _translated(default: str, translations: Any, language: str) -> str:
    return ((translations or {}).get(language) or {}).get("name") or default


def help_when_nothing_found(q: str, language: str) -> dict[str, list]:
    """What to offer when ``q`` found nothing: other spellings that find products, and the
    categories its words name (``{"spellings": [...], "categories": [{"id", "slug", "name"}]}``)."""
    return {"spellings": spelling_suggestions(q), "categories": matching_categories(q, language)}
