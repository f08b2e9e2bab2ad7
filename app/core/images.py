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

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from app.core.translation import N_

#: Largest upload accepted, in bytes (5 MB).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Largest picture accepted, in pixels (24 MP: any phone camera's photo). Read from the file's
#: header before any pixel is decoded: a 5 MB PNG of 6300 x 6300 cost 3.8 s and 190 MB to decode.
MAX_IMAGE_PIXELS = 24_000_000
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
    ``THUMBNAIL_SIDE``) and saved as progressive JPEG without any metadata. A JPEG
    is decoded at the smallest of its built-in scales (1/2, 1/4, 1/8) that still
    covers ``FULL_SIDE``, never whole.
    Raises ``ImageTooLarge`` over ``MAX_IMAGE_BYTES``, ``ImageRejected`` for
    anything else that is not a whole photo in an accepted format: text renamed
    ``.jpg``, a truncated file, another format, or more than ``MAX_IMAGE_PIXELS``
    (read from the header, before decoding).
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge(N_("The photo is larger than 5 MB; send a smaller file."))
    if not data:
        raise ImageRejected(N_("The file is empty."))
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; we refuse instead.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            full = _decode(data)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(_TOO_MANY_PIXELS)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise ImageRejected(_NOT_A_PHOTO)
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
_TOO_MANY_PIXELS = N_("The photo has too many pixels; send one of at most 24 megapixels.")


#: EXIF orientations that turn the picture a quarter: its upright width is its height.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


def _decode(data: bytes) -> Image.Image:
    """The first frame of ``data``, upright, in RGB, fitting ``FULL_SIDE``.

    The size is read from the header and refused over ``MAX_IMAGE_PIXELS`` before any
    pixel is decoded; a JPEG is then decoded in draft mode, at a reduced scale.
    """
    with Image.open(io.BytesIO(data)) as probe:
        if probe.format not in ACCEPTED_FORMATS:
            raise ImageRejected(_WRONG_FORMAT)
        if probe.width * probe.height > MAX_IMAGE_PIXELS:
            raise ImageRejected(_TOO_MANY_PIXELS)
        probe.verify()
    # verify() leaves the image unusable; decoding every pixel catches truncation too.
    with Image.open(io.BytesIO(data)) as picture:
        picture.seek(0)
        width, height = picture.size
        if picture.getexif().get(ExifTags.Base.Orientation) in _QUARTER_TURNS:
            width, height = height, width
        upright_size = fit_within(width, height, FULL_SIDE)
        if picture.format == "JPEG":
            # The decoder's scale covers the size asked for, in the file's orientation.
            picture.draft(picture.mode, fit_within(*picture.size, FULL_SIDE))
        picture.load()
        upright = ImageOps.exif_transpose(picture) or picture
        rgb = _to_rgb(upright)
    if rgb.size == upright_size:
        return rgb
    return rgb.resize(upright_size, Image.Resampling.LANCZOS)


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
