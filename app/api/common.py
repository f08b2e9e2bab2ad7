"""Shapes every API module shares: Money, page arguments and paginated lists."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.core.money import CURRENCY
from app.core.paging import page_argument

DEFAULT_PER_PAGE = 24
MAX_PER_PAGE = 100


class BaseSchema(ma.Schema):
    class Meta:
        ordered = True
        unknown = ma.RAISE


class MoneySchema(BaseSchema):
    amount = ma.fields.Integer(required=True, metadata={"description": "centimes of MAD"})
    currency = ma.fields.String(required=True, metadata={"example": CURRENCY})


def money(cents: int | None) -> dict[str, Any] | None:
    return None if cents is None else {"amount": int(cents), "currency": CURRENCY}


class PageArgsSchema(BaseSchema):
    class Meta:
        unknown = ma.EXCLUDE

    page = page_argument()
    per_page = ma.fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A documented list schema {"items", "page", "per_page", "total"} for `item_schema`."""
    return type(
        name,
        (BaseSchema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
        },
    )


def page_body(items: list[Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total}
