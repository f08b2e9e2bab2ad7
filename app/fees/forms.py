"""HTML forms for fee rules: percents and dirhams typed as people write them, dates in Morocco time.

The forms only parse; ``services.add_rule`` and ``services.end_rule`` hold the
rules, and ``show_service_error`` puts what they refuse next to the field it
concerns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import TextInput

from app.core import form_fields
from app.core.days import InstantField
from app.core.errors import DomainError
from app.core.form_fields import DirhamField
from app.core.names import NoBidiControls
from app.fees import engine
from app.fees.defaults import MOROCCO

SCOPE_LABELS = {
    "default": _l("Everyone (default)"),
    "legal_form": _l("A legal form"),
    "category": _l("A category (and its subcategories)"),
    "cooperative": _l("One cooperative"),
    "fair": _l("Sales collected at the stands of a fair"),
}

#: Service field -> form field, where the form asks in other units.
FORM_FIELD_FOR = {
    "commission_bps": "commission_percent",
    "solidarity_bps": "solidarity_percent",
    "producer_floor_bps": "producer_floor_percent",
    "min_fee_cents": "min_fee",
    "max_fee_cents": "max_fee",
}


class PercentField(Field):
    """A percentage typed as "8" or "1.5"; ``data`` is int basis points (None when empty)."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else engine.percent_text(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = engine.parse_percent(text)
            except ValueError as error:
                raise ValueError(_l(str(error))) from error


def morocco_to_utc(moment: datetime | None) -> datetime | None:
    """A naive date and time read on a Moroccan clock, as an aware UTC instant."""
    return None if moment is None else moment.replace(tzinfo=MOROCCO).astimezone(UTC)


def utc_to_morocco(moment: datetime) -> datetime:
    """An instant as a naive Moroccan clock time, to prefill a datetime-local field."""
    return moment.astimezone(MOROCCO).replace(tzinfo=None, second=0, microsecond=0)


class FeeRuleForm(FlaskForm):
    """A new fee rule; percents of the line total, fees in MAD, dates on Morocco's clock."""

    name = StringField(_l("Name"), [InputRequired(), Length(max=120), NoBidiControls()])
    name_fr = StringField(_l("Name in French"), [Optional(), Length(max=120), NoBidiControls()])
    name_ar = StringField(_l("Name in Arabic"), [Optional(), Length(max=120), NoBidiControls()])
    scope = SelectField(
        _l("Applies to"),
        choices=[SelectChoice(value, label) for value, label in SCOPE_LABELS.items()],
        validators=[InputRequired()],
    )
    scope_value = StringField(
        _l("Which one"),
        [Optional(), Length(max=40)],
        description=_l(
            "Empty for everyone; a legal form (cooperative, association, mutual, "
            "social_enterprise); or the number (id) of the category, cooperative or fair."
        ),
    )
    commission_percent = PercentField(
        _l("Commission (percentage of the line)"),
        [InputRequired()],
        description=_l("For example 8 or 1.5."),
    )
    solidarity_percent = PercentField(
        _l("Of which to the solidarity fund (percentage of the line)"),
        [Optional()],
        description=_l("Part of the commission, not added to it."),
    )
    min_fee = DirhamField(_l("Minimum fee per line (MAD)"), [Optional()])
    max_fee = DirhamField(
        _l("Maximum fee per line (MAD)"), [Optional()], description=_l("Empty: no cap.")
    )
    producer_floor_percent = PercentField(
        _l("The producer keeps at least (percentage of the line)"), [InputRequired()]
    )
    valid_from = InstantField(
        _l("In force from (Morocco time)"),
        [Optional()],
        format="%Y-%m-%dT%H:%M",
        description=_l("Empty: now."),
    )
    valid_to = InstantField(
        _l("Until, not included (Morocco time)"),
        [Optional()],
        format="%Y-%m-%dT%H:%M",
        description=_l("Empty: until an admin ends it."),
    )
    priority = IntegerField(
        _l("Priority"),
        [Optional()],
        default=0,
        description=_l("The higher wins between rules of the same kind."),
    )

    def rule_data(self) -> dict[str, Any]:
        """The fields of ``services.add_rule``, in its units."""
        return {
            "name": self.name.data,
            "scope": self.scope.data,
            "scope_value": self.scope_value.data,
            "commission_bps": self.commission_percent.data,
            "solidarity_bps": self.solidarity_percent.data or 0,
            "min_fee_cents": self.min_fee.data or 0,
            "max_fee_cents": self.max_fee.data,
            "producer_floor_bps": self.producer_floor_percent.data,
            "valid_from": morocco_to_utc(self.valid_from.data),
            "valid_to": morocco_to_utc(self.valid_to.data),
            "priority": self.priority.data or 0,
            "translations": {
                "fr": {"name": self.name_fr.data or ""},
                "ar": {"name": self.name_ar.data or ""},
            },
        }


class EndRuleForm(FlaskForm):
    """When a rule stops applying (exclusive), on Morocco's clock."""

    valid_to = InstantField(
        _l("Ends at (Morocco time)"), [InputRequired()], format="%Y-%m-%dT%H:%M"
    )

    def end_instant(self) -> datetime:
        moment = morocco_to_utc(self.valid_to.data)
        assert moment is not None  # InputRequired
        return moment


def show_service_error(form: FlaskForm, error: DomainError) -> None:
    """A service's refusal next to the fields it names (the fee rule form's names)."""
    form_fields.show_domain_error(form, error, FORM_FIELD_FOR)
