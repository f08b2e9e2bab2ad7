"""A cooperative's monthly statement: each sale's split line by line, its refunds, and the
ledger balances at the start and end of the month.

The sales follow the rules of ``app.reports.facts`` (a part is sold when its
money is received; a refund counts on the day it is made), so the statement's
totals equal the cooperative's row of the sales report for the same month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.catalog.models import Product
from app.cooperatives.models import Cooperative
from app.core.replica import read_session
from app.ledger.queries import Statement, statement
from app.orders.models import CooperativeOrder, Order, OrderLine
from app.payments.models import Refund
from app.reports.amounts import Amounts
from app.reports.facts import refunds_booked, sold_parts
from app.reports.period import Period

#: What a statement line is; the PDF words each in the reader's language.
SALE, DELIVERY, REFUND = "sale", "delivery", "refund"


@dataclass(frozen=True)
class StatementLine:
    """One sold line, a part's delivery fee, or a refund (negative amounts)."""

    at: datetime
    order_number: str
    #: SALE, DELIVERY or REFUND.
    kind: str
    #: The product's name in the reader's language (SALE), the refund's reason as the
    #: member typed it (REFUND), "" for a delivery fee.
    name: str
    #: Units sold; None for a delivery fee or a refund.
    quantity: int | None
    amounts: Amounts
    #: How the shopper paid: "card", "cash_on_delivery", "pay_at_stand"...
    payment_method: str = ""


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


def monthly_statement(
    cooperative: Cooperative, period: Period, language: str = "fr"
) -> MonthlyStatement:
    """The cooperative's sales, refunds and ledger over ``period``, in time order, products
    named in ``language`` (the name written at checkout when the product has none in it).
    Four queries."""
    sold = sold_parts(period)
    rows = (
        read_session()
        .execute(
            select(
                sold.c.at,
                Order.number,
                Order.payment_method,
                CooperativeOrder.id,
                CooperativeOrder.shipping_cents,
                OrderLine.name,
                Product.translations,
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
            .join(Product, Product.id == OrderLine.product_id)
            .where(CooperativeOrder.cooperative_id == cooperative.id)
            .order_by(sold.c.at, CooperativeOrder.id, OrderLine.id)
        )
        .all()
    )
    lines: list[StatementLine] = []
    delivery_listed: set[int] = set()
    for at, number, paid_by, part_id, shipping, name, translations, quantity, *split in rows:
        named = ((translations or {}).get(language) or {}).get("name") or name
        lines.append(StatementLine(at, number, SALE, named, quantity, Amounts(*split), paid_by))
        if shipping and part_id not in delivery_listed:
            delivery_listed.add(part_id)
            lines.append(
                StatementLine(
                    at, number, DELIVERY, "", None, Amounts(shipping, shipping, 0, 0), paid_by
                )
            )
    refunds = (
        read_session()
        .execute(
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
        )
        .all()
    )
    for at, number, reason, *split in refunds:
        lines.append(StatementLine(at, number, REFUND, reason or "", None, -Amounts(*split)))
    lines.sort(key=lambda line: line.at)
    total = sum((line.amounts for line in lines), Amounts())
    return MonthlyStatement(
        cooperative, period, lines, total, statement(cooperative.id, period.from_, period.to)
    )
