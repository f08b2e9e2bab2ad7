"""Cooperatives handle their parts of orders over the API (API.md "Cooperatives").

Members of the part's cooperative only (403 for anyone else). A part as a
cooperative sees it carries the shopper's delivery contact, never the pickup
code: the shopper shows that code to collect.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from app.api.common import (
    BaseSchema,
    MoneySchema,
    PageArgsSchema,
    money,
    page_body,
    page_schema,
)
from app.api.cooperatives import AUTH_RESPONSES, SIGNED_IN, signed_in, signed_in_user
from app.api.orders import OrderLineSchema, PickupStandSchema, line_body, stand_body
from app.cart.queries import DELIVERY_METHODS
from app.cooperatives.permissions import require_member
from app.core.money import MAX_PARSED_CENTS
from app.core.paging import page_of
from app.orders import queries, services, states
from app.orders.models import CooperativeOrder, PartStatus, PaymentMethod

blp = Blueprint(
    "api_order_parts", __name__, description="Cooperatives prepare and hand over their parts."
)

#: Where a part may be moved to by its cooperative (API.md).
MOVES = [str(status) for status in PartStatus if status != PartStatus.PENDING]


class DeliveryAddressSchema(BaseSchema):
    line1 = ma.fields.String(required=True)
    city = ma.fields.String(required=True)
    postal_code = ma.fields.String(required=True)


class ShopperContactSchema(BaseSchema):
    name = ma.fields.String(required=True)
    phone = ma.fields.String(required=True, metadata={"example": "+212612345678"})
    address = ma.fields.Nested(
        DeliveryAddressSchema, required=True, metadata={"description": "empty for pickups"}
    )


class CooperativePartSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    order_number = ma.fields.String(required=True)
    placed_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PartStatus)))
    delivery_method = ma.fields.String(required=True, validate=ma.validate.OneOf(DELIVERY_METHODS))
    payment_method = ma.fields.String(
        required=True, validate=ma.validate.OneOf(list(PaymentMethod))
    )
    shipping = ma.fields.Nested(MoneySchema, required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    total = ma.fields.Nested(
        MoneySchema,
        required=True,
        metadata={"description": "lines + shipping: the cash to collect"},
    )
    cash_collected = ma.fields.Nested(MoneySchema, required=True, allow_none=True)
    stand = ma.fields.Nested(PickupStandSchema, required=True, allow_none=True)
    shopper = ma.fields.Nested(ShopperContactSchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)
    allowed_transitions = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "the statuses this part may be moved to now"},
    )


CooperativePartPageSchema = page_schema(CooperativePartSchema, "CooperativePartPage")


class PartListArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(list(PartStatus)))


class PartTransitionSchema(BaseSchema):
    to = ma.fields.String(required=True, validate=ma.validate.OneOf(MOVES))
    note = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=1000),
        metadata={"description": "required to cancel: the reason, shown to the shopper"},
    )
    pickup_code = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=20),
        metadata={"description": "the shopper's code, to hand over a pickup (ready -> delivered)"},
    )
    carrier = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=60),
        metadata={"description": "with `shipped`: who carries the parcel (shown to the shopper)"},
    )
    tracking_number = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=ma.validate.Length(max=60),
        metadata={"description": "with `shipped`: the carrier's tracking number"},
    )


class CashCollectedSchema(BaseSchema):
    amount = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=0, max=MAX_PARSED_CENTS),
        metadata={"description": "centimes collected: the part's whole total"},
    )


def cooperative_part_body(part: CooperativeOrder) -> dict[str, Any]:
    order = part.order
    return {
        "id": part.id,
        "order_number": order.number,
        "placed_at": order.placed_at,
        "status": part.status,
        "delivery_method": part.delivery_method,
        "payment_method": order.payment_method,
        "shipping": money(part.shipping_cents),
        "subtotal": money(part.subtotal_cents),
        "total": money(part.total_cents),
        "cash_collected": money(part.cash_collected_cents),
        "stand": stand_body(part),
        "shopper": {
            "name": order.contact_name,
            "phone": order.contact_phone,
            "address": {
                "line1": order.address_line1,
                "city": order.address_city,
                "postal_code": order.address_postal_code,
            },
        },
        "lines": [line_body(line) for line in part.lines],
        "allowed_transitions": states.allowed_part_moves(
            part.status, part.delivery_method, order.payment_method, order.status
        ),
    }


def _member_part(part_id: int) -> CooperativeOrder:
    """The part, for a member of its cooperative: 404 unknown, 403 anyone else."""
    part = queries.part_by_id(part_id)
    require_member(signed_in_user(), part.cooperative_id)
    return part


def _part_members_only(view: Callable) -> Callable:
    """Who may move the part is checked before the body is parsed (401, 404, then 403),
    so a stranger never gets the body's validation errors."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        signed_in_user()
        _member_part(kwargs["part_id"])
        return view(*args, **kwargs)

    return checked


@blp.route("/cooperatives/<id:cooperative_id>/orders", methods=["GET"])
@signed_in
@blp.arguments(PartListArgsSchema, location="query")
@blp.response(200, CooperativePartPageSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def list_parts(args: dict[str, Any], cooperative_id: int):
    """The cooperative's parts of orders, newest first, with the shopper's delivery contact."""
    require_member(signed_in_user(), cooperative_id)
    statement = queries.cooperative_parts(cooperative_id, args.get("status"))
    parts, total = page_of(statement, args["page"], args["per_page"])
    return page_body(
        [cooperative_part_body(part) for part in parts], args["page"], args["per_page"], total
    )


@blp.route("/order-parts/<id:part_id>/transition", methods=["POST"])
@_part_members_only
@blp.arguments(PartTransitionSchema)
@blp.response(200, CooperativePartSchema)
@blp.alt_response(409, description="Not a move this part can make now (`illegal_transition`).")
@blp.alt_response(
    422, description="Wrong pickup code (`wrong_pickup_code`), or a cancel with no reason."
)
@blp.alt_response(
    429,
    description="Five wrong pickup codes for this part within the hour: no hand-over, even "
    "with the right code, until an hour after the last (`too_many_pickup_attempts`).",
)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def transition_part(body: dict[str, Any], part_id: int):
    """Move the part: confirm, ready (pickups), ship, deliver, refuse (at the door), cancel."""
    part = _member_part(part_id)
    services.move_part(
        part,
        body["to"],
        member=signed_in_user(),
        note=body["note"],
        pickup_code=body["pickup_code"],
        carrier=body["carrier"],
        tracking_number=body["tracking_number"],
    )
    return cooperative_part_body(part)


@blp.route("/order-parts/<id:part_id>/cash-collected", methods=["POST"])
@_part_members_only
@blp.arguments(CashCollectedSchema)
@blp.response(200, CooperativePartSchema)
@blp.alt_response(409, description="Not a cash part, or not handed over yet (`not_cash`).")
@blp.alt_response(422, description="Not the part's total (`wrong_amount`).")
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def record_cash(body: dict[str, Any], part_id: int):
    """Record the cash collected for a cash-on-delivery or pay-at-stand part (once)."""
    part = _member_part(part_id)
    services.record_cash_collected(part, signed_in_user(), body["amount"])
    return cooperative_part_body(part)
