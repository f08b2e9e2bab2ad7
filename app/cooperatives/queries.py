"""Reads about cooperatives that several faces share.

Only verified cooperatives sell: the catalog, cart and public pages filter
with `selling_clause()` / `is_selling()` so that the rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.operations import token_hash
from app.cooperatives.documents import ChecklistItem, checklist
from app.cooperatives.models import (
    Cooperative,
    CooperativeDocument,
    CooperativeStatus,
    Invitation,
    MemberRole,
    Membership,
)
from app.core.db import utcnow
from app.extensions import db


def selling_clause() -> ColumnElement[bool]:
    """SQL condition true for the cooperatives whose products are on sale."""
    return Cooperative.status == CooperativeStatus.VERIFIED


def is_selling(cooperative: Cooperative | None) -> bool:
    """Whether shoppers can see and buy from `cooperative` (verified, not suspended)."""
    return cooperative is not None and cooperative.status == CooperativeStatus.VERIFIED


def verified_cooperatives(province: str | None = None) -> Select:
    """Verified cooperatives, by name, optionally in one province: a statement to paginate.

    Searching them by words is the catalog's search (``catalog.search.matching_cooperatives``).
    """
    statement = select(Cooperative).where(selling_clause())
    if province:
        statement = statement.where(Cooperative.province == province)
    return statement.order_by(Cooperative.name, Cooperative.id)


def cooperatives_by_status(status: str | None = None) -> Select:
    """Every cooperative (or those in `status`), oldest application first: the admin queue."""
    statement = select(Cooperative)
    if status:
        statement = statement.where(Cooperative.status == status)
    return statement.order_by(Cooperative.created_at, Cooperative.id)


def cooperative_by_slug(slug: str) -> Cooperative | None:
    return db.session.scalar(select(Cooperative).where(Cooperative.slug == slug))


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships with their cooperatives, by cooperative name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.cooperative)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.cooperative))
            .order_by(Cooperative.name, Cooperative.id)
        )
    )


def is_member_of_any(user_id: int) -> bool:
    """Whether the user belongs to at least one cooperative (the "My cooperative" link)."""
    found = db.session.scalar(select(Membership.id).where(Membership.user_id == user_id).limit(1))
    return found is not None


def members_of(cooperative_id: int) -> list[Membership]:
    """The cooperative's members with their accounts, owners first."""
    return members_by_cooperative([cooperative_id]).get(cooperative_id, [])


def members_by_cooperative(cooperative_ids: Iterable[int]) -> dict[int, list[Membership]]:
    """Each cooperative's members with their accounts, owners first, in one query."""
    found: dict[int, list[Membership]] = {}
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.cooperative_id.in_(list(cooperative_ids)))
        .options(selectinload(Membership.user))
        .order_by(Membership.role, Membership.id)
    )
    for membership in rows:
        found.setdefault(membership.cooperative_id, []).append(membership)
    return found


def cooperatives_with_unverified_owners(cooperative_ids: Iterable[int]) -> set[int]:
    """Those of `cooperative_ids` with an owner who has not confirmed their e-mail address,
    in one query.

    Any owner can change where payouts go (the RIB), so money leaves only when each
    owner proved they hold their mailbox (app.accounts: e-mail verification). A
    cooperative with no owner account (made by an admin or a script) has nobody who
    could redirect its money, so it is not held back.
    """
    wanted = list(cooperative_ids)
    if not wanted:
        return set()
    return set(
        db.session.scalars(
            select(Membership.cooperative_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.cooperative_id.in_(wanted),
                Membership.role == MemberRole.OWNER,
                User.email_verified_at.is_(None),
            )
            .distinct()
        )
    )


def pending_invitation(token: str) -> Invitation | None:
    """The unaccepted, unexpired invitation an e-mailed link's token names, or None."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token or ""))
    )
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.expires_at <= utcnow():
        return None
    return invitation


def documents_of(cooperative_id: int) -> list[CooperativeDocument]:
    """The cooperative's documents, newest first."""
    return list(
        db.session.scalars(
            select(CooperativeDocument)
            .where(CooperativeDocument.cooperative_id == cooperative_id)
            .order_by(CooperativeDocument.uploaded_at.desc(), CooperativeDocument.id.desc())
        )
    )


def document_of(cooperative_id: int, document_id: int) -> CooperativeDocument | None:
    """One of the cooperative's documents, None when it has no such document."""
    document = db.session.get(CooperativeDocument, document_id)
    return document if document is not None and document.cooperative_id == cooperative_id else None


def verification_checklist(cooperative: Cooperative, sells_food: bool) -> list[ChecklistItem]:
    """The admin's checklist for ``cooperative`` from its numbers and documents on file."""
    return checklist(
        registration_number=cooperative.registration_number,
        ice=cooperative.ice,
        rib=cooperative.rib,
        payout_method=cooperative.payout_method,
        document_kinds=[document.kind for document in documents_of(cooperative.id)],
        sells_food=sells_food,
        onssa_number=cooperative.onssa_number,
    )


def has_document(cooperative_id: int, kind: str) -> bool:
    """Whether the cooperative has a document of ``kind`` on file."""
    return (
        db.session.scalar(
            select(CooperativeDocument.id)
            .where(
                CooperativeDocument.cooperative_id == cooperative_id,
                CooperativeDocument.kind == kind,
            )
            .limit(1)
        )
        is not None
    )
