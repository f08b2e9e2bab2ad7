"""Bulk-load the bench database: 320 cooperatives and 10,000 products in a few seconds.

Rows go in with PostgreSQL COPY (products, labels) and SQLAlchemy Core
multi-row inserts (everything smaller), never the ORM one object at a time.
The data is generated from a fixed seed, so every run measures the same
catalog: the region's categories, five provinces, four legal forms, a past
fair with a stand per cooperative, the default fee rules.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.common import say, stopwatch

COOPERATIVES = 320
PRODUCTS = 10_000
#: One cooperative in twenty waits for verification: its products must not show.
PENDING_EVERY = 20
SEED = 2026

PROVINCES = ("azilal", "beni_mellal", "fquih_ben_salah", "khenifra", "khouribga")
COMMUNES = {
    "azilal": "Azilal",
    "beni_mellal": "Beni Mellal",
    "fquih_ben_salah": "Fquih Ben Salah",
    "khenifra": "Khenifra",
    "khouribga": "Khouribga",
}
LEGAL_FORMS = (
    ("cooperative", 70),
    ("association", 20),
    ("mutual", 5),
    ("social_enterprise", 5),
)
PRODUCT_WORDS = (
    ("Huile d'olive Picholine", "bottle 1 L", 6000, 15000),
    ("Miel d'euphorbe", "jar 500 g", 15000, 40000),
    ("Amandes d'Ait Attab", "kg", 9000, 18000),
    ("Grenades Sefri", "box 5 kg", 8000, 14000),
    ("Couscous d'orge", "bag 1 kg", 2500, 6000),
    ("Sellou aux amandes", "box 500 g", 5000, 9000),
    ("Safran d'Azilal", "gram", 3000, 6000),
    ("Tapis Zayane", "piece", 120000, 600000),
    ("Poterie de Demnate", "piece", 8000, 45000),
    ("Savon à l'huile d'olive", "bar 100 g", 1500, 4000),
)
LABELS = ("IGP", "AOP", "label_agricole", "organic")


@dataclass(frozen=True)
class Catalog:
    """What the seeded catalog holds, for the benchmarks to aim at."""

    cooperative_ids: list[int]
    #: Those whose products are on sale (one in twenty waits for verification).
    verified_cooperative_ids: list[int]


def seed_catalog(app, *, cooperatives: int = COOPERATIVES, products: int = PRODUCTS) -> Catalog:
    """Fill an empty bench database with the catalog and commit; print how long it took."""
    from app.extensions import db

    rng = random.Random(SEED)
    with app.app_context(), stopwatch() as elapsed:
        password_hash = _password_hash()
        category_ids = _categories()
        cooperative_ids = _cooperatives(rng, cooperatives)
        _owners(cooperative_ids, password_hash)
        _fair_with_stands(cooperative_ids)
        product_ids = _products(rng, products, cooperative_ids, category_ids)
        _labels(rng, product_ids)
        db.session.commit()
        index_for_search(app)
        from app.fees.services import install_default_rules

        install_default_rules()
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        verified = [
            cooperative_id
            for index, cooperative_id in enumerate(cooperative_ids)
            if index % PENDING_EVERY != PENDING_EVERY - 1
        ]
        say(
            f"seeded {len(cooperative_ids)} cooperatives and {len(product_ids)} products"
            f" in {elapsed():.1f} s (COPY and multi-row inserts)"
        )
        db.session.remove()
        db.engine.dispose()
    return Catalog(cooperative_ids, verified)


def index_for_search(app, product_ids: list[int] | None = None) -> None:
    """Build the search documents the COPY bypassed (all, or of ``product_ids``); print the time."""
    from app.catalog import search_index
    from app.extensions import db

    with app.app_context(), stopwatch() as elapsed, db.engine.begin() as connection:
        if product_ids is None:
            search_index.reindex_everything(connection)
        else:
            search_index.reindex_products(connection, product_ids)
    _vacuum(app, ("products", "product_labels", "product_search", "search_words"))
    say(f"search documents built in {elapsed():.1f} s")


def _vacuum(app, table_names: tuple[str, ...]) -> None:
    """VACUUM ANALYZE what a bulk load wrote, as autovacuum soon would on a live catalog:
    without the visibility map, counts cannot use index-only scans, and a run measured
    right after the load would time the load's aftermath (as the ledger's loads do too)."""
    from app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table_name in table_names:
            autocommit.exec_driver_sql(f"VACUUM ANALYZE {table_name}")


def grow_catalog(app, catalog: Catalog, total: int) -> int:
    """Add products (same generator, new numbers) until the catalog holds ``total``; return
    how many were added. Their search documents are built too."""
    from app.catalog.models import Category, Product
    from app.extensions import db

    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Product)) or 0
        if have >= total:
            return 0
        category_ids = dict(db.session.execute(select(Category.slug, Category.id)).all())
        rng = random.Random(SEED + have)
        with stopwatch() as elapsed:
            product_ids = _products(
                rng, total - have, catalog.cooperative_ids, category_ids, first=have
            )
            _labels(rng, product_ids)
            db.session.commit()
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        say(f"grew the catalog to {total} products in {elapsed():.1f} s")
        db.session.remove()
    index_for_search(app, product_ids)
    return len(product_ids)


def _password_hash() -> str:
    from app.accounts.passwords import hash_password

    return hash_password("bench-password-not-secret")


def _categories() -> dict[str, int]:
    from app.catalog.models import Category
    from app.demo.catalog_data import CATEGORIES
    from app.demo.fair_data import translations
    from app.extensions import db

    ids: dict[str, int] = {}
    for category in CATEGORIES:  # parents come first in CATEGORIES
        ids[category.slug] = db.session.scalar(
            insert(Category)
            .values(
                slug=category.slug,
                name=category.name.fr,
                parent_id=ids.get(category.parent) if category.parent else None,
                position=category.position,
                translations=translations({"name": category.name}),
            )
            .returning(Category.id)
        )
    return ids


def _cooperatives(rng: random.Random, count: int) -> list[int]:
    from app.cooperatives.models import Cooperative
    from app.core.db import utcnow
    from app.extensions import db

    forms = [form for form, weight in LEGAL_FORMS for _ in range(weight)]
    now = utcnow()
    rows = []
    for index in range(count):
        province = PROVINCES[index % len(PROVINCES)]
        rows.append(
            {
                "slug": f"bench-cooperative-{index + 1}",
                "name": f"Coopérative Tadamon {index + 1}",
                "legal_form": rng.choice(forms),
                "registration_number": f"RC-{10000 + index}",
                "province": province,
                "commune": COMMUNES[province],
                "phone": f"+2126{index:08d}",
                "email": f"coop{index + 1}@bench.example",
                "description": "Produits du terroir de Beni Mellal-Khenifra.",
                "translations": {},
                "status": "pending" if index % PENDING_EVERY == PENDING_EVERY - 1 else "verified",
                "payout_method": "bank_transfer",
                "rib": _rib(index),
                "shipping_fee_cents": rng.choice((2000, 3000, 3500)),
                "offers_home_delivery": True,
                "offers_pickup": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    statement = insert(Cooperative).returning(Cooperative.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _rib(seed: int) -> str:
    first22 = f"011810{seed:016d}"
    return f"{first22}{97 - (int(first22) * 100) % 97:02d}"


def _owners(cooperative_ids: list[int], password_hash: str) -> dict[int, int]:
    """One owner account per cooperative (orders notify them), by cooperative id."""
    from app.accounts.models import User
    from app.cooperatives.models import Membership
    from app.core.db import utcnow
    from app.extensions import db

    now = utcnow()
    users = [
        {
            "email": f"owner{cooperative_id}@bench.example",
            "name": f"Owner {cooperative_id}",
            "password_hash": password_hash,
            "role": "shopper",
            "active": True,
            # Payouts go only to cooperatives whose owners confirmed their address.
            "email_verified_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for cooperative_id in cooperative_ids
    ]
    user_ids = list(
        db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), users)
    )
    owners = dict(zip(cooperative_ids, user_ids, strict=True))
    db.session.execute(
        insert(Membership),
        [
            {
                "cooperative_id": cooperative_id,
                "user_id": user_id,
                "role": "owner",
                "created_at": now,
                "updated_at": now,
            }
            for cooperative_id, user_id in owners.items()
        ],
    )
    return owners


def _fair_with_stands(cooperative_ids: list[int]) -> int:
    """The 4th fair (Khouribga), already over, with a stand for every cooperative."""
    from app.core.db import utcnow
    from app.extensions import db
    from app.fair.models import Fair, Stand

    now = utcnow()
    starts = date.today() - timedelta(days=60)
    fair_id = db.session.scalar(
        insert(Fair)
        .values(
            slug="bench-fair-khouribga",
            name="Salon régional de l'économie sociale et solidaire",
            edition=4,
            city="Khouribga",
            venue="Place de la Marche Verte",
            province="khouribga",
            area_m2=5000,
            starts_on=starts,
            ends_on=starts + timedelta(days=7),
            translations={},
            created_at=now,
            updated_at=now,
        )
        .returning(Fair.id)
    )
    db.session.execute(
        insert(Stand),
        [
            {
                "fair_id": fair_id,
                "cooperative_id": cooperative_id,
                "code": f"{chr(65 + index // 40)}-{index % 40 + 1:02d}",
                "created_at": now,
                "updated_at": now,
            }
            for index, cooperative_id in enumerate(cooperative_ids)
        ],
    )
    return fair_id


PRODUCT_COLUMNS = (
    "cooperative_id",
    "category_id",
    "slug",
    "name",
    "description",
    "translations",
    "price_cents",
    "stock",
    "unit",
    "origin_commune",
    "origin_province",
    "status",
    "created_at",
    "updated_at",
)


def _products(
    rng: random.Random,
    count: int,
    cooperative_ids: list[int],
    category_ids: dict[str, int],
    first: int = 0,
) -> list[int]:
    from app.core.db import utcnow

    leaf_ids = [category_ids[slug] for slug in category_ids if slug not in {"terroir", "crafts"}]
    now = utcnow()
    provinces = {
        cooperative_id: PROVINCES[index % 5] for index, cooperative_id in enumerate(cooperative_ids)
    }
    rows = []
    for index in range(first, first + count):
        cooperative_id = cooperative_ids[index % len(cooperative_ids)]
        name, unit, low, high = PRODUCT_WORDS[index % len(PRODUCT_WORDS)]
        province = provinces[cooperative_id]
        listed = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        status = rng.choices(("active", "draft", "archived"), weights=(95, 3, 2))[0]
        rows.append(
            (
                cooperative_id,
                rng.choice(leaf_ids),
                f"bench-product-{index + 1}",
                f"{name} {index + 1}",
                f"{name}, {COMMUNES[province]}: produit de coopérative, lot {index + 1}.",
                json.dumps({"en": {"name": f"{name} {index + 1}"}}),
                rng.randrange(low, high + 1, 50),
                rng.choice((0, 3, 12, 25, 40, 80)),
                unit,
                COMMUNES[province],
                province,
                status,
                listed,
                listed,
            )
        )
    return _copy("products", PRODUCT_COLUMNS, rows, returning_ids=True)


def _labels(rng: random.Random, product_ids: list[int]) -> None:
    rows = []
    for product_id in product_ids:
        if rng.random() < 0.25:
            kind = rng.choice(LABELS)
            rows.append((product_id, kind, f"BENCH-{kind}-{product_id}"))
    _copy("product_labels", ("product_id", "kind", "certificate_number"), rows)


def _copy(
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    returning_ids: bool = False,
) -> list[int]:
    """COPY ``rows`` into ``table`` inside the session's transaction; the new ids when asked.

    Ids are read back as those above the table's largest id before the copy,
    which is exact because the bench database has no other writer while seeding.
    """
    from app.extensions import db

    mapped = db.metadata.tables[table]
    connection = db.session.connection()
    before = connection.scalar(select(func.coalesce(func.max(mapped.c.id), 0)))
    copy_rows(connection, table, columns, rows)
    if not returning_ids:
        return []
    found = connection.scalars(
        select(mapped.c.id).where(mapped.c.id > before).order_by(mapped.c.id)
    )
    return list(found)


def copy_rows(
    connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """COPY ``rows`` (tuples in the order of ``columns``) into ``table`` on ``connection``."""
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def showcase_product_id(app) -> int:
    """A visible product in stock that carries a label: the product page most worth showing."""
    from app.catalog.models import Product, ProductLabel
    from app.catalog.queries import visible_clause
    from app.extensions import db

    with app.app_context():
        product_id = db.session.scalar(
            select(Product.id)
            .join(Product.cooperative)
            .join(ProductLabel, ProductLabel.product_id == Product.id)
            .where(visible_clause(), Product.stock > 0)
            .order_by(Product.id)
            .limit(1)
        )
        db.session.remove()
    return int(product_id)
