"""Errors of orders, mapped by faces to form messages or JSON errors."""

from __future__ import annotations

from app.core.errors import Conflict, ValidationFailed


class ProductsNotForSale(Conflict):
    """The cart holds products no longer on sale; ``fields.products`` names them."""

    code = "product_not_for_sale"


class AlreadyShipped(Conflict):
    """The shopper cannot cancel: some part has already left its cooperative."""

    code = "already_shipped"


class AwaitingPayment(Conflict):
    """A card order not paid yet: its cooperatives may only cancel, not prepare it."""

    code = "awaiting_payment"


class WrongPickupCode(ValidationFailed):
    """Handing over a pickup needs the code the shopper shows; this one is missing or wrong."""

    code = "wrong_pickup_code"


class NotCashPart(Conflict):
    """Cash is recorded only for cash on delivery and pay-at-stand orders, once handed over."""

    code = "not_cash"


class WrongCashAmount(ValidationFailed):
    """The cash recorded must be the part's whole total (its lines plus shipping)."""

    code = "wrong_amount"


class CashAlreadyCollected(Conflict):
    """A part whose cash was collected can no longer be cancelled or refused."""

    code = "cash_collected"
