"""Errors the accounts use cases raise, beyond the shared ones in app.core.errors."""

from __future__ import annotations

from app.core.errors import Conflict, DomainError, ValidationFailed


class InvalidCredentials(DomainError):
    """Unknown email, wrong password or a deactivated account: deliberately one error,
    so that nobody can learn which accounts exist."""

    code = "invalid_credentials"
    status = 401


class EmailTaken(Conflict):
    """Another account already uses this email (compared case-insensitively)."""

    code = "email_taken"


class InvalidLink(DomainError):
    """An e-mailed link (password reset, e-mail verification, invitation) that was used
    already, has expired, or was never given out."""

    code = "invalid_token"
    status = 400


class WrongPhoneCode(ValidationFailed):
    """The code typed is not the one sent by SMS; the try is counted (field "code")."""

    code = "wrong_phone_code"


class PhoneCodeExpired(ValidationFailed):
    """No code works any more: none was sent, it expired, was used, or too many wrong
    codes were tried against it (field "code"). A new one must be asked for."""

    code = "phone_code_expired"


class TooManyPhoneCodes(DomainError):
    """Too many codes were sent within the hour, to this account or to this phone."""

    code = "too_many_phone_codes"
    status = 429
