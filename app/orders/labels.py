"""What order, part, delivery and payment codes are called on pages, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import name_transitions

ORDER_STATUS_NAMES = {
    "pending_payment": _l("Waiting for card payment"),
    "placed": _l("Placed"),
    "paid": _l("Paid"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"),
}

PART_STATUS_NAMES = {
    "pending": _l("Waiting for the cooperative"),
    "confirmed": _l("Confirmed"),
    "ready": _l("Ready for pickup"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "refused": _l("Refused at the door"),
    "cancelled": _l("Cancelled"),
}

#: What the button that moves a part to a status says.
PART_MOVE_NAMES = {
    "confirmed": _l("Confirm"),
    "ready": _l("Mark ready for pickup"),
    "shipped": _l("Mark shipped"),
    "delivered": _l("Mark delivered"),
    "refused": _l("Refused at the door"),
    "cancelled": _l("Cancel this part"),
}

#: What is said once a part moved to a status (past participle; the button says what to do).
PART_MOVED_MESSAGES = {
    "confirmed": _l("Order %(number)s confirmed."),
    "ready": _l("Order %(number)s marked ready for pickup."),
    "shipped": _l("Order %(number)s marked shipped."),
    "delivered": _l("Order %(number)s marked delivered."),
    "refused": _l("Order %(number)s marked refused at the door."),
    "cancelled": _l("Your part of order %(number)s is cancelled."),
}

DELIVERY_METHOD_NAMES = {
    "home_delivery": _l("Home delivery"),
    "coop_pickup": _l("Pickup at the cooperative"),
    "stand_pickup": _l("Pickup at its fair stand"),
}

PAYMENT_METHOD_NAMES = {
    "card": _l("Card"),
    "cash_on_delivery": _l("Cash on delivery"),
    "pay_at_stand": _l("Pay at the stand"),
}


def name_of(names: dict, code: str | None) -> str:
    """The translated name of ``code``, or the code itself when it has none."""
    return str(names.get(code, code or ""))


def name_order_transitions() -> None:
    """Give ``IllegalTransition`` the words of refused order and part moves (app factory)."""
    name_transitions(
        "order",
        _l("This order cannot go from “%(from_state)s” to “%(to_state)s”."),
        ORDER_STATUS_NAMES,
    )
    name_transitions(
        "order part",
        _l("This part of the order cannot go from “%(from_state)s” to “%(to_state)s”."),
        PART_STATUS_NAMES,
    )
