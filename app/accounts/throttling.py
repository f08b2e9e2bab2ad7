"""Rate limits on failed logins, per account (email) and per address (IP).

Both the login page and the API's token endpoint share the same counters, so
guessing through one face uses up the attempts of the other. Only failures
count: a view calls `count_failed_login()` when the credentials were wrong,
and Flask-Limiter deducts after the response (its `deduct_when`). Once the
limit (config LOGIN_RATE_LIMIT, e.g. "5 per minute;30 per hour") is used up,
every attempt for that account or from that address is refused with a 429
until the window passes, even with the right password.

Addresses are read from `request.remote_addr`: behind a reverse proxy, wrap
the app in werkzeug's ProxyFix so that it is the client's address.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request
from flask.wrappers import Response
from flask_babel import gettext as _

from app.accounts.validation import normalise_email
from app.core.errors import ValidationFailed
from app.extensions import limiter

ACCOUNT_SCOPE = "failed-logins-per-account"
ADDRESS_SCOPE = "failed-logins-per-address"

View = TypeVar("View", bound=Callable)


def count_failed_login() -> None:
    """Mark this request as a failed login, so that it counts against both limits."""
    g.failed_login = True


def limit_failed_logins(view: View) -> View:
    """Refuse `view`'s POSTs with a 429 (RateLimitExceeded) once too many logins failed."""
    for scope, key in ((ADDRESS_SCOPE, _address_key), (ACCOUNT_SCOPE, _account_key)):
        view = limiter.shared_limit(
            _login_rate_limit,
            scope=scope,
            key_func=key,
            methods=["POST"],
            deduct_when=_login_failed,
            error_message=_too_many_message,
        )(view)
    return view


def retry_after_seconds() -> int:
    """Seconds until the breached limit of this request lets a login through again (>= 1)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.reset_at - time.time()))


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_failed(response: Response) -> bool:
    return bool(g.get("failed_login"))


def _too_many_message() -> str:
    return _("Too many failed login attempts. Wait a few minutes and try again.")


def _address_key() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _account_key() -> str:
    """The submitted email, normalised as accounts store it, so letter case cannot
    dodge the limit; hashed, so the rate limit store holds no email addresses."""
    if request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    else:
        email = request.form.get("email")
    email = email if isinstance(email, str) else ""
    try:
        email = normalise_email(email)
    except ValidationFailed:
        email = email.strip().lower()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()
