"""The monthly statement PDF in the reader's language: Arabic shaped and right to left,
French as before."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from babel import dates
from pypdf import PdfReader
from reports.pdf_runs import drawn_runs
from sqlalchemy import select
from support.factories import login_as

from app.catalog.models import Product
from app.extensions import db
from app.fair.queries import morocco_today
from app.reports.rtl import isolate, visual

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
    for word in ("سوق", "التضامن", "الكشف", "الشهري", "الرصيد", "درهم", "نهاية"):
        assert word in text, word
    assert dates.format_date(morocco_today(), "MMMM", locale="ar_MA") in text
    assert "380.00" in text and "134.00" in text
    assert sales_data.orders["O1"].number in text
    # No English or French word of the interface is left; the Latin words are data: the
    # products' and the cooperative's names, a refund's reason, order numbers.
    data = _latin_words("Miel d'euphorbe Huile d'olive One jar arrived broken Tighza RC ST RIB")
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


def test_arabic_lines_are_drawn_in_visual_order(client, sales_data):
    """What the page draws, from the left: each Arabic line reordered by the bidi algorithm,
    Latin names, order numbers and dates kept in their own order, brackets mirrored."""
    reader = _pdf(client, sales_data, "ar")
    runs = [run for page in reader.pages for run in drawn_runs(page)]
    month = dates.format_date(morocco_today(), "MMMM", locale="ar_MA")
    year = morocco_today().year
    first = morocco_today().replace(day=1).isoformat()
    cash_order = sales_data.orders["O2"].number

    # "سوق التضامن: الكشف الشهري، <month> <year>", drawn from the left.
    assert runs[0] == f"{year} {month[::-1]} ،يرهشلا فشكلا :نماضتلا قوس"
    # A Latin name with a code in brackets: the brackets read right to left.
    assert runs[1] == f"({sales_data.tighza.registration_number}) Tighza"
    # Dates stay left to right inside the Arabic sentence, its brackets mirrored.
    assert runs[2].startswith(".مهردلاب غلابملا .(برغملا تيقوتب) ")
    assert runs[2].endswith(f" ىلإ {first} نم")
    # A product's Latin name and the Arabic words after it: the name on the left.
    assert "(ادقن عوفدم) Huile d'olive" in runs
    # The cash sale's movement in words, with its order number and amounts in place.
    cash = next(run for run in runs if run.endswith("،يدقن عيب"))
    assert "مهرد 6.40 ةغلابلا اهتلومع ةصنملل مكيلعو" in cash
    assert f"{cash_order} بلطلا" in cash
    # How the fees owed are settled, with the platform's RIB, and the balance in words.
    assert any("011 780 0000123456789012 96 RIB ةصنملا باسح ىلإ" in run for run in runs)
    assert runs[-1].startswith(".عيب ةيلمع لكل")
    assert runs[-1].endswith("مهرد 134.00 غلبمب مكتينواعتل ةنيدم ةصنملا")


@pytest.mark.parametrize(
    ("line", "drawn"),
    [
        ("سوق التضامن", "نماضتلا قوس"),
        ("عسل Miel d'euphorbe 500 g", "Miel d'euphorbe 500 g لسع"),
        # Dates are isolated: bare, the algorithm would draw "31-03-2026".
        (
            f"من {isolate('2026-03-01')} إلى {isolate('2026-03-31')}",
            "2026-03-31 ىلإ 2026-03-01 نم",
        ),
        (f"الرصيد {isolate('-6.40')} درهم.", ".مهرد -6.40 ديصرلا"),
        ("(بتوقيت المغرب).", ".(برغملا تيقوتب)"),
        (f"Tighza ({isolate('RC-1000')})", "(RC-1000) Tighza"),
    ],
)
def test_known_arabic_and_mixed_lines_are_put_in_visual_order(line, drawn):
    assert unicodedata.normalize("NFKC", visual(line)) == drawn


def test_products_and_the_cooperative_are_named_in_the_readers_language(client, sales_data):
    honey = db.session.scalar(
        select(Product).where(
            Product.cooperative_id == sales_data.tighza.id, Product.name == "Miel d'euphorbe"
        )
    )
    honey.translations = {"ar": {"name": "عسل الدغموس"}}
    sales_data.tighza.translations = {"ar": {"name": "تيغزا"}}
    db.session.commit()

    text = _text(_pdf(client, sales_data, "ar"))

    # Word by word: pypdf reads the runs in the order they are drawn, from the left.
    assert "عسل" in text and "الدغموس" in text
    assert "تيغزا" in text
    assert "euphorbe" not in text
    assert "Tighza" not in text
