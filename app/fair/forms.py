"""HTML forms of the fair: giving a cooperative its stand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import InputRequired

from app.fair.services import normalize_stand_code


def _stand_code(form: FlaskForm, field) -> None:
    try:
        normalize_stand_code(field.data)
    except ValueError as error:
        raise ValidationError(str(error))


class StandForm(FlaskForm):
    """The view fills `cooperative_id.choices` with the cooperatives that may still get one."""

    cooperative_id = SelectField(_l("Cooperative"), coerce=int, validators=[InputRequired()])
    code = StringField(
        _l("Stand code"),
        [InputRequired(), _stand_code],
        description=_l("Hall and number on the fair map, e.g. B-07."),
    )
