"""The cooperative's stand poster, A4 or A5, in Arabic or French, to print."""

from __future__ import annotations

from flask import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.errors import NotFound
from app.dashboard import bp
from app.dashboard.overview import readable_cooperative
from app.fair.queries import current_stand
from app.reports.poster_pdf import LANGUAGES, SIZES, poster_pdf, poster_subject


@bp.get("/<id:cooperative_id>/poster-<size>-<language>.pdf", endpoint="poster")
def poster(cooperative_id: int, size: str, language: str):
    """The poster with its QR code to the shop page (scans counted); 404 other sizes/languages."""
    cooperative, _role = readable_cooperative(cooperative_id)
    if size not in SIZES or language not in LANGUAGES:
        raise NotFound(_("There is no such poster."))
    stand = current_stand(cooperative.id)
    with force_locale(language):
        subject = poster_subject(cooperative, stand.code if stand else "", language)
        body = poster_pdf([subject], size, language)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="poster-{cooperative.slug}.pdf"'},
    )
