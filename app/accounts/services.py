"""Use cases for people: registration, login, API tokens. Each function owns its commit."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.accounts.models import ApiToken, User
from app.core.db import utcnow
from app.extensions import db, login_manager


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new bearer token for `user`; only its hash is stored, so it is shown once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token)))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a live token belongs to, or None."""
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None or not api_token.user.active:
        return None
    return api_token.user


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def touch_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.commit()
