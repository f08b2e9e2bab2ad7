from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from support.factories import PASSWORD, UserFactory, issue_token

from app.accounts import services
from app.accounts.errors import EmailTaken, InvalidCredentials
from app.accounts.models import ApiToken, Role, User
from app.accounts.validation import normalise_email
from app.core.errors import ValidationFailed
from app.extensions import db

GOOD_PASSWORD = "argan-oil-from-azilal"


def verify_link(token: str) -> str:
    return f"https://souk.example/email/verify/{token}"


def register(email: str, password: str, name: str, locale: str | None = None) -> User:
    return services.register(email, password, name, locale, verify_link=verify_link)


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_stores_the_email_lower_cased_and_makes_a_shopper():
    user = register("  Fatima.Zahra@Example.MA ", GOOD_PASSWORD, " Fatima Zahra ")

    stored = db.session.get(User, user.id)
    assert stored.email == "fatima.zahra@example.ma"
    assert stored.name == "Fatima Zahra"
    assert stored.roles == ["shopper"]


def test_register_stores_an_argon2id_hash_never_the_password():
    user = register("hash@example.ma", GOOD_PASSWORD, "Hash")

    assert user.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, GOOD_PASSWORD)


def test_register_refuses_an_email_taken_in_another_letter_case():
    register("amina@example.ma", GOOD_PASSWORD, "Amina")

    with pytest.raises(EmailTaken) as raised:
        register("AMINA@Example.ma", GOOD_PASSWORD, "Amina again")

    assert raised.value.status == 409
    assert raised.value.code == "email_taken"
    assert "email" in raised.value.fields
    assert count_users() == 1


def test_register_answers_email_taken_when_a_concurrent_registration_wins_the_race(monkeypatch):
    register("race@example.ma", GOOD_PASSWORD, "First")
    # The other request inserted after our existence check: only the unique index can tell.
    monkeypatch.setattr(services, "user_by_email", lambda email: None)

    with pytest.raises(EmailTaken):
        services.register("Race@example.ma", GOOD_PASSWORD, "Second", verify_link=verify_link)

    assert count_users() == 1
    assert db.session.scalar(select(User.name)) == "First"


def test_register_reports_every_bad_field_at_once_and_creates_nothing():
    with pytest.raises(ValidationFailed) as raised:
        register("not-an-email", "short", "  ", locale="de")

    assert set(raised.value.fields) == {"email", "password", "name", "locale"}
    assert raised.value.status == 422
    assert count_users() == 0


def test_register_accepts_a_password_of_exactly_ten_characters():
    user = register("ten@example.ma", "tighza-bee", "Ten")
    assert services.authenticate("ten@example.ma", "tighza-bee") == user


def test_register_refuses_a_name_longer_than_the_column():
    with pytest.raises(ValidationFailed) as raised:
        register("long@example.ma", GOOD_PASSWORD, "x" * 121)
    assert list(raised.value.fields) == ["name"]


@given(st.lists(st.booleans(), min_size=17, max_size=17))
def test_every_letter_case_of_an_email_normalises_to_the_same_address(upper):
    email = "khadija@tighza.ma"
    variant = "".join(c.upper() if up else c for c, up in zip(email, upper, strict=True))
    assert normalise_email(variant) == email


def test_authenticate_accepts_any_letter_case_of_the_email_and_records_the_login():
    user = UserFactory(email="youssef@example.ma")

    assert services.authenticate("YOUSSEF@example.MA", PASSWORD) == user
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("youssef@example.ma", "wrong-password-123"),
        ("nobody@example.ma", PASSWORD),
        ("not an email", PASSWORD),
        ("", ""),
    ],
)
def test_authenticate_gives_none_for_bad_credentials(email, password):
    UserFactory(email="youssef@example.ma")
    assert services.authenticate(email, password) is None


def test_authenticate_refuses_a_deactivated_account():
    UserFactory(email="gone@example.ma", active=False)
    assert services.authenticate("gone@example.ma", PASSWORD) is None


def test_authenticate_upgrades_a_hash_made_with_weaker_parameters(app):
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = UserFactory(email="old@example.ma", password_hash=weak_hash)

    assert services.authenticate("old@example.ma", PASSWORD) == user
    assert user.password_hash != weak_hash
    assert not PasswordHasher(**app.config["PASSWORD_HASHING"]).check_needs_rehash(
        user.password_hash
    )


def test_issue_token_for_credentials_gives_a_token_that_names_the_user():
    user = UserFactory(email="token@example.ma")

    token = services.issue_token_for_credentials("token@example.ma", PASSWORD)

    assert services.user_for_token(token) == user
    assert db.session.scalar(select(ApiToken.token_hash)) != token


def test_issue_token_for_credentials_refuses_a_wrong_password_and_stores_nothing():
    UserFactory(email="token@example.ma")

    with pytest.raises(InvalidCredentials) as raised:
        services.issue_token_for_credentials("token@example.ma", "wrong-password-123")

    assert raised.value.status == 401
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoked_token_names_nobody_and_revoking_twice_does_nothing():
    token = issue_token(UserFactory())

    assert services.revoke_token(token) is True
    assert services.user_for_token(token) is None
    assert services.revoke_token(token) is False
    assert services.revoke_token("never-issued") is False


def test_create_admin_creates_an_admin_named_after_the_email():
    grant = services.create_admin("Direction@Souk.ma", GOOD_PASSWORD)

    assert grant.created
    assert grant.user.role == Role.ADMIN
    assert grant.user.email == "direction@souk.ma"
    assert grant.user.name == "direction"


def test_create_admin_promotes_an_existing_account_and_keeps_its_password():
    user = UserFactory(email="hassan@example.ma")

    grant = services.create_admin("hassan@example.ma", None)

    assert not grant.created
    assert not grant.password_changed
    assert grant.user == user
    assert user.is_admin
    assert services.authenticate("hassan@example.ma", PASSWORD) == user


def test_create_admin_needs_a_password_for_a_new_account():
    with pytest.raises(ValidationFailed) as raised:
        services.create_admin("new@example.ma", None)
    assert list(raised.value.fields) == ["password"]
    assert count_users() == 0


def test_set_locale_keeps_a_known_language_and_refuses_others():
    user = UserFactory()

    services.set_locale(user, "ar")
    assert user.locale == "ar"

    with pytest.raises(ValidationFailed):
        services.set_locale(user, "de")
    db.session.refresh(user)
    assert user.locale == "ar"

    services.set_locale(user, None)
    assert user.locale is None


def test_update_profile_changes_nothing_when_one_field_is_bad():
    user = UserFactory(name="Old name", locale="fr")

    with pytest.raises(ValidationFailed) as raised:
        services.update_profile(user, name="New name", locale="xx")

    assert list(raised.value.fields) == ["locale"]
    db.session.refresh(user)
    assert (user.name, user.locale) == ("Old name", "fr")
