"""The order and part state machines as plain tables (DESIGN.md section 6).

Pure data and pure functions: which moves exist, and which a part's delivery
and payment methods allow. ``app.orders.operations.transition_order`` and
``transition_part`` are the only code that applies them.
"""

from __future__ import annotations

from app.orders.models import DeliveryMethod, OrderStatus, PartStatus, PaymentMethod

ORDER_MOVES: dict[str, frozenset[str]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PLACED: frozenset(
        {OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    ),
    OrderStatus.PAID: frozenset(
        {OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}
    ),
    # Refunded whole (payments): also after delivery, when the goods came back.
    OrderStatus.COMPLETED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}

PART_MOVES: dict[str, frozenset[str]] = {
    PartStatus.PENDING: frozenset({PartStatus.CONFIRMED, PartStatus.CANCELLED}),
    PartStatus.CONFIRMED: frozenset({PartStatus.READY, PartStatus.SHIPPED, PartStatus.CANCELLED}),
    PartStatus.READY: frozenset({PartStatus.DELIVERED, PartStatus.CANCELLED}),
    PartStatus.SHIPPED: frozenset({PartStatus.DELIVERED, PartStatus.REFUSED}),
    PartStatus.DELIVERED: frozenset(),
    PartStatus.REFUSED: frozenset(),
    PartStatus.CANCELLED: frozenset(),
}

#: Part statuses after which nothing happens to the part any more.
PART_FINAL = frozenset(status for status, moves in PART_MOVES.items() if not moves)
#: Once a part reaches one of these, the goods have left the cooperative: no shopper cancel.
PART_DISPATCHED = frozenset({PartStatus.SHIPPED, PartStatus.DELIVERED, PartStatus.REFUSED})

#: Moves that only make sense for one kind of delivery.
_PICKUP_ONLY = frozenset({PartStatus.READY})
_HOME_DELIVERY_ONLY = frozenset({PartStatus.SHIPPED, PartStatus.REFUSED})


#: Order statuses in which its shopper may still cancel it (when no part was dispatched).
ORDER_CANCELLABLE = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PLACED, OrderStatus.PAID})


def has_dispatched_part(order) -> bool:
    """Whether any part of ``order`` has left its cooperative (shipped, delivered, refused)."""
    return any(part.status in PART_DISPATCHED for part in order.parts)


def shopper_may_cancel(order) -> bool:
    """Whether the shopper may still cancel ``order`` whole: not finished, nothing dispatched.

    The receipt shows the cancel button on this; ``cancel_order`` refuses on the same rule.
    """
    return order.status in ORDER_CANCELLABLE and not has_dispatched_part(order)


def order_move_allowed(from_status: str, to_status: str) -> bool:
    return to_status in ORDER_MOVES.get(from_status, frozenset())


def part_move_allowed(
    from_status: str, to_status: str, delivery_method: str, payment_method: str
) -> bool:
    """Whether a part may go from ``from_status`` to ``to_status``.

    Beyond the table: ``ready`` is for pickups only, ``shipped`` for home
    delivery only, and ``refused`` (the parcel turned down at the door) only
    for cash on delivery: a parcel paid by card that comes back is a refund.
    """
    if to_status not in PART_MOVES.get(from_status, frozenset()):
        return False
    is_home_delivery = delivery_method == DeliveryMethod.HOME_DELIVERY
    wrong_kind = _PICKUP_ONLY if is_home_delivery else _HOME_DELIVERY_ONLY
    if from_status in wrong_kind or to_status in wrong_kind:
        return False
    return not (
        to_status == PartStatus.REFUSED and payment_method != PaymentMethod.CASH_ON_DELIVERY
    )


def allowed_part_moves(
    status: str, delivery_method: str, payment_method: str, order_status: str | None = None
) -> list[str]:
    """The statuses a part may go to next, in the machine's order (for one button each).

    While its card order waits for payment (``order_status`` pending_payment)
    a part may only be cancelled.
    """
    moves = [
        to_status
        for to_status in PartStatus
        if part_move_allowed(status, to_status, delivery_method, payment_method)
    ]
    if order_status == OrderStatus.PENDING_PAYMENT:
        moves = [move for move in moves if move == PartStatus.CANCELLED]
    return moves


def settled_order_status(part_statuses: list[str]) -> str | None:
    """The status an order reaches once every part is final, else None.

    ``cancelled`` when every part was cancelled; ``completed`` when each part
    was delivered, refused or cancelled and at least one was not cancelled.
    """
    if not part_statuses or any(status not in PART_FINAL for status in part_statuses):
        return None
    if all(status == PartStatus.CANCELLED for status in part_statuses):
        return OrderStatus.CANCELLED
    return OrderStatus.COMPLETED
