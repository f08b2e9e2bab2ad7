"""Reads about accounts that faces need before calling a use case."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.extensions import db


def user_by_email(normalised_email: str) -> User | None:
    """The account with this email, already normalised (validation.normalise_email)."""
    return db.session.scalar(select(User).where(User.email == normalised_email))


def accounts_matching(text: str, *, limit: int = 50) -> list[User]:
    """Accounts whose email or name holds `text` (any letter case, NFKC), by email; at most
    `limit`. LIKE's wildcards in `text` match themselves."""
    words = unicodedata.normalize("NFKC", text).strip().lower()
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return list(
        db.session.scalars(
            select(User)
            .where(
                or_(
                    User.email.like(pattern, escape="\\"),
                    func.lower(User.name).like(pattern, escape="\\"),
                )
            )
            .order_by(User.email)
            .limit(limit)
        )
    )
