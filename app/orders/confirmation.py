"""Signed links that let a cash-on-delivery shopper confirm or cancel their parts.

The link carries the order's number signed with the app's secret (itsdangerous),
so it needs no table and cannot be forged; it works for ``LINK_DAYS`` days. It
only opens a page: confirming or cancelling is a POST of that page.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: Days a confirmation link keeps working (a parcel not confirmed by then was called for).
LINK_DAYS = 30
_SALT = "souk-tadamon/cod-confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def confirmation_token(order_number: str) -> str:
    """The signed token of the order's confirmation link."""
    return _serializer().dumps(order_number)


def order_number_of(token: str) -> str | None:
    """The order number a confirmation token was signed for; None when forged or expired."""
    try:
        number = _serializer().loads(token or "", max_age=LINK_DAYS * 24 * 3600)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    return number if isinstance(number, str) else None
