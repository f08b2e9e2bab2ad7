"""A cooperative's monthly statement: each sale's split line by line, its refunds, and the
ledger balances at the start and end of the month.

The sales follow the rules of ``app.reports.facts`` (a part is sold when its
money is received; a refund counts on the day it is made), so the statement's
totals equal the cooperative's row of the sales report for the same month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.cooperatives.models import Cooperative
from app.extensions import db
from app.ledger.queries import Statement, statement
from app.orders.models import CooperativeOrder, Order, OrderLine
from app.payments.models import Refund
from app.reports.amounts import Amounts
from app.reports.facts import refunds_booked, sold_parts
from app.reports.period import Period


@dataclass(frozen=True)
class StatementLine:
    """One sold line, a part's delivery fee, or a refund (negative amounts)."""

    at: datetime
    order_number: str
    #: The product's name at checkout, "Delivery", or "Refund: <reason>".
    description: str
    #: Units sold; None for a delivery fee or a refund.
    quantity: int | None
    amounts: Amounts


@dataclass(frozen=True)
class MonthlyStatement:
    cooperative: Cooperative
    period: Period
    lines: list[StatementLine]
    total: Amounts
    #: The cooperative's ledger over the month: opening and closing balances, each entry.
    ledger: Statement


def month_period(year: int, month: int) -> Period:
    """The days of a calendar month; ``ValueError`` for a month that does not exist."""
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))


def monthly_statement(cooperative: Cooperative, period: Period) -> MonthlyStatement:
    """The cooperative's sales, refunds and ledger over ``period``, in time order. Four queries."""
    sold = sold_parts(period)
    rows = db.session.execute(
        select(
            sold.c.at,
            Order.number,
            CooperativeOrder.id,
            CooperativeOrder.shipping_cents,
            OrderLine.name,
            OrderLine.quantity,
            OrderLine.total_cents,
            OrderLine.producer_cents,
            OrderLine.platform_cents,
            OrderLine.solidarity_cents,
        )
        .select_from(sold)
        .join(CooperativeOrder, CooperativeOrder.id == sold.c.part_id)
        .join(Order, Order.id == CooperativeOrder.order_id)
        .join(OrderLine, OrderLine.part_id == CooperativeOrder.id)
        .where(CooperativeOrder.cooperative_id == cooperative.id)
        .order_by(sold.c.at, CooperativeOrder.id, OrderLine.id)
    ).all()
    lines: list[StatementLine] = []
    delivery_listed: set[int] = set()
    for at, number, part_id, shipping, name, quantity, *split in rows:
        lines.append(StatementLine(at, number, name, quantity, Amounts(*split)))
        if shipping and part_id not in delivery_listed:
            delivery_listed.add(part_id)
            lines.append(
                StatementLine(at, number, _("Delivery"), None, Amounts(shipping, shipping, 0, 0))
            )
    refunds = db.session.execute(
        refunds_booked(
            period,
            Order.number,
            Refund.reason,
            Refund.amount_cents,
            Refund.producer_cents,
            Refund.platform_cents,
            Refund.solidarity_cents,
        )
        .join(CooperativeOrder, CooperativeOrder.id == Refund.part_id)
        .where(CooperativeOrder.cooperative_id == cooperative.id)
    ).all()
    for at, number, reason, *split in refunds:
        description = _("Refund: %(reason)s", reason=reason)
        lines.append(StatementLine(at, number, description, None, -Amounts(*split)))
    lines.sort(key=lambda line: line.at)
    total = sum((line.amounts for line in lines), Amounts())
    return MonthlyStatement(
        cooperative, period, lines, total, statement(cooperative.id, period.from_, period.to)
    )
