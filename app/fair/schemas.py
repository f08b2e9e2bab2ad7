"""JSON shapes of fairs and stands for the API (API.md)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.cooperatives.schemas import CooperativeSummarySchema
from app.core.ids import id_field


class FairSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "in the reader's language"})
    edition = fields.Integer(required=True)
    city = fields.String(required=True)
    venue = fields.String(required=True)
    starts_on = fields.Date(required=True, metadata={"description": "first day, Morocco's date"})
    ends_on = fields.Date(required=True, metadata={"description": "last day, included"})
    open_now = fields.Boolean(required=True, metadata={"description": "open on Morocco's today"})


class FairStandSchema(ma.Schema):
    code = fields.String(required=True)
    cooperative = fields.Nested(CooperativeSummarySchema, required=True)


class ExhibitorStandSchema(FairStandSchema):
    id = fields.Integer(required=True)
    fair_id = fields.Integer(required=True)


class StandAdditionSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    cooperative_id = id_field(required=True)
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=12),
        metadata={"description": "hall and number on the fair map, e.g. B-07"},
    )
