"""Order use cases: checkout, the two state machines, shopper cancel, cash collected.

``place_order``, ``move_part``, ``cancel_order`` and ``record_cash_collected``
each commit once and leave nothing half-written when they raise.
``transition_order``, ``transition_part``, ``mark_paid``, ``mark_refunded``
and ``expire_unpaid_order`` only flush: their caller owns the transaction.
Each event the shopper or a cooperative should hear of writes an outbox row
in the same transaction (``app.orders.notices``). Amounts are int centimes of MAD.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.cart.carts import Cart
from app.cart.queries import cart_contents
from app.catalog.services import return_stock
from app.cooperatives.permissions import require_member
from app.core.db import utcnow
from app.core.errors import DomainError, IllegalTransition, NotFound, ValidationFailed
from app.core.transactions import committed
from app.extensions import db
from app.ledger import codes as ledger_codes
from app.ledger.services import Entry, post
from app.orders import notices, states
from app.orders.checkout import Address, check_idempotency_key, plan_checkout, write_order
from app.orders.codes import codes_match
from app.orders.errors import (
    AlreadyShipped,
    AwaitingPayment,
    CashAlreadyCollected,
    NotCashPart,
    WrongCashAmount,
    WrongPickupCode,
)
from app.orders.models import (
    CooperativeOrder,
    Order,
    OrderEvent,
    OrderStatus,
    PartEvent,
    PartStatus,
)

#: Part statuses in which the cooperative has the money in hand or is about to.
CASH_RECORDABLE = frozenset({PartStatus.READY, PartStatus.SHIPPED, PartStatus.DELIVERED})
#: Ledger kind of a cash collection.
CASH_COLLECTED = "cash_collected"


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    #: False when the idempotency key named an order placed before (a replayed checkout).
    created: bool


# Checkout --------------------------------------------------------------------


def place_order(
    shopper: User,
    cart: Cart,
    payment_method: str,
    delivery_choices: dict[str, str],
    address: Address,
    phone: str,
    idempotency_key: str,
) -> PlacedOrder:
    """Turn the shopper's cart into one order, one part per cooperative, and commit.

    The same ``idempotency_key`` again gives back the order it made (also when
    two requests race: the unique key decides). Everything is checked first
    (``plan_checkout``: 422 fields, then 409 for products not for sale or short
    of stock); then one atomic block takes the stock of each product in product
    id order with a conditional UPDATE, writes the order with line snapshots
    (server prices, fee splits, pickup codes) and empties the cart. If any
    product's stock is short by then, nothing is written and ``OutOfStock``
    (409) names the products. Card orders wait in ``pending_payment`` until
    ``expires_at``; cash on delivery and pay-at-stand orders are ``placed``.
    """
    key = check_idempotency_key(idempotency_key)
    existing = _order_with_key(shopper.id, key)
    if existing is not None:
        return PlacedOrder(existing, created=False)
    now = utcnow()
    try:
        plan = plan_checkout(
            cart_contents(cart), payment_method, delivery_choices, address, phone, now
        )
        order = write_order(shopper, plan, key, now)
        notices.order_placed(order)
        cart.clear()
        db.session.commit()
    except (IntegrityError, DomainError):
        db.session.rollback()
        # A replay that raced the first request finds the cart emptied or the key taken.
        existing = _order_with_key(shopper.id, key)
        if existing is None:
            raise
        return PlacedOrder(existing, created=False)
    return PlacedOrder(order, created=True)


def _order_with_key(shopper_id: int, key: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.shopper_id == shopper_id, Order.idempotency_key == key)
    )


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
        _record_cash(part, actor, part.total_cents)

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


def move_part(
    part: CooperativeOrder,
    to_status: str,
    *,
    member: User,
    note: str = "",
    pickup_code: str | None = None,
) -> CooperativeOrder:
    """A cooperative member moves its part (confirm, ready, ship, deliver, refuse, cancel); commit.

    Raises ``Forbidden`` (403) unless ``member`` belongs to the part's
    cooperative, ``ValidationFailed`` (422) to cancel without a reason for the
    shopper, and whatever ``transition_part`` raises.
    """
    require_member(member, part.cooperative_id)
    _lock(part.order)
    note = (note or "").strip()
    if to_status == PartStatus.CANCELLED and not note:
        message = _("Tell the shopper why the part is cancelled.")
        raise ValidationFailed(message, fields={"note": [message]})
    with committed():
        transition_part(part, to_status, actor=member, note=note, pickup_code=pickup_code)
    return part


def cancel_order(order: Order, shopper: User) -> Order:
    """The shopper cancels the whole order before anything shipped; stock returns; commit.

    Raises ``NotFound`` (404) for another shopper's order, ``AlreadyShipped``
    (409) once any part was shipped, delivered or refused, and
    ``IllegalTransition`` (409) for an order already finished.
    """
    if order.shopper_id != shopper.id:
        raise NotFound(_("No such order."))
    _lock(order)
    if any(part.status in states.PART_DISPATCHED for part in order.parts):
        raise AlreadyShipped(_("Part of this order has already shipped: it cannot be cancelled."))
    note = _("Cancelled by the shopper.")
    with committed():
        # The order first, so that settling after each part finds it cancelled already.
        transition_order(order, OrderStatus.CANCELLED, actor=shopper, note=note)
        for part in order.parts:
            if part.status not in states.PART_FINAL:
                transition_part(part, PartStatus.CANCELLED, actor=shopper, note=note)
        notices.order_cancelled(order)
    return order


def _lock(order: Order) -> None:
    """Lock the order, then its parts by id, and re-read them, before a move changes them.

    Every use case that moves a part takes the same locks in the same order, so
    a shopper cancelling while a cooperative ships (or two cooperatives
    delivering the last two parts) act one after the other on fresh rows, and
    the order is settled exactly once. (SQLite serialises writers anyway.)
    """
    db.session.scalars(
        select(Order)
        .where(Order.id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    db.session.scalars(
        select(CooperativeOrder)
        .where(CooperativeOrder.order_id == order.id)
        .order_by(CooperativeOrder.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def mark_paid(order: Order, *, note: str = "") -> None:
    """A card order's payment succeeded: pending_payment -> paid (for payments); flush only."""
    transition_order(order, OrderStatus.PAID, actor=None, note=note)


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


def expire_unpaid_order(order: Order) -> None:
    """Cancel an unpaid card order past ``expires_at``: its parts cancelled, stock returned.

    For the periodic sweep of the payments issue; ``IllegalTransition`` unless
    the order is still pending payment. Only flushes.
    """
    note = _("The card payment was not completed in time.")
    transition_order(order, OrderStatus.CANCELLED, actor=None, note=note)
    for part in order.parts:
        if part.status not in states.PART_FINAL:
            transition_part(part, PartStatus.CANCELLED, actor=None, note=note)


# Cash -------------------------------------------------------------------------


def record_cash_collected(
    part: CooperativeOrder, member: User, amount_cents: int
) -> CooperativeOrder:
    """A member records the cash its cooperative collected for a part, and commit.

    For cash on delivery and pay-at-stand orders, once the part is ready,
    shipped or delivered. ``amount_cents`` must be the part's whole total
    (lines + shipping): ``WrongCashAmount`` (422) otherwise. Recording the same
    part again changes nothing and posts nothing (ledger key
    ``cash:part:<id>``). Raises ``Forbidden`` (403) for a non-member,
    ``NotCashPart`` (409) for a card order or a part not handed over.
    """
    require_member(member, part.cooperative_id)
    _lock(part.order)
    if not part.order.is_cash:
        raise NotCashPart(_("This order is paid by card: there is no cash to record."))
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise WrongCashAmount(
            _("Enter the amount collected in centimes."),
            fields={"amount": [_("Enter a whole number of centimes.")]},
        )
    if amount_cents != part.total_cents:
        message = _(
            "The cash collected must be the part's total, %(total)s centimes.",
            total=part.total_cents,
        )
        raise WrongCashAmount(message, fields={"amount": [message]})
    if part.cash_collected_cents is not None:
        return part
    if part.status not in CASH_RECORDABLE:
        raise NotCashPart(
            _("Record cash when the part is handed over (ready, shipped or delivered).")
        )
    with committed():
        _record_cash(part, member, amount_cents)
    return part


def _record_cash(part: CooperativeOrder, actor: User | None, amount_cents: int) -> None:
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
