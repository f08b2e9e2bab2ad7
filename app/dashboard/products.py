"""Members' pages of their cooperative's catalog: the products with their stock, the
product form (price typed in dirhams), the photo upload and archiving.

Every page is for members of that cooperative only (a 403 page for anyone else).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.catalog import services
from app.catalog.forms import (
    LABEL_NAMES,
    STATUS_NAMES,
    ConfirmForm,
    ProductForm,
    ProductPhotoForm,
    choices,
)
from app.catalog.gallery import PhotoAction
from app.catalog.models import MAX_PRODUCT_PHOTOS, Product, ProductStatus
from app.catalog.queries import (
    categories_in_tree_order,
    cooperative_products,
    product_of_cooperative,
)
from app.catalog.upload_limits import limit_photo_uploads
from app.cooperatives.labels import province_choices, province_name
from app.cooperatives.models import Cooperative
from app.cooperatives.permissions import member_cooperative_or_404
from app.core.errors import DomainError, NotFound
from app.core.language import current_language
from app.dashboard import bp
from app.web.confirmation import confirmation_page, is_confirmed


def _cooperative_product(cooperative: Cooperative, product_id: int) -> Product:
    product = product_of_cooperative(cooperative.id, product_id)
    if product is None:
        raise NotFound(_("This cooperative has no such product."))
    return product


def _product_form(product: Product | None = None, *, from_request: bool = True) -> ProductForm:
    """The product form with its choices; shows ``product`` unless the request submitted it."""
    language = current_language()
    form = ProductForm() if from_request else ProductForm(formdata=None)
    form.category_id.choices = choices(
        (node.category.id, "\u00a0\u00a0" * node.depth + node.category.translated("name", language))
        for node in categories_in_tree_order()
    )
    form.origin_province.choices = choices(
        [("", _("Same as the cooperative")), *province_choices(language)]
    )
    if product is not None and not (from_request and form.is_submitted()):
        form.fill_from(product)
    return form


def _show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the fields it names, else at the top of the form."""
    placed = False
    for name, messages in error.fields.items():
        field = form.field_for(name) if isinstance(form, ProductForm) else form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, *messages]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def _user():
    return current_user._get_current_object()


@bp.get("/<id:cooperative_id>/products")
def products(cooperative_id: int):
    """The cooperative's products, every status, with price, stock and visibility."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    return render_template(
        "dashboard/products/list.html",
        cooperative=cooperative,
        products=cooperative_products(cooperative.id),
        status_names=STATUS_NAMES,
    )


@bp.route("/<id:cooperative_id>/products/new", methods=["GET", "POST"])
def product_new(cooperative_id: int):
    """List a new product; on success, go on to its page to add a photo."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    form = _product_form()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                product = services.create_product(cooperative, _user(), form.product_data(None))
            except DomainError as error:
                _show_error(form, error)
                status = error.status
            else:
                flash(_("The product is saved. Add a photo so shoppers can see it."), "success")
                return redirect(
                    url_for(".product_edit", cooperative_id=cooperative.id, product_id=product.id)
                )
    return _form_page(cooperative, None, form, None, status)


@bp.route("/<id:cooperative_id>/products/<id:product_id>/edit", methods=["GET", "POST"])
def product_edit(cooperative_id: int, product_id: int):
    """Change a product; a stock changed by a sale meanwhile is reported, never overwritten."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    product = _cooperative_product(cooperative, product_id)
    form = _product_form(product)
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                services.update_product(product, _user(), form.product_data(product))
            except DomainError as error:
                _show_error(form, error)
                status = error.status
                if error.code == "stock_changed":
                    form.stock_seen.data = str(product.stock)
            else:
                flash(_("The product is saved."), "success")
                return redirect(url_for(".products", cooperative_id=cooperative.id))
    return _form_page(cooperative, product, form, ProductPhotoForm(formdata=None), status)


@bp.post("/<id:cooperative_id>/products/<id:product_id>/photo")
@limit_photo_uploads
def product_photo(cooperative_id: int, product_id: int):
    """Add a photo to the product's gallery (JPEG, PNG or WebP, at most 5 MB; 6 photos)."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    product = _cooperative_product(cooperative, product_id)
    photo_form = ProductPhotoForm()
    status = 422
    if photo_form.validate():
        try:
            services.add_product_photo(product, _user(), photo_form.photo.data)
        except DomainError as error:
            photo_form.photo.errors = [*photo_form.photo.errors, error.message]
            status = error.status
        else:
            flash(_("The photo is saved."), "success")
            return redirect(
                url_for(".product_edit", cooperative_id=cooperative.id, product_id=product.id)
            )
    form = _product_form(product, from_request=False)
    return _form_page(cooperative, product, form, photo_form, status)


@bp.post("/<id:cooperative_id>/products/<id:product_id>/photos/<id:photo_id>/<action>")
def product_photo_arrange(cooperative_id: int, product_id: int, photo_id: int, action: str):
    """Move a photo up or down the gallery, make it the main photo, or delete it."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    product = _cooperative_product(cooperative, product_id)
    if not ConfirmForm().validate():
        abort(400)
    if action == PhotoAction.DELETE and not is_confirmed():
        photo_ids = [photo.id for photo in product.photos]
        if photo_id not in photo_ids:
            raise NotFound(_("This product has no such photo."))
        return confirmation_page(
            title=_("Delete this photo of “%(name)s”?", name=product.name),
            consequence=_(
                "Photo %(position)d of %(count)d leaves the gallery; to show it again, "
                "upload it again.",
                position=photo_ids.index(photo_id) + 1,
                count=len(photo_ids),
            ),
            button=_("Yes, delete the photo"),
            back_url=url_for(".product_edit", cooperative_id=cooperative.id, product_id=product.id)
            + "#photos",
        )
    services.arrange_product_photo(product, _user(), photo_id, action)
    flash(_("The photos are saved."), "success")
    return redirect(
        url_for(".product_edit", cooperative_id=cooperative.id, product_id=product.id) + "#photos"
    )


@bp.post("/<id:cooperative_id>/products/<id:product_id>/archive")
def product_archive(cooperative_id: int, product_id: int):
    """Take the product off sale for good (it stays on past orders); editing can restore it."""
    cooperative = member_cooperative_or_404(current_user, cooperative_id)
    product = _cooperative_product(cooperative, product_id)
    if not ConfirmForm().validate():
        abort(400)
    if not is_confirmed():
        return confirmation_page(
            title=_("Archive “%(name)s”?", name=product.name),
            consequence=_(
                "“%(name)s” leaves the shop; past orders keep it. Only editing it again "
                "puts it back on sale.",
                name=product.name,
            ),
            button=_("Yes, archive"),
            final=False,
            back_url=url_for(".products", cooperative_id=cooperative.id),
        )
    services.update_product(product, _user(), {"status": ProductStatus.ARCHIVED.value})
    flash(_("“%(name)s” is archived.", name=product.name), "success")
    return redirect(url_for(".products", cooperative_id=cooperative.id))


def _form_page(
    cooperative: Cooperative,
    product: Product | None,
    form: ProductForm,
    photo_form: ProductPhotoForm | None,
    status: int,
):
    return render_template(
        "dashboard/products/form.html",
        cooperative=cooperative,
        product=product,
        form=form,
        photo_form=photo_form,
        confirm_form=ConfirmForm(formdata=None),
        max_photos=MAX_PRODUCT_PHOTOS,
        label_names=LABEL_NAMES,
        province_label=lambda code: province_name(code, current_language()),
    ), status
