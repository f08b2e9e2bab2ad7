"""Reads about accounts that faces need before calling a use case."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db


def user_by_email(normalised_email: str) -> User | None:
    """The account with this email, already normalised (validation.normalise_email)."""
    return db.session.scalar(select(User).where(User.email == normalised_email))
