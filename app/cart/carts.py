"""Where a cart's lines are kept: in the session for a guest, in ``cart_items`` for a shopper.

Both hold only product ids and quantities; prices, names and stock are always
read from the catalog when the cart is shown or checked out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import delete, select

from app.cart.models import CartItem
from app.extensions import db

#: The session key of a guest's cart: {"<product_id>": quantity}.
SESSION_KEY = "cart"


class Cart(ABC):
    """Product id -> quantity (always > 0). Writes only flush; services own the commit."""

    @abstractmethod
    def quantities(self) -> dict[int, int]:
        """Every line, product id -> units wanted, in product id order."""

    @abstractmethod
    def put(self, product_id: int, quantity: int) -> None:
        """Keep ``quantity`` units of the product; 0 removes the line."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every line."""


class ShopperCart(Cart):
    """A logged-in shopper's cart, kept in the database across sessions and devices."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def quantities(self) -> dict[int, int]:
        rows = db.session.execute(
            select(CartItem.product_id, CartItem.quantity)
            .where(CartItem.user_id == self.user_id)
            .order_by(CartItem.product_id)
        ).tuples()
        return dict(rows.all())

    def put(self, product_id: int, quantity: int) -> None:
        item = db.session.scalar(
            select(CartItem).where(
                CartItem.user_id == self.user_id, CartItem.product_id == product_id
            )
        )
        if quantity <= 0:
            if item is not None:
                db.session.delete(item)
        elif item is None:
            db.session.add(CartItem(user_id=self.user_id, product_id=product_id, quantity=quantity))
        else:
            item.quantity = quantity
        db.session.flush()

    def clear(self) -> None:
        db.session.execute(delete(CartItem).where(CartItem.user_id == self.user_id))


class GuestCart(Cart):
    """A guest's cart in the signed session cookie; merged into the shopper's cart at login."""

    def __init__(self, store: MutableMapping[str, Any]) -> None:
        self.store = store

    def quantities(self) -> dict[int, int]:
        return guest_quantities(self.store)

    def put(self, product_id: int, quantity: int) -> None:
        lines = {str(pid): qty for pid, qty in self.quantities().items()}
        if quantity <= 0:
            lines.pop(str(product_id), None)
        else:
            lines[str(product_id)] = quantity
        # Reassigning (not mutating) the value is what marks a Flask session modified.
        self.store[SESSION_KEY] = lines

    def clear(self) -> None:
        self.store.pop(SESSION_KEY, None)


def guest_quantities(store: MutableMapping[str, Any]) -> dict[int, int]:
    """The guest cart held in ``store``; anything malformed in the cookie is ignored."""
    raw = store.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return {}
    lines: dict[int, int] = {}
    for key, value in raw.items():
        if isinstance(key, str) and key.isdigit() and type(value) is int and value > 0:
            lines[int(key)] = value
    return dict(sorted(lines.items()))


def cart_for(user: Any, store: MutableMapping[str, Any]) -> Cart:
    """The cart of whoever is making the request: the shopper's own, or the guest's session."""
    if user is not None and getattr(user, "is_authenticated", False):
        return ShopperCart(user.id)
    return GuestCart(store)
