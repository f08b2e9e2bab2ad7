"""Product photos: check an upload by its content, then re-encode it safely.

Pure Pillow over bytes (no Flask, no database): the caller stores the result.
What is accepted is decided by decoding the pixels, never by the file name or
the declared content type, and the stored file carries no metadata (EXIF GPS
positions, camera serials) because it is encoded afresh from the pixels alone.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.translation import N_

#: Largest upload accepted, in bytes (5 MB).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Largest picture accepted, in pixels: a 5 MB file that decodes to more is a decompression bomb.
MAX_IMAGE_PIXELS = 40_000_000
#: The stored photo and its thumbnail fit in squares of these sides, in pixels.
FULL_SIDE = 1600
THUMBNAIL_SIDE = 480
#: Formats Pillow must recognise in the content; anything else is refused.
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
JPEG_QUALITY = 85


class ImageRejected(ValueError):
    """The upload is not a photo we accept; ``message`` says why in plain English (see ``N_``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImageTooLarge(ImageRejected):
    """The upload is over ``MAX_IMAGE_BYTES``."""


@dataclass(frozen=True)
class ProcessedImage:
    """A photo re-encoded as RGB JPEG, with its thumbnail and the hash that names both."""

    full: bytes
    thumbnail: bytes
    width: int
    height: int
    #: Hex SHA-256 of ``full``: the same photo always gets the same file name.
    digest: str


def fit_within(width: int, height: int, side: int) -> tuple[int, int]:
    """``(width, height)`` scaled down to fit a ``side`` x ``side`` square, never up.

    Keeps the aspect ratio, rounds to the nearest pixel and never returns 0.
    """
    longest = max(width, height)
    if longest <= side:
        return width, height
    return max(1, (width * side + longest // 2) // longest), max(
        1, (height * side + longest // 2) // longest
    )


def process_image(data: bytes) -> ProcessedImage:
    """Check ``data`` is a JPEG, PNG or WebP photo and re-encode it for the catalog.

    The picture is turned upright (EXIF orientation), flattened on white when it
    has transparency, converted to RGB, shrunk to fit ``FULL_SIDE`` (thumbnail:
    ``THUMBNAIL_SIDE``) and saved as progressive JPEG without any metadata.
    Raises ``ImageTooLarge`` over ``MAX_IMAGE_BYTES``, ``ImageRejected`` for
    anything else that is not a whole photo in an accepted format: text renamed
    ``.jpg``, a truncated file, another format, or more than ``MAX_IMAGE_PIXELS``.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge(N_("The photo is larger than 5 MB; send a smaller file."))
    if not data:
        raise ImageRejected(N_("The file is empty."))
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; we refuse instead.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = _decode(data)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(_TOO_MANY_PIXELS)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise ImageRejected(_NOT_A_PHOTO)
    full = _fit(picture, FULL_SIDE)
    thumbnail = _fit(full, THUMBNAIL_SIDE)
    full_bytes = _encode(full)
    return ProcessedImage(
        full=full_bytes,
        thumbnail=_encode(thumbnail),
        width=full.width,
        height=full.height,
        digest=hashlib.sha256(full_bytes).hexdigest(),
    )


_NOT_A_PHOTO = N_(
    "The file is not a photo we can read: send a whole JPEG, PNG or WebP image "
    "(renaming a file does not change what it contains)."
)
_WRONG_FORMAT = N_("Only JPEG, PNG and WebP photos are accepted.")
_TOO_MANY_PIXELS = N_("The photo has too many pixels; send one of at most 40 megapixels.")


def _decode(data: bytes) -> Image.Image:
    """The first frame of ``data``, fully decoded, upright, in RGB."""
    with Image.open(io.BytesIO(data)) as probe:
        if probe.format not in ACCEPTED_FORMATS:
            raise ImageRejected(_WRONG_FORMAT)
        if probe.width * probe.height > MAX_IMAGE_PIXELS:
            raise ImageRejected(_TOO_MANY_PIXELS)
        probe.verify()
    # verify() leaves the image unusable; decoding every pixel catches truncation too.
    with Image.open(io.BytesIO(data)) as picture:
        picture.seek(0)
        picture.load()
        upright = ImageOps.exif_transpose(picture) or picture
        return _to_rgb(upright)


def _to_rgb(picture: Image.Image) -> Image.Image:
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    if not has_alpha:
        return picture.convert("RGB")
    rgba = picture.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _fit(picture: Image.Image, side: int) -> Image.Image:
    size = fit_within(picture.width, picture.height, side)
    if size == picture.size:
        return picture.copy()
    return picture.resize(size, Image.Resampling.LANCZOS)


def _encode(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
