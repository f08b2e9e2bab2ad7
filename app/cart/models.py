"""A logged-in shopper's cart: one row per product (a guest's cart lives in the session)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin
from app.extensions import db

if TYPE_CHECKING:
    from app.catalog.models import Product


class CartItem(TimestampMixin, db.Model):
    """How many units of one product a shopper means to buy; prices are never stored here."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("user_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    #: Units wanted; a line at 0 is deleted, never stored.
    quantity: Mapped[int]

    product: Mapped[Product] = relationship()
