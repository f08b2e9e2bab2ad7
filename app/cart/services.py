"""Cart use cases: add, change, remove, and merge a guest's cart at login.

Each public function commits once (for a guest cart there is nothing to
commit; the session cookie carries the change). A quantity is never above the
product's stock (``OutOfStock``, 409) nor below zero (``ValidationFailed``, 422);
setting 0 removes the line. Prices are never taken from the caller.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from app.cart.carts import Cart, ShopperCart
from app.cart.errors import CartFull, OutOfStock, ProductNotForSale
from app.cart.queries import products_for_sale
from app.catalog.models import Product
from app.core.errors import ValidationFailed
from app.extensions import db

#: Different products one cart may hold; keeps a guest's cart well inside a session cookie.
MAX_LINES = 50
#: Units of one product one line may hold.
MAX_QUANTITY = 999


def add_to_cart(cart: Cart, product_id: int, quantity: int = 1) -> int:
    """Add ``quantity`` (>= 1) units of a product on sale; return the line's new quantity.

    Raises ``ProductNotForSale`` (404), ``ValidationFailed`` (422) for a quantity
    below 1, ``OutOfStock`` (409) when the line would exceed the stock, and
    ``CartFull`` (422) for a product beyond ``MAX_LINES``.
    """
    _check_quantity(quantity, minimum=1)
    current = cart.quantities().get(product_id, 0)
    return set_cart_quantity(cart, product_id, current + quantity)


def set_cart_quantity(cart: Cart, product_id: int, quantity: int) -> int:
    """Make the line hold exactly ``quantity`` units (0 removes it); return that quantity.

    Raises as ``add_to_cart``; removing (0) always works, even for a product no
    longer on sale.
    """
    _check_quantity(quantity, minimum=0)
    lines = cart.quantities()
    if quantity == 0:
        cart.put(product_id, 0)
        db.session.commit()
        return 0
    product = _product_for_sale(product_id)
    if quantity > product.stock:
        raise OutOfStock(
            _(
                "Only %(stock)d left of “%(name)s”.",
                stock=product.stock,
                name=product.name,
            ),
            fields={"quantity": [_("At most %(stock)d.", stock=product.stock)]},
        )
    if product_id not in lines and len(lines) >= MAX_LINES:
        raise CartFull(
            _("A cart holds at most %(count)d different products.", count=MAX_LINES),
            fields={"product_id": [_("The cart is full.")]},
        )
    cart.put(product_id, quantity)
    db.session.commit()
    return quantity


def remove_from_cart(cart: Cart, product_id: int) -> None:
    """Remove the product's line, if any."""
    cart.put(product_id, 0)
    db.session.commit()


def merge_guest_cart(user_id: int, guest_lines: Mapping[int, int]) -> None:
    """Fold a guest's cart into the shopper's own at login, and commit.

    Quantities of the same product add up, capped at the stock; products no
    longer on sale are dropped, and lines beyond ``MAX_LINES`` are left out.
    """
    if not guest_lines:
        return
    cart = ShopperCart(user_id)
    lines = cart.quantities()
    products = {product.id: product for product in products_for_sale(guest_lines.keys())}
    for product_id, quantity in sorted(guest_lines.items()):
        product = products.get(product_id)
        if product is None:
            continue
        if product_id not in lines and len(lines) >= MAX_LINES:
            break
        wanted = min(lines.get(product_id, 0) + quantity, product.stock, MAX_QUANTITY)
        if wanted > 0:
            cart.put(product_id, wanted)
            lines[product_id] = wanted
    db.session.commit()


def _check_quantity(quantity: int, *, minimum: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed(
            _("The quantity must be a whole number."),
            fields={"quantity": [_("Enter a whole number.")]},
        )
    if quantity < minimum or quantity > MAX_QUANTITY:
        message = _(
            "The quantity must be between %(low)d and %(high)d.", low=minimum, high=MAX_QUANTITY
        )
        raise ValidationFailed(message, fields={"quantity": [message]})


def _product_for_sale(product_id: int) -> Product:
    found = products_for_sale([product_id])
    if not found:
        raise ProductNotForSale(_("This product is not for sale."))
    return found[0]
