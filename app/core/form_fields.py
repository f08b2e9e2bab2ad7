"""Form fields every face uses the same way."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.widgets import TextInput

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
