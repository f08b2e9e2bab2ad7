"""Forms of the account pages. They check presence and shape; the services own the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from app.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.accounts.validation import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH
from app.core.names import NoBidiControls


def _new_password_field(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l(
                    "Choose a password of at least %(count)d characters.",
                    count=MIN_PASSWORD_LENGTH,
                ),
            ),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=_l(
                    "A password has at most %(count)d characters.", count=MAX_PASSWORD_LENGTH
                ),
            ),
        ],
        render_kw={
            "autocomplete": "new-password",
            "minlength": MIN_PASSWORD_LENGTH,
            "maxlength": MAX_PASSWORD_LENGTH,
        },
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        _l("Password again"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=MAX_EMAIL_LENGTH)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


def _name_field() -> StringField:
    return StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=MAX_NAME_LENGTH),
            NoBidiControls(),
        ],
        render_kw={"autocomplete": "name"},
    )


class RegisterForm(FlaskForm):
    name = _name_field()
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=MAX_EMAIL_LENGTH)],
        render_kw={"autocomplete": "email"},
    )
    password = _new_password_field(_l("Password"))
    confirm = _confirm_field()
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=MAX_EMAIL_LENGTH)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password_field(_l("New password"))
    confirm = _confirm_field()


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, behind a button that confirms an e-mailed link."""


class AccountForm(FlaskForm):
    name = _name_field()
    locale = SelectField(
        _l("Preferred language"),
        choices=[
            SelectChoice("", _l("The language of my browser")),
            SelectChoice("ar", "العربية", render_kw={"lang": "ar"}),
            SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
    )


class PhoneForm(FlaskForm):
    """The number to send a code to; the service normalises and checks it."""

    phone = TelField(
        _l("Phone"),
        validators=[DataRequired(_l("Enter your phone number.")), Length(max=40)],
        description=_l("+212 or 0, then 9 digits, e.g. 06 12 34 56 78"),
        render_kw={"autocomplete": "tel"},
    )


class PhoneCodeForm(FlaskForm):
    code = StringField(
        _l("Code received by SMS"),
        validators=[DataRequired(_l("Enter the code we sent you.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class AccountSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Email or name"), validators=[Length(max=MAX_EMAIL_LENGTH)])


class SuspendAccountForm(FlaskForm):
    reason = StringField(_l("Why (kept in the audit log)"), validators=[Length(max=2000)])
