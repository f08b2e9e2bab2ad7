"""Admins' pages of the fair: the editions, and each fair's stands with a form to add one."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.admin import bp
from app.cooperatives.forms import options, show_domain_error
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import selling_clause
from app.core.errors import DomainError, NotFound
from app.extensions import db
from app.fair import services
from app.fair.forms import StandForm
from app.fair.models import Fair, Stand
from app.fair.queries import all_fairs, morocco_today, stands_of
from app.reports.poster_pdf import LANGUAGES as POSTER_LANGUAGES
from app.reports.poster_pdf import SIZES, poster_pdf, poster_subject


@bp.route("/fairs")
def fairs():
    """Every edition, with a link to manage its stands."""
    return render_template("admin/fairs/list.html", fairs=all_fairs(), today=morocco_today())


@bp.route("/fairs/<id:fair_id>")
def fair(fair_id: int):
    """The fair's stands (suspended exhibitors included) and the form to add one."""
    found = _fair_or_404(fair_id)
    return _fair_page(found, _stand_form(found))


@bp.route("/fairs/<id:fair_id>/stands", methods=["POST"])
def add_stand(fair_id: int):
    """Give a verified cooperative a stand; 409 when the code or the cooperative has one."""
    found = _fair_or_404(fair_id)
    form = _stand_form(found)
    if not form.validate():
        return _fair_page(found, form), 422
    exhibitor = db.session.get(Cooperative, form.cooperative_id.data)
    try:
        stand = services.add_stand(
            found, exhibitor, form.code.data, current_user._get_current_object()
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _fair_page(found, form), error.status
    flash(
        _("Stand %(code)s is given to %(name)s.", code=stand.code, name=exhibitor.name), "success"
    )
    return redirect(url_for(".fair", fair_id=found.id))


def _fair_or_404(fair_id: int) -> Fair:
    found = db.session.get(Fair, fair_id)
    if found is None:
        raise NotFound(_("No such fair."))
    return found


def _stand_form(found: Fair) -> StandForm:
    """The form, offering the verified cooperatives that have no stand at this fair yet."""
    form = StandForm()
    without_stand = (
        select(Cooperative.id, Cooperative.name)
        .where(
            selling_clause(),
            Cooperative.id.not_in(select(Stand.cooperative_id).where(Stand.fair_id == found.id)),
        )
        .order_by(Cooperative.name, Cooperative.id)
    )
    form.cooperative_id.choices = options(db.session.execute(without_stand))
    return form


def _fair_page(found: Fair, form: StandForm) -> str:
    return render_template(
        "admin/fairs/detail.html",
        fair=found,
        open_now=found.is_open_on(morocco_today()),
        stands=stands_of(found, only_selling=False),
        form=form,
    )


@bp.route("/fairs/<id:fair_id>/posters-<size>-<language>.pdf")
def fair_posters(fair_id: int, size: str, language: str):
    """Every exhibitor's stand poster of the fair in one PDF, one page each, to print."""
    found = _fair_or_404(fair_id)
    if size not in SIZES or language not in POSTER_LANGUAGES:
        raise NotFound(_("There is no such poster."))
    stands = stands_of(found.id)
    with force_locale(language):
        subjects = [poster_subject(stand.cooperative, stand.code, language) for stand in stands]
        body = poster_pdf(subjects, size, language)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="posters-{found.id}.pdf"'},
    )
