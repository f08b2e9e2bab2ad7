"""Rate limits on the account doors: failed logins, registrations and reset requests.

Failed logins are counted three ways, so that strangers cannot lock a person out
and guessing stays slow (ASVS 2.2.1):

- per account *and* address (LOGIN_RATE_LIMIT, "5 per minute;30 per hour"): the
  one who guesses one account from one place is stopped, and only there;
- per address (LOGIN_ADDRESS_RATE_LIMIT, "100 per hour"): one place guessing many
  accounts is stopped, yet a fair's shared Wi-Fi survives a few typos;
- per account over all addresses (LOGIN_ACCOUNT_RATE_LIMIT, "100 per hour"): a
  spread-out attack on one account is stopped, far above what strangers reach
  by a few tries each. Five wrong passwords from five addresses therefore
  leave the rightful person, from their own address, free to log in.

The login page and the API's token endpoint share the counters, so guessing
through one face uses up the attempts of the other. Only failures count: a
view calls `count_failed_login()` when the credentials were wrong, and
Flask-Limiter deducts after the response (its `deduct_when`). Once a limit is
used up, the attempts it covers are refused with a 429 until the window
passes, even with the right password.

Registrations (REGISTRATION_RATE_LIMIT, "10 per hour") and password reset
requests (PASSWORD_RESET_RATE_LIMIT) are counted per address on every POST, so
the "this email is taken" answer cannot be used to sweep a list of addresses.
Codes sent by SMS (PHONE_CODE_RATE_LIMIT) are counted per address too.

Addresses are read from `request.remote_addr`: behind a reverse proxy, wrap
the app in werkzeug's ProxyFix (config PROXY_COUNT) so that it is the client's
address. Account keys are hashed: the limit store holds no email addresses.
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

PAIR_SCOPE = "failed-logins-per-account-and-address"
ADDRESS_SCOPE = "failed-logins-per-address"
ACCOUNT_SCOPE = "failed-logins-per-account"
REGISTRATION_SCOPE = "registrations-per-address"
RESET_SCOPE = "password-resets-per-address"
PHONE_CODE_SCOPE = "phone-codes-per-address"

View = TypeVar("View", bound=Callable)


def count_failed_login() -> None:
    """Mark this request as a failed login, so that it counts against the login limits."""
    g.failed_login = True


def limit_failed_logins(view: View) -> View:
    """Refuse `view`'s POSTs with a 429 (RateLimitExceeded) once too many logins failed
    for this account from this address, from this address, or for this account."""
    for scope, limit, key in (
        (ADDRESS_SCOPE, _setting("LOGIN_ADDRESS_RATE_LIMIT"), _address_key),
        (ACCOUNT_SCOPE, _setting("LOGIN_ACCOUNT_RATE_LIMIT"), _account_key),
        (PAIR_SCOPE, _setting("LOGIN_RATE_LIMIT"), _pair_key),
    ):
        view = limiter.shared_limit(
            limit,
            scope=scope,
            key_func=key,
            methods=["POST"],
            deduct_when=_login_failed,
            error_message=_too_many_message,
        )(view)
    return view


def limit_registrations(view: View) -> View:
    """Refuse `view`'s POSTs with a 429 once this address registered (or tried to)
    REGISTRATION_RATE_LIMIT times; the HTML and API registrations share the count."""
    return _per_address("REGISTRATION_RATE_LIMIT", REGISTRATION_SCOPE, _too_many_registrations)(
        view
    )


def limit_reset_requests(view: View) -> View:
    """Refuse `view`'s POSTs with a 429 once this address asked for PASSWORD_RESET_RATE_LIMIT
    reset links, so that nobody floods a mailbox; HTML and API share the count."""
    return _per_address("PASSWORD_RESET_RATE_LIMIT", RESET_SCOPE, _too_many_resets)(view)


def limit_phone_codes(view: View) -> View:
    """Refuse `view`'s POSTs with a 429 once this address asked for PHONE_CODE_RATE_LIMIT
    codes by SMS (each costs a text; accounts and phones have their own limits too)."""
    return _per_address("PHONE_CODE_RATE_LIMIT", PHONE_CODE_SCOPE, _too_many_phone_codes)(view)


def _per_address(setting: str, scope: str, message: Callable[[], str]) -> Callable[[View], View]:
    """A limit, shared by every view it decorates under `scope`, on the POSTs of one address."""
    return limiter.shared_limit(
        _setting(setting),
        scope=scope,
        key_func=_address_key,
        methods=["POST"],
        error_message=message,
    )


def retry_after_seconds() -> int:
    """Seconds until the breached limit of this request lets a request through again (>= 1)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.reset_at - time.time()))


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _login_failed(response: Response) -> bool:
    return bool(g.get("failed_login"))


def _too_many_message() -> str:
    return _("Too many failed login attempts. Wait a few minutes and try again.")


def _too_many_registrations() -> str:
    return _("Too many accounts were opened from this address. Try again later.")


def _too_many_resets() -> str:
    return _("Too many password reset requests from this address. Try again later.")


def _too_many_phone_codes() -> str:
    return _("Too many codes were asked for from this address. Try again later.")


def _address() -> str:
    return request.remote_addr or "unknown"


def _address_key() -> str:
    return f"address:{_address()}"


def _account_key() -> str:
    return f"account:{_account_digest()}"


def _pair_key() -> str:
    return f"account:{_account_digest()}:address:{_address()}"


def _account_digest() -> str:
    """The submitted email, normalised as accounts store it, so letter case and look-alike
    forms cannot dodge the limit; hashed, so the rate limit store holds no email addresses."""
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
    return hashlib.sha256(email.encode()).hexdigest()
