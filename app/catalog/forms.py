"""Forms of the catalog pages: shoppers' filters, members' product and photo forms.

Forms check the shape of what was typed (a number, a price in dirhams); the
services check the rules and their errors are put back next to the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from app.catalog.models import LabelKind, Product, ProductStatus
from app.catalog.queries import MAX_PER_PAGE
from app.catalog.units import CODES as UNIT_CODES
from app.catalog.units import MAX_QUANTITY as MAX_UNIT_QUANTITY
from app.catalog.units import UNIT_NAMES
from app.catalog.units import canonical as unit_canonical
from app.core.ids import MAX_ID
from app.core.money import InvalidAmount, parse_amount, to_decimal_string
from app.core.names import NoBidiControls
from app.core.paging import page_field

LABEL_NAMES = {
    LabelKind.IGP: _l("IGP (protected geographical indication)"),
    LabelKind.AOP: _l("AOP (protected designation of origin)"),
    LabelKind.LABEL_AGRICOLE: _l("Label Agricole"),
    LabelKind.ORGANIC: _l("Organic"),
}
STATUS_NAMES = {
    ProductStatus.DRAFT: _l("Draft (not shown to shoppers)"),
    ProductStatus.ACTIVE: _l("On sale"),
    ProductStatus.ARCHIVED: _l("Archived (no longer sold)"),
}
SORT_NAMES = {
    "relevance": _l("Most relevant"),
    "price_asc": _l("Price, lowest first"),
    "price_desc": _l("Price, highest first"),
    "newest": _l("Newest first"),
}


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Options of a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class AmountField(StringField):
    """An amount typed in dirhams ("120,50", "1 200"); ``cents`` holds it in centimes."""

    cents: int | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.cents = None
        if self.data and self.data.strip():
            try:
                self.cents = parse_amount(self.data)
            except InvalidAmount as error:
                raise ValueError(_l(error.message)) from error


def _filled_amount(form: FlaskForm, field: AmountField) -> None:
    if field.errors:
        # The text is not an amount: that message says it all (one message per field).
        raise StopValidation()
    if field.cents is None:
        raise ValidationError(_l("Enter the price in dirhams, such as 120 or 120,50."))


class ProductFilterForm(FlaskForm):
    """The storefront's product filters, read from the query string (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search"),
        validators=[Optional(), Length(max=200)],
        # The type-ahead fills the datalist (app/static/search-suggest.js); without it, a
        # plain text box that submits the form.
        render_kw={"list": "search-suggestions", "autocomplete": "off", "type": "search"},
    )
    province = SelectField(_l("Province"), validators=[Optional()], validate_choice=True)
    category = SelectField(_l("Category"), validators=[Optional()], validate_choice=True)
    label = SelectField(_l("Label"), validators=[Optional()], validate_choice=True)
    min_price = AmountField(_l("Price from (MAD)"), validators=[Optional()])
    max_price = AmountField(_l("Price up to (MAD)"), validators=[Optional()])
    in_stock = BooleanField(_l("In stock only"))
    fair = SelectField(_l("At the fair"), validators=[Optional()], validate_choice=True)
    cooperative = IntegerField(
        _l("Cooperative"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)]
    )
    sort = SelectField(_l("Sort"), choices=choices(SORT_NAMES.items()), validators=[Optional()])
    per_page = IntegerField(
        _l("Per page"), validators=[Optional(), NumberRange(min=1, max=MAX_PER_PAGE)]
    )
    page = page_field()

    def validate_max_price(self, field: AmountField) -> None:
        low = self.min_price.cents
        if low is not None and field.cents is not None and field.cents < low:
            raise ValidationError(_l("Must not be below the lowest price."))

    def search_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``queries.search_product_ids`` from valid data."""
        return {
            "q": self.q.data or None,
            "province": self.province.data or None,
            "category": self.category.data or None,
            "label": self.label.data or None,
            "min_price": self.min_price.cents,
            "max_price": self.max_price.cents,
            "in_stock": bool(self.in_stock.data),
            "fair": int(self.fair.data) if self.fair.data else None,
            "cooperative": self.cooperative.data,
            "sort": self.sort.data or "relevance",
            "page": self.page.data or 1,
            "per_page": self.per_page.data or 24,
        }


class ProductForm(FlaskForm):
    """A member's product: price in dirhams, labels as a checkbox and certificate per kind."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=160), NoBidiControls()])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    name_ar = StringField(_l("Name in Arabic"), validators=[Length(max=160), NoBidiControls()])
    description_ar = TextAreaField(_l("Description in Arabic"), validators=[Length(max=5000)])
    price = AmountField(_l("Price of one unit (MAD)"), validators=[_filled_amount])
    unit_quantity = IntegerField(
        _l("Quantity in one unit"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_UNIT_QUANTITY)],
        description=_l(
            "With the unit below: 500 and grams for a 500 g jar, 1 and piece for a carpet."
        ),
    )
    unit_code = SelectField(
        _l("Unit"),
        choices=choices((code, _l(UNIT_NAMES[code])) for code in UNIT_CODES),
        validators=[InputRequired()],
    )
    stock = IntegerField(
        _l("Units in stock"), validators=[InputRequired(), NumberRange(min=0, max=1_000_000)]
    )
    #: The stock the member saw when the form was shown, so a sale in between is not undone.
    stock_seen = HiddenField()
    category_id = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    origin_commune = StringField(_l("Commune of origin"), validators=[Length(max=80)])
    origin_province = SelectField(_l("Province of origin"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices(STATUS_NAMES.items()))

    label_fields: tuple[tuple[str, str, str], ...] = ()  # (kind, checkbox name, certificate name)

    def fill_from(self, product: Product) -> None:
        """Show ``product``'s current values (for a GET of the edit page)."""
        self.name.data = product.name
        self.description.data = product.description
        arabic = (product.translations or {}).get("ar", {})
        self.name_ar.data = arabic.get("name", "")
        self.description_ar.data = arabic.get("description", "")
        self.price.data = to_decimal_string(product.price_cents).replace(".", ",")
        self.unit_code.data = product.unit_code
        self.unit_quantity.data = product.unit_quantity
        self.stock.data = product.stock
        self.stock_seen.data = str(product.stock)
        self.category_id.data = product.category_id
        self.origin_commune.data = product.origin_commune or ""
        self.origin_province.data = product.origin_province or ""
        self.status.data = product.status
        certificates = {label.kind: label.certificate_number for label in product.labels}
        for kind, checkbox, certificate in self.label_fields:
            getattr(self, checkbox).data = kind in certificates
            getattr(self, certificate).data = certificates.get(kind) or ""

    def product_data(self, product: Product | None) -> dict[str, Any]:
        """What ``services.create_product``/``update_product`` take, from valid form data.

        The stock is only sent when the member changed it, together with the stock
        they saw, so that saving a form never undoes a sale made meanwhile.
        """
        translations = dict(product.translations or {}) if product is not None else {}
        arabic = {"name": self.name_ar.data or "", "description": self.description_ar.data or ""}
        translations["ar"] = {field: text for field, text in arabic.items() if text.strip()}
        data: dict[str, Any] = {
            "name": self.name.data or "",
            "description": self.description.data or "",
            "price_cents": self.price.cents,
            "unit": unit_canonical(self.unit_code.data or "", self.unit_quantity.data or 1),
            "category_id": self.category_id.data,
            "origin_commune": self.origin_commune.data or None,
            "origin_province": self.origin_province.data or None,
            "status": self.status.data,
            "labels": [
                {"kind": kind, "certificate_number": getattr(self, certificate).data or None}
                for kind, checkbox, certificate in self.label_fields
                if getattr(self, checkbox).data
            ],
            "translations": {lang: text for lang, text in translations.items() if text},
        }
        seen = self.stock_seen.data
        if product is None:
            data["stock"] = self.stock.data
            # Left blank, the origin is the cooperative's (the service's default).
            for origin in ("origin_commune", "origin_province"):
                if data[origin] is None:
                    del data[origin]
        elif not (seen and seen.isdigit() and int(seen) == self.stock.data):
            data["stock"] = self.stock.data
            if seen and seen.isdigit():
                data["expected_stock"] = int(seen)
        return data

    def field_for(self, service_field: str) -> Field | None:
        """The form field showing a service error about ``service_field``."""
        names = {"price_cents": "price", "expected_stock": "stock", "translations": "name_ar"}
        return getattr(self, names.get(service_field, service_field), None)


def _add_label_fields(form_class: type[ProductForm]) -> None:
    fields = []
    for kind, name in LABEL_NAMES.items():
        checkbox, certificate = f"label_{kind.value.lower()}", f"certificate_{kind.value.lower()}"
        setattr(form_class, checkbox, BooleanField(name))
        setattr(
            form_class,
            certificate,
            StringField(_l("Certificate number"), validators=[Length(max=60)]),
        )
        fields.append((kind.value, checkbox, certificate))
    form_class.label_fields = tuple(fields)


_add_label_fields(ProductForm)


class ProductPhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo (JPEG, PNG or WebP, at most 5 MB)"),
        validators=[FileRequired(_l("Choose a photo."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (archive)."""
