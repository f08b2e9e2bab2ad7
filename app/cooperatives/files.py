"""Serving a cooperative's document: only after the caller checked who may read it."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app
from flask_babel import gettext as _

from app.cooperatives.models import Cooperative
from app.cooperatives.queries import document_of
from app.core.errors import NotFound


def document_response(cooperative: Cooperative, document_id: int) -> Response:
    """The document's file as an attachment (never rendered inline by the browser), from
    DOCUMENTS_ROOT. The caller has already checked that the reader is one of
    ``cooperative``'s owners or an admin (``permissions.require_document_reader``).
    404 for another cooperative's document."""
    document = document_of(cooperative.id, document_id)
    root = Path(current_app.config["DOCUMENTS_ROOT"]).resolve()
    path = (root / document.stored_path).resolve() if document is not None else None
    if document is None or path is None or root not in path.parents or not path.is_file():
        raise NotFound(_("There is no such document."))
    response = Response(path.read_bytes(), mimetype=document.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=document.filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
