"""Flush-only steps of cooperatives, for the use cases of other domains and the seeder."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import User
from app.cooperatives.documents import (
    EMPTY_FILE,
    MAX_DOCUMENT_BYTES,
    NOT_A_DOCUMENT,
    TOO_LARGE,
    sniff,
)
from app.cooperatives.models import Cooperative, CooperativeDocument, DocumentKind, Membership
from app.core import images, media
from app.core.after_commit import after_commit
from app.core.errors import ValidationFailed
from app.extensions import db
from app.notifications.models import DEFAULT_LOCALE
from app.notifications.operations import notify


def tell_members(
    cooperative: Cooperative,
    members: list[Membership],
    kind: str,
    context: dict[str, Any],
    dedupe_key: str,
) -> None:
    """Write one ``kind`` message to each of the cooperative's ``members`` (loaded with their
    users, e.g. by ``queries.members_by_cooperative``), naming the cooperative in the language
    each reads; ``dedupe_key`` is made each member's own."""
    for membership in members:
        reader = membership.user
        notify(
            kind,
            user=reader,
            context={
                **context,
                "cooperative_name": cooperative.translated("name", reader.locale or DEFAULT_LOCALE),
            },
            dedupe_key=f"{dedupe_key}:{membership.user_id}",
        )


#: The pictures a cooperative shows on its page: kind -> its path column.
PICTURE_KINDS = ("cover", "logo")
#: Where they are stored under MEDIA_ROOT.
PICTURE_FOLDER = "cooperatives"


def file_document(
    cooperative: Cooperative, uploader: User, kind: str, filename: str, content: bytes
) -> CooperativeDocument:
    """Store a paper of ``cooperative`` filed by ``uploader`` and flush its row; the caller
    checked who may file it. Kept only when its content is a PDF, JPEG or PNG of at most
    10 MB, under DOCUMENTS_ROOT (private, outside the code and the public media) by the
    SHA-256 of its content. Raises ValidationFailed naming ``kind`` or ``file``."""
    errors: dict[str, list[str]] = {}
    if kind not in {k.value for k in DocumentKind}:
        errors["kind"] = [_("Choose the kind of document.")]
    found = sniff(content[:16]) if content else None
    if not content:
        errors["file"] = [_(EMPTY_FILE)]
    elif len(content) > MAX_DOCUMENT_BYTES:
        errors["file"] = [_(TOO_LARGE)]
    elif found is None:
        errors["file"] = [_(NOT_A_DOCUMENT)]
    if errors or found is None:
        raise ValidationFailed(_("The document is not valid."), fields=errors)
    extension, content_type = found
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{cooperative.id}/{digest}.{extension}"
    target = Path(current_app.config["DOCUMENTS_ROOT"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(target)
    document = CooperativeDocument(
        cooperative_id=cooperative.id,
        kind=kind,
        filename=(Path(filename or "").name or f"document.{extension}")[:200],
        stored_path=relative,
        content_type=content_type,
        size_bytes=len(content),
        uploaded_by_id=uploader.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def store_picture_bytes(cooperative: Cooperative, kind: str, data: bytes) -> Cooperative:
    """Check, re-encode and store ``data`` as the cooperative's cover or logo; flush only.

    No permission check (use cases check; the seeder needs none). The previous file goes
    once the change is committed unless another cooperative shows it. Raises
    ValidationFailed (field ``photo``) for anything not a whole JPEG, PNG or WebP photo of at
    most 5 MB, or an unknown ``kind``.
    """
    if kind not in PICTURE_KINDS:
        raise ValidationFailed(_("Not a valid value."), fields={"kind": [_("Not a valid value.")]})
    try:
        processed = images.process_image(data)
    except images.ImageRejected as error:
        message = _(error.message)
        raise ValidationFailed(message, fields={"photo": [message]})
    media_root = current_app.config["MEDIA_ROOT"]
    path = media.write_photo(media_root, processed, PICTURE_FOLDER)
    old_path = getattr(cooperative, f"{kind}_path")
    setattr(cooperative, f"{kind}_path", path)
    if kind == "cover":
        cooperative.cover_width, cooperative.cover_height = processed.width, processed.height
    db.session.flush()
    if old_path and old_path != path and not _picture_shown(old_path):
        after_commit(db.session(), lambda: media.remove_photo(media_root, old_path))
    return cooperative


def _picture_shown(path: str) -> bool:
    shown = select(Cooperative.id).where(
        or_(Cooperative.cover_path == path, Cooperative.logo_path == path)
    )
    return db.session.scalar(shown.limit(1)) is not None
