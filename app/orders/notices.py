"""Who hears about an order's events: outbox rows written in the use case's transaction.

Only flushes (``app.notifications.operations.notify``): a message exists exactly
when the event that caused it was committed, and is delivered after that.
Dedupe keys (``new_order:<part>:<user>``, ``order_cancelled:<number>``) make an event
told twice (a retried task, a repeated webhook) be told once.
Card orders tell their cooperatives once paid (``operations.mark_paid``).
"""

from __future__ import annotations

from typing import Any

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


def tell_shopper(order: Order, kind: str, context: dict[str, Any], dedupe_key: str) -> None:
    """Write the shopper's ``kind`` message: to their account, or for a guest by SMS to the
    order's phone and, when they gave one, by e-mail too (in the language they ordered in)."""
    if order.shopper is not None:
        notify(kind, user=order.shopper, context=context, dedupe_key=dedupe_key)
        return
    context = {"name": order.contact_name, **context}
    notify(
        kind,
        phone=order.contact_phone,
        locale=order.locale,
        context=context,
        dedupe_key=dedupe_key,
        channel="sms",
    )
    if order.guest_email:
        notify(
            kind,
            email=order.guest_email,
            locale=order.locale,
            context=context,
            dedupe_key=f"{dedupe_key}:email",
            channel="email",
        )


def reader_locale(order: Order) -> str:
    """The language the order's shopper reads their messages in."""
    if order.shopper is not None and order.shopper.locale:
        return order.shopper.locale
    return order.locale or DEFAULT_LOCALE


def order_placed(
    order: Order, *, order_link: str | None = None, confirmation_link: str | None = None
) -> None:
    """Tell the shopper the order is placed (a guest gets the secret ``order_link`` of its
    page); for cash on delivery, ask them to confirm or cancel by ``confirmation_link``; for
    cash and stand orders, tell each cooperative."""
    context: dict[str, Any] = {
        "order_number": order.number,
        "total_cents": order.total_cents,
        "payment_method": order.payment_method,
        "part_count": len(order.parts),
    }
    if order_link:
        context["link"] = order_link
    tell_shopper(order, "order_placed", context, f"order_placed:{order.number}")
    if order.payment_method == PaymentMethod.CASH_ON_DELIVERY and confirmation_link:
        tell_shopper(
            order,
            "confirm_cash_order",
            {
                "order_number": order.number,
                "total_cents": order.total_cents,
                "link": confirmation_link,
            },
            f"confirm_cash_order:{order.number}",
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
    context: dict[str, Any] = {
        "order_number": order.number,
        "cooperative_name": part.cooperative.translated("name", reader_locale(order)),
    }
    if kind == "part_ready":
        context["pickup_code"] = part.pickup_code
    if kind == "part_shipped" and order.payment_method == PaymentMethod.CASH_ON_DELIVERY:
        context["cash_due_cents"] = part.total_cents
    if kind == "part_shipped":
        # Each one the cooperative gave: a carrier alone still tells the shopper who brings it.
        if part.carrier:
            context["carrier"] = part.carrier
        if part.tracking_number:
            context["tracking_number"] = part.tracking_number
    tell_shopper(order, kind, context, f"{kind}:{part.id}")


def order_cancelled(order: Order) -> None:
    """Tell the shopper the whole order is cancelled."""
    tell_shopper(
        order, "order_cancelled", {"order_number": order.number}, f"order_cancelled:{order.number}"
    )
