"""Product photos: accepted by content only, re-encoded without metadata, stored by hash."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from support.factories import ProductFactory

from app.catalog import operations, services
from app.catalog.errors import InvalidProductImage, ProductImageTooLarge
from app.core import images
from app.core.errors import Forbidden
from app.core.media import thumbnail_path
from app.extensions import db


def stored(app, relative: str) -> Path:
    return Path(app.config["MEDIA_ROOT"]) / relative


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_and_stored_as_jpeg_with_a_thumbnail(
    app, cooperative, owner, image_bytes, image_format
):
    product = ProductFactory(cooperative=cooperative)

    services.set_product_image(product, owner, io.BytesIO(image_bytes(image_format, (2400, 1200))))

    assert product.image_path.startswith("products/")
    assert product.image_path.endswith(".jpg")
    with Image.open(stored(app, product.image_path)) as full:
        assert full.format == "JPEG"
        assert full.mode == "RGB"
        assert full.size == (1600, 800) == (product.image_width, product.image_height)
    with Image.open(stored(app, thumbnail_path(product.image_path))) as thumbnail:
        assert thumbnail.size == (480, 240)


def test_the_file_name_is_the_hash_of_the_stored_photo(app, cooperative, owner, image_bytes):
    import hashlib

    product = ProductFactory(cooperative=cooperative)
    services.set_product_image(product, owner, io.BytesIO(image_bytes("PNG")))

    content = stored(app, product.image_path).read_bytes()
    assert Path(product.image_path).stem == hashlib.sha256(content).hexdigest()


def test_a_small_photo_is_not_enlarged(cooperative, owner, image_bytes):
    product = ProductFactory(cooperative=cooperative)

    services.set_product_image(product, owner, io.BytesIO(image_bytes("JPEG", (300, 200))))

    assert (product.image_width, product.image_height) == (300, 200)


def test_exif_metadata_is_stripped_and_the_orientation_applied(
    app, cooperative, owner, image_bytes
):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera app 1.0"  # Software
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    product = ProductFactory(cooperative=cooperative)

    services.set_product_image(
        product, owner, io.BytesIO(image_bytes("JPEG", (800, 600), exif=exif))
    )

    content = stored(app, product.image_path).read_bytes()
    assert b"PhoneMaker" not in content
    assert b"Exif" not in content
    with Image.open(io.BytesIO(content)) as photo:
        assert not photo.getexif()
        assert photo.size == (600, 800)


def test_transparency_is_flattened_on_white(app, cooperative, owner, image_bytes):
    product = ProductFactory(cooperative=cooperative)

    services.set_product_image(
        product, owner, io.BytesIO(image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)))
    )

    with Image.open(stored(app, product.image_path)) as photo:
        assert photo.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    "content",
    [
        b"This is a shopping list, renamed photo.jpg\n" * 20,
        b"",
        b"\xff\xd8\xff\xe0 not really a jpeg",
    ],
    ids=["text", "empty", "jpeg-magic-only"],
)
def test_a_file_that_is_not_a_photo_is_refused(cooperative, owner, content):
    product = ProductFactory(cooperative=cooperative)

    with pytest.raises(InvalidProductImage) as refused:
        services.set_product_image(product, owner, io.BytesIO(content))

    assert refused.value.status == 422
    assert "image" in refused.value.fields
    assert product.image_path is None


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_truncated_photo_is_refused(cooperative, owner, image_bytes, image_format):
    product = ProductFactory(cooperative=cooperative)
    whole = image_bytes(image_format, (640, 480))

    with pytest.raises(InvalidProductImage):
        services.set_product_image(product, owner, io.BytesIO(whole[: len(whole) // 2]))
    assert product.image_path is None


def test_other_image_formats_are_refused(cooperative, owner, image_bytes):
    product = ProductFactory(cooperative=cooperative)

    with pytest.raises(InvalidProductImage) as refused:
        services.set_product_image(product, owner, io.BytesIO(image_bytes("GIF")))
    assert "JPEG, PNG and WebP" in refused.value.message


def test_a_file_over_5_mb_is_refused_as_too_large(cooperative, owner, image_bytes):
    product = ProductFactory(cooperative=cooperative)
    photo = image_bytes("JPEG")
    oversized = photo + b"\0" * (images.MAX_IMAGE_BYTES + 1 - len(photo))

    with pytest.raises(ProductImageTooLarge) as refused:
        services.set_product_image(product, owner, io.BytesIO(oversized))
    assert refused.value.status == 413
    assert product.image_path is None


def test_a_decompression_bomb_is_refused_before_decoding(cooperative, owner, image_bytes):
    # 10,000 x 10,000 of one colour compresses to a few kilobytes of PNG.
    bomb = image_bytes("PNG", (10_000, 10_000), mode="L", color=(0,))
    assert len(bomb) < 1_000_000
    product = ProductFactory(cooperative=cooperative)

    with pytest.raises(InvalidProductImage) as refused:
        services.set_product_image(product, owner, io.BytesIO(bomb))
    assert "pixels" in refused.value.message


def test_only_members_may_change_the_photo(cooperative, shopper, image_bytes):
    product = ProductFactory(cooperative=cooperative)

    with pytest.raises(Forbidden):
        services.set_product_image(product, shopper, io.BytesIO(image_bytes()))
    assert product.image_path is None


def test_the_previous_photo_is_removed_once_the_new_one_is_committed(
    app, cooperative, owner, image_bytes
):
    product = ProductFactory(cooperative=cooperative)
    services.set_product_image(product, owner, io.BytesIO(image_bytes(color=(10, 20, 30))))
    first = product.image_path

    services.set_product_image(product, owner, io.BytesIO(image_bytes(color=(200, 20, 30))))

    assert product.image_path != first
    assert stored(app, product.image_path).exists()
    assert not stored(app, first).exists()
    assert not stored(app, thumbnail_path(first)).exists()


def test_a_photo_shared_by_another_product_is_kept(app, cooperative, owner, image_bytes):
    photo = image_bytes(color=(1, 2, 3))
    first = ProductFactory(cooperative=cooperative)
    second = ProductFactory(cooperative=cooperative)
    services.set_product_image(first, owner, io.BytesIO(photo))
    services.set_product_image(second, owner, io.BytesIO(photo))
    shared = first.image_path
    assert second.image_path == shared

    services.set_product_image(first, owner, io.BytesIO(image_bytes(color=(9, 9, 9))))

    assert stored(app, shared).exists()


def test_store_product_image_bytes_flushes_for_the_seeder(app, cooperative, image_bytes):
    product = ProductFactory(cooperative=cooperative)

    operations.store_product_image_bytes(product, image_bytes("WEBP"))
    db.session.commit()

    db.session.expire_all()
    assert stored(app, product.image_path).exists()


def test_a_picture_over_24_megapixels_is_refused_before_its_pixels_are_decoded(
    cooperative, owner, image_bytes, monkeypatch
):
    # 6300 x 6300 (39.7 MP) cost 3.8 s and 190 MB per upload when it was decoded whole.
    big = image_bytes("PNG", (6300, 6300), mode="L", color=(0,))
    decoded: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    product = ProductFactory(cooperative=cooperative)

    with pytest.raises(InvalidProductImage) as refused:
        services.set_product_image(product, owner, io.BytesIO(big))

    assert refused.value.status == 422
    assert "24 megapixels" in refused.value.message
    assert decoded == []
    assert product.image_path is None


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_then_stored_at_the_full_side(
    app, cooperative, owner, image_bytes, monkeypatch
):
    photo = image_bytes("JPEG", (5600, 4200))  # 23.5 MP: accepted
    decoded: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    product = ProductFactory(cooperative=cooperative)

    services.set_product_image(product, owner, io.BytesIO(photo))

    # JPEG's draft mode decodes at 1/2, 1/4 or 1/8: never the 23.5 million pixels.
    assert decoded and max(max(size) for size in decoded) <= 2 * images.FULL_SIDE
    assert (product.image_width, product.image_height) == (1600, 1200)
    with Image.open(stored(app, product.image_path)) as kept:
        assert kept.size == (1600, 1200)
