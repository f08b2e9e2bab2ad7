"""Use cases for people: registration, login, admins, preferences, API tokens.

Each public function is one use case and owns its single commit; the private
helpers only change objects in the session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.errors import EmailTaken, InvalidCredentials
from app.accounts.models import ApiToken, Role, User
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.queries import user_by_email
from app.accounts.validation import (
    check_locale,
    check_password,
    clean_name,
    collect,
    normalise_email,
    optional,
)
from app.audit.operations import record
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.extensions import db


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A new bearer token for `user`; only its hash is stored, so it is shown once."""
    token = _add_token(user)
    db.session.commit()
    return token


def _add_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token)))
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


def revoke_token(token: str) -> bool:
    """Revoke the bearer token `token` for good; False when it was unknown or already revoked."""
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None:
        return False
    api_token.revoked_at = utcnow()
    db.session.commit()
    return True


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader (registered by the app factory): active users only."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def register(email: str, password: str, name: str, locale: str | None = None) -> User:
    """Open a shopper account and return it.

    The email is stored lower-cased. Raises ValidationFailed (fields email,
    password, name, locale: every bad field at once) and EmailTaken (409,
    code "email_taken") when the email is in use in any letter case, also
    when two registrations race for it.
    """
    clean = collect(
        email=(normalise_email, email),
        password=(check_password, password),
        name=(clean_name, name),
        locale=(check_locale, locale),
    )
    if user_by_email(clean["email"]) is not None:
        raise _email_taken()
    user = User(
        email=clean["email"],
        name=clean["name"],
        password_hash=hash_password(clean["password"]),
        role=Role.SHOPPER,
        locale=clean["locale"],
    )
    _commit_new_account(user)
    return user


def _commit_new_account(user: User) -> None:
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request registered the same email between our check and our insert.
        db.session.rollback()
        raise _email_taken()


def _email_taken() -> EmailTaken:
    message = _("An account with this email already exists. Log in instead.")
    return EmailTaken(message, fields={"email": [message]})


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _verified_user(email: str, password: str) -> User | None:
    """The active user these credentials prove, with login time (and hash) updated, or None.

    An unknown email still costs one Argon2 verification, so response time does
    not reveal which accounts exist. Changes are left in the session.
    """
    try:
        normalised = normalise_email(email)
    except ValidationFailed:
        normalised = None
    user = user_by_email(normalised) if normalised else None
    if user is None:
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or "") or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (never says which was wrong).

    Records the login time and upgrades the stored hash when Argon2's
    parameters have changed since it was made.
    """
    user = _verified_user(email, password)
    if user is not None:
        db.session.commit()
    return user


def issue_token_for_credentials(email: str, password: str) -> str:
    """Log in for the API: a new bearer token for the account these credentials prove.

    Raises InvalidCredentials (401) for an unknown email, a wrong password or a
    deactivated account alike.
    """
    user = _verified_user(email, password)
    if user is None:
        raise InvalidCredentials(_("Wrong email or password."))
    token = _add_token(user)
    db.session.commit()
    return token


@dataclass(frozen=True)
class AdminGrant:
    """What create_admin did: `created` False means an existing account was promoted."""

    user: User
    created: bool
    password_changed: bool


def create_admin(email: str, password: str | None, name: str | None = None) -> AdminGrant:
    """Make `email` an admin: a new admin account, or promote the existing account.

    An existing account keeps its password and name unless new ones are given.
    A new account needs a password; its name defaults to the email's local
    part. Raises ValidationFailed (email, password, name) and EmailTaken on a
    concurrent registration of the same email.
    """
    normalised = normalise_email(email)
    user = user_by_email(normalised)
    if user is not None:
        clean = collect(
            password=(optional(check_password), password),
            name=(optional(clean_name), name),
        )
        if clean["password"]:
            user.password_hash = hash_password(clean["password"])
        if clean["name"]:
            user.name = clean["name"]
        before = {"role": user.role}
        user.role = Role.ADMIN
        after = {"role": Role.ADMIN, "password_changed": bool(clean["password"])}
        record(None, "user.promote_admin", "user", normalised, before, after)
        db.session.commit()
        return AdminGrant(user=user, created=False, password_changed=bool(clean["password"]))
    clean = collect(
        password=(check_password, password),
        name=(clean_name, name or normalised.split("@")[0]),
    )
    user = User(
        email=normalised,
        name=clean["name"],
        password_hash=hash_password(clean["password"]),
        role=Role.ADMIN,
    )
    record(None, "user.create_admin", "user", normalised, {}, {"role": Role.ADMIN})
    _commit_new_account(user)
    return AdminGrant(user=user, created=True, password_changed=True)


def set_locale(user: User, code: str | None) -> None:
    """Remember `user`'s preferred language (ar, fr, en), or None to follow the browser.

    Raises ValidationFailed (field "locale") for any other code.
    """
    user.locale = check_locale(code)
    db.session.commit()


def update_profile(user: User, *, name: str, locale: str | None) -> User:
    """Change `user`'s name and preferred language together; nothing changes if either is bad.

    Raises ValidationFailed (fields name, locale).
    """
    clean = collect(name=(clean_name, name), locale=(check_locale, locale))
    user.name = clean["name"]
    user.locale = clean["locale"]
    db.session.commit()
    return user
