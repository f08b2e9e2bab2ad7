"""Row locks taken before a use case changes rows that another process may change too."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select

from app.extensions import db

Row = TypeVar("Row")


def locked(model: type[Row], row_id: int) -> Row:
    """Lock the row ``row_id`` of ``model`` (``SELECT ... FOR UPDATE``) and re-read it.

    Raises ``sqlalchemy.exc.NoResultFound`` when there is no such row. SQLite has no row
    locks: there the write lock taken by ``BEGIN IMMEDIATE`` serialises writers instead.
    """
    return db.session.scalars(
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_all(statement: Select[tuple[Row]]) -> list[Row]:
    """Lock every row ``statement`` selects and re-read them; give it an ``ORDER BY id`` so
    that every use case takes the locks in the same order and none can deadlock."""
    return list(
        db.session.scalars(
            statement.with_for_update().execution_options(populate_existing=True)
        ).all()
    )
