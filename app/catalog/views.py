"""Serving stored product photos, and the URLs that point at them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app, send_from_directory, url_for

from app.catalog.models import Product
from app.core.images import THUMBNAIL_SIDE, fit_within
from app.core.media import thumbnail_path

bp = Blueprint("catalog", __name__)

#: A photo's name is its content's hash, so its bytes never change: cache for a year.
PHOTO_MAX_AGE = 365 * 24 * 3600


@bp.get("/media/<path:filename>")
def media(filename: str):
    """A file under MEDIA_ROOT; 404 for anything else (send_from_directory refuses ``..``)."""
    response = send_from_directory(
        current_app.config["MEDIA_ROOT"], filename, max_age=PHOTO_MAX_AGE
    )
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_template_global()
def media_url(image_path: str | None, thumbnail: bool = False) -> str | None:
    """Absolute URL of a stored photo (or its 480 px thumbnail) under MEDIA_ROOT; None for None."""
    if not image_path:
        return None
    path = thumbnail_path(image_path) if thumbnail else image_path
    return url_for("catalog.media", filename=path, _external=True)


@bp.app_template_global()
def gallery_photos(product: Product) -> list[dict[str, object]]:
    """``[{"url", "thumbnail", "width", "height"}]`` of the product's gallery, main photo first."""
    return [
        {
            "url": media_url(photo.image_path),
            "thumbnail": media_url(photo.image_path, thumbnail=True),
            "width": photo.width or None,
            "height": photo.height or None,
        }
        for photo in product.photos
    ]


@bp.app_template_global()
def product_image_url(product: Product, thumbnail: bool = False) -> str | None:
    """Absolute URL of the product's photo (or its 480 px thumbnail), None without a photo."""
    return media_url(product.image_path, thumbnail)


@bp.app_template_global()
def product_photo(product: Product, thumbnail: bool = False) -> dict[str, object] | None:
    """``{"url", "width", "height"}`` of the product's photo or thumbnail, for ``<img>``."""
    return _photo(product.image_path, product.image_width, product.image_height, thumbnail)


@bp.app_template_global()
def card_photo(card: Mapping[str, Any], thumbnail: bool = True) -> dict[str, object] | None:
    """``product_photo`` of a summary row (``summaries.product_rows``) instead of a product."""
    return _photo(card["image_path"], card["image_width"], card["image_height"], thumbnail)


def _photo(
    image_path: str | None, width: int | None, height: int | None, thumbnail: bool
) -> dict[str, object] | None:
    if not image_path:
        return None
    path = thumbnail_path(image_path) if thumbnail else image_path
    url = url_for("catalog.media", filename=path, _external=True)
    width, height = width or 0, height or 0
    if thumbnail and width and height:
        width, height = fit_within(width, height, THUMBNAIL_SIDE)
    return {"url": url, "width": width or None, "height": height or None}
