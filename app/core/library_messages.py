"""marshmallow's and webargs' validation messages, in the reader's language.

The API names each bad field with the message of a marshmallow field or validator
("Not a valid integer.", "Must be one of: {choices}."): English literals inside the
libraries, copied when a schema is built and formatted when a value fails. So
`speak_the_readers_language()` runs when the `app` package is imported, before any schema
exists, and replaces each default by a `LibraryMessage`, whose `format()` translates in
the locale of the request at hand, then fills the placeholders. The messages nobody
formats (the schema's "Unknown field.", webargs' "Invalid JSON body.") are translated by
app.web.errors when it writes the answer.

`LIBRARY_MESSAGES` lists the msgids as literals for `make i18n-extract`;
tests/i18n/test_validation_messages.py fails when an installed version has one it lacks.

HTML forms: WTForms ships Arabic and French catalogs, but its Arabic one lacks most
plural forms ("Field cannot be longer than 254 characters." stays English) and its words
are not ours. `FormTranslations` gives WTForms' messages (`WTFORMS_MESSAGES`) from our
catalogs, and WTForms' own where ours has none.
"""

from __future__ import annotations

import inspect
from string import Formatter
from typing import Any

import marshmallow as ma
import webargs.fields
from flask import current_app
from flask_babel import get_translations, gettext, lazy_ngettext
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations

from app.core.translation import N_

#: Placeholders the libraries fill with an English word of theirs ("a valid {obj_type}" with
#: "datetime"): the filled-in sentence is the msgid, since the word alone has no grammar.
LIBRARY_WORDS = frozenset({"obj_type", "awareness"})

LIBRARY_MESSAGES = (
    # marshmallow.fields
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid UUID."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid integer."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid date."),
    N_("Not a valid aware datetime."),
    N_("Not a valid naive datetime."),
    N_('"{input}" cannot be formatted as a datetime.'),
    N_('"{input}" cannot be formatted as a time.'),
    N_('"{input}" cannot be formatted as a date.'),
    N_("Not a valid period of time."),
    N_("{input!r} cannot be formatted as a timedelta."),
    N_("Not a valid mapping type."),
    N_("Not a valid URL."),
    N_("Not a valid email address."),
    N_("Not a valid IP address."),
    N_("Not a valid IPv4 address."),
    N_("Not a valid IPv6 address."),
    N_("Not a valid IP interface."),
    N_("Not a valid IPv4 interface."),
    N_("Not a valid IPv6 interface."),
    N_("Must be one of: {choices}."),
    # marshmallow.Schema
    N_("Invalid input type."),
    N_("Unknown field."),
    # marshmallow.validate.Range, as its constructor composes them
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    # marshmallow.validate
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be equal to {other}."),
    N_("String does not match expected pattern."),
    N_("Invalid input."),
    N_("One or more of the choices you made was not in: {choices}."),
    N_("One or more of the choices you made was in: {values}."),
    # webargs
    N_("Not a valid delimited list."),
    N_("Not a valid delimited tuple."),
    N_("Invalid JSON body."),
)

#: WTForms' messages (wtforms/locale/wtforms.pot). `lazy_ngettext` only marks each plural
#: pair for `make i18n-extract`; WTForms asks for them through `FormTranslations`.
WTFORMS_MESSAGES = (
    N_("Invalid field name '%s'."),
    N_("Field must be equal to %(other_name)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
)


class LibraryMessage(str):
    """A library's English message that is translated when it is formatted.

    A translation that lost a placeholder falls back to the English: a message in the
    wrong language beats an error 500.
    """

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        english = _fill_words(self, {name: kwargs[name] for name in LIBRARY_WORDS & kwargs.keys()})
        try:
            return gettext(english).format(*args, **kwargs)
        except (KeyError, IndexError, ValueError):
            return english.format(*args, **kwargs)


class _RangeTemplate(str):
    """Range's "Must be {min_op} {{min}}.": its constructor fills in the comparison words,
    which gives the message to translate (a `LibraryMessage`), not a message."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        return LibraryMessage(str.format(self, *args, **kwargs))


def _fill_words(template: str, words: dict[str, Any]) -> str:
    """`template` with the placeholders named in `words` filled, the others left as they are."""
    if not words:
        return str(template)
    parts = []
    for literal, name, spec, conversion in Formatter().parse(template):
        parts.append(_escaped(literal))
        if name is None:
            continue
        if name in words:
            parts.append(_escaped(str(words[name])))
        else:
            conversion = f"!{conversion}" if conversion else ""
            spec = f":{spec}" if spec else ""
            parts.append(f"{{{name}{conversion}{spec}}}")
    return "".join(parts)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def library_field_classes() -> list[type[ma.fields.Field]]:
    """The field classes of marshmallow and webargs that state messages of their own."""
    return [
        cls
        for module in (ma.fields, webargs.fields)
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and issubclass(cls, ma.fields.Field)
        and "default_error_messages" in vars(cls)
    ]


def library_validator_classes() -> list[type[ma.validate.Validator]]:
    return [
        cls
        for cls in vars(ma.validate).values()
        if inspect.isclass(cls) and issubclass(cls, ma.validate.Validator)
    ]


class FormTranslations:
    """What WTForms asks to translate its messages with (Flask-WTF's `get_translations`)."""

    def gettext(self, string: str) -> str:
        translated = get_translations().ugettext(string)
        return translated if translated != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        translated = get_translations().ungettext(singular, plural, n)
        if translated in (singular, plural):
            return wtforms_translations.ngettext(singular, plural, n)
        return translated


_form_translations = FormTranslations()


def _flask_form_translations(meta: Any, form: Any) -> Any:
    if not current_app.config.get("WTF_I18N_ENABLED", True):
        return None  # WTForms' English, as Flask-WTF does when its i18n is off
    return _form_translations


def speak_the_readers_language() -> None:
    """Make every default message of marshmallow and webargs a `LibraryMessage`, and have
    Flask-WTF's forms translate WTForms' messages with `FormTranslations`.

    Fields and validators copy their messages when they are built: schemas defined before
    this runs keep English ones.
    """
    FlaskForm.Meta.get_translations = _flask_form_translations
    for cls in library_field_classes():
        cls.default_error_messages = {
            key: LibraryMessage(message) for key, message in cls.default_error_messages.items()
        }
    ma.Schema._default_error_messages = {
        key: LibraryMessage(message) for key, message in ma.Schema._default_error_messages.items()
    }
    for cls in library_validator_classes():
        if "default_message" in vars(cls):
            cls.default_message = LibraryMessage(cls.default_message)
    for name in ("message_min", "message_max", "message_all", "message_equal"):
        setattr(ma.validate.Length, name, LibraryMessage(getattr(ma.validate.Length, name)))
    for name in ("message_min", "message_max", "message_all"):
        setattr(ma.validate.Range, name, _RangeTemplate(getattr(ma.validate.Range, name)))
