"""HTML forms of orders: checkout, a cooperative moving its part, cash collected.

The services check everything again; ``show_domain_error`` puts what they
refuse next to the field it concerns, the rest above the form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.core import form_fields
from app.core.errors import DomainError
from app.core.money import InvalidAmount, parse_amount
from app.core.names import NoBidiControls
from app.orders import checkout
from app.orders.labels import PART_STATUS_NAMES


class CheckoutForm(FlaskForm):
    """Contact, address and payment; ``checkout_form_class`` adds one delivery choice per
    cooperative of the cart (``delivery_<cooperative id>``)."""

    #: Drawn once per rendering of the page: a double click submits the same key twice.
    idempotency_key = HiddenField(
        validators=[InputRequired(), Length(max=checkout.IDEMPOTENCY_KEY_MAX)]
    )
    name = StringField(
        _l("Full name"),
        validators=[
            InputRequired(_l("This field is required.")),
            Length(max=checkout.NAME_MAX),
            NoBidiControls(),
        ],
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Phone"),
        validators=[InputRequired(_l("This field is required.")), Length(max=30)],
        description=_l("+212 or 0, then 9 digits, e.g. 06 12 34 56 78"),
        render_kw={"autocomplete": "tel"},
    )
    line1 = StringField(
        _l("Street address"),
        validators=[Optional(), Length(max=checkout.LINE1_MAX)],
        description=_l("Number, street, neighbourhood; needed for home delivery"),
        render_kw={"autocomplete": "street-address"},
    )
    city = StringField(
        _l("City"),
        validators=[Optional(), Length(max=checkout.CITY_MAX)],
        render_kw={"autocomplete": "address-level2"},
    )
    postal_code = StringField(
        _l("Postal code (optional)"),
        validators=[Optional(), Length(max=10)],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )
    email = EmailField(
        _l("E-mail (optional)"),
        validators=[Optional(), Length(max=254)],
        description=_l("We also send the link to your order here."),
        render_kw={"autocomplete": "email"},
    )
    save_address = BooleanField(_l("Save this address and phone for my next orders"))
    payment_method = RadioField(
        _l("Payment"), choices=[], validators=[InputRequired(_l("Choose how to pay."))]
    )

    def error_links(self) -> list[tuple[str, str, str]]:
        """(anchor id, field label, message) for every field error, in the page's order: the
        summary at the top of the page links each to its field."""
        found = []
        for field in self:
            for message in field.errors or []:
                anchor = f"{field.id}-0" if field.type == "RadioField" else field.id
                label = field.label.text if field.label else ""
                found.append((anchor, str(label), str(message)))
        return found

    def delivery_fields(self) -> list:
        return [field for field in self if field.name.startswith("delivery_")]

    def delivery_choices(self) -> dict[str, str]:
        """Cooperative id (text) -> chosen delivery method, for ``place_order``."""
        return {
            field.name.removeprefix("delivery_"): field.data
            for field in self.delivery_fields()
            if field.data
        }


def checkout_form_class(groups: list[tuple[int, str, list[tuple[str, str]]]]) -> type:
    """A CheckoutForm with a required delivery choice for each (cooperative id, name, choices);
    the page titles each group with the cooperative's name, so the choice is "Delivery"."""
    fields = {
        f"delivery_{cooperative_id}": RadioField(
            _l("Delivery"),
            choices=[SelectChoice(value, label) for value, label in choices],
            validators=[InputRequired(_l("Choose how to receive these products."))],
        )
        for cooperative_id, name, choices in groups
    }
    return type("CartCheckoutForm", (CheckoutForm,), fields)


#: Where a service names a field (``address.city``), the checkout form's field name.
_CHECKOUT_FIELDS = {
    "email": "email",
    "address.name": "name",
    "address.line1": "line1",
    "address.city": "city",
    "address.postal_code": "postal_code",
}


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """A checkout refusal next to its fields (``delivery.<id>`` is ``delivery_<id>``); a
    conflict (stock taken meanwhile) also above the form."""
    form_fields.show_domain_error(
        form,
        error,
        lambda name: _CHECKOUT_FIELDS.get(name, name.replace("delivery.", "delivery_")),
        conflicts_on_top=True,
    )


class PartMoveForm(FlaskForm):
    """Move a part to the status its URL names; a note (a reason to cancel) and, to hand over
    a pickup, the code the shopper shows."""

    note = TextAreaField(
        _l("Note for the shopper"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2}
    )
    pickup_code = StringField(
        _l("Pickup code shown by the shopper"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    carrier = StringField(_l("Carrier"), validators=[Optional(), Length(max=60)])
    tracking_number = StringField(
        _l("Tracking number"),
        validators=[Optional(), Length(max=60)],
        render_kw={"autocomplete": "off", "dir": "ltr"},
    )


class CashCollectedForm(FlaskForm):
    """The cash a cooperative collected for a part, typed in dirhams."""

    amount = StringField(
        _l("Amount collected (MAD)"),
        validators=[InputRequired(_l("Enter the amount collected."))],
        render_kw={"inputmode": "decimal"},
    )

    def validate_amount(self, field) -> None:
        try:
            self.amount_cents = parse_amount(field.data or "")
        except InvalidAmount as error:
            raise ValidationError(error.message)


class PartFilterForm(FlaskForm):
    """The status filter of a cooperative's orders (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All statuses")),
            *(SelectChoice(code, name) for code, name in PART_STATUS_NAMES.items()),
        ],
        validators=[Optional()],
    )
