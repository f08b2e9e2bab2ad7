"""The rules an account's email, password, name and language must follow.

Each check returns the clean value or raises ValidationFailed whose `fields`
name the bad field, so forms and the API can show the message next to it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from app.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, is_common_password
from app.core.errors import ValidationFailed
from app.core.names import check_name

#: Longest email the users.email column holds (RFC 5321 path limit).
MAX_EMAIL_LENGTH = 254
#: Longest name the users.name column holds.
MAX_NAME_LENGTH = 120
#: Languages a person may prefer; None means "follow the browser".
LANGUAGES = ("ar", "fr", "en")


def normalise_email(email: str | None) -> str:
    """The email as stored and looked up: NFKC-normalised, syntax checked (no DNS
    lookup), then lower-cased whole.

    NFKC turns full-width and other compatibility look-alikes ("ｆａｔｉｍａ＠x.ma")
    into the plain letters, so they cannot open a second account for the same
    address; lower-casing the local part too makes "Fatima@X.ma" and
    "fatima@x.ma" one account, which is what people expect even if RFC 5321
    allows otherwise. Raises ValidationFailed (field "email").
    """
    text = unicodedata.normalize("NFKC", email or "").strip()
    if not text:
        raise _invalid("email", _("Enter your email address."))
    try:
        normalised = validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise _invalid("email", _("Enter a valid email address, such as fatima@example.ma."))
    if len(normalised) > MAX_EMAIL_LENGTH:
        raise _invalid(
            "email", _("An email address has at most %(count)d characters.", count=MAX_EMAIL_LENGTH)
        )
    return normalised


def check_password(password: str | None, email: str | None = None) -> str:
    """The password itself (never stripped): MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH
    characters, not among the 100,000 most common passwords, not the account's email.

    Raises ValidationFailed (field "password").
    """
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise _invalid(
            "password",
            _("Choose a password of at least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _invalid(
            "password",
            _("A password has at most %(count)d characters.", count=MAX_PASSWORD_LENGTH),
        )
    if email and _same_text(password, email):
        raise _invalid("password", _("Choose a password that is not your email address."))
    if is_common_password(password):
        raise _invalid(
            "password",
            _("This password is one of the most used, so it is guessed first. Choose another."),
        )
    return password


def password_for(email: str | None) -> Callable[[str | None], str]:
    """check_password for the account with this email (the email itself is refused)."""
    return lambda password: check_password(password, email)


def _same_text(password: str, email: str) -> bool:
    return unicodedata.normalize("NFKC", password).strip().lower() == (
        unicodedata.normalize("NFKC", email).strip().lower()
    )


def clean_name(name: str | None) -> str:
    """The name without surrounding spaces; not empty, at most MAX_NAME_LENGTH characters,
    no bidirectional control (app.core.names).

    Raises ValidationFailed (field "name").
    """
    text = (name or "").strip()
    if not text:
        raise _invalid("name", _("Enter your name."))
    if len(text) > MAX_NAME_LENGTH:
        raise _invalid("name", _("A name has at most %(count)d characters.", count=MAX_NAME_LENGTH))
    try:
        return check_name(text)
    except ValueError as error:
        raise _invalid("name", str(error))


def check_locale(code: str | None) -> str | None:
    """One of LANGUAGES, or None (empty text too) to follow the browser.

    Raises ValidationFailed (field "locale").
    """
    if not code:
        return None
    if code not in LANGUAGES:
        raise _invalid("locale", _("Choose Arabic, French or English."))
    return code


def optional(check: Callable[[str], str]) -> Callable[[str | None], str | None]:
    """`check` for a value that may be left out: None or empty text give None."""
    return lambda value: check(value) if value else None


def collect(**checks: tuple[Callable, object]) -> dict[str, object]:
    """Run each `name=(check, value)` and return the clean values by name.

    Every check runs, so a form shows all of its mistakes at once; raises one
    ValidationFailed whose `fields` hold every message.
    """
    clean: dict[str, object] = {}
    fields: dict[str, list[str]] = {}
    for name, (check, value) in checks.items():
        try:
            clean[name] = check(value)
        except ValidationFailed as error:
            for field, messages in error.fields.items():
                fields.setdefault(field, []).extend(messages)
    if fields:
        raise ValidationFailed(_("Some fields are not valid."), fields=fields)
    return clean


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})
