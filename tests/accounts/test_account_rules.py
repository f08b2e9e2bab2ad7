"""The rules an account follows: no common password, none equal to the e-mail or longer than
256 characters; e-mails normalised (NFKC, lower case) wherever stored or looked up; no
bidirectional control characters in any name people give (users, cooperatives, products)."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from support.factories import CooperativeFactory, UserFactory, csrf_from

from app.accounts import services
from app.accounts.models import User
from app.accounts.passwords import COMMON_PASSWORDS_FILE, _common_passwords
from app.accounts.validation import check_password, normalise_email
from app.cooperatives.models import Cooperative
from app.core.errors import ValidationFailed
from app.core.names import BIDI_CONTROLS
from app.extensions import db

GOOD_PASSWORD = "argan-oil-from-azilal"
FULL_WIDTH = "ｆａｔｉｍａ＠ｅｘａｍｐｌｅ．ｍａ"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def api_register(client, **overrides):
    body = {"email": "fatima@example.ma", "password": GOOD_PASSWORD, "name": "Fatima"}
    body.update(overrides)
    return client.post("/api/v1/auth/register", json=body)


# Passwords ----------------------------------------------------------------------------------


def test_the_shipped_list_holds_the_100000_most_common_passwords():
    assert COMMON_PASSWORDS_FILE.stat().st_size < 1_000_000
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8", errors="replace") as lines:
        assert sum(1 for _ in lines) == 100_000
    common = _common_passwords()
    assert len(common) > 95_000  # compared in lower case: "Password" and "password" are one
    assert {"123456", "password", "qwertyuiop", "password123", "iloveyou12"} <= common


@pytest.mark.parametrize("password", ["password123", "Password123", "qwertyuiop", "1234567890"])
def test_a_common_password_is_refused_in_any_letter_case(client, password):
    response = api_register(client, password=password)

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["password"]
    assert count(User) == 0


def test_a_password_equal_to_the_email_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        check_password("Fatima.Zahra@Example.ma", "fatima.zahra@example.ma")
    assert list(raised.value.fields) == ["password"]


def test_a_password_longer_than_256_characters_is_refused_and_256_accepted(client):
    assert api_register(client, password="é" * 257).status_code == 422
    assert api_register(client, password="é" * 256).status_code == 201


def test_the_register_page_refuses_a_common_password(client):
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_from(client, "/register"),
            "name": "Fatima",
            "email": "fatima@example.ma",
            "password": "password123",
            "confirm": "password123",
        },
    )

    assert response.status_code == 422
    assert "one of the most used" in response.text
    assert count(User) == 0


# E-mails ------------------------------------------------------------------------------------


def test_a_full_width_look_alike_of_a_taken_email_answers_409(client):
    UserFactory(email="fatima@example.ma")

    response = api_register(client, email=FULL_WIDTH)

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "email_taken"
    assert count(User) == 1


def test_a_full_width_email_is_stored_in_plain_letters_and_logs_in_either_way(client):
    assert api_register(client, email=FULL_WIDTH).status_code == 201

    assert db.session.scalar(select(User.email)) == "fatima@example.ma"
    assert services.authenticate("FATIMA@example.ma", GOOD_PASSWORD) is not None
    assert services.authenticate(FULL_WIDTH, GOOD_PASSWORD) is not None


def test_a_cooperatives_contact_email_is_stored_normalised_too():
    from app.cooperatives.validation import validate_email_address

    assert validate_email_address(" Ｃｏｎｔａｃｔ@Tighza.example ") == "contact@tighza.example"


def test_normalising_is_nfkc_then_lower_case():
    assert normalise_email(" Ｆatima＠Example.MA ") == "fatima@example.ma"


def test_the_migration_normalises_stored_emails_and_leaves_a_clash_alone(app):
    spec = importlib.util.spec_from_file_location(
        "migration_0002",
        Path(app.root_path).parent / "migrations" / "versions" / "0002_account_security.py",
    )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    plain = UserFactory(email="amina@example.ma")
    wide = UserFactory(email="placeholder-1@example.ma")
    clash = UserFactory(email="placeholder-2@example.ma")
    db.session.flush()
    # Rows written before this change, as the old code stored them.
    for user, stored in ((wide, "ＹＯＵＳＳＥＦ@example.ma"), (clash, "ＡＭＩＮＡ@example.ma")):
        db.session.execute(
            text("UPDATE users SET email = :email WHERE id = :id"), {"email": stored, "id": user.id}
        )

    migration.normalise_emails(db.session.connection())

    emails = dict(db.session.execute(select(User.id, User.email)).all())
    assert emails[plain.id] == "amina@example.ma"
    assert emails[wide.id] == "youssef@example.ma"
    assert emails[clash.id] == "ＡＭＩＮＡ@example.ma"


# Names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_every_bidi_control_is_refused_in_a_user_name(client, control):
    response = api_register(client, name=f"Fatima{control} Zahra")

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["name"]
    assert count(User) == 0


def test_the_register_page_and_the_account_page_refuse_a_bidi_control_in_the_name(client):
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_from(client, "/register"),
            "name": "\u202egninrom",
            "email": "fatima@example.ma",
            "password": GOOD_PASSWORD,
            "confirm": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert count(User) == 0

    with pytest.raises(ValidationFailed):
        services.update_profile(UserFactory(), name="Ali\u2067 Baba", locale=None)


def test_a_cooperative_name_with_a_bidi_control_is_refused(client, api_token):
    headers = api_token(UserFactory())
    application = {
        "name": "Tighza \u202eyenoh",
        "legal_form": "cooperative",
        "registration_number": "2016/BM-112",
        "province": "azilal",
        "commune": "Tabant",
        "phone": "0612345678",
        "email": "contact@tighza.example",
    }

    response = client.post("/api/v1/cooperatives", json=application, headers=headers)

    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]
    assert count(Cooperative) == 0


def test_a_product_name_or_its_translation_with_a_bidi_control_is_refused(client, api_token):
    from support.factories import CategoryFactory, MembershipFactory

    member = MembershipFactory(cooperative=CooperativeFactory())
    category = CategoryFactory()
    headers = api_token(member.user)
    product = {"price": 1000, "stock": 1, "unit": "jar", "category_id": category.id}
    url = f"/api/v1/cooperatives/{member.cooperative_id}/products"

    named = client.post(url, json={**product, "name": "Miel\u200f"}, headers=headers)
    translated = client.post(
        url,
        json={**product, "name": "Miel", "translations": {"ar": {"name": "عسل\u061c"}}},
        headers=headers,
    )

    assert named.status_code == 422
    assert "name" in named.get_json()["error"]["fields"]
    assert translated.status_code == 422


def test_arabic_and_french_names_without_controls_are_kept(client):
    assert api_register(client, name="فاطمة الزهراء — Fatima-Zahra").status_code == 201
