"""Form fields every face uses the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.widgets import TextInput

from app.core.errors import DomainError
from app.core.money import InvalidAmount, parse_amount, to_decimal_string


class DirhamField(Field):
    """An amount typed in MAD ("12", "150,00"); ``data`` is int centimes (None when empty)."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else to_decimal_string(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = parse_amount(text)
            except InvalidAmount as error:
                raise ValueError(_l(error.message)) from error


def show_domain_error(
    form: FlaskForm,
    error: DomainError,
    field_for: Callable[[str], str] | Mapping[str, str] | None = None,
    *,
    conflicts_on_top: bool = False,
) -> None:
    """Put a service's refusal next to the form fields it names, else at the top of the form.

    ``field_for`` turns the service's field names (``address.city``) into the form's
    (``city``); with ``conflicts_on_top`` a 409 is also said at the top, since it is about
    the whole submission (stock taken meanwhile), not only the field it names.
    """
    if field_for is None:
        rename: Callable[[str], str] = lambda name: name  # noqa: E731
    elif isinstance(field_for, Mapping):
        rename = lambda name: field_for.get(name, name)  # noqa: E731
    else:
        rename = field_for
    placed = False
    for name, messages in error.fields.items():
        field = form._fields.get(rename(name))
        if field is not None:
            field.errors = [*field.errors, *messages]
            placed = True
    if not placed or (conflicts_on_top and error.status == 409):
        form.form_errors.append(error.message)
