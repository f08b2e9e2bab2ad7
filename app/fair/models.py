from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, TranslatedMixin
from app.extensions import db

if TYPE_CHECKING:
    from app.cooperatives.models import Cooperative


class Fair(TranslatedMixin, TimestampMixin, db.Model):
    """One edition of the fair (1st Azilal, 2nd Beni Mellal, 3rd Khenifra...)."""

    __tablename__ = "fairs"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    edition: Mapped[int]
    city: Mapped[str] = mapped_column(String(80))
    venue: Mapped[str] = mapped_column(String(160))
    province: Mapped[str] = mapped_column(String(20))
    area_m2: Mapped[int | None]
    #: First and last day, inclusive, in Morocco's local calendar.
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: Other languages: {"ar": {"name": ..., "venue": ...}}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    stands: Mapped[list[Stand]] = relationship(back_populates="fair", order_by="Stand.code")

    def is_open_on(self, day: date) -> bool:
        """Whether `day` (Morocco's local date) is within the fair, first and last days included."""
        return self.starts_on <= day <= self.ends_on


class Stand(TimestampMixin, db.Model):
    """Where a cooperative exhibits at a fair: shoppers can pick up and pay there."""

    __tablename__ = "stands"
    __table_args__ = (
        UniqueConstraint("fair_id", "code"),
        UniqueConstraint("fair_id", "cooperative_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: Hall and number as printed on the fair map, e.g. "B-07".
    code: Mapped[str] = mapped_column(String(12))

    fair: Mapped[Fair] = relationship(back_populates="stands")
    cooperative: Mapped[Cooperative] = relationship()
