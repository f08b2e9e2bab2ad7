"""Who may act for a cooperative: its members (owner, staff); admins read everything, and
its papers are for its owners and admins only. Also the cooperative a route names, or 404."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.cooperatives.models import Cooperative, MemberRole, Membership
from app.core.errors import Forbidden, NotFound
from app.core.ids import is_id
from app.extensions import db


def member_role(user: User | None, cooperative_id: int) -> str | None:
    """The role of `user` in that cooperative, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.cooperative_id == cooperative_id
        )
    )


def require_member(user: User | None, cooperative_id: int, *, owner_only: bool = False) -> str:
    """The member's role; Forbidden for anyone else (a shopper, another cooperative's member)."""
    role = member_role(user, cooperative_id)
    if role is None or (owner_only and role != MemberRole.OWNER):
        raise Forbidden(_("Only members of this cooperative can do this."))
    return role


def require_document_reader(user: User | None, cooperative_id: int) -> str | None:
    """The reader's role (None for an admin) when `user` may read the cooperative's papers:
    its owners and admins only. Staff members are refused (Forbidden) as for the RIB: the
    papers hold the RIB certificate, and least privilege keeps them to those who answer
    for the cooperative."""
    role = member_role(user, cooperative_id)
    if role == MemberRole.OWNER or getattr(user, "is_admin", False):
        return role
    raise Forbidden(_("Only the cooperative's owners and admins can read its documents."))


def cooperative_or_404(cooperative_id: int) -> Cooperative:
    """The cooperative of that id; NotFound (404) when there is none."""
    cooperative = db.session.get(Cooperative, cooperative_id) if is_id(cooperative_id) else None
    if cooperative is None:
        raise NotFound(_("No such cooperative."))
    return cooperative


def member_cooperative_or_404(user: User | None, cooperative_id: int) -> Cooperative:
    """The cooperative, for one of its members: NotFound (404) when there is none,
    Forbidden (403) for anyone else."""
    cooperative = cooperative_or_404(cooperative_id)
    require_member(user, cooperative.id)
    return cooperative
