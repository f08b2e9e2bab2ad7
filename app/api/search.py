"""Search help for type-ahead: completions of what the shopper is typing."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.catalog import json_bytes, json_response
from app.catalog.cache import cached_answer
from app.catalog.search_help import suggest
from app.core.language import current_language

blp = Blueprint("api_search", __name__, description="Search help: type-ahead completions.")


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ma.ValidationError(_("Must not contain NUL characters."))


class SuggestArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    q = ma.fields.String(
        load_default="",
        validate=[ma.validate.Length(max=200), _no_nul],
        metadata={"description": "what the shopper has typed; the last word is a prefix"},
    )


class CompletionSchema(ma.Schema):
    class Meta:
        ordered = True

    kind = ma.fields.String(
        required=True, metadata={"enum": ["product", "cooperative", "category"]}
    )
    id = ma.fields.Integer(required=True)
    label = ma.fields.String(required=True, metadata={"description": "in the reader's language"})


@blp.get("/search/suggest")
@blp.arguments(SuggestArgsSchema, location="query")
@blp.response(200, CompletionSchema(many=True))
def suggest_completions(args: dict[str, Any]):
    """Up to 8 completions (products, cooperatives, categories) of `q` being typed, best first.

    Same matching as the product search's `q` (words in any order, any language, Darija
    spellings); the last word matches as the start of a word.
    """
    return json_response(
        cached_answer("api-suggest", lambda: json_bytes(suggest(args["q"], current_language())))
    )
