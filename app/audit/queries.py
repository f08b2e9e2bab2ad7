"""Reading the audit log: the newest actions first, filtered by who, what, which record, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, distinct, func, select

from app.audit.models import AdminAction
from app.extensions import db


@dataclass(frozen=True)
class AuditFilter:
    #: Part of the actor's e-mail (case-insensitive).
    actor: str | None = None
    #: An exact action ("product.hide"), or a record kind followed by a dot ("product.").
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    #: Instants (aware UTC): from ``since`` included to ``until`` excluded.
    since: datetime | None = None
    until: datetime | None = None


def actions(criteria: AuditFilter) -> Select[tuple[AdminAction]]:
    """The actions matching ``criteria``, newest first (ties: last written first)."""
    statement = select(AdminAction).order_by(AdminAction.created_at.desc(), AdminAction.id.desc())
    if criteria.actor:
        pattern = "%" + criteria.actor.lower().replace("%", "").replace("_", "") + "%"
        statement = statement.where(func.lower(AdminAction.actor_label).like(pattern))
    if criteria.action:
        if criteria.action.endswith("."):
            statement = statement.where(AdminAction.action.startswith(criteria.action))
        else:
            statement = statement.where(AdminAction.action == criteria.action)
    if criteria.target_type:
        statement = statement.where(AdminAction.target_type == criteria.target_type)
    if criteria.target_id:
        statement = statement.where(AdminAction.target_id == criteria.target_id)
    if criteria.since is not None:
        statement = statement.where(AdminAction.created_at >= criteria.since)
    if criteria.until is not None:
        statement = statement.where(AdminAction.created_at < criteria.until)
    return statement


def known_actions() -> list[str]:
    """Every action the log holds, sorted (for the filter's choices)."""
    return list(
        db.session.scalars(select(distinct(AdminAction.action)).order_by(AdminAction.action))
    )


def actions_on(target_type: str, target_id: int | str, limit: int = 20) -> list[AdminAction]:
    """The latest actions on one record (for a record's own admin page)."""
    criteria = AuditFilter(target_type=target_type, target_id=str(target_id))
    return list(db.session.scalars(actions(criteria).limit(limit)))
