"""JSON API v1 (../shared/API.md), described by the OpenAPI document at /api/v1/openapi.json.

flask-smorest builds the document from the same marshmallow schemas that
validate requests. Each group of endpoints is a module here with a flask-smorest
Blueprint named `blp` (routes relative to /api/v1), listed in `register_api`, which
exempts them from form CSRF (app.api.security checks cookie writes instead). Errors
are rendered by the app-wide handlers (app.web.errors) in the shape of `ErrorSchema`.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi

from app.api.errors import ErrorSchema

API_PREFIX = "/api/v1"


class Api(SmorestApi):
    #: The document describes our error body, {"error": {"code", "message", "fields"}}.
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by app.web.errors, for the whole app (JSON under /api)."""


api = Api()


def register_api(app: Flask) -> None:
    from app.api import (
        auth,
        cart,
        catalog,
        cooperative_money,
        cooperatives,
        fairs,
        fee_rules,
        ledger,
        order_parts,
        orders,
        payouts,
        refunds,
        reports,
        security,
    )
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
    security.register(app)
    for group in (
        auth,
        cart,
        catalog,
        cooperative_money,
        cooperatives,
        fairs,
        fee_rules,
        ledger,
        order_parts,
        orders,
        payouts,
        refunds,
        reports,
    ):
        csrf.exempt(group.blp)
        api.register_blueprint(group.blp, url_prefix=API_PREFIX)
