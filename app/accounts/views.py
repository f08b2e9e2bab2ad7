"""Account pages: register, log in, log out, the person's own settings and reading language."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from app.accounts import services
from app.accounts.forms import AccountForm, LoginForm, RegisterForm
from app.accounts.throttling import count_failed_login, limit_failed_logins, retry_after_seconds
from app.core.errors import DomainError
from app.core.language import current_language
from app.core.redirects import safe_next

bp = Blueprint("accounts", __name__)


def _home() -> str:
    return url_for("storefront.home") if "storefront.home" in current_app.view_functions else "/"


def _apply_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a service's messages next to the fields they name, the rest above the form."""
    placed = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        return render_template("accounts/register.html", form=form)
    if form.validate_on_submit():
        try:
            user = services.register(
                form.email.data, form.password.data, form.name.data, locale=current_language()
            )
        except DomainError as error:
            _apply_errors(form, error)
        else:
            login_user(user)
            flash(_("Welcome to Souk Tadamon, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data) or _home())
    return render_template("accounts/register.html", form=form), 422


@bp.route("/login", methods=["GET", "POST"])
@limit_failed_logins
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        return render_template("accounts/login.html", form=form)
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data) or _home())
        count_failed_login()
        form.form_errors.append(_("Wrong email or password."))
    return render_template("accounts/login.html", form=form), 422


@bp.errorhandler(429)
def too_many_failed_logins(error):
    """The login page again, saying why and for how long; never a bare error page."""
    form = LoginForm()
    minutes = max(1, -(-retry_after_seconds() // 60))
    form.form_errors.append(
        ngettext(
            "Too many failed login attempts. Try again in %(num)d minute.",
            "Too many failed login attempts. Try again in %(num)d minutes.",
            minutes,
        )
    )
    return render_template("accounts/login.html", form=form), 429


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(_home())


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
        return render_template("accounts/account.html", form=form)
    if form.validate_on_submit():
        try:
            user = services.update_profile(
                current_user._get_current_object(),
                name=form.name.data,
                locale=form.locale.data or None,
            )
        except DomainError as error:
            _apply_errors(form, error)
        else:
            # The language chosen on the switcher would otherwise hide the new preference.
            if user.locale:
                session["lang"] = user.locale
            else:
                session.pop("lang", None)
            flash(_("Your account is saved."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form), 422


@bp.get("/lang/<code>")
def switch_language(code: str):
    """The reader's choice, for this session and, when logged in, for the account: the
    e-mails and messages the workers send later follow it too."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated and current_user.locale != code:
            services.set_locale(current_user, code)
    return redirect(safe_next(request.args.get("next")) or "/")
