"""Every report as a CSV file for spreadsheets: UTF-8 with a byte order mark (so Excel reads
Arabic and accents right), comma-separated, one header row, amounts as plain decimal MAD
("1234.50", "-12.00", from ``app.core.money.to_decimal_string``), and a last row ``total``.

Columns:

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

from app.core.money import to_decimal_string
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


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _mad(cents: int) -> str:
    return to_decimal_string(cents)


def sales_csv(report: SalesReport) -> bytes:
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
                percent_text(row.amounts.producer_share_bps),
            )
            for row in rows
        ),
    )


def platform_csv(series: PlatformSeries) -> bytes:
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
    return _csv(PLATFORM_COLUMNS, rows)


def owed_csv(balances: Sequence[CooperativeBalance]) -> bytes:
    """Who is still owed money, then the total."""
    return _balances_csv(OWED_COLUMNS, balances, ("pending_cents", "available_cents", "owed_cents"))


def cash_csv(balances: Sequence[CooperativeBalance]) -> bytes:
    """The cash to collect from cooperatives, then the total."""
    return _balances_csv(
        CASH_COLUMNS, balances, ("available_cents", "pending_cents", "to_collect_cents")
    )


def _balances_csv(
    header: Sequence[str], balances: Sequence[CooperativeBalance], amounts: Sequence[str]
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
    return _csv(header, rows)
