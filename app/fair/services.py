"""Use cases of the fair: giving a cooperative its stand. Each function owns its commit."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.operations import record
from app.cooperatives.models import Cooperative
from app.cooperatives.queries import is_selling
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.fair.models import Fair, Stand

#: Hall and number as printed on the fair map: "B-07", "A12", "HALL2-104".
STAND_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,11}$")


def normalize_stand_code(text: str | None) -> str:
    """The stand code upper-cased without surrounding spaces; ValueError when malformed."""
    code = (text or "").strip().upper()
    if not STAND_CODE_PATTERN.match(code):
        raise ValueError(_("A stand code has 1 to 12 letters, digits or dashes, e.g. B-07."))
    return code


def add_stand(fair: Fair, cooperative: Cooperative, code: str, admin: User) -> Stand:
    """Give `cooperative` the stand `code` at `fair`.

    Raises Forbidden (not an admin), ValidationFailed (malformed code),
    Conflict when the cooperative is not verified, or when the code or the
    cooperative already has a stand at that fair, even when two admins
    race (the unique constraints decide; nothing is written then).
    """
    if not getattr(admin, "is_admin", False):
        raise Forbidden(_("Only an admin can do this."))
    try:
        code = normalize_stand_code(code)
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"code": [str(error)]})
    if not is_selling(cooperative):
        message = _("Only a verified cooperative can have a stand.")
        raise Conflict(
            message, code="cooperative_not_verified", fields={"cooperative_id": [message]}
        )
    _check_free(fair, cooperative, code)
    stand = Stand(fair_id=fair.id, cooperative_id=cooperative.id, code=code)
    db.session.add(stand)
    try:
        db.session.flush()
        record(
            admin,
            "stand.add",
            "stand",
            stand.id,
            {},
            {"fair_id": fair.id, "cooperative_id": cooperative.id, "code": code},
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _check_free(fair, cooperative, code)
        raise Conflict(_("This stand was just given to someone else."), code="stand_taken")
    return stand


def _check_free(fair: Fair, cooperative: Cooperative, code: str) -> None:
    taken = db.session.scalars(
        select(Stand).where(
            Stand.fair_id == fair.id,
            (Stand.code == code) | (Stand.cooperative_id == cooperative.id),
        )
    ).all()
    if any(stand.cooperative_id == cooperative.id for stand in taken):
        message = _("This cooperative already has a stand at this fair.")
        raise Conflict(message, code="stand_taken", fields={"cooperative_id": [message]})
    if taken:
        message = _("Stand %(code)s is already taken at this fair.", code=code)
        raise Conflict(message, code="stand_taken", fields={"code": [message]})
