"""Shoppers' pages of cooperatives: the directory, one cooperative, and the application form."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog.label_summary import gathered_labels
from app.catalog.queries import cooperative_shop, labels_of
from app.catalog.search import matching_cooperatives
from app.catalog.summaries import product_rows
from app.cooperatives import services
from app.cooperatives.communes import commune_name
from app.cooperatives.forms import (
    CooperativeApplicationForm,
    CooperativeFilterForm,
    show_domain_error,
)
from app.cooperatives.labels import (
    LEGAL_FORM_LABELS,
    MEMBER_ROLE_LABELS,
    PAYOUT_METHOD_LABELS,
    STATUS_LABELS,
    label_for,
    province_name,
)
from app.cooperatives.models import Cooperative
from app.cooperatives.permissions import member_role, require_member
from app.cooperatives.queries import cooperative_by_slug, has_document, is_selling
from app.core.errors import DomainError, NotFound
from app.core.language import current_language
from app.extensions import db
from app.fair.queries import current_stand
from app.storefront import bp
from app.storefront.catalog_pages import catalog_context

PER_PAGE = 24


@bp.app_template_filter("province_name")
def province_name_filter(code: str | None) -> str:
    """`{{ cooperative.province|province_name }}`: the province in the reader's language."""
    return province_name(code, current_language())


@bp.app_template_filter("commune_name")
def commune_name_filter(text: str | None) -> str:
    """`{{ cooperative.commune|commune_name }}`: a commune of the region in the reader's
    language (Arabic or French name), else as typed."""
    return commune_name(text, current_language())


@bp.app_template_filter("legal_form_name")
def legal_form_name_filter(code: str | None) -> str:
    return label_for(LEGAL_FORM_LABELS, code)


@bp.app_template_filter("cooperative_status_name")
def cooperative_status_name_filter(code: str | None) -> str:
    return label_for(STATUS_LABELS, code)


@bp.app_template_filter("member_role_name")
def member_role_name_filter(code: str | None) -> str:
    return label_for(MEMBER_ROLE_LABELS, code)


@bp.app_template_filter("payout_method_name")
def payout_method_name_filter(code: str | None) -> str:
    return label_for(PAYOUT_METHOD_LABELS, code)


@bp.route("/cooperatives")
def cooperatives():
    """The directory of verified cooperatives, by province and name or commune."""
    form = CooperativeFilterForm(request.args)
    if not form.validate():
        page = None
        status = 422
    else:
        statement = matching_cooperatives(form.province.data or None, form.q.data)
        page = db.paginate(statement, page=form.page.data or 1, per_page=PER_PAGE, error_out=False)
        status = 200
    filters = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "storefront/cooperatives/list.html", form=form, page=page, filters=filters
    ), status


@bp.route("/cooperatives/<slug>")
def cooperative(slug: str):
    """One cooperative's story: cover and logo, story, founding year, members, where it is,
    its stand at the open fair, its labels with their certificates, its products.

    A cooperative that is not verified is shown only to its members and admins.
    """
    found = cooperative_by_slug(slug)
    insider = found is not None and (
        getattr(current_user, "is_admin", False) or member_role(current_user, found.id) is not None
    )
    if found is None or not (is_selling(found) or insider):
        raise NotFound(_("No such cooperative."))
    if request.args.get("src") == "poster" and not insider:
        services.count_poster_scan(found.id)
    shop = cooperative_shop(found.id)
    products = product_rows(shop, current_language())
    return render_template(
        "storefront/cooperatives/detail.html",
        cooperative=found,
        stand=current_stand(found.id),
        products=products,
        labels=gathered_labels(labels_of(shop)),
        # A label shows as certified only with its certificate filed by the cooperative.
        labels_certified=has_document(found.id, "label_certificate"),
        insider=insider,
        **catalog_context(),
    )


@bp.route("/cooperatives/apply", methods=["GET", "POST"])
@login_required
def apply_cooperative():
    """A signed-in user applies for their cooperative; it waits for an admin's verification."""
    form = CooperativeApplicationForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                applied = services.apply(current_user._get_current_object(), form.service_data())
            except DomainError as error:
                show_domain_error(form, error)
                status = error.status
            else:
                return redirect(url_for(".cooperative_applied", cooperative_id=applied.id))
    return render_template("storefront/cooperatives/apply.html", form=form), status


@bp.route("/cooperatives/apply/<id:cooperative_id>/submitted")
@login_required
def cooperative_applied(cooperative_id: int):
    """Confirmation for the applicant: the application awaits verification."""
    applied = db.session.get(Cooperative, cooperative_id)
    if applied is None:
        raise NotFound(_("No such cooperative."))
    require_member(current_user, applied.id)
    return render_template("storefront/cooperatives/applied.html", cooperative=applied)
