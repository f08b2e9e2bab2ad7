"""Proving an account's phone: a 6-digit code sent by SMS, its limits, and its check.

A code works once, for CODE_LIFETIME, and only while it is the account's newest; after
WRONG_CODES_ALLOWED wrong tries it stops working and a new one must be asked for. At
most CODES_PER_HOUR codes go to one account, and to one phone over all accounts, in an
hour, so that nobody floods a phone with texts (the pages also limit each address:
app.accounts.throttling). Only an HMAC of the code is kept, keyed by SECRET_KEY and
bound to the account and the phone, so a copy of the table reveals no code and one
account's code proves nothing for another.

Flush only: the use cases in app.accounts.services commit, also the counted wrong try
of a refused code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from app.accounts.errors import PhoneCodeExpired, TooManyPhoneCodes, WrongPhoneCode
from app.accounts.events import phone_verified
from app.accounts.models import PhoneCode, User
from app.extensions import db
from app.notifications.operations import notify

CODE_DIGITS = 6
#: How long a code sent by SMS works.
CODE_LIFETIME = timedelta(minutes=10)
#: Wrong codes tried against one code before it stops working.
WRONG_CODES_ALLOWED = 5
#: Codes sent within an hour to one account, and to one phone over all accounts.
CODES_PER_HOUR = 3


def code_hash(user_id: int, phone: str, code: str) -> str:
    """What is stored of a code: hex HMAC-SHA-256 under SECRET_KEY of the account, the phone
    and the code, so that the same digits sent to two accounts are stored differently."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"{user_id}:{phone}:{code}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_code() -> str:
    """6 digits drawn with `secrets`, easy to type on a phone keypad."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _digits(typed: str | None) -> str:
    """What a person typed, without spaces or dashes (an SMS app may copy "123 456")."""
    return "".join(ch for ch in (typed or "") if ch not in " \u00a0-")


def send_code(user: User, phone: str, *, now: datetime) -> PhoneCode:
    """Record a new code for `user` and `phone` (normalised, app.core.phones) and text it
    (through the outbox, after commit); earlier codes of the account stop working.

    Raises TooManyPhoneCodes (429) when CODES_PER_HOUR codes went to this account, or to
    this phone, within the last hour. Flushes.
    """
    # One sender at a time per account, so two requests cannot both pass the count.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    hour_ago = now - timedelta(hours=1)
    for sent_to in (PhoneCode.user_id == user.id, PhoneCode.phone == phone):
        sent = db.session.scalar(
            select(func.count(PhoneCode.id)).where(sent_to, PhoneCode.created_at > hour_ago)
        )
        if sent >= CODES_PER_HOUR:
            message = _("Too many codes were sent within the hour. Try again later.")
            raise TooManyPhoneCodes(message, fields={"phone": [message]})
    db.session.execute(
        update(PhoneCode)
        .where(PhoneCode.user_id == user.id, PhoneCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    code = new_code()
    sent_code = PhoneCode(
        user_id=user.id,
        phone=phone,
        code_hash=code_hash(user.id, phone, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        attempts=0,
    )
    db.session.add(sent_code)
    db.session.flush()
    # To the phone only, never the account's inbox page: the code is for the phone's holder.
    notify(
        "phone_code",
        phone=phone,
        locale=user.locale,
        context={"name": user.name, "code": code},
        dedupe_key=f"phone_code:{sent_code.id}",
        channel="sms",
    )
    return sent_code


def newest_code(user_id: int, *, now: datetime, lock: bool = False) -> PhoneCode | None:
    """The account's code that may still be typed (its newest: unused, unexpired, with tries
    left), or None; locked when `lock`."""
    query = (
        select(PhoneCode)
        .where(PhoneCode.user_id == user_id, PhoneCode.used_at.is_(None))
        .order_by(PhoneCode.id.desc())
        .limit(1)
    )
    sent = db.session.scalar(query.with_for_update() if lock else query)
    if sent is None or sent.expires_at <= now or sent.attempts >= WRONG_CODES_ALLOWED:
        return None
    return sent


def check_code(user: User, typed: str, *, now: datetime) -> PhoneCode:
    """The account's newest code, locked and marked used, when `typed` is it.

    Raises PhoneCodeExpired (422) when no code may be typed any more, and WrongPhoneCode
    (422) for another code, after counting the try (the caller commits it). Only the
    account's own code is compared, bound to its id: another account's code never fits.
    Flushes.
    """
    sent = newest_code(user.id, now=now, lock=True)
    if sent is None:
        message = _("This code no longer works. Ask for a new one.")
        raise PhoneCodeExpired(message, fields={"code": [message]})
    if not hmac.compare_digest(sent.code_hash, code_hash(user.id, sent.phone, _digits(typed))):
        sent.attempts += 1
        db.session.flush()
        left = WRONG_CODES_ALLOWED - sent.attempts
        if left > 0:
            message = ngettext(
                "This is not the code we sent. %(num)d try left.",
                "This is not the code we sent. %(num)d tries left.",
                left,
            )
        else:
            message = _("This is not the code we sent. Ask for a new one.")
        raise WrongPhoneCode(message, fields={"code": [message]})
    sent.used_at = now
    return sent


def change_phone(user: User, phone: str | None) -> None:
    """Give `user` the phone `phone` (normalised); a different number is not verified, and
    codes sent to the former one stop mattering. Flushes."""
    if phone and phone != user.phone:
        user.phone = phone
        user.phone_verified_at = None
    db.session.flush()


def mark_phone_verified(user: User, phone: str, *, now: datetime) -> None:
    """Record that `user`'s holder reads texts at `phone`, which becomes the account's phone,
    and send ``events.phone_verified`` (guest orders placed with that phone join the
    account). Flushes."""
    user.phone = phone
    user.phone_verified_at = now
    db.session.flush()
    phone_verified.send(user, user=user)
