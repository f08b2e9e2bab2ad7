"""Errors of the cart, mapped by faces to a message on the cart page or a JSON error."""

from __future__ import annotations

from app.core.errors import Conflict, NotFound, ValidationFailed


class OutOfStock(Conflict):
    """More units asked for than the cooperative has (409 ``out_of_stock``)."""

    code = "out_of_stock"


class ProductNotForSale(NotFound):
    """No such product, or it is not on sale (draft, archived, hidden, cooperative not verified)."""

    code = "product_not_for_sale"


class CartFull(ValidationFailed):
    """Too many different products in one cart (the guest cart must fit in a cookie)."""

    code = "cart_full"
