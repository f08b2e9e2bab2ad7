"""Checkout and the shopper's orders over the API (API.md "Cart and checkout").

Prices and totals are always the server's: a body carrying prices, totals or
anything else the schema does not name is refused (422). The same
``idempotency_key`` again returns the order it made, with 200 instead of 201.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import session, url_for
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.common import (
    BaseSchema,
    MoneySchema,
    PageArgsSchema,
    money,
    page_body,
    page_schema,
)
from app.api.cooperatives import (
    AUTH_RESPONSES,
    SIGNED_IN,
    cooperative_summary,
    signed_in,
    signed_in_user,
)
from app.cart.carts import ShopperCart, cart_for
from app.cart.queries import DELIVERY_METHODS, cart_contents
from app.cooperatives.schemas import CooperativeSummarySchema
from app.cooperatives.validation import PHONE_TEXT_PATTERN
from app.core.language import current_language
from app.core.names import no_bidi_controls
from app.core.paging import page_of
from app.orders import checkout, queries
from app.orders.models import (
    CooperativeOrder,
    Order,
    OrderLine,
    OrderStatus,
    PartStatus,
    PaymentMethod,
)
from app.orders.services import CheckoutLinks
from app.payments import services as payments
from app.payments.models import Refund
from app.payments.queries import refunds_by_order

blp = Blueprint("api_orders", __name__, description="Checkout and the shopper's orders.")


# Shapes out ------------------------------------------------------------------------


class LineFairTradeSchema(BaseSchema):
    producer = ma.fields.Nested(MoneySchema, required=True)
    platform = ma.fields.Nested(MoneySchema, required=True)
    solidarity = ma.fields.Nested(MoneySchema, required=True)


class OrderLineSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, metadata={"description": "as it was at checkout"})
    unit_price = ma.fields.Nested(MoneySchema, required=True)
    quantity = ma.fields.Integer(required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
    fair_trade = ma.fields.Nested(
        LineFairTradeSchema,
        required=True,
        metadata={"description": "where the line's total goes; the three add up to `total`"},
    )


class PickupStandSchema(BaseSchema):
    fair_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)


class OrderPartSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    cooperative = ma.fields.Nested(CooperativeSummarySchema, required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(PartStatus)))
    delivery_method = ma.fields.String(required=True, validate=ma.validate.OneOf(DELIVERY_METHODS))
    shipping = ma.fields.Nested(MoneySchema, required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema), required=True)
    pickup_code = ma.fields.String(
        metadata={"description": "pickup parts only: show it (or its QR code) to collect"}
    )
    stand = ma.fields.Nested(
        PickupStandSchema,
        allow_none=True,
        metadata={"description": "stand pickups: where to collect"},
    )
    carrier = ma.fields.String(
        allow_none=True, metadata={"description": "shipped parts: who carries the parcel"}
    )
    tracking_number = ma.fields.String(
        allow_none=True, metadata={"description": "shipped parts: the carrier's tracking number"}
    )


class OrderRefundSchema(BaseSchema):
    amount = ma.fields.Nested(MoneySchema, required=True)
    created_at = ma.fields.DateTime(required=True)


class OrderSchema(BaseSchema):
    number = ma.fields.String(required=True, metadata={"example": "ST-7K3Q9X"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(list(OrderStatus)))
    payment_method = ma.fields.String(
        required=True, validate=ma.validate.OneOf(list(PaymentMethod))
    )
    placed_at = ma.fields.DateTime(required=True)
    total = ma.fields.Nested(MoneySchema, required=True)
    parts = ma.fields.List(ma.fields.Nested(OrderPartSchema), required=True)
    refunds = ma.fields.List(ma.fields.Nested(OrderRefundSchema), required=True)


class CardPaymentSchema(BaseSchema):
    client_secret = ma.fields.String(
        required=True,
        metadata={"description": "for Stripe.js (Payment Element) to take the card"},
    )


class CheckoutOrderSchema(OrderSchema):
    payment = ma.fields.Nested(
        CardPaymentSchema,
        allow_none=True,
        metadata={"description": "card orders awaiting payment only"},
    )


OrderPageSchema = page_schema(OrderSchema, "OrderPage")


def line_body(line: OrderLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "product_id": line.product_id,
        "name": line.name,
        "unit_price": money(line.unit_price_cents),
        "quantity": line.quantity,
        "total": money(line.total_cents),
        "fair_trade": {
            "producer": money(line.producer_cents),
            "platform": money(line.platform_cents),
            "solidarity": money(line.solidarity_cents),
        },
    }


def stand_body(part: CooperativeOrder) -> dict[str, Any] | None:
    if part.stand is None:
        return None
    return {"fair_id": part.stand.fair_id, "code": part.stand.code}


def part_body(part: CooperativeOrder, language: str) -> dict[str, Any]:
    """A part as its shopper sees it: with the pickup code, for pickups."""
    body = {
        "id": part.id,
        "cooperative": cooperative_summary(part.cooperative, language),
        "status": part.status,
        "delivery_method": part.delivery_method,
        "shipping": money(part.shipping_cents),
        "subtotal": money(part.subtotal_cents),
        "lines": [line_body(line) for line in part.lines],
        "stand": stand_body(part),
        "carrier": part.carrier,
        "tracking_number": part.tracking_number,
    }
    if part.is_pickup:
        body["pickup_code"] = part.pickup_code
    return body


def order_body(order: Order, refunds: list[Refund] | None = None) -> dict[str, Any]:
    """The order as API.md shapes it; ``refunds`` when already loaded (a page of orders)."""
    language = current_language()
    if refunds is None:
        refunds = refunds_by_order([order.id]).get(order.id, [])
    return {
        "number": order.number,
        "status": order.status,
        "payment_method": order.payment_method,
        "placed_at": order.placed_at,
        "total": money(order.total_cents),
        "parts": [part_body(part, language) for part in order.parts],
        "refunds": [
            {"amount": money(refund.amount_cents), "created_at": refund.created_at}
            for refund in refunds
        ],
    }


# Shapes in --------------------------------------------------------------------------


class CheckoutAddressSchema(BaseSchema):
    name = ma.fields.String(
        required=True,
        validate=[ma.validate.Length(max=checkout.NAME_MAX), no_bidi_controls],
        metadata={"example": "Fatima Zahra"},
    )
    line1 = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=checkout.LINE1_MAX),
        metadata={
            "description": "required for home delivery",
            "example": "12, rue Al Qods, Hay Salam",
        },
    )
    city = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=checkout.CITY_MAX),
        metadata={"description": "required for home delivery", "example": "Beni Mellal"},
    )
    postal_code = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=10),
        metadata={"description": "5 digits; required for home delivery", "example": "23000"},
    )


class CheckoutSchema(BaseSchema):
    idempotency_key = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=checkout.IDEMPOTENCY_KEY_MAX),
        metadata={
            "description": "one per checkout attempt (e.g. a UUID); a replay returns the same order"
        },
    )
    payment_method = ma.fields.String(
        required=True, validate=ma.validate.OneOf(list(PaymentMethod))
    )
    delivery = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Regexp(r"^[1-9][0-9]{0,9}$")),
        values=ma.fields.String(validate=ma.validate.OneOf(DELIVERY_METHODS)),
        required=True,
        metadata={
            "description": "cooperative id -> delivery method, for each cooperative in the cart"
        },
    )
    address = ma.fields.Nested(CheckoutAddressSchema, required=True)
    phone = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=30),
        metadata={
            "description": "Moroccan: +212 or 0, then 9 digits starting 5, 6 or 7",
            "pattern": PHONE_TEXT_PATTERN,
        },
    )


class QuoteSchema(BaseSchema):
    """The body of ``POST /checkout`` without ``idempotency_key``; only the deliveries (and
    the payment method, when given) change the total, so contact and address may be left out."""

    payment_method = ma.fields.String(validate=ma.validate.OneOf(list(PaymentMethod)))
    delivery = CheckoutSchema._declared_fields["delivery"]
    address = ma.fields.Nested(CheckoutAddressSchema)
    phone = ma.fields.String(validate=ma.validate.Length(max=30))


class QuotedPartSchema(BaseSchema):
    cooperative = ma.fields.Nested(CooperativeSummarySchema, required=True)
    delivery_method = ma.fields.String(required=True, validate=ma.validate.OneOf(DELIVERY_METHODS))
    shipping = ma.fields.Nested(MoneySchema, required=True)
    subtotal = ma.fields.Nested(MoneySchema, required=True)


class CheckoutQuoteSchema(BaseSchema):
    parts = ma.fields.List(ma.fields.Nested(QuotedPartSchema), required=True)
    total = ma.fields.Nested(MoneySchema, required=True)


def _confirmation_links() -> CheckoutLinks:
    """The cash-on-delivery confirmation link an API checkout's message carries (a page)."""
    return CheckoutLinks(
        confirmation=lambda token: url_for("storefront.confirm_order", token=token, _external=True)
    )


# Endpoints --------------------------------------------------------------------------


@blp.route("/checkout/quote", methods=["POST"])
@blp.arguments(QuoteSchema)
@blp.response(200, CheckoutQuoteSchema, description="What checkout would charge now.")
@blp.alt_response(
    409, description="`out_of_stock` or `product_not_for_sale`: `fields.products` names them."
)
@blp.alt_response(
    422, description="A delivery method the cooperative does not offer (`fields.delivery.<id>`)."
)
@blp.doc(security=[*SIGNED_IN, {}])
def quote_checkout(body: dict[str, Any]):
    """The total with delivery of the caller's cart for these choices; changes nothing.

    The same function as the checkout page's total; an anonymous caller quotes the cart
    kept in its session cookie.
    """
    contents = cart_contents(cart_for(current_user, session))
    quote = checkout.quote_checkout(contents, body["delivery"], body.get("payment_method"))
    language = current_language()
    return {
        "parts": [
            {
                "cooperative": cooperative_summary(part.group.cooperative, language),
                "delivery_method": part.delivery_method,
                "shipping": money(part.shipping_cents),
                "subtotal": money(part.subtotal_cents),
            }
            for part in quote.parts
        ],
        "total": money(quote.total_cents),
    }


@blp.route("/checkout", methods=["POST"])
@signed_in
@blp.arguments(CheckoutSchema)
@blp.response(201, CheckoutOrderSchema, description="The order placed.")
@blp.alt_response(
    200, schema=CheckoutOrderSchema, description="This idempotency key's order, placed before."
)
@blp.alt_response(
    409, description="`out_of_stock` or `product_not_for_sale`: `fields.products` names them."
)
@blp.alt_response(422, description="Bad address, phone, delivery or payment method (`fields`).")
@blp.alt_response(
    503,
    description="`payment_gateway_error`: Stripe unreachable; the card order was cancelled, "
    "its products put back in the cart.",
)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def place_order(body: dict[str, Any]):
    """Turn the cart into one order with one part per cooperative; prices are the server's."""
    shopper = signed_in_user()
    request = checkout.CheckoutRequest(
        payment_method=body["payment_method"],
        delivery=body["delivery"],
        address=checkout.Address(**body["address"]),
        phone=body["phone"],
        idempotency_key=body["idempotency_key"],
    )
    placed = payments.checkout(
        shopper, ShopperCart(shopper.id), request, links=_confirmation_links()
    )
    answer = order_body(placed.order)
    if placed.order.payment_method == PaymentMethod.CARD:
        answer["payment"] = {"client_secret": placed.card.client_secret} if placed.card else None
    return answer, 201 if placed.created else 200


@blp.route("/orders", methods=["GET"])
@signed_in
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, OrderPageSchema)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def list_orders(args: dict[str, Any]):
    """The shopper's orders, newest first."""
    shopper = signed_in_user()
    orders, total = page_of(queries.shopper_orders(shopper.id), args["page"], args["per_page"])
    refunds = refunds_by_order(order.id for order in orders)
    items = [order_body(order, refunds.get(order.id, [])) for order in orders]
    return page_body(items, args["page"], args["per_page"], total)


@blp.route("/orders/<number>", methods=["GET"])
@signed_in
@blp.response(200, OrderSchema)
@blp.alt_response(404, description="No such order of yours (another shopper's included).")
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def get_order(number: str):
    """One of the shopper's orders, with pickup codes for its pickup parts."""
    return order_body(queries.order_for_shopper(number, signed_in_user()))


@blp.route("/orders/<number>/cancel", methods=["POST"])
@signed_in
@blp.response(200, OrderSchema)
@blp.alt_response(404, description="No such order of yours.")
@blp.alt_response(
    409, description="A part has shipped (`already_shipped`), or the order is finished."
)
@blp.doc(security=SIGNED_IN, responses=AUTH_RESPONSES)
def cancel_order(number: str):
    """Cancel the whole order before anything shipped; its stock returns, and what was paid
    by card goes back to the card."""
    shopper = signed_in_user()
    payments.cancel_order(queries.order_for_shopper(number, shopper), shopper)
    return order_body(queries.order_for_shopper(number, shopper))
