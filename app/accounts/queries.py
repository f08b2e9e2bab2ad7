"""Reads about accounts that faces need before calling a use case."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, or_, select

from app.accounts.models import PhoneCode, SavedAddress, User
from app.accounts.phones import newest_code
from app.core.db import utcnow
from app.core.ids import is_id
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


def saved_addresses(user_id: int) -> list[SavedAddress]:
    """The shopper's saved delivery addresses, newest first."""
    return list(
        db.session.scalars(
            select(SavedAddress)
            .where(SavedAddress.user_id == user_id)
            .order_by(SavedAddress.created_at.desc(), SavedAddress.id.desc())
        )
    )


def saved_address(user_id: int, address_id: str | int | None) -> SavedAddress | None:
    """The shopper's saved address with that id (any text: a bad one finds nothing), else
    their newest; None when they saved none."""
    text = str(address_id or "")
    if text.isascii() and text.isdigit() and len(text) <= 10:
        wanted = int(text)
        found = db.session.get(SavedAddress, wanted) if is_id(wanted) else None
        if found is not None and found.user_id == user_id:
            return found
    addresses = saved_addresses(user_id)
    return addresses[0] if addresses else None


def pending_phone_code(user_id: int) -> PhoneCode | None:
    """The code last sent by SMS to the account that may still be typed, or None."""
    return newest_code(user_id, now=utcnow())
