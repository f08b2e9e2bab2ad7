"""Catalog API: categories, product search, one product, and members' product edits.

Shapes follow ../shared/API.md to the letter; the OpenAPI document is built
from the schemas below, which also validate the requests.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import marshmallow as ma
import orjson
from flask import Response, current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from werkzeug.exceptions import Unauthorized

from app.api.common import BaseSchema, MoneySchema, PageArgsSchema, money, page_body, page_schema
from app.catalog import queries, services, summaries
from app.catalog.cache import cached_answer
from app.catalog.models import Product
from app.catalog.search_help import help_when_nothing_found
from app.catalog.upload_limits import limit_photo_uploads
from app.catalog.validation import MAX_PRICE_CENTS, MAX_STOCK
from app.cooperatives.models import PROVINCES, Cooperative
from app.cooperatives.permissions import require_member
from app.core.errors import DomainError, NotFound
from app.core.ids import id_field, is_id
from app.core.language import current_language
from app.core.money import MAX_PARSED_CENTS
from app.core.names import no_bidi_controls
from app.extensions import db
from app.fees.engine import FeeBreakdown
from app.fees.services import UnitOnSale, unit_splits, unit_splits_of

blp = Blueprint(
    "api_catalog", __name__, description="Categories and products: browse, search, list and edit."
)

LANGUAGES = ("ar", "fr", "en")
T = TypeVar("T")


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ma.ValidationError(_("Must not contain NUL characters."))


# Shapes out ------------------------------------------------------------------------


class CategorySchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True, metadata={"description": "in the reader's language"})
    parent_id = ma.fields.Integer(required=True, allow_none=True)


class ProductCategorySchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class ProductCooperativeSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    province = ma.fields.String(required=True, metadata={"enum": list(PROVINCES)})


class ProductFairTradeSchema(BaseSchema):
    producer = ma.fields.Nested(MoneySchema, required=True)
    platform = ma.fields.Nested(MoneySchema, required=True)
    solidarity = ma.fields.Nested(MoneySchema, required=True)


class ProductSchema(BaseSchema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    price = ma.fields.Nested(MoneySchema, required=True)
    stock = ma.fields.Integer(required=True)
    unit = ma.fields.String(required=True)
    category = ma.fields.Nested(ProductCategorySchema, required=True)
    cooperative = ma.fields.Nested(ProductCooperativeSchema, required=True)
    labels = ma.fields.List(
        ma.fields.String(metadata={"enum": list(queries.LABEL_KINDS)}), required=True
    )
    image_url = ma.fields.String(required=True, allow_none=True)
    fair_trade = ma.fields.Nested(
        ProductFairTradeSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "the split of one unit at today's rules; the three add up to `price`"
            " (null only while no fee rule applies)"
        },
    )


class SearchHelpSchema(BaseSchema):
    spellings = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "other spellings of `q` that find products, best first"},
    )
    categories = ma.fields.List(
        ma.fields.Nested(ProductCategorySchema),
        required=True,
        metadata={"description": "categories whose name holds a word of `q`"},
    )


class ProductPageSchema(page_schema(ProductSchema, "ProductPageBase")):  # type: ignore[misc]
    suggestions = ma.fields.Nested(
        SearchHelpSchema,
        metadata={"description": "only when `q` is given and nothing matched: did you mean"},
    )


# Shapes in --------------------------------------------------------------------------


class ProductSearchArgsSchema(PageArgsSchema):
    q = ma.fields.String(validate=[ma.validate.Length(max=200), _no_nul])
    province = ma.fields.String(validate=ma.validate.OneOf(PROVINCES))
    category = ma.fields.String(
        validate=[ma.validate.Length(max=80), _no_nul],
        metadata={"description": "slug or id; includes its subcategories"},
    )
    cooperative = id_field()
    label = ma.fields.String(validate=ma.validate.OneOf(queries.LABEL_KINDS))
    min_price = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=MAX_PARSED_CENTS),
        metadata={"description": "centimes"},
    )
    max_price = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=MAX_PARSED_CENTS),
        metadata={"description": "centimes"},
    )
    in_stock = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "true: only products with units on hand; false: all"},
    )
    fair = id_field(
        metadata={"description": "cooperatives with a stand at that fair"},
    )
    sort = ma.fields.String(load_default="relevance", validate=ma.validate.OneOf(queries.SORTS))

    #: The document says so (``allowEmptyValue``; app.api.document_empty_values).
    EMPTY_MEANS_ABSENT = True

    @ma.pre_load
    def drop_empty_values(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        """``?min_price=`` (an empty box of a form) means no filter, not a bad number."""
        return {name: data[name] for name in data if data[name] != ""}

    @ma.validates_schema
    def check_price_range(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise ma.ValidationError(_("Must not be below min_price."), "max_price")


class LabelInput(ma.fields.Field):
    """A label kind ("IGP"), or {"kind", "certificate_number"}; the service checks the kinds."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return value
        raise ma.ValidationError(_("Give a label kind or {kind, certificate_number}."))


_LABEL_DOC = {
    "oneOf": [
        {"type": "string", "enum": list(queries.LABEL_KINDS)},
        {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": list(queries.LABEL_KINDS)},
                "certificate_number": {"type": "string", "nullable": True},
            },
            "required": ["kind"],
            "additionalProperties": False,
        },
    ]
}


class ProductTranslationSchema(BaseSchema):
    name = ma.fields.String(validate=no_bidi_controls)
    description = ma.fields.String()


class ProductTranslationsSchema(BaseSchema):
    """The name and description in other languages: only ar, fr and en."""

    ar = ma.fields.Nested(ProductTranslationSchema)
    fr = ma.fields.Nested(ProductTranslationSchema)
    en = ma.fields.Nested(ProductTranslationSchema)


class ProductUpdateSchema(BaseSchema):
    name = ma.fields.String(validate=no_bidi_controls)
    description = ma.fields.String()
    price = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=1, max=MAX_PRICE_CENTS),
        metadata={"description": "centimes of MAD, > 0"},
    )
    stock = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=0, max=MAX_STOCK),
        metadata={"description": "units on hand, >= 0"},
    )
    unit = ma.fields.String(metadata={"example": "bottle 1 L"})
    category_id = id_field(strict=True)
    labels = ma.fields.List(LabelInput(metadata=_LABEL_DOC))
    status = ma.fields.String(validate=ma.validate.OneOf(["draft", "active", "archived"]))
    origin_commune = ma.fields.String(
        allow_none=True, metadata={"description": "default: the cooperative's commune"}
    )
    origin_province = ma.fields.String(
        allow_none=True, metadata={"description": "default: the cooperative's province"}
    )
    translations = ma.fields.Nested(
        ProductTranslationsSchema,
        metadata={"description": 'other languages: {"ar": {"name", "description"}}'},
    )


class ProductCreateSchema(ProductUpdateSchema):
    name = ma.fields.String(required=True, validate=no_bidi_controls)
    price = ma.fields.Integer(
        strict=True,
        required=True,
        validate=ma.validate.Range(min=1, max=MAX_PRICE_CENTS),
        metadata={"description": "centimes of MAD, > 0"},
    )
    unit = ma.fields.String(required=True, metadata={"example": "bottle 1 L"})
    category_id = ma.fields.Integer(strict=True, required=True)
    status = ma.fields.String(
        load_default="draft", validate=ma.validate.OneOf(["draft", "active", "archived"])
    )


class ProductImageSchema(BaseSchema):
    class Meta:
        # Other parts of the form are ignored, as a browser's form may send more.
        unknown = ma.EXCLUDE

    image = Upload(required=True, metadata={"description": "JPEG, PNG or WebP, at most 5 MB"})


# Presenting -------------------------------------------------------------------------


def product_bodies(products: list[Product]) -> list[dict[str, Any]]:
    """The API shape of each product (ORM objects: one product, a member's edits)."""
    splits = unit_splits(products)
    language = current_language()
    return [
        _body(
            {
                "id": product.id,
                "slug": product.slug,
                "name": product.translated("name", language),
                "description": product.translated("description", language),
                "price_cents": product.price_cents,
                "stock": product.stock,
                "unit": product.unit,
                "image_path": product.image_path,
                "category_id": product.category.id,
                "category_slug": product.category.slug,
                "category_name": product.category.translated("name", language),
                "cooperative_id": product.cooperative.id,
                "cooperative_name": product.cooperative.translated("name", language),
                "province": product.cooperative.province,
                "labels": [label.kind for label in product.labels],
            },
            splits.get(product.id),
        )
        for product in products
    ]


def summary_bodies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API shape of summary rows (``summaries.product_rows``), splits in one batch."""
    splits = unit_splits_of(
        UnitOnSale(
            row["id"],
            row["cooperative_id"],
            row["legal_form"],
            row["category_id"],
            row["price_cents"],
        )
        for row in rows
    )
    return [_body(row, splits.get(row["id"])) for row in rows]


def _body(row: dict[str, Any], split: FeeBreakdown | None) -> dict[str, Any]:
    image = row["image_path"]
    return {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "price": money(row["price_cents"]),
        "stock": row["stock"],
        "unit": row["unit"],
        "category": {
            "id": row["category_id"],
            "slug": row["category_slug"],
            "name": row["category_name"],
        },
        "cooperative": {
            "id": row["cooperative_id"],
            "name": row["cooperative_name"],
            "province": row["province"],
        },
        "labels": row["labels"],
        "image_url": url_for("catalog.media", filename=image, _external=True) if image else None,
        "fair_trade": None
        if split is None
        else {
            "producer": money(split.producer_cents),
            "platform": money(split.platform_cents),
            "solidarity": money(split.solidarity_cents),
        },
    }


def _require_login() -> None:
    if not current_user.is_authenticated:
        raise Unauthorized(_("Log in or send a bearer token."))


def _get(model: type, object_id: int) -> Any:
    found = db.session.get(model, object_id) if is_id(object_id) else None
    if found is None:
        raise NotFound(_("Not found."))
    return found


_SERVICE_NAMES = {"price": "price_cents"}
_API_NAMES = {service: api for api, service in _SERVICE_NAMES.items()}


def _service_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return {_SERVICE_NAMES.get(name, name): value for name, value in data.items()}


@contextmanager
def _api_field_names() -> Iterator[None]:
    """Errors name fields as the client sent them (``price``, not ``price_cents``)."""
    try:
        yield
    except DomainError as error:
        error.fields = {_API_NAMES.get(name, name): texts for name, texts in error.fields.items()}
        raise


# Endpoints --------------------------------------------------------------------------


@blp.get("/categories")
@blp.response(200, CategorySchema(many=True))
def list_categories():
    """Every category, each followed by its subcategories; names in the reader's language."""
    language = current_language()
    return [
        {
            "id": node.category.id,
            "slug": node.category.slug,
            "name": node.category.translated("name", language),
            "parent_id": node.category.parent_id,
        }
        for node in queries.categories_in_tree_order()
    ]


@blp.get("/products")
@blp.arguments(ProductSearchArgsSchema, location="query")
@blp.response(200, ProductPageSchema)
def list_products(args: dict[str, Any]):
    """Products on sale (active, of verified cooperatives), filtered and sorted.

    With `q`, an empty page carries `suggestions` (other spellings, matching categories).
    """

    def page() -> dict[str, Any]:
        ids, total = queries.search_product_ids(**args)
        rows = summaries.product_rows(ids, current_language())
        body = page_body(summary_bodies(rows), args["page"], args["per_page"], total)
        if total == 0 and args.get("q"):
            body["suggestions"] = help_when_nothing_found(args["q"], current_language())
        return body

    body = cached_answer(
        "api-products", page, refresh=lambda found: with_fresh_stock(found, found["items"])
    )
    return json_response(json_bytes(body))


@blp.get("/products/<id:product_id>")
@blp.response(200, ProductSchema)
def get_product(product_id: int):
    """A product on sale; 404 for drafts, archived, hidden or unverified cooperatives' products."""

    def product() -> dict[str, Any]:
        found = queries.visible_product(product_id)
        if found is None:
            raise NotFound(_("This product is not on sale."))
        return product_bodies([found])[0]

    body = cached_answer(
        "api-product", product, refresh=lambda found: with_fresh_stock(found, [found])
    )
    return json_response(json_bytes(body))


def with_fresh_stock(body: T, items: list[dict[str, Any]]) -> T:
    """``body`` with the ``stock`` of its product ``items`` read now (one query).

    Cached answers keep everything but stock: a checkout changes stock, not the
    catalog, so it retires no answer (app/catalog/cache.py) and no one is shown
    units that were sold meanwhile.
    """
    if items:
        stocks = summaries.stock_of([item["id"] for item in items])
        for item in items:
            item["stock"] = stocks.get(item["id"], 0)
    return body


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON with sorted keys (as Flask's own provider writes it)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def json_response(body: bytes) -> Response:
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


def _members_only(view):
    """Who may act is checked before the body is parsed: 401 anonymous, 404 unknown,
    403 for anyone but a member of the cooperative (never a 422 that answers strangers)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        _require_login()
        if "cooperative_id" in kwargs:
            cooperative_id = _get(Cooperative, kwargs["cooperative_id"]).id
        else:
            cooperative_id = _get(Product, kwargs["product_id"]).cooperative_id
        require_member(current_user, cooperative_id)
        return view(*args, **kwargs)

    return checked


@blp.post("/cooperatives/<id:cooperative_id>/products")
@_members_only
@blp.arguments(ProductCreateSchema)
@blp.response(201, ProductSchema)
def create_product(data: dict[str, Any], cooperative_id: int):
    """List a new product (members of the cooperative only); `price` in centimes."""
    cooperative = _get(Cooperative, cooperative_id)
    with _api_field_names():
        product = services.create_product(cooperative, current_user, _service_data(data))
    return product_bodies([product])[0]


@blp.patch("/products/<id:product_id>")
@blp.arguments(ProductUpdateSchema, required=False)
@blp.response(200, ProductSchema)
def update_product(data: dict[str, Any], product_id: int):
    """Change any of the product's fields (members of its cooperative only)."""
    _require_login()
    product = _get(Product, product_id)
    with _api_field_names():
        product = services.update_product(product, current_user, _service_data(data))
    return product_bodies([product])[0]


@blp.post("/products/<id:product_id>/image")
@_members_only
@limit_photo_uploads
@blp.arguments(ProductImageSchema, location="files")
@blp.response(200, ProductSchema)
@blp.alt_response(429, description="Over the account's photo uploads of the hour (30).")
def upload_product_image(files: dict[str, Any], product_id: int):
    """Replace the product's photo: multipart `image`, JPEG/PNG/WebP, at most 5 MB (413 over)."""
    product = _get(Product, product_id)
    services.set_product_image(product, current_user, files["image"])
    return product_bodies([product])[0]
