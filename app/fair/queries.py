"""Reads about fairs and stands: which fair is open today, who exhibits where.

"Today" is Morocco's local date (Africa/Casablanca), whatever the server's
timezone: a fair opens and closes by the calendar on the square.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.cooperatives.models import Cooperative
from app.cooperatives.queries import selling_clause
from app.core.db import utcnow
from app.extensions import db
from app.fair.models import Fair, Stand

MOROCCO = ZoneInfo("Africa/Casablanca")


def morocco_today(now: datetime | None = None) -> date:
    """The date in Morocco at `now` (an aware datetime; default: this instant)."""
    return (now or utcnow()).astimezone(MOROCCO).date()


def open_fair(today: date | None = None) -> Fair | None:
    """The fair open on `today` (default Morocco's date); the latest to start if several are."""
    day = today or morocco_today()
    return db.session.scalar(
        select(Fair)
        .where(Fair.starts_on <= day, Fair.ends_on >= day)
        .order_by(Fair.starts_on.desc(), Fair.id.desc())
        .limit(1)
    )


def all_fairs() -> list[Fair]:
    """Every edition, the most recent first."""
    return list(db.session.scalars(select(Fair).order_by(Fair.starts_on.desc(), Fair.id.desc())))


def stands_of(fair: Fair | int, *, only_selling: bool = True) -> list[Stand]:
    """The fair's stands by code, each with its cooperative loaded.

    With `only_selling` (the public view) stands of cooperatives that are not
    verified (suspended since) are left out; admins pass False to see them all.
    """
    fair_id = fair if isinstance(fair, int) else fair.id
    statement = (
        select(Stand)
        .join(Stand.cooperative)
        .where(Stand.fair_id == fair_id)
        .options(joinedload(Stand.cooperative))
        .order_by(Stand.code)
    )
    if only_selling:
        statement = statement.where(selling_clause())
    return list(db.session.scalars(statement))


def current_stand(cooperative_id: int, today: date | None = None) -> Stand | None:
    """The cooperative's stand at the fair open today, or None (no fair open, or no stand)."""
    fair = open_fair(today)
    if fair is None:
        return None
    return db.session.scalar(
        select(Stand).where(Stand.fair_id == fair.id, Stand.cooperative_id == cooperative_id)
    )


def exhibiting_at(statement: Select, fair_id: int) -> Select:
    """Narrow a select of Cooperative to those with a stand at that fair."""
    return statement.where(
        Cooperative.id.in_(select(Stand.cooperative_id).where(Stand.fair_id == fair_id))
    )
