"""Reading orders: a shopper's own, a cooperative's parts, and where every dirham goes.

Nothing here writes. A shopper only ever finds their own orders (another's is
``NotFound``, so numbers cannot be probed); a cooperative's parts are read by
its members (the faces check membership with ``require_member``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.accounts.operations import token_hash
from app.cooperatives.models import Cooperative
from app.core.db import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import is_id
from app.extensions import db
from app.orders import confirmation
from app.orders.codes import normalize_code
from app.orders.models import (
    CooperativeOrder,
    Order,
    OrderStatus,
    PartEvent,
    PartStatus,
    PaymentMethod,
)


def _order_details():
    return (
        selectinload(Order.parts).selectinload(CooperativeOrder.lines),
        selectinload(Order.parts).joinedload(CooperativeOrder.cooperative),
        selectinload(Order.parts).joinedload(CooperativeOrder.stand),
    )


def order_for_shopper(number: str, shopper: User) -> Order:
    """The shopper's order with that public number (any case), with its parts and lines.

    Raises ``NotFound`` for an unknown number and for another shopper's order alike.
    """
    code = normalize_code(number)
    wanted = "ST-" + (code[2:] if len(code) == 8 and code.startswith("ST") else code)
    order = db.session.scalar(
        select(Order)
        .where(Order.number == wanted, Order.shopper_id == shopper.id)
        .options(*_order_details())
    )
    if order is None:
        raise NotFound(_("No such order."))
    return order


def order_for_guest_token(token: str) -> Order:
    """The order a guest's secret link opens (also once an account took it over).

    Raises ``NotFound`` for a token that opens nothing.
    """
    order = None
    if token:
        order = db.session.scalar(
            select(Order)
            .where(Order.guest_token_hash == token_hash(token))
            .options(*_order_details())
        )
    if order is None:
        raise NotFound(_("No such order."))
    return order


def order_for_confirmation(token: str) -> Order:
    """The order a signed cash-on-delivery confirmation link names; ``NotFound`` for a
    forged or expired link, or an order not paid cash on delivery."""
    number = confirmation.order_number_of(token)
    order = None
    if number is not None:
        order = db.session.scalar(
            select(Order)
            .where(Order.number == number, Order.payment_method == PaymentMethod.CASH_ON_DELIVERY)
            .options(*_order_details())
        )
    if order is None:
        raise NotFound(_("This confirmation link is not valid or has expired."))
    return order


def shopper_orders(shopper_id: int) -> Select:
    """The shopper's orders, newest first, with parts and lines loaded (for a page of them)."""
    return (
        select(Order)
        .where(Order.shopper_id == shopper_id)
        .options(*_order_details())
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )


def cooperative_parts(cooperative_id: int, status: str | None = None) -> Select:
    """The cooperative's parts, newest first, optionally in one status.

    Parts of card orders still waiting for payment are left out: there is
    nothing to prepare until the shopper has paid. Raises ``ValidationFailed``
    for an unknown status.
    """
    statement = (
        select(CooperativeOrder)
        .join(CooperativeOrder.order)
        .where(
            CooperativeOrder.cooperative_id == cooperative_id,
            Order.status != OrderStatus.PENDING_PAYMENT,
        )
        .options(
            joinedload(CooperativeOrder.order),
            selectinload(CooperativeOrder.lines),
            joinedload(CooperativeOrder.stand),
        )
        # Cash-on-delivery parts still waiting for the shopper's confirmation come first.
        .order_by(
            case((awaiting_confirmation_clause(), 0), else_=1),
            Order.placed_at.desc(),
            CooperativeOrder.id.desc(),
        )
    )
    if status:
        if status not in set(PartStatus):
            message = _("Unknown status.")
            raise ValidationFailed(message, fields={"status": [message]})
        statement = statement.where(CooperativeOrder.status == status)
    return statement


def awaiting_confirmation_clause():
    """A cash-on-delivery part, not yet confirmed by its shopper nor moved past pending."""
    return and_(
        Order.payment_method == PaymentMethod.CASH_ON_DELIVERY,
        CooperativeOrder.status == PartStatus.PENDING,
        CooperativeOrder.shopper_confirmed_at.is_(None),
    )


#: Refusals at the door, within ``REFUSAL_WINDOW_DAYS``, that flag a phone's parts.
REFUSALS_TO_CALL = 2
REFUSAL_WINDOW_DAYS = 90


def phones_to_call(phones: Iterable[str], now: datetime | None = None) -> set[str]:
    """Those of ``phones`` whose parcels were refused at the door in at least two orders in
    the last 90 days: they may still order, but their parts are to be called for before
    shipping. The parcels of one order refused together are one refusal: one change of mind,
    not a habit."""
    wanted = sorted({phone for phone in phones if phone})
    if not wanted:
        return set()
    since = (now or utcnow()) - timedelta(days=REFUSAL_WINDOW_DAYS)
    rows = db.session.execute(
        select(Order.contact_phone)
        .join(CooperativeOrder, CooperativeOrder.order_id == Order.id)
        .join(PartEvent, PartEvent.part_id == CooperativeOrder.id)
        .where(
            Order.contact_phone.in_(wanted),
            PartEvent.to_status == PartStatus.REFUSED,
            PartEvent.at >= since,
        )
        .group_by(Order.contact_phone)
        .having(func.count(func.distinct(Order.id)) >= REFUSALS_TO_CALL)
    )
    return {phone for (phone,) in rows}


def part_by_id(part_id: int) -> CooperativeOrder:
    """The part with its order and lines; ``NotFound`` when there is none."""
    part = None
    if is_id(part_id):
        part = db.session.scalar(
            select(CooperativeOrder)
            .where(CooperativeOrder.id == part_id)
            .options(joinedload(CooperativeOrder.order), selectinload(CooperativeOrder.lines))
        )
    if part is None:
        raise NotFound(_("No such order part."))
    return part


def part_of_cooperative(cooperative_id: int, part_id: int) -> CooperativeOrder:
    """The part, when it belongs to that cooperative; ``NotFound`` otherwise."""
    part = part_by_id(part_id)
    if part.cooperative_id != cooperative_id:
        raise NotFound(_("No such order part."))
    return part


@dataclass(frozen=True)
class Recipients:
    """Where the shopper's money goes: each cooperative, the platform, the solidarity fund."""

    #: (cooperative, its lines' producer shares plus its shipping), in the order's part order.
    cooperatives: list[tuple[Cooperative, int]]
    platform_cents: int
    solidarity_cents: int

    @property
    def total_cents(self) -> int:
        return (
            sum(cents for _, cents in self.cooperatives)
            + self.platform_cents
            + self.solidarity_cents
        )


def recipients(order: Order) -> Recipients:
    """The order's total split by recipient; the parts add up to ``order.total_cents``."""
    return Recipients(
        cooperatives=[(part.cooperative, part.producer_cents) for part in order.parts],
        platform_cents=sum(part.platform_cents for part in order.parts),
        solidarity_cents=sum(part.solidarity_cents for part in order.parts),
    )
