"""Names people give (their own, a cooperative's, a product's) hold no bidirectional controls.

Embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) and
the invisible direction marks (U+200E, U+200F, U+061C) make a name display as
something else than it is: "‮lio evilo‬" reads as "olive oil", and in a
page mixing Arabic and Latin text a name could turn the words around it. Arabic
and French names never need them: the pages set `dir` themselves. One check,
used three ways: by the domain rules (`check_name`), by WTForms forms
(`NoBidiControls`) and by marshmallow schemas (`no_bidi_controls`).
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import lazy_gettext
from wtforms import Field, Form, ValidationError

#: The characters refused in names.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)

_MESSAGE = lazy_gettext("Remove the invisible characters that change the direction of the text.")


def has_bidi_controls(text: str | None) -> bool:
    return bool(text) and not BIDI_CONTROLS.isdisjoint(text or "")


def check_name(text: str) -> str:
    """`text` itself; ValueError (a message for the reader) when it holds a bidi control."""
    if has_bidi_controls(text):
        raise ValueError(str(_MESSAGE))
    return text


class NoBidiControls:
    """WTForms validator: the field's text holds no bidirectional control."""

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and has_bidi_controls(field.data):
            raise ValidationError(str(_MESSAGE))


def no_bidi_controls(value: object) -> None:
    """marshmallow validator: the string holds no bidirectional control."""
    if isinstance(value, str) and has_bidi_controls(value):
        raise ma.ValidationError(str(_MESSAGE))
