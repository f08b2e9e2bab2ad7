"""The monthly statement as a PDF, drawn with ReportLab: each sale's split, totals, balances.

Text is set in Bitstream Vera (shipped with ReportLab and embedded in the file),
which covers Latin scripts: the statement is written in French or English
(Arabic readers get it in French, see ``app.dashboard.statements``), and names
are printed as the cooperative wrote them in its base language. Amounts are
plain decimal MAD ("1234.50") so that accounting software reads them back.
"""

from __future__ import annotations

import functools
import io
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
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

FONT, BOLD = "SoukVera", "SoukVera-Bold"


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))


def _mad(cents: int) -> str:
    return to_decimal_string(cents)


def statement_pdf(found: MonthlyStatement, month_title: str) -> bytes:
    """The statement as PDF bytes: a header, one row per sale line, totals and balances.

    ``month_title`` names the month in the reader's language ("March 2026").
    """
    _register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=14, leading=18)
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
    )
    cooperative = found.cooperative
    ledger = found.ledger
    story = [
        Paragraph(
            escape(_("Souk Tadamon: monthly statement, %(month)s", month=month_title)), title
        ),
        Paragraph(escape(f"{cooperative.name} ({cooperative.registration_number})"), body),
        Paragraph(
            escape(
                _(
                    "From %(start)s to %(end)s (Morocco's dates). Amounts in MAD.",
                    start=found.period.from_.isoformat(),
                    end=found.period.to.isoformat(),
                )
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        _sales_table(found),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                _(
                    "Share that reached the cooperative: %(share)s %%",
                    share=percent_text(found.total.producer_share_bps) or "-",
                )
            ),
            body,
        ),
        Paragraph(
            escape(
                _(
                    "Balance owed to the cooperative: %(opening)s MAD at the start, "
                    "%(closing)s MAD at the end of the month.",
                    opening=_mad(ledger.opening_balance_cents),
                    closing=_mad(ledger.closing_balance_cents),
                )
            ),
            body,
        ),
    ]
    document.build(story)
    return buffer.getvalue()


def _sales_table(found: MonthlyStatement) -> Table:
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
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
    rows: list[list[object]] = [header]
    for line in found.lines:
        rows.append(
            [
                line.at.astimezone(MOROCCO).strftime("%Y-%m-%d %H:%M"),
                line.order_number,
                Paragraph(escape(line.description), cell),
                "" if line.quantity is None else str(line.quantity),
                _mad(line.amounts.gross_cents),
                _mad(line.amounts.producer_cents),
                _mad(line.amounts.platform_cents),
                _mad(line.amounts.solidarity_cents),
            ]
        )
    if not found.lines:
        rows.append(["", "", _("No sale this month."), "", "", "", "", ""])
    total = found.total
    rows.append(
        [
            _("Total"),
            "",
            "",
            "",
            _mad(total.gross_cents),
            _mad(total.producer_cents),
            _mad(total.platform_cents),
            _mad(total.solidarity_cents),
        ]
    )
    table = Table(
        rows,
        colWidths=[30 * mm, 26 * mm, 95 * mm, 12 * mm, 26 * mm, 26 * mm, 26 * mm, 26 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTNAME", (0, -1), (-1, -1), BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f4efe6")]),
            ]
        )
    )
    return table
