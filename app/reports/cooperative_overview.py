"""What a cooperative's members see first: the parts to prepare, the products running out,
sales and earnings over time, and what the platform owes it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.catalog.models import Product, ProductStatus
from app.cooperatives.models import Cooperative
from app.core.replica import read_session
from app.ledger.queries import cooperative_balance
from app.orders.models import CooperativeOrder, Order, OrderStatus, PartStatus
from app.payouts.queries import next_payout_cents
from app.reports.period import Period, SalesFilter
from app.reports.sales import SalesReport, sales_report

#: Part statuses in which the cooperative still has to prepare the goods.
TO_PREPARE = (PartStatus.PENDING, PartStatus.CONFIRMED)


@dataclass(frozen=True)
class CooperativeOverview:
    cooperative: Cooperative
    #: Parts waiting for the cooperative (pending or confirmed), oldest order first.
    to_prepare: list[CooperativeOrder]
    #: Products on sale or in draft whose stock is at or below the threshold, emptiest first.
    low_stock: list[Product]
    #: Sales by day over the period (see ``app.reports.facts`` for what counts).
    sales: SalesReport
    #: Centimes owed: held (pending) and payable (available, negative when it owes fees).
    pending_cents: int
    available_cents: int
    #: What the next payout will pay (see ``app.payouts.queries.next_payout_cents``), or None.
    next_payout_cents: int | None


def parts_to_prepare(cooperative_id: int) -> list[CooperativeOrder]:
    """The cooperative's parts still to prepare, oldest order first, with their lines.

    Card orders still waiting for payment are left out: nothing to prepare yet.
    """
    return list(
        read_session().scalars(
            select(CooperativeOrder)
            .join(CooperativeOrder.order)
            .where(
                CooperativeOrder.cooperative_id == cooperative_id,
                CooperativeOrder.status.in_([str(status) for status in TO_PREPARE]),
                Order.status != OrderStatus.PENDING_PAYMENT,
            )
            .options(contains_eager(CooperativeOrder.order), selectinload(CooperativeOrder.lines))
            .order_by(Order.placed_at, CooperativeOrder.id)
        )
    )


def low_stock(cooperative_id: int, threshold: int) -> list[Product]:
    """Products not archived with ``stock <= threshold``, emptiest first, then by name."""
    return list(
        read_session().scalars(
            select(Product)
            .where(
                Product.cooperative_id == cooperative_id,
                Product.status != ProductStatus.ARCHIVED,
                Product.stock <= threshold,
            )
            .order_by(Product.stock, Product.name, Product.id)
        )
    )


def cooperative_overview(
    cooperative: Cooperative,
    period: Period,
    *,
    low_stock_threshold: int,
    fair_id: int | None = None,
    language: str = "en",
) -> CooperativeOverview:
    """Everything on the cooperative's overview page, for its sales over ``period``.

    ``fair_id`` narrows the sales to orders placed while that fair was open.
    Raises ``ValidationFailed`` for an unknown fair.
    """
    criteria = SalesFilter(cooperative_id=cooperative.id, fair_id=fair_id)
    pending, available = cooperative_balance(cooperative.id)
    return CooperativeOverview(
        cooperative=cooperative,
        to_prepare=parts_to_prepare(cooperative.id),
        low_stock=low_stock(cooperative.id, low_stock_threshold),
        sales=sales_report("day", period, criteria, language),
        pending_cents=pending,
        available_cents=available,
        next_payout_cents=next_payout_cents(cooperative.id),
    )
