from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.units import canonical, parse_unit, unit_text
from app.core.db import TimestampMixin, TranslatedMixin, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.cooperatives.models import Cooperative


#: The products shoppers may see as far as the row alone tells (partial indexes, 0011).
_ON_SALE_SQL = "status = 'active' AND hidden_at IS NULL"
_ON_SALE = {"postgresql_where": sql_text(_ON_SALE_SQL), "sqlite_where": sql_text(_ON_SALE_SQL)}


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class LabelKind(StrEnum):
    """Quality signs under law 25-06, and organic (separate)."""

    IGP = "IGP"
    AOP = "AOP"
    LABEL_AGRICOLE = "label_agricole"
    ORGANIC = "organic"


class Category(TranslatedMixin, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    #: Other languages: {"ar": {"name": ...}}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.position"
    )


class Product(TranslatedMixin, TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("status IN ('draft', 'active', 'archived')", name="status_known"),
        # Products on sale (migration 0011): the list's sorts read a page in order, and a
        # filter's matches are counted from the index alone (PostgreSQL INCLUDE).
        Index("ix_products_on_sale_by_price", "price_cents", "id", **_ON_SALE),
        Index("ix_products_on_sale_by_date", "created_at", "id", **_ON_SALE),
        Index(
            "ix_products_on_sale_filters",
            "cooperative_id",
            postgresql_include=["origin_province", "stock", "price_cents", "category_id"],
            **_ON_SALE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Other languages: {"ar": {"name": ..., "description": ...}}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Price of one unit paid by the shopper, in centimes of MAD.
    price_cents: Mapped[int]
    #: Units on hand; only changed by a conditional UPDATE (never read-modify-write).
    stock: Mapped[int] = mapped_column(default=0)
    #: What one unit is: a code of ``units.CODES`` and a quantity ("500 g" is g x 500),
    #: set together through ``unit`` (None only for a row not yet migrated).
    unit_code: Mapped[str | None] = mapped_column(String(12))
    unit_quantity: Mapped[int] = mapped_column(default=1)
    #: The same, language-neutral ("500 g"): the column that held free text before 0005.
    unit_key: Mapped[str] = mapped_column("unit", String(40))
    origin_commune: Mapped[str | None] = mapped_column(String(80))
    origin_province: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=ProductStatus.DRAFT, index=True)
    #: Path of the re-encoded photo under MEDIA_ROOT; its name is the content's SHA-256.
    image_path: Mapped[str | None] = mapped_column(String(200))
    #: Size of that photo in pixels (at most 1600 on the longer side), for <img width height>.
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    #: Set when an admin hides the listing (moderation), with the reason.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    cooperative: Mapped[Cooperative] = relationship()
    category: Mapped[Category] = relationship()
    labels: Mapped[list[ProductLabel]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductLabel.id"
    )
    #: The gallery, main photo first; ``image_path`` and its size mirror the main photo.
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="(ProductPhoto.position, ProductPhoto.id)",
    )

    @property
    def unit(self) -> str:
        """What one unit is, in the reader's language ("500 g", "pièce", "قطعة")."""
        return unit_text(self.unit_code, self.unit_quantity)

    @unit.setter
    def unit(self, text: str) -> None:
        """Set the unit from its language-neutral text ("500 g", "1 piece", "jar 500 g")."""
        self.unit_code, self.unit_quantity = parse_unit(text)
        self.unit_key = canonical(self.unit_code, self.unit_quantity)

    @property
    def unit_canonical(self) -> str:
        """The language-neutral unit ("500 g"), for programs and snapshots."""
        return canonical(self.unit_code, self.unit_quantity)


class ProductLabel(db.Model):
    __tablename__ = "product_labels"
    __table_args__ = (UniqueConstraint("product_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    #: Certificate number of the label, shown to shoppers as proof.
    certificate_number: Mapped[str | None] = mapped_column(String(60))

    product: Mapped[Product] = relationship(back_populates="labels")


#: Most photos a product's gallery holds.
MAX_PRODUCT_PHOTOS = 6


class ProductPhoto(db.Model):
    """One photo of a product's gallery; position 0 is the main photo."""

    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: Under MEDIA_ROOT, named by the content's SHA-256 (``app.core.media``).
    image_path: Mapped[str] = mapped_column(String(200))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")


class SearchDocumentType(TypeDecorator):
    """A ``tsvector`` on PostgreSQL; elsewhere (SQLite keeps documents in FTS5) plain text."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


def _search_documents(table: str, id_column: str, parent: str) -> Table:
    """A table of weighted search documents (app/catalog/search_index.py builds them).

    On SQLite it is an FTS5 virtual table of the same name (columns a, b, c, d: one per
    weight, the id as rowid), made by migration 0004. Only a Core table here, never read
    through the ORM: it is in the metadata so that ``drop_all`` drops it (before the rows
    it points at, on PostgreSQL) and so that its PostgreSQL shape is written down.
    """
    return Table(
        table,
        db.metadata,
        Column(id_column, ForeignKey(f"{parent}.id", ondelete="CASCADE"), primary_key=True),
        #: Weighted terms: products: name A, cooperative B, category/origin/labels C,
        #: description D; cooperatives: names A, place B, descriptions D.
        Column("document", SearchDocumentType(), nullable=False),
    )


product_search = _search_documents("product_search", "product_id", "products")
cooperative_search = _search_documents("cooperative_search", "cooperative_id", "cooperatives")


class SearchWord(db.Model):
    """A term of the indexed texts and one spelling of it: the vocabulary that typos and
    "did you mean" are checked against. Terms are only added (a stale one finds nothing)."""

    __tablename__ = "search_words"

    #: The normalised term (app/catalog/search_text.py), as in the documents.
    term: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: A spelling of it as readers write it (lower case), to show.
    spelling: Mapped[str] = mapped_column(String(80))
