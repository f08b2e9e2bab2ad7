"""The API's error body, as the OpenAPI document describes it.

Errors are rendered by the app-wide handlers of ``app.web.errors``, in this shape.
"""

from __future__ import annotations

import marshmallow as ma


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "out_of_stock"})
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "each bad field and its messages"},
    )


class ErrorSchema(ma.Schema):
    """What every error under /api looks like; documented as each operation's error answer."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)
