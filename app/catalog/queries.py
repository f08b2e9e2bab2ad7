"""Reads of the catalog: what shoppers may see, search and filters, the category tree.

Nothing here writes. What shoppers browse (search, product pages, new products, the
category tree) is read through ``read_session()``, so a read replica serves it when one is
configured (app/core/replica.py); a cooperative's own products, order lines' names and
what a use case checks before writing read the primary. A product is on sale
("visible") when it is active, not hidden by moderation, and its cooperative is verified.
Every function that returns products loads their cooperative, category and labels with
them, so a page of results costs the same few queries whatever its size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.sql.selectable import Subquery

from app.catalog import search
from app.catalog.mixing import mixed_newest
from app.catalog.models import Category, LabelKind, Product, ProductLabel, ProductStatus
from app.catalog.search_index import PRODUCTS
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import selling_clause
from app.core.replica import read_session
from app.extensions import db
from app.fair.models import Stand

SORTS = ("relevance", "price_asc", "price_desc", "newest")
DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 100
LABEL_KINDS = tuple(kind.value for kind in LabelKind)


def visible_clause() -> ColumnElement[bool]:
    """SQL condition for products on sale; needs Cooperative joined."""
    return (Product.status == ProductStatus.ACTIVE) & Product.hidden_at.is_(None) & selling_clause()


def _visible() -> Select[tuple[Product]]:
    return select(Product).join(Product.cooperative).where(visible_clause())


def _with_details(statement: Select[tuple[Product]]) -> Select[tuple[Product]]:
    """Load each product's cooperative (already joined), category and labels with it."""
    return statement.options(
        contains_eager(Product.cooperative),
        joinedload(Product.category),
        selectinload(Product.labels),
    )


def search_product_ids(
    q: str | None = None,
    province: str | None = None,
    category: str | int | None = None,
    cooperative: int | None = None,
    label: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    in_stock: bool = False,
    fair: int | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> tuple[list[int], int]:
    """The ids of one page of the visible products matching every filter, and how many match.

    ``q`` is searched as app/catalog/search.py says: every word, in any order, in
    the name, translations, cooperative, category, origin, labels or description.
    ``province`` is where the product comes from (its origin,
    else its cooperative's province). ``category`` is a slug or an id and takes
    in its subcategories; an unknown one matches nothing. ``min_price`` and
    ``max_price`` are centimes, inclusive. ``in_stock`` keeps products with at
    least one unit. ``fair`` keeps the cooperatives with a stand at that fair.
    ``sort``: ``relevance`` (with ``q``: name matches first, then rank, then stock, then
    newest; without: newest), ``price_asc``,
    ``price_desc`` or ``newest``. Two queries, the page's ids and the count (plus the
    vocabulary's for ``q``; one for a first page that is empty).
    Raises ``ValueError`` for an unknown sort or a page outside 1.. / 1..100.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {SORTS}")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError("page must be >= 1 and per_page within 1..100")
    statement = _visible()
    understood = search.understand(q)
    found = None
    if understood:
        found = search.hits(PRODUCTS, understood)
        statement = statement.join(found, found.c.id == Product.id)
    if province:
        # The origin, else the cooperative's province; written without coalesce() so the
        # planner can estimate it (and walk a sort's index instead of sorting every match).
        statement = statement.where(
            or_(
                Product.origin_province == province,
                Product.origin_province.is_(None) & (Cooperative.province == province),
            )
        )
    if category not in (None, ""):
        category_ids = _category_ids_for(category)
        if not category_ids:
            return [], 0
        statement = statement.where(Product.category_id.in_(category_ids))
    if cooperative is not None:
        statement = statement.where(Product.cooperative_id == cooperative)
    if label:
        statement = statement.where(
            exists().where(ProductLabel.product_id == Product.id, ProductLabel.kind == label)
        )
    if min_price is not None:
        statement = statement.where(Product.price_cents >= min_price)
    if max_price is not None:
        statement = statement.where(Product.price_cents <= max_price)
    if in_stock:
        statement = statement.where(Product.stock > 0)
    if fair is not None:
        statement = statement.where(
            exists().where(Stand.fair_id == fair, Stand.cooperative_id == Product.cooperative_id)
        )
    # Sort and skip product ids only, then load the page's rows: sorting whole rows (with
    # descriptions and translations) made page 300 half as fast as page 1.
    if found is not None and sort == "relevance" and _dialect() == "postgresql":
        # The candidates are sorted out of every match anyway: they carry the count.
        rows = read_session().execute(_ranked_page(statement, found, understood, page, per_page))
        page_rows = rows.all()
        if page_rows:
            return [product_id for product_id, _total in page_rows], int(page_rows[0][1])
        page_ids: list[int] = []
    else:
        # The count is its own query: a window count over the page's query made
        # PostgreSQL read and sort every match, where the sort's index (migration 0011)
        # lets it stop after the page; the count reads the filters' index alone.
        page_ids = list(
            read_session().scalars(
                statement.with_only_columns(Product.id)
                .order_by(*_order(sort, found))
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
    if not page_ids and page == 1:
        return [], 0
    total = read_session().scalar(
        statement.with_only_columns(func.count(), maintain_column_froms=True)
    )
    return page_ids, int(total or 0)


#: Relevance ranks (ts_rank) only this many of the matches, chosen by name match, stock and
#: date in SQL (more when the page asked is further): ranking every match grew with the
#: catalog (10 % of 100,000 products hold "miel").
RANKED_CANDIDATES = 240


def _dialect() -> str:
    return read_session().get_bind().dialect.name


def _ranked_page(
    statement: Select, found: Subquery, understood: search.Understood, page: int, per_page: int
) -> Select:
    """The ids of one page in relevance order, ranking only the best candidates (PostgreSQL)."""
    candidates = (
        statement.with_only_columns(
            Product.id.label("id"),
            found.c.in_name,
            Product.stock,
            Product.created_at,
            func.count().over().label("total"),
        )
        .order_by(
            found.c.in_name.desc(),
            Product.stock.desc(),
            Product.created_at.desc(),
            Product.id.desc(),
        )
        .limit(max(RANKED_CANDIDATES, page * per_page))
        .subquery("candidates")
    )
    c = candidates.c
    return (
        search.ranked_page(
            PRODUCTS, understood, candidates, [c.stock.desc(), c.created_at.desc(), c.id.desc()]
        )
        .add_columns(c.total)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )


def _order(sort: str, found: Subquery | None) -> list:
    newest = [Product.created_at.desc(), Product.id.desc()]
    if sort == "price_asc":
        return [Product.price_cents.asc(), Product.id.asc()]
    if sort == "price_desc":
        return [Product.price_cents.desc(), Product.id.desc()]
    if sort == "relevance" and found is not None:
        return [found.c.in_name.desc(), found.c.score.desc(), Product.stock.desc(), *newest]
    return newest


def visible_product(product_id: int) -> Product | None:
    """The product if shoppers may see it (with cooperative, category, labels, photos), else
    None."""
    statement = _with_details(_visible().where(Product.id == product_id))
    return read_session().scalars(statement.options(selectinload(Product.photos))).first()


#: How many of the newest products the home page's mix is chosen from.
NEW_PRODUCT_CANDIDATES = 200


def new_product_ids(limit: int = 8) -> list[int]:
    """The ids of up to ``limit`` recently listed visible products, newest first, at most two
    of one cooperative (``mixing.mixed_newest``)."""
    newest = _visible().order_by(Product.created_at.desc(), Product.id.desc())
    candidates = (
        read_session()
        .execute(
            newest.with_only_columns(Product.id, Product.cooperative_id).limit(
                NEW_PRODUCT_CANDIDATES
            )
        )
        .all()
    )
    return [row.id for row in mixed_newest(candidates, lambda row: row.cooperative_id, limit)]


def cooperative_shop(cooperative_id: int) -> list[int]:
    """The ids of the cooperative's products on its shop page: active and not hidden, by name
    (also while the cooperative awaits verification, for its members' preview)."""
    statement = (
        select(Product.id)
        .where(
            Product.cooperative_id == cooperative_id,
            Product.status == ProductStatus.ACTIVE,
            Product.hidden_at.is_(None),
        )
        .order_by(Product.name, Product.id)
    )
    return list(read_session().scalars(statement))


def labels_of(product_ids: list[int]) -> list[tuple[str, str | None]]:
    """``(kind, certificate number)`` of every label the products carry."""
    if not product_ids:
        return []
    statement = select(ProductLabel.kind, ProductLabel.certificate_number).where(
        ProductLabel.product_id.in_(product_ids)
    )
    return [(kind, number) for kind, number in read_session().execute(statement)]


def more_from_cooperative(product: Product, limit: int = 4) -> list[int]:
    """The ids of other products on sale of ``product``'s cooperative, newest first."""
    statement = _visible().where(
        Product.cooperative_id == product.cooperative_id, Product.id != product.id
    )
    statement = statement.order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)
    return list(read_session().scalars(statement.with_only_columns(Product.id)))


@dataclass(frozen=True)
class TilePictures:
    """A photo (path under MEDIA_ROOT) for each tile of the home page that has one."""

    #: Top-level category id -> the newest photo of a product in it or below it.
    categories: dict[int, str]
    #: Province code -> the newest photo of a product from it.
    provinces: dict[str, str]


#: How many of the newest photographed products the home tiles' photos are chosen from.
TILE_CANDIDATES = 400


def tile_pictures() -> TilePictures:
    """Photos for the home page's category and province tiles, a different one per tile
    when the newest products allow it; tiles without one are left out."""
    root_of = {
        node.category.id: root.category.id for root in category_tree() for node in root.walk()
    }
    newest = _visible().where(Product.image_path.is_not(None))
    rows = (
        read_session()
        .execute(
            newest.order_by(Product.created_at.desc(), Product.id.desc())
            .with_only_columns(
                Product.category_id,
                Product.origin_province,
                Cooperative.province,
                Product.image_path,
            )
            .limit(TILE_CANDIDATES)
        )
        .all()
    )
    categories: dict[int, str] = {}
    provinces: dict[str, str] = {}
    for tiles, key_of in (
        (categories, lambda row: root_of.get(row.category_id)),
        (provinces, lambda row: row.origin_province or row.province),
    ):
        used: set[str] = set()
        for row in rows:
            key = key_of(row)
            if key is not None and key not in tiles and row.image_path not in used:
                tiles[key] = row.image_path
                used.add(row.image_path)
    return TilePictures(categories=categories, provinces=provinces)


def cooperative_products(cooperative_id: int) -> list[Product]:
    """All the cooperative's products whatever their status, for its members, by name."""
    statement = (
        select(Product)
        .where(Product.cooperative_id == cooperative_id)
        .options(joinedload(Product.category), selectinload(Product.labels))
        .order_by(Product.name, Product.id)
    )
    return list(db.session.scalars(statement).unique())


def product_of_cooperative(cooperative_id: int, product_id: int) -> Product | None:
    """The product if it belongs to that cooperative (any status), else None."""
    return db.session.scalars(
        select(Product)
        .where(Product.id == product_id, Product.cooperative_id == cooperative_id)
        .options(selectinload(Product.labels))
    ).first()


# Categories ------------------------------------------------------------------


@dataclass
class CategoryNode:
    """A category with its subcategories, in display order."""

    category: Category
    children: list[CategoryNode] = field(default_factory=list)
    depth: int = 0

    def walk(self) -> Iterable[CategoryNode]:
        """This node then its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def category_tree() -> list[CategoryNode]:
    """Every category as a tree of top-level nodes, by position then name, in one query."""
    categories = list(
        read_session().scalars(select(Category).order_by(Category.position, Category.name))
    )
    nodes = {category.id: CategoryNode(category) for category in categories}
    roots: list[CategoryNode] = []
    for category in categories:
        parent = nodes.get(category.parent_id) if category.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[category.id])
    for root in roots:
        _set_depth(root, 0)
    return roots


def _set_depth(node: CategoryNode, depth: int) -> None:
    node.depth = depth
    for child in node.children:
        _set_depth(child, depth + 1)


def categories_in_tree_order() -> list[CategoryNode]:
    """Every category, each followed by its subcategories (for lists and selects)."""
    return [node for root in category_tree() for node in root.walk()]


def category_ids_with_descendants(category: Category | int) -> set[int]:
    """The category's id and its subcategories' ids, at any depth, in one query."""
    category_id = category if isinstance(category, int) else category.id
    children: dict[int | None, list[int]] = {}
    for child_id, parent_id in read_session().execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent_id, []).append(child_id)
    found: set[int] = set()
    pending = [category_id]
    while pending:
        current = pending.pop()
        if current in found:
            continue  # a parent loop must not hang the search
        found.add(current)
        pending.extend(children.get(current, []))
    known = {child for ids in children.values() for child in ids}
    return found if category_id in known else set()


def _category_ids_for(category: str | int) -> set[int]:
    """Ids of the category named by id or slug and its descendants; empty when unknown."""
    if isinstance(category, int) or re.fullmatch(r"[0-9]{1,18}", category):
        return category_ids_with_descendants(int(category))
    category_id = read_session().scalar(select(Category.id).where(Category.slug == category))
    return set() if category_id is None else category_ids_with_descendants(category_id)


def translated_product_names(product_ids: Iterable[int], language: str) -> dict[int, str]:
    """Product id -> its name in ``language``, for the products that have one (one query).

    Order lines keep the name a product had at checkout; pages show this translation
    instead when there is one, and the checkout name otherwise.
    """
    ids = set(product_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Product.id, Product.translations).where(Product.id.in_(ids)))
    names = {
        product_id: ((translations or {}).get(language) or {}).get("name")
        for product_id, translations in rows
    }
    return {product_id: name for product_id, name in names.items() if name}


def food_category_ids() -> set[int]:
    """The food categories: those named by the FOOD_CATEGORY_SLUGS setting ("terroir") and
    every category under them, at any depth. Selling in one needs ONSSA's authorisation."""
    roots = set(current_app.config.get("FOOD_CATEGORY_SLUGS", ("terroir",)))
    children: dict[int | None, list[int]] = {}
    food: set[int] = set()
    for category_id, parent_id, slug in db.session.execute(
        select(Category.id, Category.parent_id, Category.slug)
    ):
        children.setdefault(parent_id, []).append(category_id)
        if slug in roots:
            food.add(category_id)
    waiting = list(food)
    while waiting:
        for child in children.get(waiting.pop(), ()):
            if child not in food:
                food.add(child)
                waiting.append(child)
    return food


def sells_food(cooperative_id: int) -> bool:
    """Whether the cooperative lists a product (not archived) in a food category
    (``food_category_ids``, at any depth). Needs ONSSA."""
    food = food_category_ids()
    if not food:
        return False
    return (
        db.session.scalar(
            select(Product.id)
            .where(
                Product.cooperative_id == cooperative_id,
                Product.status != ProductStatus.ARCHIVED,
                Product.category_id.in_(food),
            )
            .limit(1)
        )
        is not None
    )
