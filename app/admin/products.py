"""Admins moderate listings: find a product, hide it from the shop with a reason, or restore it.

A hidden product disappears from the storefront, the API and checkout (the
catalog's ``visible_clause``); its cooperative sees the reason on its dashboard.
Every hide and restore is written to the audit log by the catalog's services.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.admin import bp
from app.audit.queries import actions_on
from app.catalog import services
from app.catalog.models import Product
from app.cooperatives.forms import options
from app.cooperatives.models import Cooperative
from app.core.errors import DomainError, NotFound
from app.core.paging import requested_page
from app.extensions import db

PER_PAGE = 50
REASON_MAX = 500
#: Which listings the list shows.
VISIBILITY = {
    "all": _l("All listings"),
    "shown": _l("Shown in the shop"),
    "hidden": _l("Hidden by an admin"),
}


class ProductSearchForm(FlaskForm):
    """Read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Product or cooperative"), [Optional(), Length(max=100)])
    visibility = SelectField(
        _l("Show"), choices=options(VISIBILITY.items()), default="all", validators=[Optional()]
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Why hide it (the cooperative reads this)"), [InputRequired(), Length(max=REASON_MAX)]
    )


class RestoreForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), [Optional(), Length(max=REASON_MAX)])


def _listings(q: str, visibility: str) -> Select[tuple[Product]]:
    """Products whose name or cooperative's name contains ``q``, newest first."""
    statement = (
        select(Product)
        .join(Product.cooperative)
        .options(contains_eager(Product.cooperative), joinedload(Product.category))
        .order_by(Product.id.desc())
    )
    if q:
        pattern = "%" + q.lower().replace("%", "").replace("_", "") + "%"
        statement = statement.where(
            or_(func.lower(Product.name).like(pattern), func.lower(Cooperative.name).like(pattern))
        )
    if visibility == "hidden":
        statement = statement.where(Product.hidden_at.is_not(None))
    elif visibility == "shown":
        statement = statement.where(Product.hidden_at.is_(None))
    return statement


@bp.route("/products")
def products():
    """Listings by name or cooperative, with the hidden ones marked and their reason."""
    form = ProductSearchForm(request.args)
    valid = form.validate()
    page = requested_page(
        _listings((form.q.data or "").strip(), form.visibility.data if valid else "all"), PER_PAGE
    )
    return render_template("admin/products/list.html", form=form, page=page), (
        200 if valid else 422
    )


@bp.route("/products/<id:product_id>")
def product(product_id: int):
    """One listing: its state, the hide or restore form, and its moderation history."""
    return _product_page(_product_or_404(product_id), HideForm(), RestoreForm())


@bp.route("/products/<id:product_id>/hide", methods=["POST"])
def hide_product(product_id: int):
    """Hide a listing from the shop, saying why; 409 when it is hidden already."""
    found = _product_or_404(product_id)
    form = HideForm()
    if not form.validate():
        return _product_page(found, form, RestoreForm(formdata=None)), 422
    try:
        services.hide_product(found, current_user._get_current_object(), form.reason.data)
    except DomainError as error:
        _show(form, error, "reason")
        return _product_page(found, form, RestoreForm(formdata=None)), error.status
    flash(_("“%(name)s” is hidden from the shop.", name=found.name), "success")
    return redirect(url_for(".product", product_id=found.id))


@bp.route("/products/<id:product_id>/restore", methods=["POST"])
def restore_product(product_id: int):
    """Show a hidden listing again; 409 when it is not hidden."""
    found = _product_or_404(product_id)
    form = RestoreForm()
    if not form.validate():
        return _product_page(found, HideForm(formdata=None), form), 422
    try:
        services.restore_product(found, current_user._get_current_object(), form.note.data)
    except DomainError as error:
        _show(form, error, "note")
        return _product_page(found, HideForm(formdata=None), form), error.status
    flash(_("“%(name)s” is back in the shop.", name=found.name), "success")
    return redirect(url_for(".product", product_id=found.id))


def _show(form: FlaskForm, error: DomainError, field_name: str) -> None:
    messages = [message for messages in error.fields.values() for message in messages]
    if messages:
        form[field_name].errors = [*form[field_name].errors, *messages]
    else:
        form.form_errors.append(error.message)


def _product_or_404(product_id: int) -> Product:
    found = db.session.get(Product, product_id)
    if found is None:
        raise NotFound(_("No such product."))
    return found


def _product_page(found: Product, hide_form: HideForm, restore_form: RestoreForm):
    return render_template(
        "admin/products/detail.html",
        product=found,
        hide_form=hide_form,
        restore_form=restore_form,
        history=actions_on("product", found.id),
    )
