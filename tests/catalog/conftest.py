"""Catalog tests: a request around each test (services translate their messages for the
reader, and image URLs are absolute), photo bytes made with Pillow, and a fee rule."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _in_request(app):
    with app.test_request_context():
        yield


def _image_bytes(
    image_format: str = "JPEG",
    size: tuple[int, int] = (800, 600),
    mode: str = "RGB",
    exif: Image.Exif | None = None,
    color: tuple[int, ...] = (180, 120, 40),
) -> bytes:
    picture = Image.new(mode, size, color[: len(mode)] if mode != "P" else 3)
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


@pytest.fixture
def image_bytes() -> Callable[..., bytes]:
    """``image_bytes("PNG", (800, 600))``: a real picture file of that format and size."""
    return _image_bytes
