"""JSON API v1 (../shared/API.md), described by the OpenAPI document at /api/v1/openapi.json.

flask-smorest builds the document from the same marshmallow schemas that
validate requests. Each group of endpoints is a module here with a flask-smorest
Blueprint named `blp` (routes relative to /api/v1); `register_api` finds them,
exempts them from form CSRF (app.api.security checks cookie writes instead).
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
        """Errors are rendered by app.api.errors, for /api paths only (HTML pages keep theirs)."""


api = Api()


def register_api(app: Flask) -> None:
    from app.api import errors, security
    from app.discovery import submodules
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
    errors.register(app)
    security.register(app)
    for module in submodules("app.api"):
        blueprint = getattr(module, "blp", None)
        if blueprint is not None:
            csrf.exempt(blueprint)
            api.register_blueprint(blueprint, url_prefix=API_PREFIX)
