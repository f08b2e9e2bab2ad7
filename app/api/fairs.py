"""Fairs in the JSON API: the editions, who exhibits where, and stands given by admins."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.cooperatives import (
    AUTH_RESPONSES,
    SIGNED_IN,
    admin_only,
    admin_user,
    cooperative_summary,
)
from app.cooperatives.models import Cooperative
from app.core.errors import NotFound, ValidationFailed
from app.core.language import current_language
from app.extensions import db
from app.fair import services
from app.fair.models import Fair, Stand
from app.fair.queries import all_fairs, morocco_today, stands_of
from app.fair.schemas import ExhibitorStandSchema, FairSchema, FairStandSchema, StandAdditionSchema

blp = Blueprint("api_fairs", __name__, description="Fair editions and their stands.")


def _fair_or_404(fair_id: int) -> Fair:
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        raise NotFound(_("No such fair."))
    return fair


def stand_body(stand: Stand, language: str) -> dict[str, Any]:
    return {"code": stand.code, "cooperative": cooperative_summary(stand.cooperative, language)}


@blp.route("/fairs", methods=["GET"])
@blp.response(200, FairSchema(many=True))
def list_fairs():
    """Every edition, the most recent first; `open_now` by Morocco's date."""
    language, today = current_language(), morocco_today()
    return [
        {
            "id": fair.id,
            "name": fair.translated("name", language),
            "edition": fair.edition,
            "city": fair.translated("city", language),
            "venue": fair.translated("venue", language),
            "starts_on": fair.starts_on,
            "ends_on": fair.ends_on,
            "open_now": fair.is_open_on(today),
        }
        for fair in all_fairs()
    ]


@blp.route("/fairs/<id:fair_id>/stands", methods=["GET"])
@blp.response(200, FairStandSchema(many=True))
def list_stands(fair_id: int):
    """The stands of verified cooperatives at that fair, by code."""
    fair = _fair_or_404(fair_id)
    language = current_language()
    return [stand_body(stand, language) for stand in stands_of(fair)]


@blp.route("/admin/fairs/<id:fair_id>/stands", methods=["POST"])
@admin_only
@blp.arguments(StandAdditionSchema)
@blp.response(201, ExhibitorStandSchema)
@blp.doc(
    security=SIGNED_IN,
    responses={
        **AUTH_RESPONSES,
        "409": {"description": "The code or the cooperative already has a stand at this fair."},
    },
)
def add_stand(body: dict[str, Any], fair_id: int):
    """Admins: give a verified cooperative a stand at the fair."""
    admin = admin_user()
    fair = _fair_or_404(fair_id)
    cooperative = db.session.get(Cooperative, body["cooperative_id"])
    if cooperative is None:
        message = "No cooperative has this id."
        raise ValidationFailed(message, fields={"cooperative_id": [message]})
    stand = services.add_stand(fair, cooperative, body["code"], admin)
    return {"id": stand.id, "fair_id": stand.fair_id, **stand_body(stand, current_language())}
