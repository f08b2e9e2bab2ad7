"""HTML pages for shoppers.

Each module listed in `blueprint()` adds one group of routes to `bp`.
"""

from flask import Blueprint

bp = Blueprint("storefront", __name__)


def blueprint() -> Blueprint:
    """``bp`` with every group of its pages on it (the app factory registers it)."""
    from app.storefront import (  # noqa: F401  (each module adds its routes to bp)
        card_payment_pages,
        cart_pages,
        catalog_pages,
        checkout_pages,
        cooperative_pages,
        fair_pages,
        fair_trade_page,
        order_pages,
    )

    return bp
