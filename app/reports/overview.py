"""The admins' report page in one read: sales every way, fees and the fund, balances; and each
of its tables as a CSV file (``app.reports.exports``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.errors import NotFound
from app.reports import exports
from app.reports.balances import (
    CooperativeBalance,
    PlatformSeries,
    cash_to_collect,
    cooperative_balances,
    platform_series,
    still_owed,
)
from app.reports.confirmations import ConfirmationReport, confirmation_rates
from app.reports.facts import sales_facts
from app.reports.period import Period, SalesFilter
from app.reports.sales import GROUPINGS, SalesReport, SalesRow, group_facts

#: The CSV files, by the name in their URL.
EXPORTS = (
    *(f"sales-by-{grouping.replace('_', '-')}" for grouping in GROUPINGS),
    "fees-and-fund",
    "still-owed",
    "cash-to-collect",
)


@dataclass(frozen=True)
class AdminReport:
    period: Period
    criteria: SalesFilter
    #: Grouping -> the period's sales grouped that way (all with the same total).
    sales: dict[str, SalesReport]
    #: Fees and the solidarity fund, day by day (the whole platform: no filter applies).
    platform: PlatformSeries
    #: Cooperatives owed money, and those holding fees in cash, at the end of the period.
    owed: list[CooperativeBalance]
    cash: list[CooperativeBalance]
    #: Cash-on-delivery shoppers' confirmations and refusals, per cooperative and per city.
    confirmations: ConfirmationReport

    @property
    def total(self) -> SalesRow:
        return self.sales["day"].total

    @property
    def owed_cents(self) -> int:
        return sum(balance.owed_cents for balance in self.owed)

    @property
    def to_collect_cents(self) -> int:
        return sum(balance.to_collect_cents for balance in self.cash)


def admin_report(period: Period, criteria: SalesFilter, language: str = "en") -> AdminReport:
    """Every report of the admins' page for ``period`` and ``criteria`` (province, fair).

    The sales are read once and grouped five ways; balances are at the end of the
    period, for the chosen province. Raises ``ValidationFailed`` for an unknown fair.
    """
    facts = sales_facts(period, criteria)
    sales = {
        grouping: group_facts(facts, grouping, period, criteria, language) for grouping in GROUPINGS
    }
    balances = cooperative_balances(period.end, criteria.province, language)
    return AdminReport(
        period=period,
        criteria=criteria,
        sales=sales,
        platform=platform_series(period),
        owed=still_owed(balances),
        cash=cash_to_collect(balances),
        confirmations=confirmation_rates(period, language),
    )


def export_csv(
    name: str,
    period: Period,
    criteria: SalesFilter,
    language: str = "en",
    dialect: str = "plain",
) -> bytes:
    """The CSV file ``name`` (one of ``EXPORTS``) for ``period`` and ``criteria``, in the
    ``dialect`` of ``exports.DIALECTS`` ("plain" or "excel"), titled in the reader's language.

    Raises ``NotFound`` for another name, ``ValidationFailed`` for an unknown fair.
    """
    if name not in EXPORTS or dialect not in exports.DIALECTS:
        raise NotFound(_("No such report."))
    form = exports.DIALECTS[dialect]
    if name.startswith("sales-by-"):
        grouping = name.removeprefix("sales-by-").replace("-", "_")
        return exports.sales_csv(
            group_facts(sales_facts(period, criteria), grouping, period, criteria, language),
            form,
        )
    if name == "fees-and-fund":
        return exports.platform_csv(platform_series(period), form)
    balances = cooperative_balances(period.end, criteria.province, language)
    if name == "still-owed":
        return exports.owed_csv(still_owed(balances), form)
    return exports.cash_csv(cash_to_collect(balances), form)
