from __future__ import annotations

from sqlalchemy import select
from support.factories import PASSWORD, UserFactory

from app.accounts import services
from app.accounts.models import Role, User
from app.extensions import db

GOOD_PASSWORD = "argan-oil-from-azilal"


def admin_named(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email, User.role == Role.ADMIN))


def test_create_admin_with_password_option_creates_an_admin_who_can_log_in(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "Direction@Souk.ma", "--password", GOOD_PASSWORD, "--name", "Nadia"]
    )

    assert result.exit_code == 0, result.output
    assert "Created admin direction@souk.ma (Nadia)" in result.output
    admin = admin_named("direction@souk.ma")
    assert admin is not None
    assert services.authenticate("direction@souk.ma", GOOD_PASSWORD) == admin


def test_create_admin_asks_for_the_password_twice_when_it_is_left_out(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "direction@souk.ma"],
        input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert GOOD_PASSWORD not in result.output
    assert services.authenticate("direction@souk.ma", GOOD_PASSWORD) == admin_named(
        "direction@souk.ma"
    )


def test_create_admin_asks_again_when_the_two_passwords_differ(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "direction@souk.ma"],
        input=f"{GOOD_PASSWORD}\nsomething-else-1\n{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert admin_named("direction@souk.ma") is not None


def test_create_admin_promotes_an_existing_account_and_says_so(app):
    user = UserFactory(email="hassan@example.ma")

    result = app.test_cli_runner().invoke(args=["create-admin", "HASSAN@example.ma"])

    assert result.exit_code == 0, result.output
    assert "already had an account: promoted to admin" in result.output
    assert "Password" not in result.output
    db.session.refresh(user)
    assert user.is_admin
    assert services.authenticate("hassan@example.ma", PASSWORD) == user


def test_create_admin_refuses_a_bad_email_before_asking_anything(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "not-an-email"])

    assert result.exit_code != 0
    assert "Enter a valid email address" in result.output
    assert "Password" not in result.output
    assert db.session.scalar(select(User)) is None


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "direction@souk.ma", "--password", "short"]
    )

    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_admin_with_a_password_for_an_existing_account_also_resets_it(app):
    user = UserFactory(email="hassan@example.ma")

    result = app.test_cli_runner().invoke(
        args=["create-admin", "hassan@example.ma", "--password", GOOD_PASSWORD]
    )

    assert result.exit_code == 0, result.output
    assert "Password changed." in result.output
    assert services.authenticate("hassan@example.ma", GOOD_PASSWORD) == user
    assert user.is_admin
