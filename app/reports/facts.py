"""The facts every sales report adds up: each sale (money received for a part) and each refund
of a period, read with SQL sums of the split stored on each order line.

What counts as a sale, so that the figures reconcile with the ledger to the centime:

- A cooperative's part of an order is **sold when its money is received**: for
  a card order, when the card payment is posted (the ledger's ``card_payment``
  transaction, one per order, for all its parts); for cash on delivery and pay
  at the stand, when the cooperative records the cash (``cash_collected_at``).
  So parts cancelled or refused before any money came count nothing, and an
  unpaid or expired card order counts nothing.
- A **refund is subtracted on the day it is made** (its ledger ``refund``
  transaction), from the group of the part it refunds.
- ``gross`` is what the shopper paid for the part: its lines plus its delivery
  fee. ``producer`` is the cooperative's share: its lines' producer shares
  plus the whole delivery fee. ``platform`` and ``solidarity`` are the fees.
  ``gross == producer + platform + solidarity`` on every row.
- ``orders`` counts the distinct orders with a part sold in the period and
  group; refunds do not change it.

So, for any period, ``platform`` and ``solidarity`` totals equal the
movements of ``platform:revenue`` and ``platform:solidarity_fund`` in the
ledger over the same period (payments, cash collected, refunds).

The SQL sums the split stored on each order line (``producer_cents``,
``platform_cents``, ``solidarity_cents``, written at checkout) per part and
category; Python only adds those sums into groups and days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select, union_all

from app.catalog.models import Product
from app.cooperatives.models import Cooperative
from app.core.errors import ValidationFailed
from app.core.ids import is_id
from app.core.replica import read_session
from app.fair.models import Fair
from app.fees.defaults import local_midnight
from app.ledger.models import LedgerTransaction
from app.orders.models import CooperativeOrder, Order, OrderLine
from app.payments.models import Refund
from app.payments.operations import CARD_PAYMENT
from app.payments.refunds import REFUND
from app.reports.amounts import Amounts
from app.reports.period import Period, SalesFilter


@dataclass(frozen=True)
class SaleFact:
    """Money received for one part (one category of its lines, or its delivery fee)."""

    at: datetime
    order_id: int
    cooperative_id: int
    province: str
    payment_method: str
    #: The lines' category; None for the part's delivery fee.
    category_id: int | None
    amounts: Amounts


@dataclass(frozen=True)
class RefundFact:
    """Money given back (negative amounts), and what it can be attributed to."""

    at: datetime
    order_id: int
    #: None for a refund made in Stripe's dashboard (the order as a whole).
    cooperative_id: int | None
    province: str | None
    payment_method: str
    #: The one category whose whole units it refunds, else None.
    category_id: int | None
    amounts: Amounts


@dataclass(frozen=True)
class Facts:
    sales: list[SaleFact]
    refunds: list[RefundFact]


def sales_facts(period: Period, criteria: SalesFilter) -> Facts:
    """Every sale and refund of the period matching ``criteria``, in three queries.

    Raises ``ValidationFailed`` (field ``fair``) for an unknown fair.
    """
    placed_between = _fair_window(criteria.fair_id)
    return Facts(
        _sale_facts(period, criteria, placed_between),
        _refund_facts(period, criteria, placed_between),
    )


def _fair_window(fair_id: int | None) -> tuple[datetime, datetime] | None:
    """The instants a fair was open (its first day's local midnight to the one after its last)."""
    if fair_id is None:
        return None
    fair = read_session().get(Fair, fair_id) if is_id(fair_id) else None
    if fair is None:
        message = _("No such fair.")
        raise ValidationFailed(message, fields={"fair": [message]})
    return local_midnight(fair.starts_on), local_midnight(fair.ends_on + timedelta(days=1))


def sold_parts(period: Period):
    """(part_id, at) for each part whose money was received within the period."""
    card = (
        select(CooperativeOrder.id.label("part_id"), LedgerTransaction.occurred_at.label("at"))
        .join(
            LedgerTransaction,
            and_(
                LedgerTransaction.order_id == CooperativeOrder.order_id,
                LedgerTransaction.kind == CARD_PAYMENT,
            ),
        )
        .where(
            LedgerTransaction.occurred_at >= period.start,
            LedgerTransaction.occurred_at < period.end,
        )
    )
    cash = select(
        CooperativeOrder.id.label("part_id"), CooperativeOrder.cash_collected_at.label("at")
    ).where(
        CooperativeOrder.cash_collected_cents.is_not(None),
        CooperativeOrder.cash_collected_at >= period.start,
        CooperativeOrder.cash_collected_at < period.end,
    )
    return union_all(card, cash).subquery("sold_parts")


def refunds_booked(period: Period, *columns) -> Select:
    """(occurred_at, *columns) for each refund booked in the ledger within the period,
    joined to its order."""
    return (
        select(LedgerTransaction.occurred_at, *columns)
        .join(
            LedgerTransaction,
            and_(LedgerTransaction.refund_id == Refund.id, LedgerTransaction.kind == REFUND),
        )
        .join(Order, Order.id == Refund.order_id)
        .where(
            LedgerTransaction.occurred_at >= period.start,
            LedgerTransaction.occurred_at < period.end,
        )
    )


def _narrowed(statement: Select, criteria: SalesFilter, placed_between) -> Select:
    if criteria.province is not None:
        statement = statement.where(Cooperative.province == criteria.province)
    if criteria.cooperative_id is not None:
        statement = statement.where(Cooperative.id == criteria.cooperative_id)
    if placed_between is not None:
        statement = statement.where(
            Order.placed_at >= placed_between[0], Order.placed_at < placed_between[1]
        )
    return statement


def _sale_facts(period: Period, criteria: SalesFilter, placed_between) -> list[SaleFact]:
    sold = sold_parts(period)
    by_category = (
        select(
            OrderLine.part_id,
            Product.category_id,
            func.sum(OrderLine.total_cents).label("gross"),
            func.sum(OrderLine.producer_cents).label("producer"),
            func.sum(OrderLine.platform_cents).label("platform"),
            func.sum(OrderLine.solidarity_cents).label("solidarity"),
        )
        .join(Product, Product.id == OrderLine.product_id)
        .group_by(OrderLine.part_id, Product.category_id)
        .subquery("by_category")
    )
    statement = (
        select(
            sold.c.at,
            CooperativeOrder.id,
            CooperativeOrder.order_id,
            CooperativeOrder.cooperative_id,
            Cooperative.province,
            Order.payment_method,
            CooperativeOrder.shipping_cents,
            by_category.c.category_id,
            by_category.c.gross,
            by_category.c.producer,
            by_category.c.platform,
            by_category.c.solidarity,
        )
        .select_from(sold)
        .join(CooperativeOrder, CooperativeOrder.id == sold.c.part_id)
        .join(Order, Order.id == CooperativeOrder.order_id)
        .join(Cooperative, Cooperative.id == CooperativeOrder.cooperative_id)
        .join(by_category, by_category.c.part_id == CooperativeOrder.id)
        .order_by(sold.c.at, CooperativeOrder.id, by_category.c.category_id)
    )
    facts: list[SaleFact] = []
    delivery_counted: set[int] = set()
    for row in read_session().execute(_narrowed(statement, criteria, placed_between)):
        (at, part_id, order_id, cooperative_id, province, method, shipping, category_id) = row[:8]
        gross, producer, platform, solidarity = (int(value) for value in row[8:])
        common = {
            "at": at,
            "order_id": order_id,
            "cooperative_id": cooperative_id,
            "province": province,
            "payment_method": method,
        }
        facts.append(
            SaleFact(
                **common,
                category_id=category_id,
                amounts=Amounts(gross, producer, platform, solidarity),
            )
        )
        if shipping and part_id not in delivery_counted:
            delivery_counted.add(part_id)
            facts.append(
                SaleFact(**common, category_id=None, amounts=Amounts(shipping, shipping, 0, 0))
            )
    return facts


def _refund_facts(period: Period, criteria: SalesFilter, placed_between) -> list[RefundFact]:
    statement = (
        refunds_booked(
            period,
            Refund.order_id,
            Cooperative.id,
            Cooperative.province,
            Order.payment_method,
            Refund.lines,
            Refund.amount_cents,
            Refund.producer_cents,
            Refund.platform_cents,
            Refund.solidarity_cents,
        )
        .outerjoin(CooperativeOrder, CooperativeOrder.id == Refund.part_id)
        .outerjoin(Cooperative, Cooperative.id == CooperativeOrder.cooperative_id)
        .order_by(LedgerTransaction.occurred_at, Refund.id)
    )
    rows = read_session().execute(_narrowed(statement, criteria, placed_between)).all()
    line_ids = {int(item["line_id"]) for row in rows for item in (row[5] or [])}
    lines = _line_categories(line_ids)
    return [
        RefundFact(
            at=at,
            order_id=order_id,
            cooperative_id=cooperative_id,
            province=province,
            payment_method=method,
            category_id=_refund_category(refunded_lines or [], amount, lines),
            amounts=-Amounts(amount, producer, platform, solidarity),
        )
        for (
            at,
            order_id,
            cooperative_id,
            province,
            method,
            refunded_lines,
            amount,
            producer,
            platform,
            solidarity,
        ) in rows
    ]


def _line_categories(line_ids: set[int]) -> dict[int, tuple[int, int]]:
    """Order line id -> (unit price in centimes, its product's category id)."""
    if not line_ids:
        return {}
    rows = read_session().execute(
        select(OrderLine.id, OrderLine.unit_price_cents, Product.category_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.id.in_(sorted(line_ids)))
    )
    return {line_id: (price, category_id) for line_id, price, category_id in rows}


def _refund_category(
    refunded_lines: list[dict], amount_cents: int, lines: dict[int, tuple[int, int]]
) -> int | None:
    """The category a refund belongs to: whole units of lines of one category, nothing more."""
    found = [lines.get(int(item["line_id"])) for item in refunded_lines]
    if not found or any(line is None for line in found):
        return None
    categories = {category_id for _price, category_id in found}
    value = sum(
        price * int(item["quantity"])
        for (price, _category), item in zip(found, refunded_lines, strict=True)
    )
    return categories.pop() if len(categories) == 1 and value == amount_cents else None
