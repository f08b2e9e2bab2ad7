"""Every report as a CSV file: UTF-8 with a byte order mark, documented columns, decimal MAD,
a total row that adds up."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from support.sales_data import BY_PROVINCE

from app.fair.queries import morocco_today
from app.reports.exports import COLUMN_TITLES, SALES_COLUMNS
from app.reports.overview import EXPORTS, export_csv
from app.reports.period import SalesFilter, period_of

#: English column title -> column code, so that the tests name columns by their codes.
CODES = {title: code for code, title in COLUMN_TITLES.items()} | {"Total": "total"}


def read(body: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    """The rows of a file, keyed and totalled by the column codes (the file shows titles)."""
    assert body.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter)
    header, *rows = list(reader)
    codes = [CODES[title] for title in header]
    return [
        {
            code: CODES.get(value, value) if index == 0 else value
            for index, (code, value) in enumerate(zip(codes, row, strict=True))
        }
        for row in rows
    ]


def test_sales_by_province_csv_has_its_columns_and_a_total_that_adds_up(sales_data):
    period = period_of(None, None, morocco_today())
    rows = read(export_csv("sales-by-province", period, SalesFilter()))
    assert list(rows[0]) == ["province", *SALES_COLUMNS]
    azilal = rows[0]
    assert azilal["province"] == "azilal"
    assert azilal["name"] == "Azilal"
    assert (azilal["orders"], azilal["gross_mad"], azilal["producer_mad"]) == (
        "3",
        "380.00",
        "364.00",
    )
    assert (azilal["platform_mad"], azilal["solidarity_mad"]) == ("14.00", "2.00")
    assert azilal["producer_share_percent"] == "95.8"
    total = rows[-1]
    assert total["province"] == "total"
    for column in ("gross_mad", "producer_mad", "platform_mad", "solidarity_mad"):
        assert sum(Decimal(row[column]) for row in rows[:-1]) == Decimal(total[column])
    assert total["gross_mad"] == "750.00"
    assert len(rows) == len(BY_PROVINCE) + 1


def test_balance_csvs_list_who_is_owed_and_the_cash_to_collect(sales_data):
    period = period_of(None, None, morocco_today())
    owed = read(export_csv("still-owed", period, SalesFilter()))
    assert [(row["slug"], row["owed_mad"]) for row in owed] == [
        ("tighza", "134.00"),
        ("zaytoun", "116.00"),
        ("", "250.00"),
    ]
    assert owed[0]["pending_mad"] == "140.40" and owed[0]["available_mad"] == "-6.40"
    cash = read(export_csv("cash-to-collect", period, SalesFilter()))
    assert [(row["slug"], row["available_mad"], row["to_collect_mad"]) for row in cash] == [
        ("amal", "-20.00", "20.00"),
        ("tighza", "-6.40", "0.00"),
        ("", "-26.40", "20.00"),
    ]


def test_fees_and_fund_csv_has_one_row_per_day_and_the_closing_balances(sales_data):
    period = period_of(None, None, morocco_today())
    rows = read(export_csv("fees-and-fund", period, SalesFilter()))
    assert len(rows) == 31
    assert rows[-2]["day"] == morocco_today().isoformat()
    assert rows[-2]["revenue_change_mad"] == "35.00"
    assert rows[-1] == {
        "day": "total",
        "revenue_change_mad": "35.00",
        "solidarity_change_mad": "5.00",
        "revenue_balance_mad": "35.00",
        "solidarity_fund_balance_mad": "5.00",
    }


def test_every_export_is_a_csv_with_a_total_row(sales_data):
    period = period_of(None, None, morocco_today())
    for name in EXPORTS:
        rows = read(export_csv(name, period, SalesFilter()))
        assert next(iter(rows[-1].values())) == "total", name


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_quoted(sales_data):
    sales_data.amal.name = "=HYPERLINK(1)"
    period = period_of(None, None, morocco_today())
    rows = read(export_csv("sales-by-cooperative", period, SalesFilter()))
    assert "'=HYPERLINK(1)" in [row["name"] for row in rows]


def test_the_excel_csv_uses_semicolons_and_a_decimal_comma(sales_data):
    period = period_of(None, None, morocco_today())
    body = export_csv("sales-by-province", period, SalesFilter(), dialect="excel")

    rows = read(body, delimiter=";")
    assert body.startswith(b"\xef\xbb\xbf")
    assert (rows[0]["gross_mad"], rows[0]["producer_share_percent"]) == ("380,00", "95,8")
    assert rows[-1]["gross_mad"] == "750,00"


def test_csv_headers_and_the_total_row_are_in_the_readers_language(app, sales_data):
    from flask_babel import force_locale

    period = period_of(None, None, morocco_today())
    with force_locale("fr"):
        french = export_csv("still-owed", period, SalesFilter(), "fr").decode("utf-8-sig")
    with force_locale("ar"):
        arabic = export_csv("still-owed", period, SalesFilter(), "ar").decode("utf-8-sig")

    assert french.splitlines()[0].startswith("Numéro de la coopérative,")
    assert "Encore dû (MAD)" in french and "owed_mad" not in french
    assert french.splitlines()[-1].startswith("Total,")
    assert "المتبقي المستحق (MAD)" in arabic and "owed_mad" not in arabic
    assert arabic.splitlines()[-1].startswith("المجموع,")
