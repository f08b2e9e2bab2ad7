"""A use case's changes land together or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.transactions import committed
from app.extensions import db
from app.ledger.models import Account


def _accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(Account))


def test_what_the_block_changed_is_committed():
    with committed():
        db.session.add(Account(code="platform:revenue", kind="platform"))

    db.session.rollback()  # nothing pending is left to undo
    assert _accounts() == 1


def test_an_error_in_the_block_rolls_everything_back_and_goes_through():
    with pytest.raises(LookupError), committed():
        db.session.add(Account(code="platform:revenue", kind="platform"))
        db.session.flush()
        raise LookupError

    assert _accounts() == 0
