"""The messages of marshmallow, webargs and WTForms reach readers in their language: each bad
field of a 422 answer of the API, and each message under a field of an HTML form.

The libraries' messages are listed in app/core/library_messages.py for the extractor; the first
tests fail when an upgrade brings a message that the list (and so the catalogs) lacks.
"""

from __future__ import annotations

import ast
import inspect
import itertools
from pathlib import Path
from string import Formatter

import marshmallow as ma
import pytest
import wtforms
from babel.messages.pofile import read_po
from flask_babel import refresh
from support.factories import CategoryFactory, csrf_from, login_as
from webargs.core import Parser
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

from app.core import library_messages
from app.core.library_messages import (
    LIBRARY_MESSAGES,
    LIBRARY_WORDS,
    LibraryMessage,
    _fill_words,
    library_field_classes,
    library_validator_classes,
)

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


def _field_messages() -> set[str]:
    """Every message a marshmallow or webargs field can raise, its library words filled in."""
    messages = set()
    for cls in {*library_field_classes(), *_subclasses(ma.fields.Field)}:
        if not cls.__module__.startswith(("marshmallow", "webargs")):
            continue
        words = {
            name: getattr(cls, attribute)
            for name, attribute in (("obj_type", "OBJ_TYPE"), ("awareness", "AWARENESS"))
            if isinstance(getattr(cls, attribute, None), str)
        }
        templates: dict[str, str] = {}
        for base in reversed(cls.__mro__):
            templates.update(getattr(base, "default_error_messages", {}))
        for template in templates.values():
            filled = _fill_words(template, words)
            if not _placeholders(filled) & LIBRARY_WORDS:
                messages.add(filled)
    return messages


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found)) if found else found


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def _validator_messages() -> set[str]:
    messages = {
        cls.default_message for cls in library_validator_classes() if "default_message" in vars(cls)
    }
    length = ma.validate.Length
    messages |= {length.message_min, length.message_max, length.message_all, length.message_equal}
    for min_inclusive, max_inclusive in itertools.product((True, False), repeat=2):
        bounds = ma.validate.Range(
            min=0, max=1, min_inclusive=min_inclusive, max_inclusive=max_inclusive
        )
        messages |= {bounds.message_min, bounds.message_max, bounds.message_all}
    return messages


def _webargs_messages() -> set[str]:
    """webargs' own: the message of a failed validator, and the one of a body that is not JSON."""
    tree = ast.parse(inspect.getsource(FlaskParser._handle_invalid_json_error).strip())
    in_lists = {
        element.value
        for node in ast.walk(tree)
        if isinstance(node, ast.List)
        for element in node.elts
        if isinstance(element, ast.Constant) and isinstance(element.value, str)
    }
    return {Parser.DEFAULT_VALIDATION_MESSAGE, *in_lists}


def test_every_message_of_the_installed_marshmallow_and_webargs_is_listed() -> None:
    installed = (
        _field_messages()
        | _validator_messages()
        | set(ma.Schema._default_error_messages.values())
        | _webargs_messages()
    )
    assert "Invalid JSON body." in installed and "Not a valid aware datetime." in installed
    assert sorted(installed - set(LIBRARY_MESSAGES)) == []


def test_every_message_of_the_installed_wtforms_is_in_the_catalogs() -> None:
    """WTForms lists its messages in wtforms.pot; ours must hold each (plurals as pairs)."""
    wtforms_pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with wtforms_pot.open("rb") as handle:
        theirs = {message.id for message in read_po(handle) if message.id}
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        ours = {message.id for message in read_po(handle) if message.id}
    assert len(theirs) > 35
    assert sorted(map(str, theirs - ours)) == []


def test_a_translation_that_lost_a_placeholder_falls_back_to_the_english(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_messages, "gettext", lambda message: "Doit être {maximum}.")
    message = LibraryMessage("Longer than maximum length {max}.")
    assert message.format(max=5) == "Longer than maximum length 5."


def test_library_words_are_part_of_the_message_translated(app) -> None:
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        refresh()
        with pytest.raises(ma.ValidationError) as raised:
            ma.fields.AwareDateTime().deserialize("2026-11-29T10:00:00")
    assert raised.value.messages == ["Ce n'est pas une date et heure valide avec fuseau horaire."]


# The API ---------------------------------------------------------------------------


def _fields_of(response, status: int = 422, code: str = "validation_error") -> dict:
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    return error["fields"]


def test_a_registration_with_bad_fields_is_answered_in_arabic(client) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "x", "password": 3, "nickname": "x"},
        headers={"Accept-Language": "ar"},
    )
    fields = _fields_of(response)
    assert fields["name"] == ["هذا الحقل إلزامي."]
    assert fields["password"] == ["ليس نصًا صالحًا."]
    assert fields["nickname"] == ["حقل غير معروف."]


def test_bad_page_arguments_are_answered_in_french_with_their_bounds(client) -> None:
    response = client.get(
        "/api/v1/products?page=abc&per_page=1000&sort=zzz", headers={"Accept-Language": "fr"}
    )
    fields = _fields_of(response)
    assert fields["page"] == ["Ce n'est pas un nombre entier valide."]
    assert fields["per_page"] == ["Doit être compris entre 1 et 100 (inclus)."]
    assert fields["sort"] == ["Doit être l'un de : relevance, price_asc, price_desc, newest."]


def test_bounds_are_filled_in_the_arabic_answer(client) -> None:
    response = client.get("/api/v1/products?per_page=0", headers={"Accept-Language": "ar"})
    assert _fields_of(response)["per_page"] == ["يجب أن يكون بين 1 و100 (ضمنهما)."]


def test_a_body_that_is_not_json_is_answered_in_the_readers_language(client) -> None:
    response = client.post(
        "/api/v1/auth/register",
        data="{not json",
        content_type="application/json",
        headers={"Accept-Language": "fr"},
    )
    fields = _fields_of(response, 400, "bad_request")
    assert fields == {"json": ["Le contenu JSON n'est pas valide."]}


def test_english_readers_keep_marshmallows_words(client) -> None:
    response = client.get("/api/v1/products?page=abc", headers={"Accept-Language": "en"})
    assert _fields_of(response)["page"] == ["Not a valid integer."]


# HTML forms ------------------------------------------------------------------------


def test_a_too_long_email_on_the_registration_page_is_told_in_arabic(client) -> None:
    client.get("/lang/ar")
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_from(client, "/register"),
            "name": "",
            "email": "a" * 250 + "@example.ma",
            "password": "argan-oil-from-azilal",
            "confirm": "argan-oil-from-azilal",
        },
    )
    html = response.get_data(as_text=True)
    assert "لا يمكن أن يتجاوز هذا الحقل 254 حرفًا." in html
    assert "أدخل اسمك." in html
    assert "Field cannot be longer" not in html


def test_an_empty_login_is_told_in_french(client) -> None:
    client.get("/lang/fr")
    response = client.post(
        "/login", data={"csrf_token": csrf_from(client, "/login"), "email": "", "password": ""}
    )
    html = response.get_data(as_text=True)
    assert "Saisissez votre adresse e-mail." in html
    assert "Saisissez votre mot de passe." in html


@pytest.mark.parametrize(
    ("language", "too_long", "out_of_range", "required"),
    [
        (
            "ar",
            "لا يمكن أن يتجاوز هذا الحقل 160 حرفًا.",
            "يجب أن يكون العدد بين 0 و1000000.",
            "هذا الحقل إلزامي.",
        ),
        (
            "fr",
            "Ce champ ne peut pas dépasser 160 caractères.",
            "Le nombre doit être compris entre 0 et 1000000.",
            "Ce champ est obligatoire.",
        ),
    ],
)
def test_a_bad_product_on_the_dashboard_is_told_in_the_readers_language(
    client, cooperative, owner, language, too_long, out_of_range, required
) -> None:
    login_as(client, owner)
    client.get(f"/lang/{language}")
    url = f"/dashboard/{cooperative.id}/products/new"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client, url),
            "name": "",
            "price": "120",
            "name_ar": "u" * 161,
            "unit_quantity": "500",
            "unit_code": "g",
            "stock": "-3",
            "category_id": str(CategoryFactory().id),
            "status": "active",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    for message in (too_long, out_of_range, required):
        assert message in html
    assert "Field cannot be longer" not in html and "Number must be" not in html


@pytest.mark.parametrize(
    ("language", "too_long"),
    [
        ("ar", "لا يمكن أن يتجاوز هذا الحقل 120 حرفًا."),
        ("fr", "Ce champ ne peut pas dépasser 120 caractères."),
    ],
)
def test_a_too_long_name_at_checkout_is_told_in_the_readers_language(app, language, too_long):
    from app.orders.forms import CheckoutForm

    data = {"name": "n" * 121, "phone": "", "idempotency_key": "k"}
    with app.test_request_context(
        "/checkout", method="POST", data=data, headers={"Accept-Language": language}
    ):
        refresh()
        form = CheckoutForm(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
    assert form.errors["name"] == [too_long]
    assert form.errors["phone"] == [
        {"ar": "هذا الحقل إلزامي.", "fr": "Ce champ est obligatoire."}[language]
    ]
