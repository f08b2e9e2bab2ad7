from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, utcnow
from app.extensions import db


class Role(StrEnum):
    SHOPPER = "shopper"
    ADMIN = "admin"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('shopper', 'admin')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored as validation.normalise_email gives it (NFKC, lower-cased), so uniqueness
    #: holds across letter case and full-width look-alikes.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Argon2id hash (argon2-cffi), never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.SHOPPER)
    #: Preferred language (ar, fr, en); None: follow the browser.
    locale: Mapped[str | None] = mapped_column(String(5))
    #: The delivery phone, +212 then 9 digits (app.core.phones), kept from the last checkout
    #: or proven by a code sent by SMS.
    phone: Mapped[str | None] = mapped_column(String(16))
    #: When the person proved they read texts sent to `phone` (a code sent by SMS); None:
    #: not yet, or `phone` changed since. Guest orders placed with that phone join the account.
    phone_verified_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    #: When the person proved they read mail at `email` (a verification or invitation
    #: link); None: not yet. Payouts wait for it; ordering never does.
    email_verified_at: Mapped[datetime | None]
    #: Part of the id in every session and remember-me cookie (get_id); raising it ends
    #: them all at once: logout, password change or reset, suspension.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def phone_verified(self) -> bool:
        return self.phone is not None and self.phone_verified_at is not None

    def get_id(self) -> str:
        """Flask-Login's alternative id: "<id>:<session generation>", so a cookie made
        before the generation was raised names nobody (see services.load_user)."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def roles(self) -> list[str]:
        return [self.role]


class ApiToken(TimestampMixin, db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Hex SHA-256 of the token given to the client.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Last request it authenticated, to the minute or so (not written on every request).
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LinkPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password


class AccountLink(db.Model):
    """A single-use link e-mailed to an account: verify its address, or reset its password.

    Only the SHA-256 of the random token in the link is stored; the link works
    once (`used_at`), until `expires_at`, and only for the address it was sent
    to (a changed e-mail makes it useless).
    """

    __tablename__ = "account_links"
    __table_args__ = (
        CheckConstraint("purpose IN ('verify_email', 'reset_password')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: A LinkPurpose.
    purpose: Mapped[str] = mapped_column(String(20))
    #: Hex SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The address the link was sent to, normalised.
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class PhoneCode(db.Model):
    """A 6-digit code sent by SMS to prove that an account's holder reads texts at `phone`.

    Only an HMAC of the code is stored (keyed by the app's SECRET_KEY and bound to the
    account and the phone: a million codes are too few for a bare hash). A code works
    once (`used_at`), until `expires_at`, for `attempts` below the limit, and only while
    it is the account's newest (app.accounts.phones).
    """

    __tablename__ = "phone_codes"
    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The number the code was sent to, +212 then 9 digits.
    phone: Mapped[str] = mapped_column(String(16), index=True)
    #: Hex HMAC-SHA-256 of the code (app.accounts.phones.code_hash).
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: Wrong codes tried against it; at the limit it stops working.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class SavedAddress(db.Model):
    """A delivery address a shopper chose to keep, offered first at their next checkout."""

    __tablename__ = "saved_addresses"
    __table_args__ = (UniqueConstraint("user_id", "name", "line1", "city", "postal_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Who receives the parcel.
    name: Mapped[str] = mapped_column(String(120))
    #: Number, street, neighbourhood.
    line1: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    #: 5 digits, or empty (the postal code is optional).
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
