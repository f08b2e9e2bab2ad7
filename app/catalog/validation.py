"""What a product may be: the checks ``create_product`` and ``update_product`` run first.

Every field is checked before anything changes, and every bad field is named at
once, in the reader's language, so a form can show each message next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from app.catalog.errors import CooperativeNotVerified, OnssaAuthorisationMissing
from app.catalog.models import Category, LabelKind, Product, ProductStatus
from app.catalog.queries import food_category_ids
from app.catalog.units import UNKNOWN_UNIT, canonical, parse_unit
from app.cooperatives.models import PROVINCES, Cooperative, DocumentKind
from app.cooperatives.queries import has_document
from app.core.errors import ValidationFailed
from app.core.names import check_name
from app.extensions import db

#: Highest unit price a product may have, in centimes (1,000,000.00 MAD).
MAX_PRICE_CENTS = 1_000_000_00
#: Most units a product may have on hand.
MAX_STOCK = 1_000_000
MAX_DESCRIPTION_LENGTH = 5000
TRANSLATION_LANGUAGES = ("ar", "fr", "en")

#: What ``create_product``/``update_product`` read from ``data``; ``expected_stock``
#: makes a stock change conditional on the stock the member saw (``services._set_stock``).
PRODUCT_FIELDS = frozenset(
    {
        "name",
        "description",
        "price_cents",
        "stock",
        "expected_stock",
        "unit",
        "category_id",
        "labels",
        "status",
        "origin_commune",
        "origin_province",
        "translations",
    }
)
REQUIRED_FIELDS = ("name", "price_cents", "unit", "category_id")


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_product_data(
    data: Mapping[str, Any], *, cooperative: Cooperative, product: Product | None
) -> dict[str, Any]:
    """The valid values of the fields given in ``data`` (``product`` None: a new one).

    Raises ``ValidationFailed`` naming every bad or missing field at once, then
    ``CooperativeNotVerified`` if the product would go on sale (become active)
    before its cooperative is verified, ``OnssaAuthorisationMissing`` (422) if a verified
    cooperative would put food on sale with no ONSSA authorisation on file;
    ``ValueError`` for fields it does not know.
    """
    unknown = set(data) - PRODUCT_FIELDS
    if unknown:
        raise ValueError(f"unknown product fields: {sorted(unknown)}")
    cleaners: dict[str, Callable[[Any], Any]] = {
        "name": lambda value: _name(value, 160),
        "description": lambda value: _text(value, MAX_DESCRIPTION_LENGTH, required=False),
        "price_cents": lambda value: _whole_number(value, 1, MAX_PRICE_CENTS),
        "stock": lambda value: _whole_number(value, 0, MAX_STOCK),
        "expected_stock": lambda value: _whole_number(value, 0, MAX_STOCK),
        "unit": _unit,
        "category_id": _category_id,
        "labels": _labels,
        "status": _status,
        "origin_commune": lambda value: _text(value, 80, required=False) or None,
        "origin_province": _province,
        "translations": _translations,
    }
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, cleaner in cleaners.items():
        if name not in data:
            if product is None and name in REQUIRED_FIELDS:
                errors[name] = [_("This field is required.")]
            continue
        try:
            values[name] = cleaner(data[name])
        except _Invalid as invalid:
            errors[name] = [invalid.message]
    if errors:
        raise ValidationFailed(_("Some fields of the product are not valid."), fields=errors)
    becomes_active = values.get("status") == ProductStatus.ACTIVE and (
        product is None or product.status != ProductStatus.ACTIVE
    )
    if becomes_active and not cooperative.is_verified:
        message = _("Products go on sale once the cooperative is verified; save it as a draft.")
        raise CooperativeNotVerified(message, fields={"status": [message]})
    _check_food_authorisation(values, cooperative=cooperative, product=product)
    return values


def _check_food_authorisation(
    values: Mapping[str, Any], *, cooperative: Cooperative, product: Product | None
) -> None:
    """Raise ``OnssaAuthorisationMissing`` (naming ``status``, or ``category_id`` when the
    category changed) when a verified cooperative puts a product on sale in a food category,
    or moves one on sale into it, with no ONSSA authorisation on file. Drafts are free: a
    cooperative prepares them while it files its papers, and an admin checks them at
    verification."""
    status = values.get("status", product.status if product else ProductStatus.DRAFT)
    category_id = values.get("category_id", product.category_id if product else None)
    if status != ProductStatus.ACTIVE or not cooperative.is_verified:
        return
    becomes_active = product is None or product.status != ProductStatus.ACTIVE
    moves = product is not None and category_id != product.category_id
    if not (becomes_active or moves) or category_id not in food_category_ids():
        return
    if has_document(cooperative.id, DocumentKind.ONSSA_AUTHORISATION):
        return
    message = _(
        "Food goes on sale once your ONSSA authorisation is on file: file it on the "
        "Documents page, or save the product as a draft."
    )
    field = "status" if becomes_active else "category_id"
    raise OnssaAuthorisationMissing(message, fields={field: [message]})


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any, max_length: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _Invalid(_("Enter text."))
    value = value.strip()
    if required and not value:
        raise _Invalid(_("This field is required."))
    if len(value) > max_length:
        raise _Invalid(_("Use at most %(count)s characters.", count=max_length))
    if _CONTROL.search(value):
        raise _Invalid(_("Remove the control characters."))
    return value


def _name(value: Any, max_length: int, *, required: bool = True) -> str:
    text = _text(value, max_length, required=required)
    try:
        return check_name(text)
    except ValueError as error:
        raise _Invalid(str(error))


def _unit(value: Any) -> str:
    """A unit from the fixed list with its quantity ("500 g", "75 cl", "1 piece"), as the
    language-neutral text the product's ``unit`` setter reads."""
    try:
        return canonical(*parse_unit(_text(value, 40)))
    except ValueError:
        raise _Invalid(_(UNKNOWN_UNIT)) from None


def _whole_number(value: Any, smallest: int, largest: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid(_("Enter a whole number."))
    if not smallest <= value <= largest:
        raise _Invalid(
            _(
                "Enter a number from %(smallest)s to %(largest)s.",
                smallest=smallest,
                largest=largest,
            )
        )
    return value


def _category_id(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Invalid(_("Choose a category."))
    if db.session.get(Category, value) is None:
        raise _Invalid(_("There is no such category."))
    return value


_LABEL_KINDS = {kind.value.lower(): kind.value for kind in LabelKind}


def _labels(value: Any) -> list[tuple[str, str | None]]:
    """``["IGP", {"kind": "organic", "certificate_number": "BIO-1"}]`` -> [(kind, number)]."""
    if not isinstance(value, list | tuple):
        raise _Invalid(_("Give a list of labels."))
    labels: dict[str, str | None] = {}
    for item in value:
        if isinstance(item, str):
            kind_text, number = item, None
        elif isinstance(item, Mapping) and set(item) <= {"kind", "certificate_number"}:
            kind_text, number = item.get("kind"), item.get("certificate_number")
        else:
            raise _Invalid(_("Give each label as a kind or as {kind, certificate_number}."))
        kind = _LABEL_KINDS.get(kind_text.strip().lower()) if isinstance(kind_text, str) else None
        if kind is None:
            raise _Invalid(
                _("Unknown label; use one of: %(kinds)s.", kinds=", ".join(_LABEL_KINDS.values()))
            )
        if kind in labels:
            raise _Invalid(_("The label %(kind)s is given twice.", kind=kind))
        labels[kind] = _text(number, 60, required=False) or None
    return list(labels.items())


def _status(value: Any) -> str:
    statuses = [status.value for status in ProductStatus]
    if value not in statuses:
        raise _Invalid(_("Choose one of: %(statuses)s.", statuses=", ".join(statuses)))
    return value


def _province(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value not in PROVINCES:
        raise _Invalid(_("Choose one of: %(provinces)s.", provinces=", ".join(PROVINCES)))
    return value


def _translations(value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping):
        raise _Invalid(_('Give translations as {"ar": {"name": ..., "description": ...}}.'))
    translations: dict[str, dict[str, str]] = {}
    for language, fields in value.items():
        if language not in TRANSLATION_LANGUAGES or not isinstance(fields, Mapping):
            raise _Invalid(
                _(
                    "Translations are for: %(languages)s.",
                    languages=", ".join(TRANSLATION_LANGUAGES),
                )
            )
        if not set(fields) <= {"name", "description"}:
            raise _Invalid(_("Only the name and the description are translated."))
        translated = {
            "name": _name(fields.get("name"), 160, required=False),
            "description": _text(fields.get("description"), MAX_DESCRIPTION_LENGTH, required=False),
        }
        translated = {field: text for field, text in translated.items() if text}
        if translated:
            translations[language] = translated
    return translations
