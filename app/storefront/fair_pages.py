"""Shoppers' pages of the fair: the editions, and one fair with its stands."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from app.core.errors import NotFound
from app.extensions import db
from app.fair.models import Fair
from app.fair.queries import all_fairs, morocco_today, stands_of
from app.storefront import bp


@bp.route("/fairs")
def fairs():
    """Every edition of the fair, the most recent first, saying which is open today."""
    return render_template("storefront/fairs/list.html", fairs=all_fairs(), today=morocco_today())


@bp.route("/fairs/<id:fair_id>")
def fair(fair_id: int):
    """One fair: venue, dates, whether it is open, and its verified exhibitors by stand."""
    found = db.session.get(Fair, fair_id)
    if found is None:
        raise NotFound(_("No such fair."))
    return render_template(
        "storefront/fairs/detail.html",
        fair=found,
        open_now=found.is_open_on(morocco_today()),
        stands=stands_of(found),
    )
