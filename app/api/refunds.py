"""Refunds in the JSON API (admins only): ``POST /admin/orders/{number}/refunds`` (API.md).

A refund gives back whole lines of one cooperative's part, or an amount of
one part, and says who funds it. 201 with the refund; 409
``refund_exceeds_paid`` beyond what was paid and not yet refunded; 422 for bad
input; 502/503 ``payment_gateway_error`` when Stripe refuses or cannot be
reached (then nothing is recorded).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.common import BaseSchema, MoneySchema, money
from app.api.cooperatives import AUTH_RESPONSES, SIGNED_IN, admin_only, admin_user
from app.catalog.validation import MAX_STOCK
from app.core.ids import id_field
from app.core.money import MAX_PARSED_CENTS
from app.payments import services
from app.payments.models import FundedBy, Refund, RefundMethod
from app.payments.queries import order_by_number
from app.payments.refunds import REASON_MAX, LineRequest

blp = Blueprint("api_refunds", __name__, description="Refunds of orders (admins).")


class RefundLineInSchema(BaseSchema):
    line_id = id_field(required=True)
    quantity = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=MAX_STOCK))
    restock = ma.fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the units came back and go back in stock; by default yes while the "
            "part has not left the cooperative, no once shipped or handed over"
        },
    )


class RefundRequestSchema(BaseSchema):
    lines = ma.fields.List(
        ma.fields.Nested(RefundLineInSchema),
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "lines of one part; or give `part_id` and `amount` instead"},
    )
    part_id = id_field()
    amount = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=MAX_PARSED_CENTS),
        metadata={"description": "centimes of MAD"},
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=REASON_MAX))
    funded_by = ma.fields.String(required=True, validate=ma.validate.OneOf(list(FundedBy)))

    @ma.validates_schema
    def one_shape(self, data: dict[str, Any], **kwargs) -> None:
        by_lines = "lines" in data
        by_amount = "part_id" in data or "amount" in data
        if by_lines == by_amount:
            raise ma.ValidationError(
                _("Give either `lines`, or `part_id` and `amount`."), field_name="lines"
            )
        for name in ("part_id", "amount"):
            if by_amount and name not in data:
                raise ma.ValidationError(_("Missing data for required field."), field_name=name)


class RefundLineSchema(BaseSchema):
    line_id = ma.fields.Integer(required=True)
    quantity = ma.fields.Integer(required=True)
    restock = ma.fields.Boolean(required=True)


class TakenBackSchema(BaseSchema):
    producer = ma.fields.Nested(MoneySchema, required=True)
    platform = ma.fields.Nested(MoneySchema, required=True)
    solidarity = ma.fields.Nested(MoneySchema, required=True)


class RefundSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    order_number = ma.fields.String(required=True, metadata={"example": "ST-7K3Q9X"})
    part_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: refunded in Stripe"}
    )
    amount = ma.fields.Nested(MoneySchema, required=True)
    funded_by = ma.fields.String(required=True, validate=ma.validate.OneOf(list(FundedBy)))
    method = ma.fields.String(required=True, validate=ma.validate.OneOf(list(RefundMethod)))
    reason = ma.fields.String(required=True)
    lines = ma.fields.List(ma.fields.Nested(RefundLineSchema), required=True)
    taken_back = ma.fields.Nested(
        TakenBackSchema,
        required=True,
        metadata={"description": "whose balance gives the amount back; adds up to `amount`"},
    )
    created_at = ma.fields.DateTime(required=True)


def refund_body(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "order_number": refund.order.number,
        "part_id": refund.part_id,
        "amount": money(refund.amount_cents),
        "funded_by": refund.funded_by,
        "method": refund.method,
        "reason": refund.reason,
        "lines": list(refund.lines or []),
        "taken_back": {
            "producer": money(refund.producer_cents),
            "platform": money(refund.platform_cents),
            "solidarity": money(refund.solidarity_cents),
        },
        "created_at": refund.created_at,
    }


@blp.route("/admin/orders/<number>/refunds", methods=["POST"])
@admin_only
@blp.arguments(RefundRequestSchema)
@blp.response(201, RefundSchema, description="The refund, given back and recorded.")
@blp.alt_response(404, description="No such order.")
@blp.alt_response(
    409, description="`refund_exceeds_paid`: beyond what was paid and not yet refunded."
)
@blp.alt_response(422, description="Bad lines, part, amount, reason or funder (`fields`).")
@blp.alt_response(502, description="`payment_gateway_error`: Stripe refused the refund.")
@blp.alt_response(503, description="`payment_gateway_error`: Stripe could not be reached.")
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def create_refund(body: dict[str, Any], number: str):
    """Refund whole lines of one part, or an amount of one part, funded by its cooperative or
    by the platform; card orders are refunded through Stripe, cash orders recorded."""
    refund = services.refund(
        order_by_number(number),
        admin_user(),
        reason=body["reason"],
        funded_by=body["funded_by"],
        lines=[LineRequest(**line) for line in body.get("lines", [])] or None,
        part_id=body.get("part_id"),
        amount_cents=body.get("amount"),
    )
    return refund_body(refund), 201
