"""The statement with its running balance, and the monthly statement as a PDF holding each
sale's split and the totals."""

from __future__ import annotations

import io
import unicodedata
from datetime import timedelta

from pypdf import PdfReader
from support.factories import login_as

from app.fair.queries import morocco_today

EN = {"Accept-Language": "en"}


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def this_month() -> str:
    return morocco_today().strftime("%Y-%m")


def test_the_statement_lists_each_movement_with_the_running_balance(client, sales_data):
    login_as(client, sales_data.owners["tighza"])
    response = client.get(f"/dashboard/{sales_data.tighza.id}/statement", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ("Card payment", "Refund", "Fees on cash collected"):
        assert label in html
    # 250.80 earned by card, then the refund takes back 110.40, then the fees on cash 6.40.
    assert "250.80 MAD" in html and "-110.40 MAD" in html and "134.00 MAD" in html
    assert f"statement/{this_month()}.pdf" in html


def test_the_statement_refuses_a_period_that_ends_before_it_starts(client, sales_data):
    login_as(client, sales_data.owners["tighza"])
    today = morocco_today()
    response = client.get(
        f"/dashboard/{sales_data.tighza.id}/statement",
        query_string={"from": today.isoformat(), "to": (today - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 422


def test_the_monthly_pdf_opens_and_holds_each_sale_and_the_totals(client, sales_data):
    login_as(client, sales_data.owners["tighza"])
    response = client.get(
        f"/dashboard/{sales_data.tighza.id}/statement/{this_month()}.pdf", headers=EN
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for number in ("O1", "O2", "O3"):
        assert sales_data.orders[number].number in text
    assert "Miel d'euphorbe" in text and "Delivery" in text and "One jar arrived broken" in text
    # O1: 2 x 120.00 split 220.80 / 16.80 / 2.40, and the refund of one jar.
    assert "240.00 220.80 16.80 2.40" in text
    assert "-120.00 -110.40 -8.40 -1.20" in text
    # Totals: gross, producer, platform, solidarity.
    assert "Total 380.00 364.00 14.00 2.00" in text
    assert "start of the month: 0.00 MAD" in text and "end of the month: 134.00 MAD" in text
    # The cash sale (O2) is explained: cash collected, fees owed, how they are settled.
    cash = f"Cash sale, order {sales_data.orders['O2'].number}: you collected 110.00 MAD"
    assert cash in text and "fees of 6.40 MAD are owed by you" in text
    assert "deducted from your next card earnings" in text and "RIB 011 780" in text
    assert "The platform owes your cooperative 134.00 MAD" in text
    # Lines are worded from codes, never from the ledger's English memos.
    assert "Cash collected for order" not in text and "Card payment for order" not in text


def test_the_pdf_is_for_members_and_admins_and_only_for_months_that_began(client, sales_data):
    url = f"/dashboard/{sales_data.tighza.id}/statement/{this_month()}.pdf"
    login_as(client, sales_data.owners["zaytoun"])
    assert client.get(url).status_code == 403
    login_as(client, sales_data.admin)
    assert client.get(url).status_code == 200
    assert client.get(f"/dashboard/{sales_data.tighza.id}/statement/2026-13.pdf").status_code == 404
    assert client.get(f"/dashboard/{sales_data.tighza.id}/statement/0001-01.pdf").status_code == 404
    future = morocco_today().replace(day=1) + timedelta(days=40)
    assert (
        client.get(
            f"/dashboard/{sales_data.tighza.id}/statement/{future.strftime('%Y-%m')}.pdf"
        ).status_code
        == 404
    )


def test_an_arabic_reader_gets_the_pdf_in_arabic(client, sales_data):
    """Arabic shaping and layout are checked in tests/reports/test_statement_pdf.py."""
    login_as(client, sales_data.owners["tighza"])
    with client.session_transaction() as session:
        session["lang"] = "ar"
    response = client.get(f"/dashboard/{sales_data.tighza.id}/statement/{this_month()}.pdf")
    assert response.status_code == 200
    text = unicodedata.normalize("NFKC", pdf_text(response.data))
    assert "380.00" in text and "المجموع" in text and "Total" not in text
