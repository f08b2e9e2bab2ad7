"""Rate limits on guest checkout: orders placed without an account, per address and phone.

A cash-on-delivery order costs a cooperative a parcel and a trip, so strangers may not
place them by the hundred. Only placed guest orders count (Flask-Limiter's
``deduct_when``: the view marks the request with ``count_guest_order``); a page that
only recalculates the total, or that refuses bad input, counts nothing. Once a limit
is used up, guest orders are refused with a 429 until the window passes; logged-in
shoppers are never limited here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_login import current_user

from app.cooperatives.validation import normalize_phone
from app.extensions import limiter

View = TypeVar("View", bound=Callable)


def count_guest_order() -> None:
    """Mark this request as a placed guest order, so that it counts against the limits."""
    g.guest_order_placed = True


def limit_guest_orders(view: View) -> View:
    """Refuse guest checkouts with a 429 once this address, or this phone, placed too many."""
    for scope, setting, key in (
        ("guest-orders-per-address", "GUEST_CHECKOUT_RATE_LIMIT", _address_key),
        ("guest-orders-per-phone", "GUEST_CHECKOUT_PHONE_RATE_LIMIT", _phone_key),
    ):
        view = limiter.shared_limit(
            _setting(setting),
            scope=scope,
            key_func=key,
            methods=["POST"],
            exempt_when=lambda: current_user.is_authenticated,
            deduct_when=_guest_order_placed,
            error_message=_too_many,
        )(view)
    return view


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _guest_order_placed(response: Response) -> bool:
    return bool(g.get("guest_order_placed"))


def _too_many() -> str:
    return _("Too many orders without an account from here. Log in, or try again later.")


def _address_key() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _phone_key() -> str:
    """The phone typed, normalised (so spaces or +212 do not dodge it), hashed."""
    typed = request.form.get("phone", "")
    try:
        phone = normalize_phone(typed)
    except ValueError:
        phone = typed.strip()
    return "phone:" + hashlib.sha256(phone.encode("utf-8", "surrogatepass")).hexdigest()
