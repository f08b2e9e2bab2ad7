"""JSON API v1 (../shared/API.md), described by the OpenAPI document at /api/v1/openapi.json.

flask-smorest builds the document from the same marshmallow schemas that
validate requests. Each group of endpoints is a module here with a flask-smorest
Blueprint named `blp` (routes relative to /api/v1), listed in `register_api`, which
exempts them from form CSRF (app.api.security checks cookie writes instead). Errors
are rendered by the app-wide handlers (app.web.errors) in the shape of `ErrorSchema`.
"""

from __future__ import annotations

import importlib

from flask import Flask
from flask_smorest import Api as SmorestApi

from app.api.errors import ErrorSchema
from app.core.ids import IdConverter, id_parameter_schema

API_PREFIX = "/api/v1"


class Api(SmorestApi):
    #: The document describes our error body, {"error": {"code", "message", "fields"}}.
    ERROR_SCHEMA = ErrorSchema

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Path ids are documented as the integers the converter takes (1..MAX_ID).
        self.register_converter(IdConverter, id_parameter_schema)

    def _register_error_handlers(self) -> None:
        """Errors are rendered by app.web.errors, for the whole app (JSON under /api)."""


api = Api()


#: The API's route modules, each holding one blueprint ``blp``: registered in this order,
#: and only these (nothing registers itself by being imported).
ROUTE_MODULES = (
    "auth",
    "cart",
    "catalog",
    "cooperative_money",
    "cooperatives",
    "fairs",
    "fee_rules",
    "ledger",
    "order_parts",
    "orders",
    "payouts",
    "refunds",
    "reports",
    "search",
)


def register_api(app: Flask) -> None:
    from app.extensions import csrf

    api.init_app(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            }
        },
    )
    from app.api import security

    security.register(app)
    api.ma_plugin.converter.add_parameter_attribute_function(document_empty_values)
    for name in ROUTE_MODULES:
        group = importlib.import_module(f"app.api.{name}")
        csrf.exempt(group.blp)
        api.register_blueprint(group.blp, url_prefix=API_PREFIX)
    describe_payment_methods(app)


def document_empty_values(converter, field, **kwargs) -> dict:
    """``allowEmptyValue`` for the query arguments of a schema that reads ``?x=`` as no
    ``x`` (``EMPTY_MEANS_ABSENT``), so that the document admits what the API accepts."""
    parent = getattr(field, "parent", None)
    return {"allowEmptyValue": True} if getattr(parent, "EMPTY_MEANS_ABSENT", False) else {}


def describe_payment_methods(app: Flask) -> None:
    """The document offers card at checkout only where Stripe is configured: elsewhere the
    server refuses it (422), and a client reading the document must know before it asks."""
    from app.orders.models import PaymentMethod

    config = app.config
    if config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY"):
        return
    checkout = api.spec.components.schemas["Checkout"]["properties"]["payment_method"]
    checkout["enum"] = [method for method in checkout["enum"] if method != PaymentMethod.CARD]
    checkout["description"] = "card only where the marketplace takes cards (not on this server)"
