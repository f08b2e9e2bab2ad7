"""The cooperative's papers for its verification: owners file and read them, admins read them;
staff members neither (the RIB certificate is among them)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.cooperatives import services
from app.cooperatives.documents import DOCUMENT_NAMES, MAX_DOCUMENT_BYTES
from app.cooperatives.files import document_response
from app.cooperatives.forms import DocumentForm, show_domain_error
from app.cooperatives.permissions import require_document_reader
from app.cooperatives.queries import documents_of
from app.core.errors import DomainError
from app.dashboard import bp
from app.dashboard.overview import readable_cooperative

#: A multipart body may hold a 10 MB file and its form fields.
UPLOAD_LIMIT = MAX_DOCUMENT_BYTES + 64 * 1024


@bp.route("/<id:cooperative_id>/documents", methods=["GET", "POST"], endpoint="documents")
def documents_page(cooperative_id: int):
    """The documents on file; an owner files another (PDF, JPEG or PNG, at most 10 MB)."""
    request.max_content_length = UPLOAD_LIMIT
    cooperative, role = readable_cooperative(cooperative_id)
    require_document_reader(current_user, cooperative.id)
    form = DocumentForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            upload = form.file.data
            try:
                services.upload_document(
                    cooperative,
                    current_user._get_current_object(),
                    form.kind.data,
                    upload.filename or "",
                    upload.read(MAX_DOCUMENT_BYTES + 1),
                )
            except DomainError as error:
                show_domain_error(form, error)
                status = error.status
            else:
                flash(_("The document is filed."), "success")
                return redirect(url_for(".documents", cooperative_id=cooperative.id))
    return render_template(
        "dashboard/cooperative/documents.html",
        cooperative=cooperative,
        role=role,
        form=form,
        documents=documents_of(cooperative.id),
        names=DOCUMENT_NAMES,
    ), status


@bp.get("/<id:cooperative_id>/documents/<id:document_id>", endpoint="document")
def document_file(cooperative_id: int, document_id: int):
    """One document's file, for the cooperative's owners and admins only."""
    cooperative, _role = readable_cooperative(cooperative_id)
    require_document_reader(current_user, cooperative.id)
    return document_response(cooperative, document_id)
