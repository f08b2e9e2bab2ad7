"""JSON shapes of fee rules for the API (API.md, admin fee-rules).

Request schemas check types only; the terms themselves (solidarity at most the
commission, floor at most 10000 bps, dates in order, no overlap) are checked by
``services.add_rule``, which the HTML form calls too, so both answer alike.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.core.days import Instant
from app.core.names import no_bidi_controls
from app.fees.engine import BPS_WHOLE, MAX_FEE_CENTS, MAX_PRIORITY, SCOPES
from app.fees.queries import STATUSES


class StrictSchema(ma.Schema):
    """Unknown fields are an error (422), not silently dropped."""

    class Meta:
        ordered = True
        unknown = ma.RAISE


def _bps(description: str, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=BPS_WHOLE),
        metadata={"description": description},
        **kwargs,
    )


def _cents(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_FEE_CENTS), **kwargs)


class FeeRuleSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    translations = fields.Dict(metadata={"description": "the name in other languages"})
    scope = fields.String(required=True, metadata={"enum": list(SCOPES)})
    scope_value = fields.String(
        allow_none=True,
        metadata={
            "description": "a legal form, or a category/cooperative/fair id; null for default"
        },
    )
    commission_bps = _bps("commission on the line total, basis points (800 = 8 %)", required=True)
    solidarity_bps = _bps("part of the commission to the solidarity fund, basis points")
    min_fee_cents = fields.Integer(metadata={"description": "minimum fee per line, centimes"})
    max_fee_cents = fields.Integer(
        allow_none=True, metadata={"description": "cap per line, centimes; null: no cap"}
    )
    producer_floor_bps = _bps("the producer keeps at least this share of the line, basis points")
    valid_from = fields.AwareDateTime(required=True)
    valid_to = fields.AwareDateTime(
        allow_none=True, metadata={"description": "exclusive; null: open"}
    )
    priority = fields.Integer(metadata={"description": "higher wins within a scope"})
    status = fields.String(metadata={"enum": list(STATUSES)})
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    ended_by_id = fields.Integer(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)


class FeeRuleCreateSchema(StrictSchema):
    """A new rule. Omitted terms default to 0, no cap, open-ended, from now."""

    name = fields.String(
        required=True, validate=[validate.Length(min=1, max=120), no_bidi_controls]
    )
    translations = fields.Dict(
        keys=fields.String(validate=validate.OneOf(("ar", "fr", "en"))),
        values=fields.Dict(
            keys=fields.String(validate=validate.OneOf(("name",))), values=fields.String()
        ),
        load_default=dict,
        metadata={"description": 'the name in other languages: {"ar": {"name": ...}}'},
    )
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    scope_value = fields.String(allow_none=True, load_default=None)
    commission_bps = _bps("basis points, 0 to 10000", required=True)
    solidarity_bps = _bps("basis points, at most commission_bps", load_default=0)
    min_fee_cents = _cents(load_default=0)
    max_fee_cents = _cents(allow_none=True, load_default=None)
    producer_floor_bps = _bps("basis points, 0 to 10000", load_default=0)
    valid_from = Instant(
        allow_none=True, load_default=None, metadata={"description": "default: now"}
    )
    valid_to = Instant(allow_none=True, load_default=None)
    priority = fields.Integer(
        strict=True, validate=validate.Range(min=-MAX_PRIORITY, max=MAX_PRIORITY), load_default=0
    )


class FeeRuleEndSchema(StrictSchema):
    valid_to = Instant(
        required=True, metadata={"description": "the instant the rule stops applying (exclusive)"}
    )


class FeeRuleListArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    status = fields.String(validate=validate.OneOf(STATUSES), load_default=None)
