"""What the header of every page shows about the reader: the cart's count, the members' link.

Each is read at most once per request (kept on ``flask.g``), however many templates ask.
"""

from __future__ import annotations

from flask import g, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.cart.carts import cart_for
from app.cooperatives.queries import is_member_of_any


def cart_count() -> int:
    """Units in the reader's cart (the session for a guest, one query for a shopper)."""
    if "cart_count" not in g:
        try:
            g.cart_count = sum(cart_for(current_user, session).quantities().values())
        except SQLAlchemyError:
            # An error page must still render when the database is what failed.
            g.cart_count = 0
    return g.cart_count


def is_cooperative_member() -> bool:
    """Whether the signed-in reader belongs to a cooperative."""
    if "cooperative_member" not in g:
        g.cooperative_member = bool(
            current_user.is_authenticated and is_member_of_any(current_user.id)
        )
    return g.cooperative_member


def header_context() -> dict:
    """Template globals of the header (the storefront's blueprint registers this app-wide)."""
    return {"cart_count": cart_count, "is_cooperative_member": is_cooperative_member}
