"""Use cases for people: registration, login and sessions, e-mail and phone verification,
password reset and change, suspension, admins, preferences, API tokens.

Each public function is one use case and owns its single commit; the flush-only
steps they share are in app.accounts.operations.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.errors import EmailTaken, InvalidCredentials, InvalidLink, WrongPhoneCode
from app.accounts.models import ApiToken, LinkPurpose, Role, SavedAddress, User
from app.accounts.operations import (
    LinkBuilder,
    add_token,
    end_sessions,
    live_link,
    mark_email_verified,
    send_link,
    token_hash,
)
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.phones import check_code, mark_phone_verified, send_code
from app.accounts.queries import user_by_email
from app.accounts.validation import (
    check_locale,
    check_password,
    clean_name,
    collect,
    normalise_email,
    optional,
    password_for,
)
from app.audit.operations import record
from app.core.db import utcnow
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.ids import is_id
from app.core.phones import normalize_phone
from app.core.transactions import committed
from app.extensions import db

#: A token unused for this long stops working (it is revoked the next time it is sent).
TOKEN_IDLE_LIMIT = timedelta(days=90)
#: `last_used_at` is written at most this often per token, so reads cost no write each.
TOKEN_USE_PRECISION = timedelta(minutes=1)


# API tokens ----------------------------------------------------------------------------------


def user_for_token(token: str, *, now: datetime | None = None) -> User | None:
    """The active user a live token belongs to, or None; records when it was used.

    A token is dead once revoked, or unused for TOKEN_IDLE_LIMIT (it is then
    revoked for good). Its `last_used_at` is written (and committed) only when the
    last record is older than TOKEN_USE_PRECISION, so a burst of GETs costs one
    write, not one each.
    """
    now = now or utcnow()
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None:
        return None
    last_used = api_token.last_used_at or api_token.created_at
    if last_used <= now - TOKEN_IDLE_LIMIT:
        with committed():
            api_token.revoked_at = now
        return None
    user = api_token.user
    if not user.active:
        return None
    if api_token.last_used_at is None or api_token.last_used_at <= now - TOKEN_USE_PRECISION:
        with committed():
            # Conditional: of two requests at the same moment, one writes.
            db.session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == api_token.id,
                    (ApiToken.last_used_at.is_(None))
                    | (ApiToken.last_used_at <= now - TOKEN_USE_PRECISION),
                )
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
    return user


def revoke_token(token: str) -> bool:
    """Revoke the bearer token `token` for good; False when it was unknown or already revoked."""
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None:
        return False
    api_token.revoked_at = utcnow()
    db.session.commit()
    return True


# Sessions ------------------------------------------------------------------------------------


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader (registered by the app factory): the active user a session
    or remember-me cookie names ("<id>:<generation>", see User.get_id), or None when the
    cookie was made before the account's sessions ended."""
    number, _sep, generation = (user_id or "").partition(":")
    if not (number.isdigit() and generation.isdigit()) or len(number) > 18:
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def log_out(user: User) -> None:
    """End every session and remember-me cookie of `user`, on every device (API tokens
    stay: an app is logged out with DELETE /auth/token)."""
    with committed():
        end_sessions(user, api_tokens=False)


# Registration and login ----------------------------------------------------------------------


def register(
    email: str,
    password: str,
    name: str,
    locale: str | None = None,
    *,
    verify_link: LinkBuilder,
) -> User:
    """Open a shopper account, e-mail it a verification link, and return it.

    The email is stored normalised (NFKC, lower case). Raises ValidationFailed
    (fields email, password, name, locale: every bad field at once) and
    EmailTaken (409, code "email_taken") when the email is in use in any letter
    case or look-alike form, also when two registrations race for it.
    """
    clean = collect(
        email=(normalise_email, email),
        password=(password_for(email), password),
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
    _commit_new_account(user, verify_link=verify_link)
    return user


def _commit_new_account(user: User, *, verify_link: LinkBuilder | None = None) -> None:
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request registered the same email between our check and our insert.
        db.session.rollback()
        raise _email_taken()
    if verify_link is not None:
        send_link(user, LinkPurpose.VERIFY_EMAIL, verify_link)
    db.session.commit()


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
    token = add_token(user)
    db.session.commit()
    return token


# E-mail verification -------------------------------------------------------------------------


def send_verification(user: User, *, link_for: LinkBuilder) -> bool:
    """E-mail `user` a new link that verifies their address; False (nothing sent) when it
    is verified already. Earlier links stop working."""
    if user.email_verified:
        return False
    with committed():
        send_link(user, LinkPurpose.VERIFY_EMAIL, link_for)
    return True


def verify_email(token: str) -> User:
    """Mark the address the link was sent to as verified; the link then stops working.

    Raises InvalidLink (400) for a used, expired or forged link, or one sent to an
    address the account no longer uses.
    """
    with committed():
        link = live_link(token, LinkPurpose.VERIFY_EMAIL)
        if link is None:
            raise _invalid_link()
        link.used_at = utcnow()
        mark_email_verified(link.user, link.email)
    return link.user


# Phone verification --------------------------------------------------------------------------


def send_phone_code(user: User, phone: str) -> str:
    """Text a 6-digit code to `phone` that proves `user`'s holder reads it (valid 10 minutes;
    earlier codes stop working); returns the phone normalised (+212 then 9 digits). The
    account's phone changes only once the code is typed (``verify_phone``).

    Raises ValidationFailed (field "phone") for a number that is not Moroccan, and
    TooManyPhoneCodes (429) after too many codes within the hour (app.accounts.phones).
    """
    try:
        clean = normalize_phone(phone)
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"phone": [str(error)]})
    with committed():
        send_code(user, clean, now=utcnow())
    return clean


def verify_phone(user: User, code: str) -> User:
    """Prove `user`'s phone with the code texted to it: the number becomes the account's,
    verified, and guest orders placed with it join the account (``events.phone_verified``).

    Raises WrongPhoneCode (422, field "code"; the try is committed and counted) and
    PhoneCodeExpired (422) when no code may be typed any more: expired, used, replaced,
    tried too often, or never sent.
    """
    now = utcnow()
    try:
        sent = check_code(user, code, now=now)
    except WrongPhoneCode:
        db.session.commit()  # the wrong try is kept (and counted) though the code is refused
        raise
    except BaseException:
        db.session.rollback()
        raise
    with committed():
        mark_phone_verified(user, sent.phone, now=now)
    return user


# Passwords -----------------------------------------------------------------------------------


def request_password_reset(email: str, *, link_for: LinkBuilder) -> None:
    """E-mail a single-use link, valid one hour, that sets a new password, when `email`
    belongs to an active account; otherwise do nothing, and say nothing either way."""
    try:
        user = user_by_email(normalise_email(email))
    except ValidationFailed:
        return
    if user is None or not user.active:
        return
    with committed():
        send_link(user, LinkPurpose.RESET_PASSWORD, link_for)


def reset_password(token: str, password: str) -> User:
    """Set the password of the account the reset link was sent for, and end every
    session, remember-me cookie and API token it had. The link then stops working; it
    also proves the address, which becomes verified.

    Raises ValidationFailed (field "password"; the link still works) and InvalidLink
    (400) for a used, expired or forged link.
    """
    with committed():
        link = live_link(token, LinkPurpose.RESET_PASSWORD)
        if link is None:
            raise _invalid_link()
        user = link.user
        user.password_hash = hash_password(check_password(password, user.email))
        link.used_at = utcnow()
        mark_email_verified(user, link.email)
        end_sessions(user)
    return user


def change_password(user: User, current_password: str, new_password: str) -> User:
    """Change `user`'s password after checking the current one, and end every session,
    remember-me cookie and API token of the account (the caller logs the browser that
    asked in again).

    Raises ValidationFailed (fields current_password, password).
    """
    if not verify_password(user.password_hash, current_password or ""):
        message = _("This is not your current password.")
        raise ValidationFailed(message, fields={"current_password": [message]})
    clean = collect(password=(password_for(user.email), new_password))
    with committed():
        user.password_hash = hash_password(clean["password"])
        end_sessions(user)
    return user


def _invalid_link() -> InvalidLink:
    return InvalidLink(
        _("This link was already used, has expired or is not valid. Ask for a new one.")
    )


# Suspension ----------------------------------------------------------------------------------


def suspend_account(account: User, admin: User, note: str | None = None) -> User:
    """An admin suspends `account`: it can no longer log in, and every session,
    remember-me cookie and API token it had ends now. Suspending it again changes nothing.

    Raises Forbidden (403) for a non-admin or for suspending oneself.
    """
    _require_admin(admin)
    if account.id == admin.id:
        raise Forbidden(_("You cannot suspend your own account."))
    with committed():
        if account.active:
            account.active = False
            end_sessions(account)
            record(
                admin, "user.suspend", "user", account.id, {"active": True}, {"active": False}, note
            )
    return account


def reinstate_account(account: User, admin: User, note: str | None = None) -> User:
    """An admin lets a suspended account log in again (with a new login: old sessions
    stay ended). Raises Forbidden (403) for a non-admin."""
    _require_admin(admin)
    with committed():
        if not account.active:
            account.active = True
            record(
                admin,
                "user.reinstate",
                "user",
                account.id,
                {"active": False},
                {"active": True},
                note,
            )
    return account


def _require_admin(user: User | None) -> None:
    if user is None or not user.is_admin:
        raise Forbidden(_("Only admins can do this."))


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
            password=(optional(password_for(normalised)), password),
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
        password=(password_for(normalised), password),
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


# Saved addresses -----------------------------------------------------------------------------


def forget_address(user: User, address_id: int) -> None:
    """Delete one of `user`'s saved addresses; NotFound (404) for any other id."""
    with committed():
        saved = db.session.get(SavedAddress, address_id) if is_id(address_id) else None
        if saved is None or saved.user_id != user.id:
            raise NotFound(_("No such saved address."))
        db.session.delete(saved)
