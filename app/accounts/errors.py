"""Errors the accounts use cases raise, beyond the shared ones in app.core.errors."""

from __future__ import annotations

from app.core.errors import Conflict, DomainError


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
