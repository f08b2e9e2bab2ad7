"""Every report as a CSV file for spreadsheets, in two dialects: ``PLAIN`` is
comma-separated with amounts as plain decimal MAD ("1234.50", "-12.00", from
``app.core.money.to_decimal_string``); ``EXCEL`` is what a French or Moroccan Excel opens
by double-click: ``;``-separated with a decimal comma ("1234,50"). Both are UTF-8 with a
byte order mark (so Excel reads Arabic and accents right), with one header row of column
titles in the reader's language (``COLUMN_TITLES``) and a last row "Total".

Columns (their codes; the files show their titles):

- ``sales-by-<grouping>.csv`` (day, province, category, cooperative, payment_method):
  ``<grouping>`` (the key: ISO day, province code, category or cooperative slug, payment
  method; see ``app.reports.sales``), ``name``, ``orders``, ``gross_mad``,
  ``producer_mad``, ``platform_mad``, ``solidarity_mad``, ``producer_share_percent``
  (producer / gross, one decimal; empty when gross is not positive).
- ``fees-and-fund.csv``: ``day``, ``revenue_change_mad``, ``solidarity_change_mad``,
  ``revenue_balance_mad``, ``solidarity_fund_balance_mad`` (balances at the day's end;
  the total row holds the period's changes and closing balances).
- ``still-owed.csv``: ``cooperative_id``, ``slug``, ``name``, ``province``,
  ``pending_mad``, ``available_mad``, ``owed_mad`` (pending + available).
- ``cash-to-collect.csv``: ``cooperative_id``, ``slug``, ``name``, ``province``,
  ``available_mad`` (negative: fees held in cash), ``pending_mad``,
  ``to_collect_mad`` (what pending earnings do not cover).

Text a cooperative typed (names) that a spreadsheet would run as a formula gets a
leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext

from app.core.money import to_decimal_string
from app.core.translation import N_
from app.reports.amounts import percent_text
from app.reports.balances import CooperativeBalance, PlatformSeries
from app.reports.sales import TOTAL, SalesReport

SALES_COLUMNS = (
    "name",
    "orders",
    "gross_mad",
    "producer_mad",
    "platform_mad",
    "solidarity_mad",
    "producer_share_percent",
)
PLATFORM_COLUMNS = (
    "day",
    "revenue_change_mad",
    "solidarity_change_mad",
    "revenue_balance_mad",
    "solidarity_fund_balance_mad",
)
OWED_COLUMNS = (
    "cooperative_id",
    "slug",
    "name",
    "province",
    "pending_mad",
    "available_mad",
    "owed_mad",
)
CASH_COLUMNS = (
    "cooperative_id",
    "slug",
    "name",
    "province",
    "available_mad",
    "pending_mad",
    "to_collect_mad",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: The title of each column in the file's header row, translated when written.
COLUMN_TITLES = {
    "day": N_("Day"),
    "province": N_("Province"),
    "category": N_("Category"),
    "cooperative": N_("Cooperative"),
    "payment_method": N_("Payment method"),
    "name": N_("Name"),
    "orders": N_("Orders"),
    "gross_mad": N_("Gross sales (MAD)"),
    "producer_mad": N_("To the producers (MAD)"),
    "platform_mad": N_("To the platform (MAD)"),
    "solidarity_mad": N_("To the solidarity fund (MAD)"),
    "producer_share_percent": N_("Producers' share (%)"),
    "revenue_change_mad": N_("Platform revenue of the day (MAD)"),
    "solidarity_change_mad": N_("Solidarity fund of the day (MAD)"),
    "revenue_balance_mad": N_("Platform revenue balance (MAD)"),
    "solidarity_fund_balance_mad": N_("Solidarity fund balance (MAD)"),
    "cooperative_id": N_("Cooperative number"),
    "slug": N_("Short name"),
    "pending_mad": N_("Pending (MAD)"),
    "available_mad": N_("Available (MAD)"),
    "owed_mad": N_("Still owed (MAD)"),
    "to_collect_mad": N_("Cash to collect (MAD)"),
}
TOTAL_TITLE = N_("Total")


@dataclass(frozen=True)
class Dialect:
    """How a CSV file separates its fields and writes its decimals."""

    name: str
    delimiter: str
    decimal: str


PLAIN = Dialect("plain", ",", ".")
EXCEL = Dialect("excel", ";", ",")
DIALECTS = {dialect.name: dialect for dialect in (PLAIN, EXCEL)}


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], dialect: Dialect = PLAIN
) -> bytes:
    """The file: titles in the reader's language, the total row's key worded, decimals in
    the dialect's way (amounts and percents are the ``_Decimal`` values of the rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow([gettext(COLUMN_TITLES[column]) for column in header])
    for row in rows:
        writer.writerow(
            [
                gettext(TOTAL_TITLE)
                if index == 0 and value == TOTAL
                else value.replace(".", dialect.decimal)
                if isinstance(value, _Decimal)
                else value
                for index, value in enumerate(row)
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


class _Decimal(str):
    """A decimal number's text ("1234.50"), written with the dialect's decimal mark."""


def _mad(cents: int) -> str:
    return _Decimal(to_decimal_string(cents))


def sales_csv(report: SalesReport, dialect: Dialect = PLAIN) -> bytes:
    """A sales report, one row per group then the total."""
    rows = [*report.rows, report.total]
    return _csv(
        (report.group_by, *SALES_COLUMNS),
        (
            (
                row.key,
                _text(row.name) if row.key != TOTAL else "",
                row.orders,
                _mad(row.amounts.gross_cents),
                _mad(row.amounts.producer_cents),
                _mad(row.amounts.platform_cents),
                _mad(row.amounts.solidarity_cents),
                _Decimal(percent_text(row.amounts.producer_share_bps)),
            )
            for row in rows
        ),
        dialect,
    )


def platform_csv(series: PlatformSeries, dialect: Dialect = PLAIN) -> bytes:
    """Fees and the solidarity fund, one row per day then the period's total."""
    rows = [
        (
            day.day.isoformat(),
            _mad(day.revenue_change_cents),
            _mad(day.solidarity_change_cents),
            _mad(day.revenue_balance_cents),
            _mad(day.solidarity_balance_cents),
        )
        for day in series.days
    ]
    rows.append(
        (
            TOTAL,
            _mad(series.revenue_change_cents),
            _mad(series.solidarity_change_cents),
            _mad(series.closing_revenue_cents),
            _mad(series.closing_solidarity_cents),
        )
    )
    return _csv(PLATFORM_COLUMNS, rows, dialect)


def owed_csv(balances: Sequence[CooperativeBalance], dialect: Dialect = PLAIN) -> bytes:
    """Who is still owed money, then the total."""
    return _balances_csv(
        OWED_COLUMNS, balances, ("pending_cents", "available_cents", "owed_cents"), dialect
    )


def cash_csv(balances: Sequence[CooperativeBalance], dialect: Dialect = PLAIN) -> bytes:
    """The cash to collect from cooperatives, then the total."""
    return _balances_csv(
        CASH_COLUMNS, balances, ("available_cents", "pending_cents", "to_collect_cents"), dialect
    )


def _balances_csv(
    header: Sequence[str],
    balances: Sequence[CooperativeBalance],
    amounts: Sequence[str],
    dialect: Dialect,
) -> bytes:
    """One row per cooperative with the ``amounts`` (attribute names, in centimes) as MAD,
    then the total of each amount."""
    rows: list[tuple[object, ...]] = [
        (
            balance.cooperative_id,
            balance.slug,
            _text(balance.name),
            balance.province,
            *(_mad(getattr(balance, amount)) for amount in amounts),
        )
        for balance in balances
    ]
    totals = [sum(getattr(balance, amount) for balance in balances) for amount in amounts]
    rows.append((TOTAL, "", "", "", *(_mad(cents) for cents in totals)))
    return _csv(header, rows, dialect)
