"""HTML forms of cooperatives: application, profile, members, verification notes.

Field checks reuse validation.py so a form shows the same messages as the API;
the services check again, and `show_domain_error` puts what they refuse next
to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.cooperatives.labels import (
    LEGAL_FORM_LABELS,
    MEMBER_ROLE_LABELS,
    PAYOUT_METHOD_LABELS,
    province_choices,
)
from app.cooperatives.validation import (
    CHECKS,
    COMMUNE_MAX,
    DELIVERY_DAYS_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    PICKUP_ADDRESS_MAX,
    STORY_MAX,
    normalize_phone,
    validate_email_address,
    validate_ice,
    validate_onssa_number,
    validate_registration_number,
    validate_rib,
)
from app.core import form_fields
from app.core.errors import DomainError
from app.core.money import InvalidAmount, parse_amount, to_decimal_string
from app.core.names import NoBidiControls
from app.core.paging import page_field

#: Service field -> form field, where the form asks in other units.
FORM_FIELD_FOR = {"shipping_fee_cents": "shipping_fee"}


class Checked:
    """A WTForms validator running a validation.py function on a filled field."""

    def __init__(self, check: Callable[[Any], object]) -> None:
        self.check = check

    def __call__(self, form: FlaskForm, field) -> None:
        if field.data in (None, ""):
            return
        try:
            self.check(field.data)
        except ValueError as error:
            raise ValidationError(str(error))


def options(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _reader_language() -> str:
    return str(get_locale() or "fr").split("_")[0]


class CooperativeApplicationForm(FlaskForm):
    """Every field DESIGN section 1 asks of a cooperative that applies."""

    name = StringField(
        _l("Name of the cooperative"), [InputRequired(), Length(2, NAME_MAX), NoBidiControls()]
    )
    legal_form = SelectField(
        _l("Legal form"), choices=options(LEGAL_FORM_LABELS.items()), validators=[InputRequired()]
    )
    registration_number = StringField(
        _l("Registration number"),
        [InputRequired(), Checked(validate_registration_number)],
        description=_l("As registered with ODCo or the court registry (law 112-12)."),
    )
    ice = StringField(
        _l("ICE (optional)"),
        [Optional(), Checked(validate_ice)],
        description=_l("Identifiant Commun de l'Entreprise: 15 digits."),
    )
    province = SelectField(_l("Province"), validators=[InputRequired()])
    commune = StringField(_l("Commune"), [InputRequired(), Length(1, COMMUNE_MAX)])
    phone = TelField(
        _l("Phone"),
        [InputRequired(), Checked(normalize_phone)],
        description=_l("+212 or 0, then 9 digits, e.g. 0612 345 678."),
    )
    email = EmailField(_l("E-mail"), [InputRequired(), Checked(validate_email_address)])
    description = TextAreaField(
        _l("What you make and sell"), [Optional(), Length(max=DESCRIPTION_MAX)]
    )
    onssa_number = StringField(
        _l("ONSSA sanitary authorization number"),
        [Optional(), Checked(validate_onssa_number)],
        description=_l("Needed to sell food; you may add it later."),
    )
    payout_method = SelectField(
        _l("How you are paid"),
        choices=options(PAYOUT_METHOD_LABELS.items()),
        validators=[InputRequired()],
    )
    rib = StringField(
        _l("RIB"),
        [Optional(), Checked(validate_rib)],
        description=_l("24 digits: bank, city, account and key. Needed for bank transfers."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.province.choices = options(province_choices(_reader_language()))

    def service_data(self) -> dict[str, Any]:
        """The filled fields, under the names the services take."""
        data = {name: field.data for name, field in self._fields.items() if name in CHECKS}
        if "shipping_fee" in self._fields:
            data["shipping_fee_cents"] = parse_amount(self.shipping_fee.data)
        return data


def _amount(form: FlaskForm, field) -> None:
    try:
        parse_amount(field.data)
    except InvalidAmount as error:
        raise ValidationError(str(error))


class CooperativeProfileForm(CooperativeApplicationForm):
    """The application's fields and the delivery settings; payout fields for owners only."""

    shipping_fee = StringField(
        _l("Home delivery fee (MAD)"),
        [InputRequired(), _amount],
        description=_l("Flat fee per order, paid whole to the cooperative."),
    )
    offers_home_delivery = BooleanField(_l("We deliver to the shopper's home"))
    offers_pickup = BooleanField(_l("Shoppers can pick up at the cooperative"))
    pickup_address = StringField(_l("Pickup address"), [Optional(), Length(max=PICKUP_ADDRESS_MAX)])
    delivery_days_min = IntegerField(
        _l("Home delivery: fewest days"),
        [Optional(), NumberRange(min=0, max=DELIVERY_DAYS_MAX)],
        description=_l("From the order to the shopper's door; shown on the receipt."),
        render_kw={"inputmode": "numeric"},
    )
    delivery_days_max = IntegerField(
        _l("Home delivery: most days"),
        [Optional(), NumberRange(min=0, max=DELIVERY_DAYS_MAX)],
        render_kw={"inputmode": "numeric"},
    )
    story = TextAreaField(
        _l("Your story, in French"),
        [Optional(), Length(max=STORY_MAX)],
        description=_l("Who you are, how you started, how you work: shown on your page."),
    )
    story_ar = TextAreaField(_l("Your story, in Arabic"), [Optional(), Length(max=STORY_MAX)])
    founded_year = StringField(
        _l("Year founded"),
        [Optional(), Checked(CHECKS["founded_year"])],
        render_kw={"inputmode": "numeric"},
    )
    members_count = StringField(
        _l("Number of members"),
        [Optional(), Checked(CHECKS["members_count"])],
        render_kw={"inputmode": "numeric"},
    )

    @classmethod
    def for_cooperative(cls, cooperative, *, owner: bool) -> CooperativeProfileForm:
        """The form filled from `cooperative` or the posted data; no payout fields for staff."""
        form = cls(obj=cooperative)
        if not form.is_submitted():
            form.shipping_fee.data = to_decimal_string(cooperative.shipping_fee_cents)
            form.story_ar.data = (cooperative.translations or {}).get("ar", {}).get("story", "")
        if not owner:
            del form.payout_method
            del form.rib
        return form


class MemberForm(FlaskForm):
    email = EmailField(_l("Their e-mail address"), [InputRequired(), Length(max=254)])
    role = SelectField(
        _l("Role"), choices=options(MEMBER_ROLE_LABELS.items()), validators=[InputRequired()]
    )


class VerifyForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), [Optional(), Length(max=2000)])
    reason = TextAreaField(
        _l("Why verify with an item missing (required then; kept in the audit log)"),
        [Optional(), Length(max=2000)],
    )


class DocumentForm(FlaskForm):
    """A paper for the cooperative's verification (PDF, JPEG or PNG, at most 10 MB)."""

    kind = SelectField(
        _l("Document"),
        choices=[
            SelectChoice("statutes", _l("Statutes")),
            SelectChoice("registration_certificate", _l("Registration certificate")),
            SelectChoice("rib_certificate", _l("RIB certificate")),
            SelectChoice("onssa_authorisation", _l("ONSSA authorisation")),
            SelectChoice("label_certificate", _l("Label certificate")),
        ],
        validators=[InputRequired()],
    )
    file = FileField(_l("File (PDF, JPEG or PNG, at most 10 MB)"), validators=[FileRequired()])


class CooperativePictureForm(FlaskForm):
    """The cooperative's cover photo or logo (JPEG, PNG or WebP, at most 5 MB)."""

    photo = FileField(
        _l("Photo (JPEG, PNG or WebP, at most 5 MB)"),
        validators=[FileRequired(_l("Choose a photo."))],
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class SuspendForm(FlaskForm):
    reason = TextAreaField(_l("Why (the cooperative is told)"), [InputRequired(), Length(max=2000)])


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """A service's refusal next to the fields it names (the cooperative forms' names)."""
    form_fields.show_domain_error(form, error, FORM_FIELD_FOR)


class CooperativeFilterForm(FlaskForm):
    """The directory's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    province = SelectField(_l("Province"), validators=[Optional()])
    q = StringField(_l("Search"), [Optional(), Length(max=100)])
    page = page_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.province.choices = options(
            [("", _l("All provinces")), *province_choices(_reader_language())]
        )
