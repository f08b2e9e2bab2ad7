"""Flush-only steps of the catalog, for use cases of the catalog, orders and payments.

Stock is taken and returned with conditional UPDATEs so that no unit is sold
twice; a product photo is checked, re-encoded and stored. The caller owns the
transaction.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from app.catalog.errors import InvalidProductImage, ProductImageTooLarge
from app.catalog.gallery import PhotoAction, arranged
from app.catalog.models import MAX_PRODUCT_PHOTOS, Product, ProductPhoto
from app.core import images, media
from app.core.after_commit import after_commit
from app.core.errors import NotFound, ValidationFailed
from app.extensions import db


def store_product_image_bytes(product: Product, data: bytes) -> Product:
    """Check, re-encode and store ``data`` as ``product``'s main photo; flush only.

    The main photo of the gallery is replaced (added when there is none), the others stay.
    No permission check: for the demo seeder and use cases that checked already.
    Raises like ``set_product_image``.
    """
    processed, new_path = _stored(data)
    main = product.photos[0] if product.photos else None
    old_path = main.image_path if main is not None else None
    if main is None:
        product.photos.append(_photo_row(processed, new_path, position=0))
    else:
        main.image_path, main.width, main.height = new_path, processed.width, processed.height
    _mirror_main_photo(product)
    db.session.flush()
    if old_path and old_path != new_path:
        _forget_when_unused(old_path)
    return product


def add_product_photo_bytes(product: Product, data: bytes) -> ProductPhoto:
    """Check, re-encode and store ``data`` as the last photo of ``product``'s gallery; flush only.

    The first photo becomes the main one. Raises ``ValidationFailed`` (field ``photo``) when
    the gallery holds ``MAX_PRODUCT_PHOTOS`` already, and like ``set_product_image``.
    """
    if len(product.photos) >= MAX_PRODUCT_PHOTOS:
        message = _("A product has at most %(count)d photos: delete one first.", count=6)
        raise ValidationFailed(message, fields={"photo": [message]})
    processed, path = _stored(data)
    position = max((photo.position for photo in product.photos), default=-1) + 1
    photo = _photo_row(processed, path, position=position)
    product.photos.append(photo)
    _mirror_main_photo(product)
    db.session.flush()
    return photo


def arrange_product_photos(product: Product, photo_id: int, action: PhotoAction) -> None:
    """Move, make main or delete one photo of ``product``'s gallery; flush only.

    A deleted photo's files go once the change is committed, unless another row shows them.
    Raises ``NotFound`` when the photo is not one of this product's.
    """
    by_id = {photo.id: photo for photo in product.photos}
    try:
        order = arranged(list(by_id), photo_id, action)
    except KeyError:
        raise NotFound(_("This product has no such photo."))
    if action is PhotoAction.DELETE:
        removed = by_id[photo_id]
        product.photos.remove(removed)
    for position, kept_id in enumerate(order):
        by_id[kept_id].position = position
    product.photos.sort(key=lambda photo: photo.position)
    _mirror_main_photo(product)
    db.session.flush()
    if action is PhotoAction.DELETE:
        _forget_when_unused(removed.image_path)


def _stored(data: bytes) -> tuple[images.ProcessedImage, str]:
    try:
        processed = images.process_image(data)
    except images.ImageTooLarge as error:
        raise ProductImageTooLarge(_(error.message), fields={"image": [_(error.message)]})
    except images.ImageRejected as error:
        raise InvalidProductImage(_(error.message), fields={"image": [_(error.message)]})
    return processed, media.write_photo(current_app.config["MEDIA_ROOT"], processed)


def _photo_row(processed: images.ProcessedImage, path: str, *, position: int) -> ProductPhoto:
    return ProductPhoto(
        image_path=path, width=processed.width, height=processed.height, position=position
    )


def _mirror_main_photo(product: Product) -> None:
    """``image_path`` and its size (what cards, the API and search read) are the main photo's."""
    main = product.photos[0] if product.photos else None
    product.image_path = main.image_path if main else None
    product.image_width = main.width if main else None
    product.image_height = main.height if main else None


def _forget_when_unused(image_path: str) -> None:
    """Delete the photo's files after the commit unless a product or a gallery still shows it."""
    if _photo_shared(image_path):
        return
    media_root = current_app.config["MEDIA_ROOT"]
    after_commit(db.session(), lambda: media.remove_photo(media_root, image_path))


def _photo_shared(image_path: str) -> bool:
    in_products = select(Product.id).where(Product.image_path == image_path).limit(1)
    in_galleries = select(ProductPhoto.id).where(ProductPhoto.image_path == image_path).limit(1)
    return db.session.scalar(in_products) is not None or db.session.scalar(in_galleries) is not None


def take_stock(product_id: int, quantity: int) -> bool:
    """Take ``quantity`` units of the product if that many are on hand; flush only.

    One conditional UPDATE (``stock = stock - n WHERE stock >= n``), so two
    checkouts can never sell the same unit and the stock never goes below zero.
    Returns False, changing nothing, when there are fewer than ``quantity`` units
    (or no such product). Raises ``ValueError`` unless ``quantity`` is an int > 0.
    """
    _require_quantity(quantity)
    result = db.session.execute(
        update(Product)
        .where(Product.id == product_id, Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    _expire_stock(product_id)
    return result.rowcount == 1


def return_stock(product_id: int, quantity: int) -> None:
    """Put ``quantity`` units back on hand (cancellation, refused parcel); flush only.

    Raises ``ValueError`` unless ``quantity`` is an int > 0.
    """
    _require_quantity(quantity)
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(stock=Product.stock + quantity)
        .execution_options(synchronize_session=False)
    )
    _expire_stock(product_id)


def _require_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValueError(f"quantity must be a positive int, got {quantity!r}")


def _expire_stock(product_id: int) -> None:
    """A loaded Product must re-read its stock: the UPDATE bypassed the identity map."""
    loaded = db.session.identity_map.get(identity_key(Product, product_id))
    if loaded is not None:
        db.session.expire(loaded, ["stock"])
