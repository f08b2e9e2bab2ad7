"""Where public photos live on disk: content-addressed files under MEDIA_ROOT.

A photo is stored as ``<folder>/<2 hex>/<sha256>.jpg`` (``products`` for product photos,
``cooperatives`` for a cooperative's cover and logo) with its thumbnail next
to it as ``<sha256>-480.jpg``. Because the name is the content's hash, a file
never changes once written, so it can be cached for ever and written twice
safely; the database row only records the path of the full photo.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.core.images import THUMBNAIL_SIDE, ProcessedImage

FOLDER = "products"


def photo_path(digest: str, folder: str = FOLDER) -> str:
    """The path, relative to MEDIA_ROOT and with forward slashes, of the photo named ``digest``."""
    return f"{folder}/{digest[:2]}/{digest}.jpg"


def thumbnail_path(image_path: str) -> str:
    """The thumbnail stored next to the photo at ``image_path`` (relative to MEDIA_ROOT)."""
    stem, _, extension = image_path.rpartition(".")
    return f"{stem}-{THUMBNAIL_SIDE}.{extension}"


def write_photo(
    media_root: str | os.PathLike[str], image: ProcessedImage, folder: str = FOLDER
) -> str:
    """Write ``image`` and its thumbnail under ``media_root``; return the photo's relative path.

    Each file appears whole or not at all (written aside, then renamed), so a
    reader never gets half a photo and a crash leaves no corrupt file.
    """
    relative = photo_path(image.digest, folder)
    _write_atomically(Path(media_root) / relative, image.full)
    _write_atomically(Path(media_root) / thumbnail_path(relative), image.thumbnail)
    return relative


def remove_photo(media_root: str | os.PathLike[str], image_path: str) -> None:
    """Delete the photo at ``image_path`` and its thumbnail; missing files are fine."""
    for relative in (image_path, thumbnail_path(image_path)):
        target = (Path(media_root) / relative).resolve()
        if Path(media_root).resolve() not in target.parents:
            continue  # never follow a path out of MEDIA_ROOT, whatever the row says
        target.unlink(missing_ok=True)


def _write_atomically(target: Path, content: bytes) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a front server may serve it
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
