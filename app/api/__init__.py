"""JSON API v1 (../shared/API.md), described by the OpenAPI document at /api/v1/openapi.json.

flask-smorest builds the document from the same marshmallow schemas that
validate requests. Each domain's endpoints live in their own module here and
are registered by `register_api`.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi

API_PREFIX = "/api/v1"


class Api(SmorestApi):
    def _register_error_handlers(self) -> None:
        """Errors are rendered by app.api.errors, for /api paths only (HTML pages keep theirs)."""


api = Api()


def register_api(app: Flask) -> None:
    from app.api import errors, security

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
    for blueprint in blueprints():
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + blueprint.url_prefix_suffix)


def blueprints() -> list:
    """Every API blueprint, in the order they appear in the document."""
    return []
