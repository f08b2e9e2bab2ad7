"""Keep a guest's cart when they log in: it is merged into the shopper's own cart."""

from __future__ import annotations

from flask import session
from flask_login import user_logged_in

from app.cart.carts import GuestCart, guest_quantities
from app.cart.services import merge_guest_cart


def connect_cart_signals() -> None:
    """Merge a guest's cart at login (the app factory calls this; connecting twice is a no-op)."""
    user_logged_in.connect(merge_cart_at_login)


def merge_cart_at_login(sender, user, **extra) -> None:
    """Flask-Login's signal, sent by ``login_user``: fold the session's cart into the user's."""
    lines = guest_quantities(session)
    if lines:
        merge_guest_cart(user.id, lines)
        GuestCart(session).clear()
