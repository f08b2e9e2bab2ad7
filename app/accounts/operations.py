"""Flush-only steps on accounts, run inside another use case's transaction.

Nothing here commits: the caller's use case (accounts.services, or another
domain's) owns the transaction, so a step lands or vanishes with it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.accounts.events import email_verified
from app.accounts.models import AccountLink, ApiToken, LinkPurpose, SavedAddress, User
from app.accounts.phones import change_phone
from app.core.db import utcnow
from app.extensions import db
from app.notifications.operations import notify

#: Builds the absolute URL of a page from the token it carries; given by the face,
#: since a domain knows no routes (e.g. ``lambda token: url_for(..., _external=True)``).
LinkBuilder = Callable[[str], str]

#: How long each kind of e-mailed link works.
LINK_LIFETIMES = {
    LinkPurpose.VERIFY_EMAIL: timedelta(days=7),
    LinkPurpose.RESET_PASSWORD: timedelta(hours=1),
}
#: The notification kind that carries each kind of link.
LINK_NOTIFICATIONS = {
    LinkPurpose.VERIFY_EMAIL: "verify_email",
    LinkPurpose.RESET_PASSWORD: "password_reset",
}


def token_hash(token: str) -> str:
    """What is stored of a token given out (bearer token, e-mailed link): its SHA-256.
    Any text hashes (a lone surrogate too): a forged token simply matches nothing."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    """A random token of 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def add_token(user: User) -> str:
    """A new bearer token for ``user``; only its hash is stored, so it is shown once."""
    token = new_token()
    db.session.add(ApiToken(user_id=user.id, token_hash=token_hash(token)))
    return token


def end_sessions(user: User, *, api_tokens: bool = True, now: datetime | None = None) -> None:
    """End every session and remember-me cookie of `user`, and its API tokens too unless
    `api_tokens` is False.

    Raising the session generation changes `user.get_id()`, so every cookie made
    before names nobody (services.load_user). Flushes.
    """
    user.session_generation = (user.session_generation or 0) + 1
    if not api_tokens:
        db.session.flush()
        return
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def send_link(user: User, purpose: LinkPurpose, link_for: LinkBuilder) -> AccountLink:
    """Record a single-use `purpose` link for `user`'s current address and e-mail it
    (through the outbox, after commit). Earlier unused links of the same purpose stop
    working, so only the newest e-mail counts. Flushes."""
    now = utcnow()
    db.session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    token = new_token()
    link = AccountLink(
        user_id=user.id,
        purpose=str(purpose),
        token_hash=token_hash(token),
        email=user.email,
        created_at=now,
        expires_at=now + LINK_LIFETIMES[purpose],
    )
    db.session.add(link)
    db.session.flush()
    # The e-mail goes to the address, not to the inbox page: a link that ends sessions or
    # proves an address is for the mailbox's reader only.
    notify(
        LINK_NOTIFICATIONS[purpose],
        email=user.email,
        locale=user.locale,
        context={"name": user.name, "link": link_for(token)},
        dedupe_key=f"{purpose}:link:{link.id}",
    )
    return link


def live_link(
    token: str, purpose: LinkPurpose, *, now: datetime | None = None
) -> AccountLink | None:
    """The unused, unexpired `purpose` link with this token, locked, or None.

    A link whose account changed its address since it was sent is dead too.
    """
    now = now or utcnow()
    link = db.session.scalar(
        select(AccountLink)
        .where(AccountLink.token_hash == token_hash(token or ""), AccountLink.purpose == purpose)
        .with_for_update()
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    if link.user.email != link.email:
        return None
    return link


def mark_email_verified(user: User, email: str, *, now: datetime | None = None) -> bool:
    """Record that the reader of `email` holds `user`'s account; False (nothing changes)
    when `email` is not the account's address. The first time, ``events.email_verified``
    is sent (guest orders placed with that address join the account). Flushes."""
    if user.email != email:
        return False
    if user.email_verified_at is None:
        user.email_verified_at = now or utcnow()
        db.session.flush()
        email_verified.send(user, user=user)
    return True


def remember_address(user: User, address, phone: str) -> SavedAddress | None:
    """Keep ``address`` (name, line1, city, postal_code) among ``user``'s saved addresses and
    ``phone`` as their phone, for the next checkout (a new number is not verified); an
    address kept already is not kept twice, one without a street or city is not kept.
    Flushes."""
    change_phone(user, phone)
    if not (address.line1 and address.city):
        db.session.flush()
        return None
    fields = {
        "name": address.name,
        "line1": address.line1,
        "city": address.city,
        "postal_code": address.postal_code or "",
    }
    saved = db.session.scalar(select(SavedAddress).filter_by(user_id=user.id, **fields))
    if saved is None:
        saved = SavedAddress(user_id=user.id, **fields)
        db.session.add(saved)
    db.session.flush()
    return saved
