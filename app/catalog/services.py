"""Use cases of the catalog: products, their photos and their stock.

``create_product``, ``update_product`` and ``set_product_image`` act for a
member of the product's cooperative only (``Forbidden`` otherwise), validate
everything before changing anything, and commit once. Stock and photo steps
that other use cases run inside their own transaction are in
``app.catalog.operations``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from app.accounts.models import User
from app.audit.operations import record
from app.catalog.gallery import PhotoAction
from app.catalog.models import Product, ProductLabel, ProductStatus
from app.catalog.operations import (
    add_product_photo_bytes,
    arrange_product_photos,
    store_product_image_bytes,
)
from app.catalog.validation import clean_product_data
from app.cooperatives.models import Cooperative
from app.cooperatives.permissions import require_member
from app.core import images
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.slugs import unique_slug
from app.extensions import db

# Products --------------------------------------------------------------------


def create_product(
    cooperative: Cooperative, actor: User | None, data: Mapping[str, Any]
) -> Product:
    """Add a product to ``cooperative``'s catalog and commit; return it.

    ``data`` holds ``name``, ``price_cents`` (int > 0), ``unit`` and ``category_id``,
    and optionally ``description``, ``stock`` (int >= 0, default 0), ``labels``
    (kinds, or ``{"kind", "certificate_number"}``), ``status`` (default draft),
    ``origin_commune``/``origin_province`` (default: the cooperative's) and
    ``translations`` (``{"ar": {"name", "description"}}``).
    Raises ``Forbidden`` unless ``actor`` is a member, ``ValidationFailed`` (with
    fields) for bad data, ``CooperativeNotVerified`` to make it active before the
    cooperative is verified. Nothing is written when it raises.
    """
    require_member(actor, cooperative.id)
    values = clean_product_data(data, cooperative=cooperative, product=None)
    labels = values.pop("labels", [])
    values.pop("expected_stock", None)
    defaults = {
        "description": "",
        "stock": 0,
        "status": ProductStatus.DRAFT,
        "origin_commune": cooperative.commune,
        "origin_province": cooperative.province,
        "translations": {},
    }
    product = Product(
        cooperative=cooperative, slug=_unique_slug(values["name"]), **(defaults | values)
    )
    product.labels = [ProductLabel(kind=kind, certificate_number=number) for kind, number in labels]
    db.session.add(product)
    db.session.commit()
    return product


def update_product(product: Product, actor: User | None, data: Mapping[str, Any]) -> Product:
    """Change the fields of ``product`` present in ``data`` (as for ``create_product``) and commit.

    Labels given replace the product's labels. A stock given with
    ``expected_stock`` is only written if the stock is still what the member
    saw, else ``Conflict`` (``stock_changed``): a sale in between is never undone.
    Raises like ``create_product``; nothing is written when it raises.
    """
    require_member(actor, product.cooperative_id)
    values = clean_product_data(data, cooperative=product.cooperative, product=product)
    expected_stock = values.pop("expected_stock", None)
    if "stock" in values:
        _set_stock(product, values.pop("stock"), expected_stock)
    if "labels" in values:
        _replace_labels(product, values.pop("labels"))
    for name, value in values.items():
        setattr(product, name, value)
    db.session.commit()
    return product


def _set_stock(product: Product, stock: int, expected_stock: int | None) -> None:
    """Write the units on hand the member counted, in one UPDATE (never read-modify-write)."""
    statement = update(Product).where(Product.id == product.id).values(stock=stock)
    if expected_stock is not None:
        statement = statement.where(Product.stock == expected_stock)
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire(product, ["stock"])
    if result.rowcount != 1:
        message = _(
            "The stock changed while you were editing (%(stock)s now): check it and save again.",
            stock=product.stock,
        )
        raise Conflict(message, code="stock_changed", fields={"stock": [message]})


def _replace_labels(product: Product, labels: list[tuple[str, str | None]]) -> None:
    # Kept kinds are updated in place: deleting and re-adding one in the same flush
    # would break the (product, kind) unique constraint.
    wanted = dict(labels)
    for label in list(product.labels):
        if label.kind in wanted:
            label.certificate_number = wanted.pop(label.kind)
        else:
            product.labels.remove(label)
    for kind, number in labels:
        if kind in wanted:
            product.labels.append(ProductLabel(kind=kind, certificate_number=number))


def _unique_slug(name: str) -> str:
    """A URL name for a product made from ``name``: ``"Huile d'olive" -> "huile-d-olive"``."""
    return unique_slug(Product.slug, name, max_length=140, fallback="product")


# Photos ----------------------------------------------------------------------


def set_product_image(product: Product, actor: User | None, upload: Any) -> Product:
    """Replace ``product``'s main photo with the uploaded file (a FileStorage or any ``.read()``er).

    The content is checked and re-encoded (``app.core.images.process_image``)
    and stored under MEDIA_ROOT; the previous photo's files are deleted once the
    change is committed, unless another product shows the same photo.
    Raises ``Forbidden`` unless ``actor`` is a member, ``ProductImageTooLarge``
    (413) over 5 MB, ``InvalidProductImage`` (422) for anything not a whole
    JPEG, PNG or WebP photo.
    """
    require_member(actor, product.cooperative_id)
    store_product_image_bytes(product, _upload_bytes(upload))
    db.session.commit()
    return product


def add_product_photo(product: Product, actor: User | None, upload: Any) -> Product:
    """Add the uploaded file as the last photo of ``product``'s gallery (at most 6) and commit.

    Checked and stored like ``set_product_image``; the first photo becomes the main one.
    Raises ``Forbidden`` unless ``actor`` is a member, ``ValidationFailed`` (field
    ``photo``) when the gallery is full, and like ``set_product_image``.
    """
    require_member(actor, product.cooperative_id)
    add_product_photo_bytes(product, _upload_bytes(upload))
    db.session.commit()
    return product


def arrange_product_photo(
    product: Product, actor: User | None, photo_id: int, action: str
) -> Product:
    """Move a photo of the gallery up or down, make it the main photo, or delete it; commit.

    Raises ``Forbidden`` unless ``actor`` is a member, ``NotFound`` for a photo of another
    product, ``ValidationFailed`` for an unknown action.
    """
    require_member(actor, product.cooperative_id)
    try:
        known = PhotoAction(action)
    except ValueError:
        raise ValidationFailed(_("Not a valid value."))
    arrange_product_photos(product, photo_id, known)
    db.session.commit()
    return product


def _upload_bytes(upload: Any) -> bytes:
    stream = getattr(upload, "stream", upload)
    # One byte more than allowed is enough to know it is too large.
    return stream.read(images.MAX_IMAGE_BYTES + 1)


# Moderation --------------------------------------------------------------------


#: Longest reason an admin may give for hiding a listing.
MODERATION_REASON_MAX = 500


def hide_product(product: Product, admin: User, reason: str) -> Product:
    """An admin hides a listing from the shop (storefront, API, checkout), saying why; commit.

    The cooperative keeps the product and sees the reason. Written to the audit
    log. Raises ``Forbidden`` (403) for a non-admin, ``ValidationFailed`` (422,
    field ``reason``) without a reason or with one over 500 characters, and
    ``Conflict`` (409, ``already_hidden``) when it is hidden already.
    """
    if not getattr(admin, "is_admin", False):
        raise Forbidden(_("Only an admin can hide a listing."))
    reason = (reason or "").strip()
    if not reason or len(reason) > MODERATION_REASON_MAX:
        message = _("Say why the listing is hidden (at most %(count)d characters).", count=500)
        raise ValidationFailed(message, fields={"reason": [message]})
    if product.hidden_at is not None:
        raise Conflict(_("This listing is hidden already."), code="already_hidden")
    before = _moderation_of(product)
    product.hidden_at = utcnow()
    product.hidden_reason = reason
    record(admin, "product.hide", "product", product.id, before, _moderation_of(product), reason)
    db.session.commit()
    return product


def restore_product(product: Product, admin: User, note: str | None = None) -> Product:
    """An admin shows a hidden listing again; commit. Written to the audit log with ``note``.

    Raises ``Forbidden`` (403) for a non-admin and ``Conflict`` (409, ``not_hidden``)
    when it is not hidden.
    """
    if not getattr(admin, "is_admin", False):
        raise Forbidden(_("Only an admin can restore a listing."))
    if product.hidden_at is None:
        raise Conflict(_("This listing is not hidden."), code="not_hidden")
    before = _moderation_of(product)
    product.hidden_at = None
    product.hidden_reason = None
    note = (note or "").strip()[:MODERATION_REASON_MAX]
    record(admin, "product.restore", "product", product.id, before, _moderation_of(product), note)
    db.session.commit()
    return product


def _moderation_of(product: Product) -> dict[str, Any]:
    return {"hidden_at": product.hidden_at, "hidden_reason": product.hidden_reason}
