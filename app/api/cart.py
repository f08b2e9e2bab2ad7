"""The shopper's cart over the API (API.md "Cart and checkout").

A bearer token or a logged-in session works on the shopper's own cart; an
anonymous client works on a cart kept in its session cookie, merged into the
shopper's cart when it logs in. Prices always come from the database.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import session
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.common import BaseSchema, MoneySchema, money
from app.api.cooperatives import cooperative_summary
from app.cart import services
from app.cart.carts import cart_for
from app.cart.queries import DELIVERY_METHODS, CartContents, cart_contents
from app.cooperatives.schemas import CooperativeSummarySchema
from app.core.errors import NotFound
from app.core.ids import is_id
from app.core.language import current_language

blp = Blueprint("api_cart", __name__, description="The shopper's cart.")


class CartLineSchema(BaseSchema):
    product_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    unit_price = ma.fields.Nested(MoneySchema, required=True)
    quantity = ma.fields.Integer(required=True)
    total = ma.fields.Nested(MoneySchema, required=True)


class CartGroupSchema(BaseSchema):
    cooperative = ma.fields.Nested(CooperativeSummarySchema, required=True)
    lines = ma.fields.List(ma.fields.Nested(CartLineSchema), required=True)
    delivery_options = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(DELIVERY_METHODS)),
        required=True,
        metadata={
            "description": "home_delivery (the cooperative's flat fee), coop_pickup, and "
            "stand_pickup only while a fair where it has a stand is open today"
        },
    )
    subtotal = ma.fields.Nested(MoneySchema, required=True)


class CartSchema(BaseSchema):
    groups = ma.fields.List(ma.fields.Nested(CartGroupSchema), required=True)
    total = ma.fields.Nested(
        MoneySchema,
        required=True,
        metadata={"description": "lines only; shipping is chosen at checkout"},
    )


class CartQuantitySchema(BaseSchema):
    quantity = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=0, max=services.MAX_QUANTITY),
        metadata={"description": "units wanted; 0 removes the line"},
    )


def cart_body(contents: CartContents) -> dict[str, Any]:
    language = current_language()
    return {
        "groups": [
            {
                "cooperative": cooperative_summary(group.cooperative, language),
                "lines": [
                    {
                        "product_id": line.product.id,
                        "name": line.product.translated("name", language),
                        "unit_price": money(line.unit_price_cents),
                        "quantity": line.quantity,
                        "total": money(line.total_cents),
                    }
                    for line in group.lines
                ],
                "delivery_options": group.delivery_options,
                "subtotal": money(group.subtotal_cents),
            }
            for group in contents.groups
        ],
        "total": money(contents.total_cents),
    }


def _current_cart():
    return cart_for(current_user, session)


def _product_id(product_id: int) -> int:
    if not is_id(product_id):
        raise NotFound(_("No such product."))
    return product_id


@blp.route("/cart", methods=["GET"])
@blp.response(200, CartSchema)
def get_cart():
    """The cart grouped by cooperative, priced now, with each cooperative's delivery options."""
    return cart_body(cart_contents(_current_cart()))


@blp.route("/cart/items/<id:product_id>", methods=["PUT"])
@blp.arguments(CartQuantitySchema)
@blp.response(200, CartSchema)
@blp.alt_response(404, description="No such product on sale (`product_not_for_sale`).")
@blp.alt_response(409, description="More than the stock (`out_of_stock`).")
def put_cart_item(body: dict[str, Any], product_id: int):
    """Set how many units of a product the cart holds; 0 removes the line."""
    cart = _current_cart()
    services.set_cart_quantity(cart, _product_id(product_id), body["quantity"])
    return cart_body(cart_contents(cart))


@blp.route("/cart/items/<id:product_id>", methods=["DELETE"])
@blp.response(200, CartSchema)
def delete_cart_item(product_id: int):
    """Remove a product's line from the cart (nothing happens if it is not there)."""
    cart = _current_cart()
    if is_id(product_id):
        services.remove_from_cart(cart, product_id)
    return cart_body(cart_contents(cart))
