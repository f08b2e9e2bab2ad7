"""Row ids as the outside world sends them: in URLs (``<id:product_id>``), queries and bodies.

Every table's primary key is a 32-bit signed integer on PostgreSQL, so an id above
``MAX_ID`` names nothing; sending it to the database would be an error (PostgreSQL
refuses to compare an integer column with a bigger number, SQLite cannot bind an int
beyond 2^63), and a 500 for bad input. Routes take ids through ``IdConverter``, which
makes such a URL a plain 404 before any view runs; fields of queries and bodies are
validated against ``MAX_ID`` (422).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from werkzeug.routing import IntegerConverter, ValidationError

#: The largest id a row can have (PostgreSQL ``integer``); larger ones are not found.
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def is_id(value: object) -> bool:
    """True for an int (not a bool) that could be a row's id: 1..MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class IdConverter(IntegerConverter):
    """``<id:name>``: digits naming a row, 1..MAX_ID; anything else does not match (404)."""

    def __init__(self, map: Any) -> None:
        super().__init__(map, min=1, max=MAX_ID)

    def to_python(self, value: str) -> int:
        # Checked before int(): a 5,000-digit id costs nothing and never reaches Python's
        # limit on converting long digit strings.
        if len(value) > _MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)


def id_parameter_schema(converter: IdConverter) -> dict[str, Any]:
    """How the OpenAPI document describes an ``<id:...>`` path parameter."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def id_field(**kwargs: Any) -> ma.fields.Integer:
    """An id in a query or a JSON body: 1..MAX_ID, anything else a 422."""
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)
