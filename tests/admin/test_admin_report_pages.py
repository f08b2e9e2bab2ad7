"""The admins' report page answers "how much did Azilal's cooperatives sell during the fair, what
did the solidarity fund receive, who is still owed money" at the top, and every report downloads
as CSV with the same filters."""

from __future__ import annotations

import csv
import html
import io
import re

from support.factories import login_as
from support.pages import without_isolates

EN = {"Accept-Language": "en"}


def summary(html: str) -> str:
    html = without_isolates(html)
    return html[html.index('class="report-summary"') : html.index('id="sales-by-day"')]


def test_the_summary_answers_the_question_for_azilal_during_the_fair(client, sales_data):
    login_as(client, sales_data.admin)
    response = client.get(
        "/admin/reports",
        query_string={"province": "azilal", "fair": sales_data.fair.id},
        headers=EN,
    )
    assert response.status_code == 200
    top = html.unescape(summary(response.get_data(as_text=True)))
    assert "Azilal" in top and sales_data.fair.name in top
    assert "380.00 MAD" in top  # paid by shoppers to Azilal's cooperatives during the fair
    assert "364.00 MAD" in top and "(95.8 %)" in top  # reached the producers
    assert "2.00 MAD" in top  # to the fund from these sales
    assert "5.00 MAD" in top  # the fund received from all sales in the period (ledger)
    assert "Tighza: 134.00 MAD" in top  # still owed, in Azilal
    assert "Zaytoun" not in top


def test_every_report_is_on_the_page_with_a_chart_and_a_csv_link(client, sales_data):
    login_as(client, sales_data.admin)
    page = without_isolates(client.get("/admin/reports", headers=EN).get_data(as_text=True))
    assert len(re.findall(r'<svg [^>]*role="img"', page)) == 6
    for name in (
        "sales-by-day",
        "sales-by-province",
        "sales-by-category",
        "sales-by-cooperative",
        "sales-by-payment-method",
        "fees-and-fund",
        "still-owed",
        "cash-to-collect",
    ):
        assert f"/admin/reports/{name}.csv" in page
    assert "Cash to collect: 20.00 MAD" in page
    # Shares as the reader writes numbers: no trailing ".0" (French would read "48,5 %").
    assert "Cash on delivery 48 % · Card 36 % · Pay at the stand 16 %" in page


def test_the_csv_link_keeps_the_filters(client, sales_data):
    login_as(client, sales_data.admin)
    response = client.get(
        "/admin/reports/sales-by-cooperative.csv",
        query_string={"province": "azilal", "fair": sales_data.fair.id},
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(row["Cooperative"], row["Gross sales (MAD)"]) for row in rows] == [
        ("tighza", "380.00"),
        ("Total", "380.00"),
    ]


def test_the_excel_csv_link_gives_semicolons_and_decimal_commas_in_french(client, sales_data):
    login_as(client, sales_data.admin)
    client.get("/lang/fr")
    page = client.get("/admin/reports", query_string={"province": "azilal"}).get_data(as_text=True)
    assert "dialect=excel" in page and "CSV pour Excel" in page

    response = client.get(
        "/admin/reports/sales-by-cooperative.csv",
        query_string={"province": "azilal", "fair": sales_data.fair.id, "dialect": "excel"},
    )

    assert response.status_code == 200
    assert "-excel.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert [(row["Coopérative"], row["Ventes brutes (MAD)"]) for row in rows] == [
        ("tighza", "380,00"),
        ("Total", "380,00"),
    ]


def test_bad_filters_are_refused_with_the_message_next_to_the_field(client, admin):
    login_as(client, admin)
    response = client.get(
        "/admin/reports", query_string={"from": "2026-03-10", "to": "2026-03-01"}, headers=EN
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="from-errors"' in page and "must not be after" in page
    for query in (
        {"province": "casablanca"},
        {"fair": "x"},
        {"to": "tomorrow"},
        {"fair": 999999},
        {"fair": 2**40},
        {"from": "0001-01-01"},
        {"to": "9999-12-31"},
        {"from": "2020-01-01", "to": "2026-01-01"},
    ):
        assert client.get("/admin/reports", query_string=query).status_code == 422, query
        assert client.get("/admin/reports/still-owed.csv", query_string=query).status_code == 422


def test_the_page_reads_right_to_left_in_arabic_with_its_charts_drawn_left_to_right(
    client, sales_data
):
    login_as(client, sales_data.admin)
    with client.session_transaction() as session:
        session["lang"] = "ar"
    page = client.get("/admin/reports").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert "أزيلال" in page  # Azilal, in the province chart and table
    assert "direction: ltr" in page  # coordinates and time run left to right
    assert "<script" not in page.split("<svg", 1)[1]  # pygal's own script is left out
