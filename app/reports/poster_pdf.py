"""Printable stand posters: one page per cooperative, A4 or A5, in Arabic or French, with a
QR code to its shop page that keeps selling after the fair.

The QR code's address carries ``?src=poster`` so that the shop page counts each scan
(``cooperatives.services.count_poster_scan``), shown on the cooperative's dashboard.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
from flask import url_for
from flask_babel import gettext as _
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from app.cooperatives.communes import commune_name
from app.cooperatives.labels import province_name
from app.cooperatives.models import Cooperative
from app.reports import rtl
from app.reports.statement_pdf import register_fonts, script_of

SIZES = {"a4": A4, "a5": A5}
LANGUAGES = ("ar", "fr")
#: The query parameter the poster's QR code adds to the shop page's address.
SCAN_PARAMETER = ("src", "poster")


@dataclass(frozen=True)
class PosterSubject:
    """What one poster shows: the cooperative's name and place in the poster's language, its
    stand at the fair (or ""), and the address of its shop page with the scan parameter."""

    name: str
    place: str
    stand: str
    url: str


def poster_pdf(subjects: Iterable[PosterSubject], size: str, language: str) -> bytes:
    """One poster page per subject, A4 or A5 portrait. Call it in ``language``'s locale."""
    register_fonts()
    script = script_of(language)
    page = SIZES[size]
    scale = 1.0 if size == "a4" else 0.7
    margin = 15 * mm * scale
    width = page[0] - 2 * margin
    styles = {
        name: ParagraphStyle(
            name,
            fontName=font,
            fontSize=points * scale,
            leading=points * scale * 1.3,
            alignment=TA_CENTER,
        )
        for name, font, points in (
            ("brand", script.bold, 20),
            ("name", script.bold, 34),
            ("body", script.regular, 16),
            ("small", script.regular, 11),
        )
    }

    def paragraph(text: str, style: str) -> Paragraph:
        chosen = styles[style]
        if not script.right_to_left:
            return Paragraph(escape(text), chosen)
        lines = rtl.visual_lines(text, chosen.fontName, chosen.fontSize, width - 4)
        return Paragraph("<br/>".join(escape(line) for line in lines), chosen)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=margin, rightMargin=margin,
        topMargin=margin, bottomMargin=margin, title=_("Stand posters"),
        author="Souk Tadamon", lang=language,
    )  # fmt: skip
    story: list[object] = []
    for index, subject in enumerate(subjects):
        if index:
            story.append(PageBreak())
        qr_side = 110 * mm * scale
        story += [
            paragraph(_("Souk Tadamon: the solidarity marketplace"), "brand"),
            Spacer(1, 8 * mm * scale),
            paragraph(subject.name, "name"),
            paragraph(subject.place, "body"),
        ]
        if subject.stand:
            story.append(paragraph(_("Stand %(code)s", code=rtl.isolate(subject.stand)), "body"))
        story += [
            Spacer(1, 8 * mm * scale),
            Image(_qr_png(subject.url), width=qr_side, height=qr_side),
            Spacer(1, 6 * mm * scale),
            paragraph(_("Scan to order our products, during the fair and all year round."), "body"),
            Paragraph(escape(subject.url), styles["small"]),
        ]
    document.build(story)
    return buffer.getvalue()


def _qr_png(url: str) -> ImageReader:
    image = qrcode.make(url, box_size=10, border=2)
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    return data


def poster_subject(cooperative: Cooperative, stand_code: str, language: str) -> PosterSubject:
    """A cooperative's poster in ``language``: its shop page's absolute address, with the
    scan parameter. Call it in a request (it builds the address with ``url_for``)."""
    url = url_for(
        "storefront.cooperative",
        slug=cooperative.slug,
        _external=True,
        **{SCAN_PARAMETER[0]: SCAN_PARAMETER[1]},
    )
    comma = "، " if language == "ar" else ", "
    commune = commune_name(cooperative.commune, language)
    place = f"{commune}{comma}{province_name(cooperative.province, language)}"
    return PosterSubject(cooperative.translated("name", language), place, stand_code, url)
