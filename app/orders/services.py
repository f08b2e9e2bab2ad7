"""Order use cases: checkout, a cooperative's moves, the shopper's cancel, cash collected.

Each commits once and leaves nothing half-written when it raises. The steps
they are made of (the two state machines, locks, cash postings) only flush and
live in ``app.orders.operations``, where payments and payouts use them too.
Amounts are int centimes of MAD.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.accounts.operations import new_token, remember_address, token_hash
from app.cart.carts import Cart
from app.cart.queries import cart_contents
from app.cooperatives.permissions import require_member
from app.core.db import utcnow
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.transactions import committed
from app.extensions import db
from app.orders import confirmation, notices, states
from app.orders.checkout import CheckoutRequest, check_idempotency_key, plan_checkout, write_order
from app.orders.errors import AlreadyShipped, NotCashPart, WrongCashAmount, WrongPickupCode
from app.orders.models import (
    ConfirmedVia,
    CooperativeOrder,
    Order,
    OrderStatus,
    PartStatus,
    PaymentMethod,
)
from app.orders.operations import lock_order, record_cash, transition_order, transition_part
from app.orders.pickup_attempts import PickupCodeLocked, check_pickup_code

#: Part statuses in which the cooperative has the money in hand or is about to.
CASH_RECORDABLE = frozenset({PartStatus.READY, PartStatus.SHIPPED, PartStatus.DELIVERED})


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    #: False when the idempotency key named an order placed before (a replayed checkout).
    created: bool
    #: A guest's new order only: the secret token of its page's link (only its hash is kept).
    guest_token: str | None = None


@dataclass(frozen=True)
class CheckoutLinks:
    """Absolute URLs the messages of a checkout carry; given by the face (a domain knows no
    routes). Each builds its URL from a token: the guest's secret order token, the signed
    cash-on-delivery confirmation token."""

    confirmation: Callable[[str], str]
    guest_order: Callable[[str], str] | None = None


# Checkout --------------------------------------------------------------------


def place_order(
    shopper: User,
    cart: Cart,
    request: CheckoutRequest,
    *,
    links: CheckoutLinks | None = None,
    save_address: bool = False,
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
    key = check_idempotency_key(request.idempotency_key)
    existing = _order_with_key(shopper.id, key)
    if existing is not None:
        return PlacedOrder(existing, created=False)
    now = utcnow()
    try:
        with committed():
            plan = plan_checkout(cart_contents(cart), request, now)
            order = write_order(shopper, plan, key, now)
            _tell_order_placed(order, links)
            if save_address:
                remember_address(shopper, plan.address, plan.phone)
            cart.clear()
    except (IntegrityError, DomainError):
        # A replay that raced the first request finds the cart emptied or the key taken.
        existing = _order_with_key(shopper.id, key)
        if existing is None:
            raise
        return PlacedOrder(existing, created=False)
    return PlacedOrder(order, created=True)


def place_guest_order(
    cart: Cart, request: CheckoutRequest, *, locale: str | None, links: CheckoutLinks
) -> PlacedOrder:
    """A guest (no account) orders the cart, paying cash on delivery or at the stand; commit.

    As ``place_order``, with the guest's checks (``plan_checkout(guest=True)``: name,
    phone and city; no card). The order page is reached by a secret link whose token is
    returned once (``guest_token``: only its hash is stored) and sent by SMS to the phone,
    and by e-mail when the guest gave an address; messages are in ``locale``. The same
    ``idempotency_key`` again gives back the order without its token.
    """
    key = check_idempotency_key(request.idempotency_key)
    existing = _order_with_key(None, key)
    if existing is not None:
        return PlacedOrder(existing, created=False)
    now = utcnow()
    token = new_token()
    try:
        with committed():
            plan = plan_checkout(cart_contents(cart), request, now, guest=True)
            order = write_order(
                None, plan, key, now, guest_token_hash=token_hash(token), locale=locale
            )
            _tell_order_placed(order, links, guest_token=token)
            cart.clear()
    except (IntegrityError, DomainError):
        existing = _order_with_key(None, key)
        if existing is None:
            raise
        return PlacedOrder(existing, created=False)
    return PlacedOrder(order, created=True, guest_token=token)


def place_checkout(
    shopper: User | None,
    cart: Cart,
    request: CheckoutRequest,
    *,
    links: CheckoutLinks,
    locale: str | None = None,
    save_address: bool = False,
) -> PlacedOrder:
    """The checkout page's order: ``place_order`` for a shopper, ``place_guest_order`` for a
    guest (``shopper`` None); commits once either way."""
    if shopper is None:
        return place_guest_order(cart, request, locale=locale, links=links)
    return place_order(shopper, cart, request, links=links, save_address=save_address)


def _tell_order_placed(
    order: Order, links: CheckoutLinks | None, *, guest_token: str | None = None
) -> None:
    order_link = confirmation_link = None
    if links is not None:
        if guest_token is not None and links.guest_order is not None:
            order_link = links.guest_order(guest_token)
        confirmation_link = links.confirmation(confirmation.confirmation_token(order.number))
    notices.order_placed(order, order_link=order_link, confirmation_link=confirmation_link)


def _order_with_key(shopper_id: int | None, key: str) -> Order | None:
    owner = Order.shopper_id.is_(None) if shopper_id is None else Order.shopper_id == shopper_id
    return db.session.scalar(select(Order).where(owner, Order.idempotency_key == key))


# Shoppers' confirmation of cash on delivery ----------------------------------------


def answer_confirmation(order: Order, part_id: int, *, confirm: bool) -> CooperativeOrder:
    """The shopper, by their signed link, confirms (or cancels) a cash-on-delivery part; commit.

    Confirming records that the shopper confirmed by the link; the part stays ``pending``
    until its cooperative moves it (``move_part``). Cancelling follows the part machine
    (``IllegalTransition``, 409, once it shipped) and tells the cooperative by the part's
    event. Both are idempotent: an answer given before changes nothing. Raises
    ``NotFound`` (404) for a part not of this cash-on-delivery order.
    """
    lock_order(order.id)
    part = next((part for part in order.parts if part.id == part_id), None)
    if part is None or order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        raise NotFound(_("No such order part."))
    with committed():
        if confirm:
            if part.shopper_confirmed_at is None and part.status not in states.PART_FINAL:
                part.shopper_confirmed_at = utcnow()
                part.shopper_confirmed_via = ConfirmedVia.LINK
        elif part.status != PartStatus.CANCELLED:
            transition_part(
                part,
                PartStatus.CANCELLED,
                actor=order.shopper,
                note=_("Cancelled by the shopper from the confirmation link."),
            )
    return part


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
        if (
            to_status == PartStatus.CONFIRMED
            and part.order.payment_method == PaymentMethod.CASH_ON_DELIVERY
            and part.shopper_confirmed_at is None
        ):
            # Not confirmed by the link: the cooperative called the shopper (its note says so).
            part.shopper_confirmed_at = utcnow()
            part.shopper_confirmed_via = ConfirmedVia.CALL
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
