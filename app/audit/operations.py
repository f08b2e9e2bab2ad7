"""Writing the audit log: ``record`` is called by every admin use case, before it commits.

``record`` only adds and flushes: the calling use case owns the transaction, so
the audit row commits with the change it describes, or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol

from app.audit.models import AdminAction
from app.extensions import db

#: Who acted when there is no signed-in admin (``flask create-admin``).
COMMAND_LINE = "command line"
#: Longest note kept.
NOTE_MAX = 2000


class Actor(Protocol):
    """Whoever acted: a user row (``app.accounts.models.User``), read by duck typing because the
    audit domain sits below accounts."""

    id: int
    email: str


def record(
    actor: Actor | None,
    action: str,
    target_type: str,
    target_id: int | str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> AdminAction:
    """Log that ``actor`` did ``action`` (e.g. ``"cooperative.verify"``) on a record; flush.

    ``before`` and ``after`` hold the fields the action changed; dates, datetimes
    and enums are stored as ISO text and values, so the row reads back as it was
    written. ``actor`` None means the command line. Raises ``ValueError`` for an
    empty ``action`` or ``target_type``.
    """
    if not action or not target_type:
        raise ValueError("an audit record needs an action and a target type")
    row = AdminAction(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else COMMAND_LINE,
        action=action[:60],
        target_type=target_type[:40],
        target_id=str(target_id)[:40],
        before=_json_safe(dict(before or {})),
        after=_json_safe(dict(after or {})),
        note=(note or "").strip()[:NOTE_MAX],
    )
    db.session.add(row)
    db.session.flush()
    return row


def _json_safe(value: Any) -> Any:
    """``value`` with dates as ISO text, enums as their values, tuples and sets as lists."""
    if isinstance(value, Enum):
        return _json_safe(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_json_safe(item) for item in items]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
