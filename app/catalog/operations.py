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

from app.catalog import images, media
from app.catalog.errors import InvalidProductImage, ProductImageTooLarge
from app.catalog.models import Product
from app.core.after_commit import after_commit
from app.extensions import db


def store_product_image_bytes(product: Product, data: bytes) -> Product:
    """Check, re-encode and store ``data`` as ``product``'s photo; flush only (the caller commits).

    No permission check: for the demo seeder and use cases that checked already.
    Raises like ``set_product_image``.
    """
    try:
        processed = images.process_image(data)
    except images.ImageTooLarge as error:
        raise ProductImageTooLarge(_(error.message), fields={"image": [_(error.message)]})
    except images.ImageRejected as error:
        raise InvalidProductImage(_(error.message), fields={"image": [_(error.message)]})
    media_root = current_app.config["MEDIA_ROOT"]
    new_path = media.write_photo(media_root, processed)
    old_path = product.image_path
    product.image_path = new_path
    product.image_width = processed.width
    product.image_height = processed.height
    db.session.flush()
    if old_path and old_path != new_path and not _photo_shared(old_path, product.id):
        after_commit(db.session(), lambda: media.remove_photo(media_root, old_path))
    return product


def _photo_shared(image_path: str, product_id: int) -> bool:
    return (
        db.session.scalar(
            select(Product.id)
            .where(Product.image_path == image_path, Product.id != product_id)
            .limit(1)
        )
        is not None
    )


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
