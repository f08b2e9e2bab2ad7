"""The monthly statement PDF in the reader's language: Arabic shaped and right to left,
French as before."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from babel import dates
from pypdf import PdfReader
from support.factories import login_as

from app.fair.queries import morocco_today
from app.reports.statement_pdf import bind_left_to_right_runs

#: The statement's words in Arabic (app/translations/ar) and the English and French ones
#: that must not be left in the Arabic statement.
ARABIC_LABELS = ["التاريخ", "الطلب", "المنتج", "الكمية", "الإجمالي", "حصة", "المنصة", "التضامن"]
LATIN_LABELS = ["Date", "Order", "Product", "Qty", "Gross", "Producer", "Platform", "Total"]
FRENCH_LABELS = ["Commande", "Produit", "Brut", "Producteur", "Plateforme", "Solidarité"]


def _pdf(client, sales_data, language: str) -> PdfReader:
    login_as(client, sales_data.owners["tighza"])
    client.get(f"/lang/{language}")
    month = morocco_today().strftime("%Y-%m")
    response = client.get(f"/dashboard/{sales_data.tighza.id}/statement/{month}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def _text(reader: PdfReader) -> str:
    """The drawn text, Arabic presentation forms (the shaped glyphs) read as letters."""
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text))


def test_an_arabic_reader_gets_the_statement_in_arabic_with_an_arabic_font(client, sales_data):
    reader = _pdf(client, sales_data, "ar")
    text = _text(reader)

    for label in ARABIC_LABELS:
        assert label in text, label
    # The title and the closing balance in Arabic words (pypdf reads them in the order
    # they are drawn, from the left), the month as Morocco names it.
    for word in ("سوق", "التضامن", "الكشف", "الشهري", "الرصيد", "درهم", "نهايته"):
        assert word in text, word
    assert dates.format_date(morocco_today(), "MMMM", locale="ar_MA") in text
    assert "380.00" in text and "134.00" in text
    assert sales_data.orders["O1"].number in text
    # No English or French word of the interface is left; the Latin words are data: the
    # products' and the cooperative's names, a refund's reason, order numbers.
    data = _latin_words("Miel d'euphorbe Huile d'olive One jar arrived broken Tighza RC ST")
    order_numbers = {order.number for order in sales_data.orders.values()}
    assert _latin_words(text) - data - _latin_words(" ".join(order_numbers)) == set()
    assert any("DejaVuSans" in name for name in _fonts(reader))
    assert "الكشف الشهري" in reader.metadata.title


def test_arabic_words_are_shaped_and_laid_from_the_right(client, sales_data):
    """Letters join (the PDF draws the contextual forms of the Arabic Presentation Forms
    block, which only shaping chooses), a Latin name keeps its order, and the table's first
    column (the date) is drawn rightmost."""
    reader = _pdf(client, sales_data, "ar")
    raw = " ".join(page.extract_text() for page in reader.pages)
    assert any("\ufb50" <= character <= "\ufeff" for character in raw)
    assert "Miel d'euphorbe" in raw

    positions: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        shown = unicodedata.normalize("NFKC", text)
        for label in ("التاريخ", "التضامن"):
            if label in shown and label not in positions:
                positions[label] = cm[4] + tm[4]

    reader.pages[0].extract_text(visitor_text=visit)
    assert positions["التاريخ"] > positions["التضامن"]


def test_the_french_statement_is_unchanged(client, sales_data):
    reader = _pdf(client, sales_data, "fr")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    assert text.startswith("Souk Tadamon : relevé mensuel") or "relevé" in text
    assert "Total 380.00 364.00 14.00 2.00" in text
    assert "240.00 220.80 16.80 2.40" in text
    assert "Miel d'euphorbe" in text
    assert not any("DejaVu" in name for name in _fonts(reader))


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("عسل الزعتر", "عسل الزعتر"),
        ("عسل Miel d'euphorbe 500 g", "عسل Miel\xa0d'euphorbe\xa0500\xa0g"),
        ("Miel 2 عسل 3 Huile", "Miel 2 عسل 3 Huile"),
        ("من 2026-03-01 إلى 2026-03-31", "من 2026-03-01 إلى 2026-03-31"),
    ],
)
def test_latin_runs_in_arabic_text_are_bound_into_one_word(text, bound):
    assert bind_left_to_right_runs(text) == bound
