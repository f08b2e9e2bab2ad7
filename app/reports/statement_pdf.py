"""The monthly statement as a PDF, drawn with ReportLab: each sale's split, totals, balances.

Written in the reader's language. French and English are set in Bitstream Vera
(shipped with ReportLab); Arabic in DejaVu Sans (``fonts/``, Latin and Arabic
glyphs in one font, so names in either script print), shaped by HarfBuzz
(``uharfbuzz``, ReportLab's own shaping route) and laid out right to left: the
columns run from the right, and each line's words are drawn from the right.
ReportLab's full bidi algorithm needs ``rlbidi``, which is not on PyPI; so
within Arabic text a run of Latin words (a product's French name) is bound
into one unbreakable word to keep its own left-to-right order. Amounts are
plain decimal MAD ("1234.50") so that accounting software reads them back.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.money import to_decimal_string
from app.fees.defaults import MOROCCO
from app.reports.amounts import percent_text
from app.reports.statement import MonthlyStatement

FONTS = Path(__file__).resolve().parent / "fonts"
RIGHT_TO_LEFT_LANGUAGES = frozenset({"ar"})
#: Widths of the sales table's columns, in reading order: date, order, product, quantity and
#: the four amounts.
COLUMN_WIDTHS = [30 * mm, 26 * mm, 91 * mm, 16 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm]
#: Columns (reading order) holding numbers, aligned on the right in every language.
NUMBER_COLUMNS = range(3, 8)


@dataclass(frozen=True)
class Script:
    """How one language is typeset: its fonts and the direction of its lines."""

    regular: str
    bold: str
    right_to_left: bool


LATIN = Script("SoukVera", "SoukVera-Bold", right_to_left=False)
ARABIC = Script("SoukDejaVu", "SoukDejaVu-Bold", right_to_left=True)


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(LATIN.regular, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(LATIN.bold, "VeraBd.ttf"))
    pdfmetrics.registerFont(TTFont(ARABIC.regular, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(ARABIC.bold, str(FONTS / "DejaVuSans-Bold.ttf")))


def script_of(language: str) -> Script:
    return ARABIC if language in RIGHT_TO_LEFT_LANGUAGES else LATIN


def _mad(cents: int) -> str:
    return to_decimal_string(cents)


def _strong_direction(word: str) -> str | None:
    """ "L" or "R" after the word's first letter that has a direction; None for digits and
    punctuation alone."""
    for character in word:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return None


def bind_left_to_right_runs(text: str) -> str:
    """``text`` with each run of Latin words (and the numbers between them) joined by
    no-break spaces, so that a right-to-left line keeps the run in its own order.

    "عسل Miel d'euphorbe 500 g" -> "عسل Miel\\xa0d'euphorbe\\xa0500\\xa0g".
    """
    words = text.split(" ")
    runs: list[list[str]] = []
    open_run: list[str] | None = None
    pending: list[str] = []  # words without a direction after the open run
    for word in words:
        direction = _strong_direction(word)
        if direction == "L":
            if open_run is not None:
                open_run.extend([*pending, word])
            else:
                runs.extend([w] for w in pending)
                open_run = [word]
                runs.append(open_run)
            pending = []
        elif direction == "R":
            runs.extend([w] for w in pending)
            runs.append([word])
            open_run, pending = None, []
        else:
            pending.append(word)
    runs.extend([w] for w in pending)
    return " ".join("\xa0".join(run) for run in runs)


class _Typesetter:
    """Paragraph styles of one script, and text turned into what its lines can draw."""

    def __init__(self, script: Script) -> None:
        self.script = script
        direction = (
            {"wordWrap": "RTL", "shaping": 1, "alignment": TA_RIGHT}
            if script.right_to_left
            else {"alignment": TA_LEFT}
        )
        self.body = ParagraphStyle(
            "body", fontName=script.regular, fontSize=9, leading=12, **direction
        )
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=script.bold, fontSize=14, leading=18
        )
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8, leading=10)
        self.bold_cell = ParagraphStyle("bold_cell", parent=self.cell, fontName=script.bold)

    def paragraph(self, text: str, style: ParagraphStyle) -> Paragraph:
        if self.script.right_to_left:
            text = bind_left_to_right_runs(text)
        return Paragraph(escape(text), style)

    def label(self, text: str, *, bold: bool = False) -> object:
        """A table cell of words: drawn as is in Latin scripts, shaped in Arabic."""
        if not self.script.right_to_left:
            return text
        return self.paragraph(text, self.bold_cell if bold else self.cell)

    def row(self, cells: list[object]) -> list[object]:
        """Cells in reading order, placed from the right in right-to-left scripts."""
        return cells[::-1] if self.script.right_to_left else cells

    def column(self, index: int) -> int:
        return len(COLUMN_WIDTHS) - 1 - index if self.script.right_to_left else index


def statement_pdf(found: MonthlyStatement, month_title: str, language: str) -> bytes:
    """The statement as PDF bytes: a header, one row per sale line, totals and balances.

    Call it in ``language``'s locale (``force_locale``): its words come from the catalogs.
    ``month_title`` names the month in that language ("March 2026").
    """
    _register_fonts()
    typeset = _Typesetter(script_of(language))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Monthly statement %(month)s", month=month_title),
        author="Souk Tadamon",
        lang=language,
    )
    cooperative = found.cooperative
    ledger = found.ledger
    name = cooperative.translated("name", language)
    story = [
        typeset.paragraph(
            _("Souk Tadamon: monthly statement, %(month)s", month=month_title), typeset.title
        ),
        typeset.paragraph(f"{name} ({cooperative.registration_number})", typeset.body),
        typeset.paragraph(
            _(
                "From %(start)s to %(end)s (Morocco's dates). Amounts in MAD.",
                start=found.period.from_.isoformat(),
                end=found.period.to.isoformat(),
            ),
            typeset.body,
        ),
        Spacer(1, 4 * mm),
        _sales_table(found, typeset),
        Spacer(1, 4 * mm),
        typeset.paragraph(
            _(
                "Share that reached the cooperative: %(share)s %%",
                share=percent_text(found.total.producer_share_bps) or "-",
            ),
            typeset.body,
        ),
        typeset.paragraph(
            _(
                "Balance owed to the cooperative: %(opening)s MAD at the start, "
                "%(closing)s MAD at the end of the month.",
                opening=_mad(ledger.opening_balance_cents),
                closing=_mad(ledger.closing_balance_cents),
            ),
            typeset.body,
        ),
    ]
    document.build(story)
    return buffer.getvalue()


def _sales_table(found: MonthlyStatement, typeset: _Typesetter) -> Table:
    header = [
        _("Date"),
        _("Order"),
        _("Product"),
        _("Qty"),
        _("Gross"),
        _("Producer"),
        _("Platform"),
        _("Solidarity"),
    ]
    rows: list[list[object]] = [typeset.row([typeset.label(h, bold=True) for h in header])]
    for line in found.lines:
        rows.append(
            typeset.row(
                [
                    line.at.astimezone(MOROCCO).strftime("%Y-%m-%d %H:%M"),
                    line.order_number,
                    typeset.paragraph(line.description, typeset.cell),
                    "" if line.quantity is None else str(line.quantity),
                    _mad(line.amounts.gross_cents),
                    _mad(line.amounts.producer_cents),
                    _mad(line.amounts.platform_cents),
                    _mad(line.amounts.solidarity_cents),
                ]
            )
        )
    if not found.lines:
        rows.append(typeset.row(["", "", typeset.label(_("No sale this month.")), *[""] * 5]))
    total = found.total
    rows.append(
        typeset.row(
            [
                typeset.label(_("Total"), bold=True),
                "",
                "",
                "",
                _mad(total.gross_cents),
                _mad(total.producer_cents),
                _mad(total.platform_cents),
                _mad(total.solidarity_cents),
            ]
        )
    )
    table = Table(rows, colWidths=typeset.row(COLUMN_WIDTHS), repeatRows=1)
    first, last = sorted((typeset.column(NUMBER_COLUMNS[0]), typeset.column(NUMBER_COLUMNS[-1])))
    script = typeset.script
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), script.regular),
                ("FONTNAME", (0, 0), (-1, 0), script.bold),
                ("FONTNAME", (0, -1), (-1, -1), script.bold),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT" if script.right_to_left else "LEFT"),
                ("ALIGN", (first, 0), (last, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f4efe6")]),
            ]
        )
    )
    return table
