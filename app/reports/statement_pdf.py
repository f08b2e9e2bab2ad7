"""The monthly statement as a PDF, drawn with ReportLab: each sale's split, the account's
movements, how cash-sale fees are settled, and the balance with its sign in words.

Written in the reader's language, every line worded from codes (``statement_words``),
products named in that language. French and English are set in Bitstream Vera
(shipped with ReportLab); Arabic in DejaVu Sans (``fonts/``, Latin and Arabic glyphs
in one font, so names in either script print). Arabic lines are wrapped in logical
order, then shaped and put in visual order one line at a time by the bidi algorithm
(``app.reports.rtl``), so words read right to left while Latin names, digits and
codes keep their own order; the table's columns run from the right. Amounts in the
tables are plain decimal MAD ("1234.50") so that accounting software reads them back.
"""

from __future__ import annotations

import functools
import io
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
from app.ledger.queries import Statement
from app.reports import rtl
from app.reports.amounts import percent_text
from app.reports.statement import DELIVERY, REFUND, MonthlyStatement, StatementLine
from app.reports.statement_words import balance_words, cash_settlement_words, ledger_line_words

FONTS = Path(__file__).resolve().parent / "fonts"
RIGHT_TO_LEFT_LANGUAGES = frozenset({"ar"})
PAGE = landscape(A4)
MARGIN = 12 * mm
TEXT_WIDTH = PAGE[0] - 2 * MARGIN
#: Widths of the sales table's columns, in reading order: date, order, product, quantity and
#: the four amounts.
COLUMN_WIDTHS = [30 * mm, 26 * mm, 91 * mm, 16 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm]
#: Columns (reading order) holding numbers, aligned on the right in every language.
NUMBER_COLUMNS = range(3, 8)
#: The movements table: date, what happened, amount, balance after.
MOVEMENT_WIDTHS = [30 * mm, 163 * mm, 40 * mm, 40 * mm]
#: A cell's padding on each side (ReportLab's default), kept free when wrapping.
CELL_PADDING = 6


@dataclass(frozen=True)
class Script:
    """How one language is typeset: its fonts and the direction of its lines."""

    regular: str
    bold: str
    right_to_left: bool


LATIN = Script("SoukVera", "SoukVera-Bold", right_to_left=False)
ARABIC = Script("SoukDejaVu", "SoukDejaVu-Bold", right_to_left=True)


@functools.cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(LATIN.regular, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(LATIN.bold, "VeraBd.ttf"))
    pdfmetrics.registerFont(TTFont(ARABIC.regular, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(ARABIC.bold, str(FONTS / "DejaVuSans-Bold.ttf")))


def script_of(language: str) -> Script:
    return ARABIC if language in RIGHT_TO_LEFT_LANGUAGES else LATIN


def _mad(cents: int) -> str:
    return to_decimal_string(cents)


class Typesetter:
    """Paragraph styles of one script, and text turned into what its lines can draw."""

    def __init__(self, script: Script) -> None:
        self.script = script
        alignment = TA_RIGHT if script.right_to_left else TA_LEFT
        self.body = ParagraphStyle(
            "body", fontName=script.regular, fontSize=9, leading=12, alignment=alignment
        )
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=script.bold, fontSize=14, leading=18
        )
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontName=script.bold, fontSize=11, leading=15
        )
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8, leading=10)
        self.bold_cell = ParagraphStyle("bold_cell", parent=self.cell, fontName=script.bold)

    def paragraph(self, text: str, style: ParagraphStyle, width: float = TEXT_WIDTH) -> Paragraph:
        """Text wrapped to ``width``; in Arabic each line already in visual order."""
        if not self.script.right_to_left:
            return Paragraph(escape(text), style)
        lines = rtl.visual_lines(text, style.fontName, style.fontSize, width - 2)
        return Paragraph("<br/>".join(escape(line) for line in lines), style)

    def cell_text(self, text: str, width: float, *, bold: bool = False) -> Paragraph:
        return self.paragraph(text, self.bold_cell if bold else self.cell, width - 2 * CELL_PADDING)

    def row(self, cells: list[object]) -> list[object]:
        """Cells in reading order, placed from the right in right-to-left scripts."""
        return cells[::-1] if self.script.right_to_left else cells

    def column(self, index: int, count: int) -> int:
        return count - 1 - index if self.script.right_to_left else index

    def amount(self, text: str) -> str:
        """An amount or a code inside a sentence, kept whole (its minus sign included)."""
        return rtl.isolate(text) if self.script.right_to_left else text


def statement_pdf(
    found: MonthlyStatement, month_title: str, language: str, platform_rib: str = ""
) -> bytes:
    """The statement as PDF bytes: a header, one row per sale line, totals, the account's
    movements, how cash-sale fees are settled, and the balances with their meaning.

    Call it in ``language``'s locale (``force_locale``): its words come from the catalogs.
    ``month_title`` names the month in that language ("March 2026"); ``platform_rib`` is
    the account fees owed on cash sales may be transferred to.
    """
    register_fonts()
    typeset = Typesetter(script_of(language))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_("Monthly statement %(month)s", month=month_title),
        author="Souk Tadamon",
        lang=language,
    )
    cooperative = found.cooperative
    ledger = found.ledger
    name = cooperative.translated("name", language)
    amount = typeset.amount
    story = [
        typeset.paragraph(
            _("Souk Tadamon: monthly statement, %(month)s", month=month_title), typeset.title
        ),
        typeset.paragraph(
            f"{name} ({amount(cooperative.registration_number or '')})", typeset.body
        ),
        typeset.paragraph(
            _(
                "From %(start)s to %(end)s (Morocco's dates). Amounts in MAD.",
                start=amount(found.period.from_.isoformat()),
                end=amount(found.period.to.isoformat()),
            ),
            typeset.body,
        ),
        Spacer(1, 4 * mm),
        typeset.paragraph(_("Sales of the month"), typeset.heading),
        _sales_table(found, typeset),
        Spacer(1, 3 * mm),
        typeset.paragraph(
            _(
                "Share that reached the cooperative: %(share)s %%",
                share=amount(percent_text(found.total.producer_share_bps) or "-"),
            ),
            typeset.body,
        ),
        Spacer(1, 4 * mm),
        typeset.paragraph(_("Movements of your account"), typeset.heading),
        _movements_table(ledger, typeset),
        Spacer(1, 3 * mm),
    ]
    cash_fees = -sum(line.amount_cents for line in ledger.lines if line.kind == "cash_collected")
    if cash_fees:
        story.append(
            typeset.paragraph(
                cash_settlement_words(cash_fees, amount(platform_rib) if platform_rib else "-"),
                typeset.body,
            )
        )
    story += [
        typeset.paragraph(
            _(
                "Balance at the start of the month: %(opening)s MAD. "
                "Balance at the end of the month: %(closing)s MAD.",
                opening=amount(_mad(ledger.opening_balance_cents)),
                closing=amount(_mad(ledger.closing_balance_cents)),
            ),
            typeset.body,
        ),
        typeset.paragraph(balance_words(ledger.closing_balance_cents), typeset.body),
    ]
    document.build(story)
    return buffer.getvalue()


def _line_words(line: StatementLine) -> str:
    if line.kind == DELIVERY:
        return _("Delivery")
    if line.kind == REFUND:
        return _("Refund: %(reason)s", reason=line.name) if line.name else _("Refund")
    if line.payment_method in ("cash_on_delivery", "pay_at_stand"):
        return _("%(product)s (paid in cash)", product=line.name)
    return line.name


def _sales_table(found: MonthlyStatement, typeset: Typesetter) -> Table:
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
    widths = COLUMN_WIDTHS
    rows: list[list[object]] = [
        typeset.row(
            [typeset.cell_text(h, widths[index], bold=True) for index, h in enumerate(header)]
        )
    ]
    for line in found.lines:
        rows.append(
            typeset.row(
                [
                    line.at.astimezone(MOROCCO).strftime("%Y-%m-%d %H:%M"),
                    line.order_number,
                    typeset.cell_text(_line_words(line), widths[2]),
                    "" if line.quantity is None else str(line.quantity),
                    _mad(line.amounts.gross_cents),
                    _mad(line.amounts.producer_cents),
                    _mad(line.amounts.platform_cents),
                    _mad(line.amounts.solidarity_cents),
                ]
            )
        )
    if not found.lines:
        rows.append(
            typeset.row(["", "", typeset.cell_text(_("No sale this month."), widths[2]), *[""] * 5])
        )
    total = found.total
    rows.append(
        typeset.row(
            [
                typeset.cell_text(_("Total"), widths[0], bold=True),
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
    count = len(widths)
    numbers = (typeset.column(NUMBER_COLUMNS[0], count), typeset.column(NUMBER_COLUMNS[-1], count))
    return styled_table(Table(rows, colWidths=typeset.row(widths), repeatRows=1), typeset, numbers)


def _movements_table(ledger: Statement, typeset: Typesetter) -> Table:
    widths = MOVEMENT_WIDTHS
    header = [_("Date"), _("What happened"), _("Amount"), _("Balance after")]
    rows: list[list[object]] = [
        typeset.row(
            [typeset.cell_text(h, widths[index], bold=True) for index, h in enumerate(header)]
        )
    ]
    words = ledger_line_words(ledger.lines)
    for line in ledger.lines:
        rows.append(
            typeset.row(
                [
                    line.occurred_at.astimezone(MOROCCO).strftime("%Y-%m-%d %H:%M"),
                    typeset.cell_text(words[line.transaction_id], widths[1]),
                    _mad(line.amount_cents),
                    _mad(line.balance_cents),
                ]
            )
        )
    if not ledger.lines:
        rows.append(
            typeset.row(["", typeset.cell_text(_("No movement this month."), widths[1]), "", ""])
        )
    rows.append(
        typeset.row(
            [
                "",
                typeset.cell_text(_("Balance at the end of the month"), widths[1], bold=True),
                "",
                _mad(ledger.closing_balance_cents),
            ]
        )
    )
    count = len(widths)
    numbers = (typeset.column(2, count), typeset.column(3, count))
    table = Table(rows, colWidths=typeset.row(widths), repeatRows=1)
    return styled_table(table, typeset, numbers)


def styled_table(table: Table, typeset: Typesetter, numbers: tuple[int, int]) -> Table:
    first, last = sorted(numbers)
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
