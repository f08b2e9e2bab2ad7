"""Who hears about an order's events: outbox rows written in the use case's transaction.

Only flushes (``app.notifications.operations.notify``): a message exists exactly
when the event that caused it was committed, and is delivered after that.
Dedupe keys (``new_order:<part>:<user>``, ``order_cancelled:<number>``) make an event
told twice (a retried task, a repeated webhook) be told once.
Card orders tell their cooperatives once paid (``operations.mark_paid``).
"""

from __future__ import annotations

from app.accounts.models import User
from app.cooperatives.models import Cooperative
from app.cooperatives.operations import tell_members
from app.cooperatives.queries import members_by_cooperative
from app.notifications.models import DEFAULT_LOCALE
from app.notifications.operations import notify
from app.orders.models import CooperativeOrder, Order, PartStatus, PaymentMethod

#: Part moves the shopper is told about, and the kind of message for each.
PART_NOTICES = {
    PartStatus.CONFIRMED: "part_confirmed",
    PartStatus.SHIPPED: "part_shipped",
    PartStatus.READY: "part_ready",
    PartStatus.DELIVERED: "part_delivered",
    PartStatus.REFUSED: "part_refused",
}


def order_placed(order: Order) -> None:
    """Tell the shopper the order is placed; for cash and stand orders, tell each cooperative."""
    notify(
        "order_placed",
        user=order.shopper,
        context={
            "order_number": order.number,
            "total_cents": order.total_cents,
            "payment_method": order.payment_method,
            "part_count": len(order.parts),
        },
        dedupe_key=f"order_placed:{order.number}",
    )
    if order.payment_method != PaymentMethod.CARD:
        new_order_for_cooperatives(order)


def new_order_for_cooperatives(order: Order) -> None:
    """Tell every member of each cooperative in the order that it has a part to prepare.

    Cash and stand orders at checkout; card orders once paid (``mark_paid``).
    """
    members = members_by_cooperative(part.cooperative_id for part in order.parts)
    for part in order.parts:
        tell_members(
            part.cooperative,
            members.get(part.cooperative_id, []),
            "new_order_for_cooperative",
            {
                "order_number": order.number,
                "subtotal_cents": part.subtotal_cents,
                "item_count": sum(line.quantity for line in part.lines),
                "delivery_method": part.delivery_method,
            },
            dedupe_key=f"new_order:{part.id}",
        )


def part_moved(part: CooperativeOrder) -> None:
    """Tell the shopper their part was confirmed, shipped, made ready, delivered or refused."""
    kind = PART_NOTICES.get(part.status)
    if kind is None:
        return
    order = part.order
    context = {
        "order_number": order.number,
        "cooperative_name": _name_for(part.cooperative, order.shopper),
    }
    if kind == "part_ready":
        context["pickup_code"] = part.pickup_code
    if kind == "part_shipped" and order.payment_method == PaymentMethod.CASH_ON_DELIVERY:
        context["cash_due_cents"] = part.total_cents
    if kind == "part_shipped" and part.tracking_number:
        context["carrier"] = part.carrier or ""
        context["tracking_number"] = part.tracking_number
    notify(kind, user=order.shopper, context=context, dedupe_key=f"{kind}:{part.id}")


def order_cancelled(order: Order) -> None:
    """Tell the shopper the whole order is cancelled."""
    notify(
        "order_cancelled",
        user=order.shopper,
        context={"order_number": order.number},
        dedupe_key=f"order_cancelled:{order.number}",
    )


def _name_for(cooperative: Cooperative, reader: User) -> str:
    """The cooperative's name in the language its message to `reader` is written in."""
    return cooperative.translated("name", reader.locale or DEFAULT_LOCALE)
