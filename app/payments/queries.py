"""Reading payments and refunds: for the order pages, the API and the admins' refund page.

Nothing here writes. Amounts are int centimes of MAD.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import NotFound
from app.extensions import db
from app.orders.codes import normalize_code
from app.orders.models import CooperativeOrder, Order, OrderLine
from app.payments.models import Payment, Refund
from app.payments.refunds import (
    may_restock,
    paid_for_part,
    refundable_for_part,
    restock_by_default,
)


def order_by_number(number: str) -> Order:
    """Any shopper's order by its public number (for admins), with parts and lines.

    Raises ``NotFound``.
    """
    code = normalize_code(number)
    wanted = "ST-" + (code[2:] if len(code) == 8 and code.startswith("ST") else code)
    order = db.session.scalar(
        select(Order)
        .where(Order.number == wanted)
        .options(
            selectinload(Order.parts).selectinload(CooperativeOrder.lines),
            selectinload(Order.parts).joinedload(CooperativeOrder.cooperative),
            joinedload(Order.shopper),
        )
    )
    if order is None:
        raise NotFound(_("No such order."))
    return order


def recent_orders(number_prefix: str = "", limit: int = 50) -> list[Order]:
    """The newest orders (optionally those whose number starts with what an admin typed)."""
    statement = select(Order).options(joinedload(Order.shopper)).order_by(Order.id.desc())
    code = normalize_code(number_prefix)
    if code:
        code = code[2:] if code.startswith("ST") else code
        statement = statement.where(Order.number.startswith("ST-" + code))
    return list(db.session.scalars(statement.limit(limit)))


def payment_of(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def refunds_by_order(order_ids: Iterable[int]) -> dict[int, list[Refund]]:
    """Each order's refunds, oldest first, in one query (orders without any are absent)."""
    ids = list(order_ids)
    found: dict[int, list[Refund]] = {}
    if not ids:
        return found
    for refund in db.session.scalars(
        select(Refund).where(Refund.order_id.in_(ids)).order_by(Refund.created_at, Refund.id)
    ):
        found.setdefault(refund.order_id, []).append(refund)
    return found


@dataclass(frozen=True)
class LineRefundState:
    line: OrderLine
    #: Units not refunded yet.
    units_left: int


@dataclass(frozen=True)
class PartRefundState:
    part: CooperativeOrder
    paid_cents: int
    refunded_cents: int
    #: What may still be refunded of the part (also within the order's own limit).
    refundable_cents: int
    lines: list[LineRefundState]
    #: Whether refunded units are put back in stock unless the admin says otherwise: the
    #: goods never left the cooperative.
    restock_by_default: bool
    #: Whether units may be put back at all: a cancelled or refused part's stock came back already.
    may_restock: bool


def refund_states(order: Order, payment: Payment | None) -> list[PartRefundState]:
    """For each part: paid, refunded, what can still be refunded, by line too."""
    refunded = {}
    for refund in refunds_by_order([order.id]).get(order.id, []):
        if refund.part_id is not None:
            refunded[refund.part_id] = refunded.get(refund.part_id, 0) + refund.amount_cents
    return [
        PartRefundState(
            part=part,
            paid_cents=paid_for_part(part, payment),
            refunded_cents=refunded.get(part.id, 0),
            refundable_cents=refundable_for_part(part, payment),
            lines=[
                LineRefundState(line, line.quantity - line.refunded_quantity) for line in part.lines
            ],
            restock_by_default=restock_by_default(part),
            may_restock=may_restock(part),
        )
        for part in order.parts
    ]
