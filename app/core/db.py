"""Declarative base, naming convention, UTC timestamps, and the clock every service reads.

The naming convention keeps Alembic diffs stable across SQLite and PostgreSQL.
`UTCDateTime` stores naive UTC on SQLite and timezone-aware on PostgreSQL, and
always gives back aware UTC datetimes, so comparisons never mix the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The instant ``utcnow`` gives while ``clock_at`` holds the clock (the demo's history).
_held_clock: ContextVar[datetime | None] = ContextVar("held_clock", default=None)


def utcnow() -> datetime:
    """This instant, aware UTC: the one clock of services, models and their defaults."""
    return _held_clock.get() or datetime.now(UTC)


@contextmanager
def clock_at(instant: datetime) -> Iterator[datetime]:
    """Make ``utcnow()`` give ``instant`` (aware) inside the block, in this context only.

    For writing history through the real services (``flask seed-demo``): an order placed,
    paid or delivered in the block is stamped, posted and held as if it were then.
    Raises ``ValueError`` for a naive instant.
    """
    if instant.tzinfo is None:
        raise ValueError("clock_at needs an aware instant")
    token = _held_clock.set(instant.astimezone(UTC))
    try:
        yield instant
    finally:
        _held_clock.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use app.core.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    #: When the row was created, UTC.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the row was last changed, UTC.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TranslatedMixin:
    """Rows whose text fields may be written in several languages (a ``translations`` JSON
    column: ``{"ar": {"name": ...}, "fr": {...}}``), shown in the reader's with a fallback."""

    def translated(self, field: str, language: str) -> str:
        """``field`` in ``language`` when it was written, else the original text."""
        value = (getattr(self, "translations", None) or {}).get(language, {}).get(field)
        return value or getattr(self, field)


def sql_in_list(values: Iterable[str]) -> str:
    """``'a', 'b'``: the known values of a status column, for its CHECK constraint (our own
    enum values, never user input)."""
    return ", ".join(f"'{value}'" for value in values)
