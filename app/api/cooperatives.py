"""Cooperatives in the JSON API: provinces, the public directory, applications and
profile edits by members, and the admins' verification queue (API.md)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from app.accounts.models import User
from app.api.common import PageArgsSchema, page_body, page_schema
from app.catalog.models import Product, ProductLabel, ProductStatus
from app.catalog.queries import sells_food
from app.catalog.search import matching_cooperatives
from app.cooperatives import services
from app.cooperatives.documents import MAX_DOCUMENT_BYTES
from app.cooperatives.labels import province_choices
from app.cooperatives.models import Cooperative, CooperativeDocument, DocumentKind, MemberRole
from app.cooperatives.permissions import (
    cooperative_or_404,
    member_role,
    require_document_reader,
)
from app.cooperatives.queries import (
    cooperatives_by_status,
    documents_of,
    is_selling,
    verification_checklist,
)
from app.cooperatives.schemas import (
    CooperativeApplicationSchema,
    CooperativeListArgsSchema,
    CooperativeReviewSchema,
    CooperativeSchema,
    CooperativeStatusArgsSchema,
    CooperativeSummarySchema,
    CooperativeUpdateSchema,
    ProvinceSchema,
    StatusNoteSchema,
    SuspensionNoteSchema,
)
from app.core.errors import Forbidden, NotFound
from app.core.language import current_language
from app.core.paging import page_of
from app.extensions import db
from app.fair.queries import current_stand, exhibiting_at

blp = Blueprint(
    "api_cooperatives",
    __name__,
    description="Provinces, cooperatives, applications and their verification.",
)

SIGNED_IN = [{"bearerAuth": []}, {"cookieAuth": []}]
AUTH_RESPONSES = {
    "401": {"description": "No or bad credentials."},
    "403": {"description": "Not allowed for this user."},
}


class CooperativeQueryArgsSchema(PageArgsSchema, CooperativeListArgsSchema):
    pass


class CooperativeStatusQueryArgsSchema(PageArgsSchema, CooperativeStatusArgsSchema):
    pass


CooperativeSummaryPageSchema = page_schema(CooperativeSummarySchema, "CooperativeSummaryPageSchema")
CooperativeReviewPageSchema = page_schema(CooperativeReviewSchema, "CooperativeReviewPageSchema")


def signed_in_user() -> User:
    """The user behind the bearer token or session cookie; 401 when there is none."""
    if not current_user.is_authenticated:
        abort(401, description="Log in or send a bearer token.")
    return current_user._get_current_object()


def admin_user() -> User:
    """The signed-in admin; 401 anonymous, 403 for anyone else."""
    user = signed_in_user()
    if not user.is_admin:
        raise Forbidden(_("Only admins can do this."))
    return user


def signed_in(view: Callable) -> Callable:
    """Check the credentials before the body is parsed: anonymous is a 401, not a 422."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        signed_in_user()
        return view(*args, **kwargs)

    return checked


def admin_only(view: Callable) -> Callable:
    """Admins only, checked before the body is parsed (401 anonymous, 403 others)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        admin_user()
        return view(*args, **kwargs)

    return checked


def cooperative_summary(cooperative: Cooperative, language: str | None = None) -> dict[str, Any]:
    """The public summary of API.md, the name in the reader's language when translated."""
    language = language or current_language()
    return {
        "id": cooperative.id,
        "slug": cooperative.slug,
        "name": cooperative.translated("name", language),
        "legal_form": cooperative.legal_form,
        "province": cooperative.province,
        "commune": cooperative.commune,
        "verified": cooperative.is_verified,
    }


def private_fields(cooperative: Cooperative, *, with_rib: bool) -> dict[str, Any]:
    """What only members and admins see: status, papers, contact and payout details; the
    RIB only `with_rib` (owners and admins: staff members do not see where money goes)."""
    fields = {
        "status": cooperative.status,
        "status_note": cooperative.status_note,
        "status_changed_at": cooperative.status_changed_at,
        "registration_number": cooperative.registration_number,
        "ice": cooperative.ice,
        "phone": cooperative.phone,
        "email": cooperative.email,
        "onssa_number": cooperative.onssa_number,
        "payout_method": cooperative.payout_method,
        "rib": cooperative.rib,
        "created_at": cooperative.created_at,
    }
    if not with_rib:
        del fields["rib"]
    return fields


def label_kinds(cooperative_id: int) -> list[str]:
    """Distinct label kinds (IGP, organic...) of the cooperative's listed products."""
    return list(
        db.session.scalars(
            select(ProductLabel.kind)
            .join(ProductLabel.product)
            .where(
                Product.cooperative_id == cooperative_id,
                Product.status == ProductStatus.ACTIVE,
                Product.hidden_at.is_(None),
            )
            .distinct()
            .order_by(ProductLabel.kind)
        )
    )


def cooperative_body(
    cooperative: Cooperative, *, private: bool, with_rib: bool = False
) -> dict[str, Any]:
    language = current_language()
    stand = current_stand(cooperative.id)
    body = cooperative_summary(cooperative, language)
    body.update(
        description=cooperative.translated("description", language),
        labels=label_kinds(cooperative.id),
        stand=None if stand is None else {"fair_id": stand.fair_id, "code": stand.code},
    )
    if private:
        body.update(private_fields(cooperative, with_rib=with_rib))
    return body


def review_body(cooperative: Cooperative) -> dict[str, Any]:
    body = cooperative_summary(cooperative)
    body.update(private_fields(cooperative, with_rib=True), description=cooperative.description)
    return body


def sees_private(user, cooperative: Cooperative) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_admin or member_role(user, cooperative.id) is not None


def sees_rib(user, cooperative: Cooperative) -> bool:
    """Admins and the cooperative's owners; not its staff members (least privilege)."""
    if not user.is_authenticated:
        return False
    return user.is_admin or member_role(user, cooperative.id) == MemberRole.OWNER


@blp.route("/provinces", methods=["GET"])
@blp.response(200, ProvinceSchema(many=True))
def list_provinces():
    """The five provinces of Beni Mellal-Khenifra, named in the reader's language."""
    return [{"code": code, "name": name} for code, name in province_choices(current_language())]


@blp.route("/cooperatives", methods=["GET"])
@blp.arguments(CooperativeQueryArgsSchema, location="query")
@blp.response(200, CooperativeSummaryPageSchema)
def list_cooperatives(args: dict[str, Any]):
    """Verified cooperatives, by name; filter by province, text, or exhibitors of a fair."""
    statement = matching_cooperatives(args.get("province"), args.get("q"))
    if args.get("fair"):
        statement = exhibiting_at(statement, args["fair"])
    rows, total = page_of(statement, args["page"], args["per_page"])
    language = current_language()
    items = [cooperative_summary(cooperative, language) for cooperative in rows]
    return page_body(items, args["page"], args["per_page"], total)


@blp.route("/cooperatives/<id:cooperative_id>", methods=["GET"])
@blp.response(200, CooperativeSchema)
def get_cooperative(cooperative_id: int):
    """One cooperative. Pending or suspended ones only for their members and admins (else 404)."""
    cooperative = cooperative_or_404(cooperative_id)
    private = sees_private(current_user, cooperative)
    if not is_selling(cooperative) and not private:
        raise NotFound(_("No such cooperative."))
    return cooperative_body(
        cooperative, private=private, with_rib=private and sees_rib(current_user, cooperative)
    )


@blp.route("/cooperatives", methods=["POST"])
@signed_in
@blp.arguments(CooperativeApplicationSchema)
@blp.response(201, CooperativeSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def apply_cooperative(application: dict[str, Any]):
    """Apply to sell: the cooperative starts pending and the caller becomes its owner."""
    cooperative = services.apply(signed_in_user(), application)
    return cooperative_body(cooperative, private=True, with_rib=True)


@blp.route("/cooperatives/<id:cooperative_id>", methods=["PATCH"])
@signed_in
@blp.arguments(CooperativeUpdateSchema, required=False)
@blp.response(200, CooperativeSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def update_cooperative(changes: dict[str, Any], cooperative_id: int):
    """Members edit their cooperative; payout details by an owner only. Changing the legal
    identity (legal_form, registration_number, ice) of a verified one makes it pending again."""
    user = signed_in_user()
    cooperative = cooperative_or_404(cooperative_id)
    cooperative = services.update(cooperative, user, changes)
    return cooperative_body(cooperative, private=True, with_rib=sees_rib(user, cooperative))


@blp.route("/admin/cooperatives", methods=["GET"])
@admin_only
@blp.arguments(CooperativeStatusQueryArgsSchema, location="query")
@blp.response(200, CooperativeReviewPageSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def admin_list_cooperatives(args: dict[str, Any]):
    """Admins: every cooperative with its status, oldest application first."""
    admin_user()
    rows, total = page_of(
        cooperatives_by_status(args.get("status")), args["page"], args["per_page"]
    )
    return page_body([review_body(row) for row in rows], args["page"], args["per_page"], total)


@blp.route("/admin/cooperatives/<id:cooperative_id>/verify", methods=["POST"])
@admin_only
@blp.arguments(StatusNoteSchema, required=False)
@blp.response(200, CooperativeSchema)
@blp.doc(
    security=SIGNED_IN, responses={**AUTH_RESPONSES, "409": {"description": "Already verified."}}
)
def verify_cooperative(body: dict[str, Any], cooperative_id: int):
    """Admins: verify a pending cooperative, or reinstate a suspended one."""
    admin = admin_user()
    found = cooperative_or_404(cooperative_id)
    cooperative = services.verify(
        found,
        admin,
        body.get("note"),
        reason=body.get("reason"),
        sells_food=sells_food(found.id),
    )
    return cooperative_body(cooperative, private=True, with_rib=True)


def document_body(document: CooperativeDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "kind": document.kind,
        "filename": document.filename,
        "uploaded_at": document.uploaded_at.isoformat(),
    }


@blp.route("/cooperatives/<id:cooperative_id>/documents", methods=["POST"])
@signed_in
@blp.doc(
    security=SIGNED_IN,
    responses=AUTH_RESPONSES,
    requestBody={
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": [k.value for k in DocumentKind]},
                        "file": {"type": "string", "format": "binary"},
                    },
                    "required": ["kind", "file"],
                }
            }
        }
    },
)
def upload_cooperative_document(cooperative_id: int):
    """Owners file a paper (PDF, JPEG or PNG by content, at most 10 MB): 201 with its id."""
    request.max_content_length = MAX_DOCUMENT_BYTES + 64 * 1024
    user = signed_in_user()
    cooperative = cooperative_or_404(cooperative_id)
    upload = request.files.get("file")
    document = services.upload_document(
        cooperative,
        user,
        request.form.get("kind", ""),
        upload.filename or "" if upload is not None else "",
        upload.read(MAX_DOCUMENT_BYTES + 1) if upload is not None else b"",
    )
    return document_body(document), 201


@blp.route("/cooperatives/<id:cooperative_id>/documents", methods=["GET"])
@signed_in
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def list_cooperative_documents(cooperative_id: int):
    """The cooperative's documents, for its owners and admins (403 for anyone else, its
    staff members included)."""
    user = signed_in_user()
    cooperative = cooperative_or_404(cooperative_id)
    require_document_reader(user, cooperative.id)
    return {"items": [document_body(document) for document in documents_of(cooperative.id)]}


@blp.route("/admin/cooperatives/<id:cooperative_id>", methods=["GET"])
@admin_only
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def admin_get_cooperative(cooperative_id: int):
    """Admins: the cooperative with its ``documents`` and verification ``checklist``."""
    admin_user()
    cooperative = cooperative_or_404(cooperative_id)
    body = cooperative_body(cooperative, private=True)
    body["documents"] = [document_body(document) for document in documents_of(cooperative.id)]
    body["checklist"] = [
        {"item": item.item, "ok": item.ok, "note": _(item.note) if item.note else ""}
        for item in verification_checklist(cooperative, sells_food(cooperative.id))
    ]
    return body


@blp.route("/admin/cooperatives/<id:cooperative_id>/suspend", methods=["POST"])
@admin_only
@blp.arguments(SuspensionNoteSchema)
@blp.response(200, CooperativeSchema)
@blp.doc(
    security=SIGNED_IN, responses={**AUTH_RESPONSES, "409": {"description": "Already suspended."}}
)
def suspend_cooperative(body: dict[str, Any], cooperative_id: int):
    """Admins: suspend a cooperative (or refuse an application); the note says why."""
    admin = admin_user()
    cooperative = services.suspend(cooperative_or_404(cooperative_id), admin, body.get("note"))
    return cooperative_body(cooperative, private=True, with_rib=True)
