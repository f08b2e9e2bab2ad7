"""Order use cases: checkout, a cooperative's moves, the shopper's cancel, cash collected.

Each commits once and leaves nothing half-written when it raises. The steps
they are made of (the two state machines, locks, cash postings) only flush and
live in ``app.orders.operations``, where payments and payouts use them too.
Amounts are int centimes of MAD.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.cart.carts import Cart
from app.cart.queries import cart_contents
from app.cooperatives.permissions import require_member
from app.core.db import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.transactions import committed
from app.extensions import db
from app.orders import notices, states
from app.orders.checkout import CheckoutRequest, check_idempotency_key, plan_checkout, write_order
from app.orders.errors import AlreadyShipped, NotCashPart, WrongCashAmount, WrongPickupCode
from app.orders.models import CooperativeOrder, Order, OrderStatus, PartStatus
from app.orders.operations import lock_order, record_cash, transition_order, transition_part
from app.orders.pickup_attempts import PickupCodeLocked, check_pickup_code

#: Part statuses in which the cooperative has the money in hand or is about to.
CASH_RECORDABLE = frozenset({PartStatus.READY, PartStatus.SHIPPED, PartStatus.DELIVERED})


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    #: False when the idempotency key named an order placed before (a replayed checkout).
    created: bool


# Checkout --------------------------------------------------------------------


def place_order(shopper: User, cart: Cart, request: CheckoutRequest) -> PlacedOrder:
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
    key = check_idempotency_key(request.idempotency_key)
    existing = _order_with_key(shopper.id, key)
    if existing is not None:
        return PlacedOrder(existing, created=False)
    now = utcnow()
    try:
        with committed():
            plan = plan_checkout(cart_contents(cart), request, now)
            order = write_order(shopper, plan, key, now)
            notices.order_placed(order)
            cart.clear()
    except (IntegrityError, DomainError):
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


def move_part(
    part: CooperativeOrder,
    to_status: str,
    *,
    member: User,
    note: str = "",
    pickup_code: str | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> CooperativeOrder:
    """A cooperative member moves its part (confirm, ready, ship, deliver, refuse, cancel); commit.

    Raises ``Forbidden`` (403) unless ``member`` belongs to the part's
    cooperative, ``ValidationFailed`` (422) to cancel without a reason for the
    shopper, and whatever ``transition_part`` raises. Handing over a pickup
    records the try at its code, committed even when refused: ``WrongPickupCode``
    (422), or ``PickupCodeLocked`` (429) after too many wrong codes
    (``app.orders.pickup_attempts``).
    """
    require_member(member, part.cooperative_id)
    lock_order(part.order_id)
    note = (note or "").strip()
    if to_status == PartStatus.CANCELLED and not note:
        message = _("Tell the shopper why the part is cancelled.")
        raise ValidationFailed(message, fields={"note": [message]})
    if part.status == PartStatus.READY and to_status == PartStatus.DELIVERED:
        try:
            check_pickup_code(part, pickup_code, member, utcnow())
        except (WrongPickupCode, PickupCodeLocked):
            db.session.commit()  # the try is kept (and counted) though the hand-over is refused
            raise
    with committed():
        if to_status == PartStatus.SHIPPED:
            # Written before the move, so the shipped notice tells the shopper.
            part.carrier = (carrier or "").strip()[:60] or None
            part.tracking_number = (tracking_number or "").strip()[:60] or None
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
    lock_order(order.id)
    if states.has_dispatched_part(order):
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
    lock_order(part.order_id)
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
        record_cash(part, member, amount_cents)
    return part
