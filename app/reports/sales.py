"""Sales reports: the facts of ``app.reports.facts`` added up by day, province, category,
cooperative or payment method, with a total row.

Groupings: ``day`` (every day of the period, zeros included), ``province``
(the five, unless a province is chosen), ``cooperative`` (key: its slug),
``category`` (key: the product's category slug; a part's delivery fee is the
row ``delivery``, and a refund that is not exactly whole units of one category
is the row ``other_refunds``), ``payment_method``. A refund made in Stripe's
dashboard belongs to no part: it is the row ``other_refunds`` by province and
cooperative. ``gross == producer + platform + solidarity`` on every row, and
every grouping of the same facts has the same total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.catalog.models import Category
from app.cooperatives.labels import province_name
from app.cooperatives.models import PROVINCES, Cooperative
from app.core.replica import read_session
from app.orders.labels import PAYMENT_METHOD_NAMES, name_of
from app.orders.models import PaymentMethod
from app.reports.amounts import Amounts
from app.reports.facts import Facts, sales_facts
from app.reports.period import Period, SalesFilter, local_day

GROUPINGS = ("day", "province", "category", "cooperative", "payment_method")
#: Category report: the parts' delivery fees.
DELIVERY = "delivery"
#: A refund no single group can carry.
OTHER_REFUNDS = "other_refunds"
TOTAL = "total"


@dataclass(frozen=True)
class SalesRow:
    #: Day (ISO), province code, category slug, cooperative slug, payment method, or a row above.
    key: str
    #: What the key is called in the reader's language.
    name: str
    orders: int
    amounts: Amounts


@dataclass(frozen=True)
class SalesReport:
    group_by: str
    period: Period
    rows: list[SalesRow]
    total: SalesRow


# Grouping ------------------------------------------------------------------------------


def sales_report(
    group_by: str, period: Period, criteria: SalesFilter, language: str = "en"
) -> SalesReport:
    """The period's sales grouped by ``group_by`` (one of ``GROUPINGS``), with a total row.

    Rows come by day in calendar order, by province in the region's order, else
    by gross (largest first). Names are in ``language``. Raises ``ValueError``
    for an unknown grouping and ``ValidationFailed`` for an unknown fair.
    """
    return group_facts(sales_facts(period, criteria), group_by, period, criteria, language)


def group_facts(
    facts: Facts, group_by: str, period: Period, criteria: SalesFilter, language: str = "en"
) -> SalesReport:
    """``facts`` added up by ``group_by`` (see ``sales_report``); reuse one read for many views."""
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    sale_key, refund_key, names, fixed_keys = _grouping(group_by, facts, period, criteria, language)
    amounts: dict[str, Amounts] = defaultdict(Amounts)
    orders: dict[str, set[int]] = defaultdict(set)
    for fact in facts.sales:
        key = sale_key(fact)
        amounts[key] += fact.amounts
        orders[key].add(fact.order_id)
    for fact in facts.refunds:
        amounts[refund_key(fact)] += fact.amounts
    keys = list(fixed_keys)
    others = [key for key in amounts if key not in set(fixed_keys)]
    others.sort(key=lambda key: (key == OTHER_REFUNDS, -amounts[key].gross_cents, key))
    keys += others
    rows = [
        SalesRow(key, names(key), len(orders.get(key, ())), amounts.get(key, Amounts()))
        for key in keys
    ]
    total = SalesRow(
        TOTAL,
        _("Total"),
        len({fact.order_id for fact in facts.sales}),
        sum((row.amounts for row in rows), Amounts()),
    )
    return SalesReport(group_by, period, rows, total)


def _grouping(group_by, facts: Facts, period: Period, criteria: SalesFilter, language: str):
    """(key of a sale, key of a refund, name of a key, keys always shown) for ``group_by``."""
    special = {DELIVERY: _("Delivery fees"), OTHER_REFUNDS: _("Other refunds")}

    def named(table: dict[str, str]) -> Callable[[str], str]:
        return lambda key: special.get(key) or table.get(key) or key

    if group_by == "day":
        days = [day.isoformat() for day in period.days]

        def on_day(fact) -> str:
            return local_day(fact.at).isoformat()

        return on_day, on_day, lambda key: format_date(date.fromisoformat(key), "medium"), days
    if group_by == "province":
        shown = [criteria.province] if criteria.province else list(PROVINCES)
        table = {code: province_name(code, language) for code in PROVINCES}
        return (
            lambda fact: fact.province,
            lambda fact: fact.province or OTHER_REFUNDS,
            named(table),
            shown,
        )
    if group_by == "payment_method":
        table = {
            method.value: name_of(PAYMENT_METHOD_NAMES, method.value) for method in PaymentMethod
        }
        return (
            lambda fact: fact.payment_method,
            lambda fact: fact.payment_method,
            named(table),
            [],
        )
    if group_by == "cooperative":
        ids = {fact.cooperative_id for fact in facts.sales} | {
            fact.cooperative_id for fact in facts.refunds if fact.cooperative_id is not None
        }
        slugs, table = _cooperative_names(ids, language)
        return (
            lambda fact: slugs[fact.cooperative_id],
            lambda fact: slugs.get(fact.cooperative_id, OTHER_REFUNDS),
            named(table),
            [],
        )
    ids = {fact.category_id for fact in facts.sales if fact.category_id is not None} | {
        fact.category_id for fact in facts.refunds if fact.category_id is not None
    }
    slugs, table = _category_names(ids, language)
    return (
        lambda fact: DELIVERY if fact.category_id is None else slugs[fact.category_id],
        lambda fact: OTHER_REFUNDS if fact.category_id is None else slugs[fact.category_id],
        named(table),
        [],
    )


def _cooperative_names(ids: Iterable[int], language: str) -> tuple[dict, dict]:
    """(id -> slug, slug -> name in ``language``) of the cooperatives ``ids``."""
    rows = (
        read_session().scalars(select(Cooperative).where(Cooperative.id.in_(sorted(ids))))
        if ids
        else []
    )
    cooperatives = list(rows)
    return (
        {cooperative.id: cooperative.slug for cooperative in cooperatives},
        {
            cooperative.slug: cooperative.translated("name", language)
            for cooperative in cooperatives
        },
    )


def _category_names(ids: Iterable[int], language: str) -> tuple[dict, dict]:
    """(id -> slug, slug -> name in ``language``) of the categories ``ids``."""
    found = read_session().scalars(select(Category).where(Category.id.in_(sorted(ids))))
    categories = list(found) if ids else []
    return (
        {category.id: category.slug for category in categories},
        {category.slug: category.translated("name", language) for category in categories},
    )
