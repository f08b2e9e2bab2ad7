"""Flush-only steps of orders, for the use cases of orders, payments and payouts.

The caller owns the transaction (``app.orders.services`` and
``app.payments.services`` commit). The two state machines are applied here
only: ``transition_order`` and ``transition_part`` check each move against
``app.orders.states`` and record who made it. Each event the shopper or a
cooperative should hear of writes an outbox row in the same transaction
(``app.orders.notices``). Amounts are int centimes of MAD.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.cart.carts import ShopperCart
from app.catalog.operations import return_stock
from app.core.db import utcnow
from app.core.errors import IllegalTransition
from app.core.locking import lock_all, locked
from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.operations import Entry, post
from app.orders import notices, states
from app.orders.codes import codes_match
from app.orders.errors import AwaitingPayment, CashAlreadyCollected, WrongPickupCode
from app.orders.models import (
    CooperativeOrder,
    Order,
    OrderEvent,
    OrderStatus,
    PartEvent,
    PartStatus,
)

#: Ledger kind of a cash collection.
CASH_COLLECTED = "cash_collected"


def lock_order(order_id: int) -> Order:
    """Lock the order, then its parts by id, and re-read them, before a use case changes them.

    Every use case that changes an order or its parts (a cooperative's move, the
    shopper's cancel, a payment, a refund, the expiry sweep) takes the same locks
    in the same order first, so they act on one order one at a time on fresh rows
    and the order is settled exactly once. (SQLite serialises writers anyway.)
    """
    order = locked(Order, order_id)
    lock_all(
        select(CooperativeOrder)
        .where(CooperativeOrder.order_id == order_id)
        .order_by(CooperativeOrder.id)
    )
    return order


# State machines ------------------------------------------------------------------


def transition_order(order: Order, to_status: str, *, actor: User | None, note: str = "") -> None:
    """Move ``order`` to ``to_status`` if ``states.ORDER_MOVES`` allows it; record who and why.

    Raises ``IllegalTransition`` (409) otherwise. Only flushes.
    """
    if not states.order_move_allowed(order.status, to_status):
        raise IllegalTransition("order", order.status, to_status)
    order.events.append(
        OrderEvent(
            from_status=order.status,
            to_status=to_status,
            actor_id=actor.id if actor is not None else None,
            note=note,
            at=utcnow(),
        )
    )
    order.status = to_status
    db.session.flush()


def transition_part(
    part: CooperativeOrder,
    to_status: str,
    *,
    actor: User | None,
    note: str = "",
    pickup_code: str | None = None,
    restock: bool = True,
) -> None:
    """Move a cooperative's part to ``to_status``, with everything that move entails; flush only.

    Checks the move against ``states.part_move_allowed`` (``IllegalTransition``,
    409), that a card order is paid before it is prepared (``AwaitingPayment``,
    409), and that handing over a pickup (ready -> delivered) gets the shopper's
    ``pickup_code`` (``WrongPickupCode``, 422). Cancelling or refusing returns
    the stock unless ``restock`` is False (a refund returned what came back),
    and not once cash was collected (``CashAlreadyCollected``, 409);
    delivering a cash part records its cash if not yet recorded, a card part
    starts holding its earnings (``earnings_held_since``). Records a
    ``PartEvent``, then settles the order (completed, or cancelled) once every
    part is final.
    """
    order = part.order
    from_status = part.status
    if not states.part_move_allowed(
        from_status, to_status, part.delivery_method, order.payment_method
    ):
        raise IllegalTransition("order part", from_status, to_status)
    if order.status == OrderStatus.PENDING_PAYMENT and to_status != PartStatus.CANCELLED:
        raise AwaitingPayment(_("This order is not paid yet: wait for the payment."))
    handing_over = from_status == PartStatus.READY and to_status == PartStatus.DELIVERED
    if handing_over and not codes_match(part.pickup_code, pickup_code):
        message = _("This is not the pickup code of this order: ask the shopper for it.")
        raise WrongPickupCode(message, fields={"pickup_code": [message]})
    if to_status in {PartStatus.CANCELLED, PartStatus.REFUSED}:
        if part.cash_collected_cents is not None:
            raise CashAlreadyCollected(
                _("Cash was collected for this part: it cannot be cancelled or refused.")
            )
        if restock:
            for line in sorted(part.lines, key=lambda line: line.product_id):
                return_stock(line.product_id, line.quantity)
    if to_status == PartStatus.DELIVERED and order.is_cash and part.cash_collected_cents is None:
        record_cash(part, actor, part.total_cents)

    at = utcnow()
    if to_status == PartStatus.DELIVERED and not order.is_cash:
        part.earnings_held_since = at
    part.events.append(
        PartEvent(
            from_status=from_status,
            to_status=to_status,
            actor_id=actor.id if actor is not None else None,
            note=note,
            at=at,
        )
    )
    part.status = to_status
    notices.part_moved(part)
    db.session.flush()
    _settle(order)


def _settle(order: Order) -> None:
    """Complete (or cancel) the order once every part is final; the system is the actor."""
    settled = states.settled_order_status([part.status for part in order.parts])
    if settled is not None and states.order_move_allowed(order.status, settled):
        transition_order(order, settled, actor=None, note=_("Every part is finished."))
        if settled == OrderStatus.CANCELLED:
            notices.order_cancelled(order)


def mark_paid(order: Order, *, note: str = "") -> None:
    """A card order's payment succeeded: pending_payment -> paid, and its cooperatives are
    told of the new order (cash orders told them at checkout)."""
    transition_order(order, OrderStatus.PAID, actor=None, note=note)
    notices.new_order_for_cooperatives(order)


def mark_refunded(order: Order, *, actor: User | None, note: str = "") -> bool:
    """The order's whole total was refunded (for payments): -> refunded; flush only.

    Parts not yet dispatched, with no cash collected, are cancelled without
    returning stock (the refund returned the units marked as back in stock).
    Returns False, changing nothing, when the order cannot become refunded
    (a cancelled order stays cancelled).
    """
    if not states.order_move_allowed(order.status, OrderStatus.REFUNDED):
        return False
    transition_order(order, OrderStatus.REFUNDED, actor=actor, note=note)
    for part in order.parts:
        waiting = part.status not in states.PART_FINAL | states.PART_DISPATCHED
        if waiting and part.cash_collected_cents is None:
            transition_part(part, PartStatus.CANCELLED, actor=actor, note=note, restock=False)
    return True


def cancel_unpaid_order(order: Order, note: str, *, restore_cart: bool = False) -> None:
    """Cancel a card order nobody paid (expired, or Stripe could not be reached at checkout).

    Its parts are cancelled and their stock returned; with ``restore_cart`` the
    lines go back into the shopper's cart, so a checkout that could not reach
    Stripe loses nothing the shopper chose. The shopper is told.
    ``IllegalTransition`` unless the order is still pending payment.
    """
    transition_order(order, OrderStatus.CANCELLED, actor=None, note=note)
    for part in order.parts:
        if part.status not in states.PART_FINAL:
            transition_part(part, PartStatus.CANCELLED, actor=None, note=note)
    if restore_cart:
        cart = ShopperCart(order.shopper_id)
        in_cart = cart.quantities()
        lines = [line for part in order.parts for line in part.lines]
        for line in sorted(lines, key=lambda bought: bought.product_id):
            cart.put(line.product_id, in_cart.get(line.product_id, 0) + line.quantity)
    notices.order_cancelled(order)
    db.session.flush()


# Cash -------------------------------------------------------------------------


def record_cash(part: CooperativeOrder, actor: User | None, amount_cents: int) -> None:
    """Note the cash on the part and post what the cooperative now owes; flush only.

    The cooperative keeps the whole amount in hand, so its available balance
    goes down by the platform's fee and the solidarity share, which go to the
    platform's revenue and the fund. A part with no fee (a fair's 0 % stand
    rule) posts nothing.
    """
    part.cash_collected_cents = amount_cents
    part.cash_collected_at = utcnow()
    part.cash_collected_by_id = actor.id if actor is not None else None
    platform, solidarity = part.platform_cents, part.solidarity_cents
    if platform + solidarity:
        post(
            CASH_COLLECTED,
            f"cash:part:{part.id}",
            [
                Entry(
                    ledger_codes.cooperative_available(part.cooperative_id),
                    -(platform + solidarity),
                ),
                Entry(ledger_codes.PLATFORM_REVENUE, platform),
                Entry(ledger_codes.PLATFORM_SOLIDARITY_FUND, solidarity),
            ],
            memo=f"Cash collected for order {part.order.number}",
            occurred_at=part.cash_collected_at,
            refs={"order_id": part.order_id, "cooperative_order_id": part.id},
        )
    db.session.flush()
