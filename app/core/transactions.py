"""A use case's changes land together or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.extensions import db


@contextmanager
def committed() -> Iterator[None]:
    """Commit what the block changed once it is done; if the block (or the commit) raises,
    roll everything back and let the error through."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
