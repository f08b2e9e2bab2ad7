"""A packing slip for one order part, as a PDF to print and put in the parcel (or hand over
at the stand): who it is for, what is in it, how it travels, what cash to collect.

Written in the reader's language (call it in that locale) with the statement's
typesetting: Arabic lines shaped and put in visual order line by line (``rtl``).
"""

from __future__ import annotations

import io

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from app.core.money import to_decimal_string
from app.orders.models import CooperativeOrder
from app.reports.statement_pdf import Typesetter, register_fonts, script_of, styled_table

MARGIN = 10 * mm
WIDTH = A5[0] - 2 * MARGIN
#: Product, unit, quantity.
COLUMN_WIDTHS = [78 * mm, 30 * mm, 20 * mm]


def packing_slip_pdf(
    part: CooperativeOrder, product_names: dict[int, str], cooperative_name: str, language: str
) -> bytes:
    """The slip as PDF bytes (A5 portrait). ``product_names`` maps product ids to their names
    in ``language`` (the name at checkout for a product without one)."""
    register_fonts()
    typeset = Typesetter(script_of(language))
    order = part.order
    amount = typeset.amount
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_("Packing slip %(order)s", order=order.number),
        author="Souk Tadamon",
        lang=language,
    )
    address = ", ".join(
        text
        for text in (order.address_line1, order.address_postal_code, order.address_city)
        if text
    )
    story = [
        typeset.paragraph(
            _("Packing slip %(order)s", order=amount(order.number)), typeset.title, WIDTH
        ),
        typeset.paragraph(cooperative_name, typeset.heading, WIDTH),
        Spacer(1, 3 * mm),
        typeset.paragraph(_("For: %(name)s", name=order.contact_name or ""), typeset.body, WIDTH),
        typeset.paragraph(
            _("Phone: %(phone)s", phone=amount(order.contact_phone or "")), typeset.body, WIDTH
        ),
    ]
    if address and not part.is_pickup:
        story.append(
            typeset.paragraph(
                _("Address: %(address)s", address=amount(address)), typeset.body, WIDTH
            )
        )
    if part.tracking_number:
        story.append(
            typeset.paragraph(
                _(
                    "Carrier: %(carrier)s. Tracking number: %(number)s.",
                    carrier=part.carrier or "-",
                    number=amount(part.tracking_number),
                ),
                typeset.body,
                WIDTH,
            )
        )
    story.append(Spacer(1, 3 * mm))
    rows: list[list[object]] = [
        typeset.row(
            [
                typeset.cell_text(_("Product"), COLUMN_WIDTHS[0], bold=True),
                typeset.cell_text(_("Unit"), COLUMN_WIDTHS[1], bold=True),
                typeset.cell_text(_("Qty"), COLUMN_WIDTHS[2], bold=True),
            ]
        )
    ]
    for line in part.lines:
        rows.append(
            typeset.row(
                [
                    typeset.cell_text(
                        product_names.get(line.product_id, line.name), COLUMN_WIDTHS[0]
                    ),
                    typeset.cell_text(line.unit_text, COLUMN_WIDTHS[1]),
                    str(line.quantity),
                ]
            )
        )
    rows.append(
        typeset.row(
            [
                typeset.cell_text(_("Total"), COLUMN_WIDTHS[0], bold=True),
                "",
                str(sum(line.quantity for line in part.lines)),
            ]
        )
    )
    count = len(COLUMN_WIDTHS)
    quantity = typeset.column(2, count)
    story.append(
        styled_table(
            Table(rows, colWidths=typeset.row(COLUMN_WIDTHS)), typeset, (quantity, quantity)
        )
    )
    if order.payment_method == "cash_on_delivery" and not part.cash_collected_cents:
        story += [
            Spacer(1, 3 * mm),
            typeset.paragraph(
                _(
                    "Cash to collect from the shopper: %(amount)s MAD.",
                    amount=amount(to_decimal_string(part.total_cents)),
                ),
                typeset.heading,
                WIDTH,
            ),
        ]
    document.build(story)
    return buffer.getvalue()
